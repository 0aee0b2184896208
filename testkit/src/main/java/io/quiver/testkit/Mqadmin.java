package io.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs RocketMQ's mqadmin ({@code MQAdminStartup} of the rocketmq-tools on the test's class path) as a person runs it: a
 * JVM of its own, with a tools home whose logging is off. Returns what it printed.
 */
public final class Mqadmin {
    private static final long TIMEOUT_SECONDS = 60;
    private static Path home;

    private Mqadmin() {}

    /** The output of {@code mqadmin args} (stdout and stderr together). */
    public static String run(String... args) {
        try {
            List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                // a short-lived tool: the quick compiler and the serial collector start it faster
                "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Drocketmq.home.dir=" + home(),
                "-Drocketmq.client.logUseSlf4j=true", "-cp",
                System.getProperty("java.class.path"), "org.apache.rocketmq.tools.command.MQAdminStartup"));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("mqadmin " + String.join(" ", args) + " did not finish");
            }
            return new String(out, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A tools home with the logging configurations 4.9 and 5.1 look for, both off. */
    private static synchronized Path home() throws IOException {
        if (home == null) {
            Path h = Files.createTempDirectory("quiver-mqadmin-home-");
            Files.createDirectories(h.resolve("conf"));
            for (String f : List.of("logback_tools.xml", "rmq.tools.logback.xml")) {
                Files.writeString(h.resolve("conf").resolve(f), "<configuration><root level=\"OFF\"/></configuration>");
            }
            home = h;
        }
        return home;
    }
}
