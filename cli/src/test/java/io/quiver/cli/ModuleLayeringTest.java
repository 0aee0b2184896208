package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: modules depend only downward (house style). Scans every main source file's imports and
 * fails naming the file and the forbidden import.
 */
@Timeout(30)
class ModuleLayeringTest {
    /** For each module: package prefixes its main sources must not import. */
    private static final Map<String, List<String>> FORBIDDEN = Map.of(
        "protocol", List.of("io.quiver.store", "io.quiver.remoting", "io.quiver.replication", "io.quiver.namesrv",
            "io.quiver.broker", "io.quiver.cli", "io.quiver.controller"),
        "store", List.of("io.quiver.remoting", "io.quiver.replication", "io.quiver.namesrv", "io.quiver.broker",
            "io.quiver.cli", "io.netty", "io.quiver.controller"),
        "remoting", List.of("io.quiver.store", "io.quiver.replication", "io.quiver.namesrv", "io.quiver.broker",
            "io.quiver.cli", "io.quiver.controller"),
        "replication", List.of("io.quiver.namesrv", "io.quiver.broker", "io.quiver.cli", "io.quiver.controller"),
        "controller", List.of("io.quiver.store", "io.quiver.replication", "io.quiver.namesrv",
            "io.quiver.broker", "io.quiver.cli"),
        "namesrv", List.of("io.quiver.store", "io.quiver.replication", "io.quiver.broker", "io.quiver.cli",
            "io.quiver.controller"),
        "broker", List.of("io.quiver.namesrv", "io.quiver.cli", "io.quiver.controller"),
        "testkit", List.of("io.quiver.protocol", "io.quiver.store", "io.quiver.remoting", "io.quiver.namesrv",
            "io.quiver.broker", "io.quiver.cli", "io.quiver.controller"));

    @Test
    void modulesImportOnlyWhatLiesBelowThem() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<String> violations = new ArrayList<>();
        int scanned = 0;
        for (Map.Entry<String, List<String>> e : FORBIDDEN.entrySet()) {
            Path src = root.resolve(e.getKey()).resolve("src/main/java");
            assertThat(src).as("sources of module %s", e.getKey()).isDirectory();
            try (Stream<Path> files = Files.walk(src)) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    scanned++;
                    for (String line : Files.readAllLines(f)) {
                        String t = line.trim();
                        if (!t.startsWith("import ")) {
                            continue;
                        }
                        for (String bad : e.getValue()) {
                            if (t.startsWith("import " + bad + ".") || t.startsWith("import static " + bad + ".")) {
                                violations.add(root.relativize(f) + ": " + t);
                            }
                        }
                    }
                }
            }
        }
        assertThat(scanned).isGreaterThan(40);
        assertThat(violations).isEmpty();
    }
}
