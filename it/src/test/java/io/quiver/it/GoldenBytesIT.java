package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.rocketmq.remoting.protocol.RemotingCommand;
import org.apache.rocketmq.remoting.protocol.SerializeType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Proves that the golden frames pinned in the protocol module's unit tests are what the official 4.9.8
 * RemotingCommand encoder produces (the unit tests then hold Quiver's codec to those bytes).
 */
@Timeout(30)
class GoldenBytesIT {

    private static String hex(ByteBuffer b) {
        StringBuilder sb = new StringBuilder();
        while (b.hasRemaining()) {
            sb.append(String.format("%02x", b.get()));
        }
        return sb.toString();
    }

    private static String pinned(String name) throws Exception {
        String src = Files.readString(Path.of("../protocol/src/test/java/io/quiver/protocol/GoldenFrames.java"));
        Matcher m = Pattern.compile("static final String " + name + " = ((?:\"[0-9a-f]*\"\\s*\\+?\\s*)+);").matcher(src);
        assertThat(m.find()).as("constant %s in GoldenFrames.java", name).isTrue();
        return m.group(1).replaceAll("[\"+\\s]", "");
    }

    private static RemotingCommand withVersionZero(RemotingCommand c) {
        c.setVersion(0);
        return c;
    }

    @Test
    void officialEncoderProducesThePinnedFrames() throws Exception {
        RemotingCommand r = withVersionZero(RemotingCommand.createRequestCommand(105, null));
        r.addExtField("topic", "T");
        r.setOpaque(7);
        r.setRemark("r");
        assertThat(hex(r.encode())).isEqualTo(pinned("JSON_REQ"));
        r.setSerializeTypeCurrentRPC(SerializeType.ROCKETMQ);
        assertThat(hex(r.encode())).isEqualTo(pinned("BIN_REQ"));

        RemotingCommand resp = withVersionZero(RemotingCommand.createResponseCommand(0, null));
        resp.setOpaque(42);
        resp.addExtField("offset", "12345");
        resp.setBody("body".getBytes());
        assertThat(hex(resp.encode())).isEqualTo(pinned("JSON_RESP"));

        RemotingCommand ow = withVersionZero(RemotingCommand.createRequestCommand(15, null));
        ow.setOpaque(9);
        ow.markOnewayRPC();
        ow.addExtField("consumerGroup", "G");
        assertThat(hex(ow.encode())).isEqualTo(pinned("JSON_ONEWAY"));
    }
}
