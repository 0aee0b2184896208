package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import io.quiver.store.PutResult;
import io.quiver.store.StoreConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Unit tier: {@code quiver store verify} on a healthy store, a damaged record, and no store at all. */
@Timeout(60)
class StoreVerifyCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out) {}

    private static Run run(String... args) {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            int code = new CommandLine(new Main()).execute(args);
            return new Run(code, buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    private long writeStore(Path root) {
        long victim;
        try (MessageStore s = new MessageStore(StoreConfig.defaults(root).withMaxMessageBytes(64 * 1024)
            .withSegmentBytes(256 * 1024), Clock.SYSTEM)) {
            s.start();
            long off = -1;
            for (int i = 0; i < 40; i++) {
                MessageDraft d = new MessageDraft();
                d.topic("T");
                d.queueId(i % 2);
                byte[] b = ("body-" + i + "-" + "z".repeat(10_000)).getBytes(StandardCharsets.UTF_8);
                d.body(b, 0, b.length);
                PutResult r = s.put(List.of(d), true).join();
                if (i == 7) {
                    off = r.commitLogOffsets()[0];
                }
            }
            victim = off;
        }
        return victim;
    }

    @Test
    void healthyStoreIsOkAndADamagedRecordIsReported() throws Exception {
        Path root = dir.resolve("broker");
        long victim = writeStore(root);
        Run ok = run("store", "verify", "--data-dir", dir.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("records          40").contains("mismatches       0").contains("OK");

        Path seg;
        try (Stream<Path> s = Files.list(root.resolve("commitlog"))) {
            seg = s.sorted().toList().get(0);
        }
        try (RandomAccessFile f = new RandomAccessFile(seg.toFile(), "rw")) {
            f.seek(victim + 200);
            int b = f.read();
            f.seek(victim + 200);
            f.write(b ^ 0x5A);
        }
        Run bad = run("store", "verify", "--data-dir", root.toString());
        assertThat(bad.code()).isEqualTo(1);
        assertThat(bad.out()).contains("damaged bytes at offsets [" + victim + ", ").contains("valid records follow")
            .contains("DAMAGED");
        assertThat(bad.out()).as("the records after the damaged one are still read").contains("records          39");
        assertThat(bad.out()).containsPattern("mismatches\\s+[1-9]");

        Run json = run("store", "verify", "--data-dir", root.toString(), "--json");
        assertThat(json.code()).isEqualTo(1);
        assertThat(json.out()).contains("\"damaged\":true").contains("\"crcFailures\":1");
    }

    @Test
    void aDirectoryWithoutAStoreIsExitCodeTwo() {
        assertThat(run("store", "verify", "--data-dir", dir.toString()).code()).isEqualTo(2);
    }
}
