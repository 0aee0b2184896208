package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: malformed frames and requests get a clear error or a closed connection, and the broker
 * keeps serving everyone else (checked with the official producer after each case). Well-formed requests
 * are encoded by the official client's own RemotingCommand.
 */
@Timeout(120)
class BadInputIT extends QuiverIT {

    protected static Map<String, String> brokerConf() {
        return Map.of("maxMessageSize", Integer.toString(1024 * 1024));
    }

    private static int port() {
        return quiver.brokerPort();
    }

    @AfterEach
    void brokerStillServes() throws Exception {
        DefaultMQProducer p = producer();
        assertThat(p.send(new Message(unique("Healthy"), "still here".getBytes())).getSendStatus())
            .isEqualTo(SendStatus.SEND_OK);
    }


    /** Writes raw bytes and reports whether the broker closed the connection (without answering). */
    private static boolean closedAfter(byte[] raw) throws IOException {
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(raw);
            out.flush();
            try {
                return s.getInputStream().read() < 0;
            } catch (SocketTimeoutException e) {
                return false;
            } catch (IOException e) {
                return true; // reset
            }
        }
    }

    private static byte[] frame(int declaredLength, byte[] rest) {
        return ByteBuffer.allocate(4 + rest.length).putInt(declaredLength).put(rest).array();
    }

    @Test
    void oversizedFrameLengthClosesTheConnection() throws Exception {
        assertThat(closedAfter(frame(64 * 1024 * 1024, new byte[16]))).isTrue();
    }

    @Test
    void negativeFrameLengthClosesTheConnection() throws Exception {
        assertThat(closedAfter(frame(-5, new byte[16]))).isTrue();
    }

    @Test
    void garbageJsonHeaderClosesTheConnection() throws Exception {
        byte[] header = "{this is not json".getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length);
        b.putInt(4 + header.length).putInt(header.length).put(header);
        assertThat(closedAfter(b.array())).isTrue();
    }

    @Test
    void headerLongerThanFrameClosesTheConnection() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(12);
        b.putInt(8).putInt(1000).putInt(0);
        assertThat(closedAfter(b.array())).isTrue();
    }

    @Test
    void unknownRequestCodeIsNotSupported() throws Exception {
        RemotingCommand resp = call(RemotingCommand.createRequestCommand(9999, null));
        assertThat(resp.getCode()).isEqualTo(3);
        assertThat(resp.getRemark()).contains("9999").contains("not supported");
    }

    @Test
    void missingRequiredHeaderFieldIsNamedInTheError() throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(30, null); // GET_MAX_OFFSET
        req.addExtField("topic", "T");
        RemotingCommand resp = call(req);
        assertThat(resp.getCode()).isEqualTo(1);
        assertThat(resp.getRemark()).contains("queueId").contains("missing");
    }

    @Test
    void nonNumericHeaderFieldIsNamedInTheError() throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(30, null);
        req.addExtField("topic", "T");
        req.addExtField("queueId", "zero");
        RemotingCommand resp = call(req);
        assertThat(resp.getCode()).isEqualTo(1);
        assertThat(resp.getRemark()).contains("queueId").contains("zero");
    }

    private static RemotingCommand sendRequest(String topic, byte[] body) {
        RemotingCommand req = RemotingCommand.createRequestCommand(310, null);
        Map<String, String> f = new HashMap<>(Map.of("a", "PG", "b", topic, "c", "TBW102", "d", "4", "e", "0",
            "f", "0", "g", "1700000000000", "h", "0"));
        f.forEach(req::addExtField);
        req.setBody(body);
        return req;
    }

    @Test
    void invalidTopicNameIsRefusedWithAReason() throws Exception {
        RemotingCommand resp = call(sendRequest("bad topic!", "x".getBytes()));
        assertThat(resp.getCode()).isEqualTo(1);
        assertThat(resp.getRemark()).contains("bad topic!").contains("only letters");
    }

    @Test
    void systemTopicIsRefused() throws Exception {
        RemotingCommand resp = call(sendRequest("SCHEDULE_TOPIC_XXXX", "x".getBytes()));
        assertThat(resp.getCode()).isEqualTo(16);
    }

    @Test
    void bodyOverMaxMessageSizeIsIllegalAndNamesTheLimit() throws Exception {
        DefaultMQProducer p = producer();
        p.setMaxMessageSize(8 * 1024 * 1024); // let the client send it; the broker's limit is 1 MiB
        p.setCompressMsgBodyOverHowmuch(Integer.MAX_VALUE);
        String topic = unique("T");
        ensureTopic(p, topic);
        try {
            p.send(new Message(topic, new byte[2 * 1024 * 1024]));
            throw new AssertionError("the oversized send was accepted");
        } catch (MQBrokerException e) {
            assertThat(e.getResponseCode()).isEqualTo(13);
            assertThat(e.getErrorMessage()).contains("1048576").contains("maxMessageSize");
        }
    }

    @Test
    void malformedBatchBodyIsIllegal() throws Exception {
        RemotingCommand req = sendRequest(unique("T"), new byte[] {0, 0, 0, 99, 1, 2, 3});
        req.setCode(320);
        req.addExtField("m", "true");
        RemotingCommand resp = call(req);
        assertThat(resp.getCode()).isEqualTo(13);
        assertThat(resp.getRemark()).contains("batch");
    }

    @Test
    void heartbeatWithGarbageBodyIsRefused() throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(34, null);
        req.setBody("{not json".getBytes());
        RemotingCommand resp = call(req);
        assertThat(resp.getCode()).isEqualTo(1);
        assertThat(resp.getRemark()).contains("HeartbeatData");
    }

    @Test
    void onewayRequestWithBadHeaderGetsNoAnswer() throws Exception {
        RemotingCommand req = RemotingCommand.createRequestCommand(15, null); // UPDATE_CONSUMER_OFFSET
        req.markOnewayRPC();
        try (Socket s = new Socket("127.0.0.1", port())) {
            s.setSoTimeout(1_500);
            ByteBuffer b = req.encode();
            s.getOutputStream().write(b.array(), b.position(), b.remaining());
            try {
                int r = s.getInputStream().read();
                assertThat(r).as("no answer to a oneway request").isEqualTo(-2);
            } catch (SocketTimeoutException expected) {
                // no answer, connection kept
            } catch (EOFException e) {
                throw new AssertionError("connection closed", e);
            }
        }
    }
}
