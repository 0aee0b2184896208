package io.quiver.itgrpc;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.testkit.QuiverProcess;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier with the RocketMQ 5 Node.js SDK (npm {@code rocketmq-client-nodejs} 1.0.8, installed into
 * {@code itgrpc/node} by this test when missing): {@code roundtrip.js} sends three messages and a committed
 * transactional one over plain-text gRPC, then receives and acknowledges all four with a simple consumer. Needs
 * {@code node} and {@code npm} on the PATH (CI installs them); elsewhere the test is skipped without them.
 */
@Timeout(600)
class NodeSdkIT {
    private static final Path NODE_DIR = Path.of("node").toAbsolutePath();

    @Test
    void theNodeSdkSendsATransactionCommitsAndReceivesWhatItSent() throws Exception {
        if (!onPath("node") || !onPath("npm")) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError("node and npm are needed for the Node.js SDK test; .ci/run installs them");
            }
            Assumptions.abort("node and npm are not on the PATH: the Node.js SDK test is skipped");
        }
        if (!Files.isDirectory(NODE_DIR.resolve("node_modules").resolve("rocketmq-client-nodejs"))) {
            Process install = new ProcessBuilder("npm", "install", "--no-audit", "--no-fund", "--loglevel=error")
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
            String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(install.waitFor(5, TimeUnit.MINUTES)).as("npm install finished").isTrue();
            assertThat(install.exitValue()).as("npm install: " + out).isZero();
        }
        try (QuiverProcess quiver = new QuiverProcess(Files.createTempDirectory("quiver-itgrpc-node-"), Map.of(
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start()) {
            String topic = "NT_" + UUID.randomUUID().toString().substring(0, 8);
            String group = "NG_" + UUID.randomUUID().toString().substring(0, 8);
            Process node = new ProcessBuilder("node", "roundtrip.js", quiver.grpcAddress(), topic, group)
                .directory(NODE_DIR.toFile()).redirectErrorStream(true).start();
            List<JsonNode> events = new ArrayList<>();
            List<String> lines = new ArrayList<>();
            ObjectMapper json = new ObjectMapper();
            try (var r = node.inputReader(StandardCharsets.UTF_8)) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                    if (line.startsWith("{")) {
                        events.add(json.readTree(line));
                    }
                }
            }
            assertThat(node.waitFor(3, TimeUnit.MINUTES)).isTrue();
            assertThat(node.exitValue()).as(String.join("\n", lines)).isZero();
            Map<String, String> sent = new HashMap<>();
            Map<String, JsonNode> received = new HashMap<>();
            for (JsonNode e : events) {
                switch (e.get("event").asText()) {
                    case "sent" -> sent.put(e.get("body").asText(), e.get("messageId").asText());
                    case "received" -> received.put(e.get("body").asText(), e);
                    default -> { }
                }
            }
            assertThat(sent.keySet()).containsExactlyInAnyOrder("node-0", "node-1", "node-2", "node-tx");
            assertThat(received.keySet()).isEqualTo(sent.keySet());
            for (int i = 0; i < 3; i++) {
                JsonNode m = received.get("node-" + i);
                assertThat(m.get("messageId").asText()).isEqualTo(sent.get("node-" + i));
                assertThat(m.get("tag").asText()).isEqualTo("node");
                assertThat(m.get("keys").get(0).asText()).isEqualTo("key" + i);
                assertThat(m.get("properties").get("n").asText()).isEqualTo(Integer.toString(i));
                assertThat(m.get("corrupted").asBoolean()).as("the body digest matched").isFalse();
                assertThat(m.get("attempt").asInt()).isEqualTo(1);
            }
            assertThat(received.get("node-tx").get("messageId").asText()).isEqualTo(sent.get("node-tx"));
        }
    }

    private static boolean onPath(String exe) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, exe))) {
                return true;
            }
        }
        return false;
    }
}
