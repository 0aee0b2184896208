package io.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the built distribution's {@code bin/quiver} with arguments, as a person at a terminal would. */
public final class QuiverCli {
    private static final long TIMEOUT_SECONDS = 120;

    /** What one run printed, and its exit code. */
    public record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private QuiverCli() {}

    public static Result run(String... args) {
        return run(java.util.Map.of(), args);
    }

    /** As {@link #run(String...)}, with {@code env} added to the environment. */
    public static Result run(java.util.Map<String, String> env, String... args) {
        String d = System.getProperty("quiver.dist");
        if (d == null) {
            throw new IllegalStateException("system property quiver.dist (the built distribution) is not set");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(d).resolve("bin/quiver").toString());
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().remove("QUIVER_NAMESRV");
            pb.environment().putAll(env);
            Process p = pb.start();
            p.getOutputStream().close();
            var out = p.getInputStream().readAllBytes();
            var err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("quiver " + String.join(" ", args) + " did not finish");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
