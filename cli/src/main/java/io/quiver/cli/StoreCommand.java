package io.quiver.cli;

import io.quiver.protocol.body.Json;
import io.quiver.store.StoreVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quiver store ...}: tools that work on a store directory directly. */
@Command(name = "store", mixinStandardHelpOptions = true, description = "Inspect a broker's data directory.",
    subcommands = {StoreCommand.Verify.class})
final class StoreCommand extends CommandGroup {

    /** Exit codes: 0 healthy, 1 damage found, 2 the directory holds no store. */
    @Command(name = "verify", mixinStandardHelpOptions = true,
        description = {"Check every commit-log record (length, magic, CRC) and every consume-queue entry against the",
            "record it points at. Changes nothing. Run it on a stopped broker.",
            "Exit code: 0 healthy, 1 damage found, 2 no store in the directory."})
    static final class Verify implements Callable<Integer> {
        @Option(names = "--data-dir", required = true, paramLabel = "DIR",
            description = "the broker's data directory (storePathRootDir), or the standalone data directory")
        Path dataDir;

        @Option(names = "--json", description = "print one JSON object instead of a table")
        boolean json;

        @Override
        public Integer call() {
            Path dir = Files.isDirectory(dataDir.resolve("commitlog")) ? dataDir : dataDir.resolve("broker");
            if (!Files.isDirectory(dir.resolve("commitlog"))) {
                System.err.println("quiver: no store in " + dataDir + " (expected a commitlog/ directory there or in broker/)");
                return 2;
            }
            StoreVerifier.Report r = StoreVerifier.verify(dir);
            if (json) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("dataDir", dir.toAbsolutePath().toString());
                m.put("segments", r.segments());
                m.put("records", r.records());
                m.put("recordBytes", r.recordBytes());
                m.put("crcFailures", r.crcFailures());
                m.put("damagedBytes", r.damagedBytes());
                m.put("queues", r.queues());
                m.put("queueEntries", r.queueEntries());
                m.put("expiredEntries", r.expiredEntries());
                m.put("mismatches", r.mismatches());
                m.put("damaged", r.damaged());
                m.put("problems", r.problems());
                System.out.println(Json.encodeToString(m));
            } else {
                System.out.printf("store            %s%n", dir.toAbsolutePath());
                System.out.printf("segments         %d%n", r.segments());
                System.out.printf("records          %d (%d bytes)%n", r.records(), r.recordBytes());
                System.out.printf("CRC failures     %d (%d damaged bytes stepped over)%n", r.crcFailures(),
                    r.damagedBytes());
                System.out.printf("queues           %d%n", r.queues());
                System.out.printf("queue entries    %d (%d before the log's start, expired)%n", r.queueEntries(),
                    r.expiredEntries());
                System.out.printf("mismatches       %d%n", r.mismatches());
                r.problems().forEach(p -> System.out.println("problem: " + p));
                System.out.println(r.damaged() ? "DAMAGED: see the problems above" : "OK");
            }
            return r.damaged() ? 1 : 0;
        }
    }
}
