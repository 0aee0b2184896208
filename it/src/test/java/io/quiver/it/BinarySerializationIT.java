package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: an official 4.9.8 client started with {@code -Drocketmq.serialize.type=ROCKETMQ} (binary
 * headers on every request) produces and consumes through Quiver, which answers in binary.
 */
@Timeout(120)
class BinarySerializationIT extends QuiverIT {

    /** The broker's count of requests that arrived with binary headers (GET_BROKER_RUNTIME_INFO). */
    private static long binaryRequests() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", quiver.brokerPort())) {
            java.nio.ByteBuffer b = org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(28, null).encode();
            s.getOutputStream().write(b.array(), b.position(), b.remaining());
            java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
            byte[] frame = new byte[in.readInt()];
            in.readFully(frame);
            String body = new String(org.apache.rocketmq.remoting.protocol.RemotingCommand
                .decode(java.nio.ByteBuffer.wrap(frame)).getBody(), java.nio.charset.StandardCharsets.UTF_8);
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"binaryHeaderRequests\":\"(\\d+)\"").matcher(body);
            assertThat(m.find()).as(body).isTrue();
            return Long.parseLong(m.group(1));
        }
    }

    @Test
    void clientUsingBinaryHeadersRoundTripsMessages() throws Exception {
        long before = binaryRequests();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-Drocketmq.serialize.type=ROCKETMQ", "-Drocketmq.client.logUseSlf4j=true",
            "-cp", System.getProperty("java.class.path"), ChildRoundTrip.class.getName(), quiver.namesrvAddr(),
            unique("Bin"), "10").redirectErrorStream(true).start();
        onCleanup(child::destroyForcibly);
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(lines).as(String.join("\n", lines)).contains("DONE");
        List<String> received = lines.stream().filter(l -> l.startsWith("RECEIVED ")).toList();
        assertThat(received).hasSize(10);
        for (int i = 0; i < 10; i++) {
            assertThat(received.get(i)).startsWith("RECEIVED binary-" + i + " k" + i + " ");
        }
        assertThat(binaryRequests() - before).as("requests that reached the broker with binary headers")
            .isGreaterThanOrEqualTo(12);
    }
}
