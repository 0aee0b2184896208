package io.quiver.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A {@code quiver standalone} started from the built distribution as a child process, on free loopback
 * ports, with its own data directory. It can be stopped cleanly (SIGTERM), killed (SIGKILL) and started
 * again on the same ports and data. Output is kept for assertions and printed on failure. Always stopped
 * by {@link #close()}, and by a JVM shutdown hook if a test forgets.
 */
public final class QuiverProcess implements AutoCloseable {
    private static final long START_TIMEOUT_SECONDS = 60;
    /**
     * Test-sized files unless a test says otherwise: 64 MiB commit-log segments, small consume-queue and
     * index files. (Production defaults reserve 1 GiB segments, 6 MB per queue and 100 MB per index file,
     * which dozens of test brokers would multiply into gigabytes.)
     */
    static final Map<String, String> TEST_DEFAULTS = Map.of(
        "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024),
        "mappedFileSizeConsumeQueue", "120000",
        "maxHashSlotNum", "20000",
        "maxIndexNum", "80000",
        "traceStoreSegmentBytes", Integer.toString(4 * 1024 * 1024),
        "consolePort", "0"); // a test that wants the console gives it a free port

    private final Path dist;
    private final Path dataDir;
    private final int namesrvPort;
    private final int brokerPort;
    private int metricsPort;
    private int grpcPort;
    private final int haPort;
    private final Map<String, String> brokerConf;
    private final String kind;
    private final String namesrvForBroker;
    private final List<String> output = Collections.synchronizedList(new ArrayList<>());
    private Process process;
    private Thread reader;
    private long startMillis;

    public QuiverProcess(Path dataDir, Map<String, String> brokerConf) {
        this("standalone", dataDir, brokerConf, null);
    }

    /** A name server with settings ({@code quiver namesrv --config}), e.g. a failover controller inside it. */
    public static QuiverProcess namesrv(Path dataDir, Map<String, String> conf) {
        return new QuiverProcess("namesrv", dataDir, conf, null);
    }

    /** A name server alone ({@code quiver namesrv}). */
    public static QuiverProcess namesrv(Path dataDir) {
        return new QuiverProcess("namesrv", dataDir, Map.of(), null);
    }

    /**
     * A failover controller ({@code quiver controller}); {@code conf} holds its keys (controllerPeers,
     * controllerSelfId, listenPort); it listens on loopback and keeps its Raft log in {@code dataDir}.
     */
    public static QuiverProcess controller(Path dataDir, Map<String, String> conf) {
        return new QuiverProcess("controller", dataDir, conf, null);
    }

    /** A broker alone ({@code quiver broker}) registering with {@code namesrvAddr}. */
    public static QuiverProcess broker(Path dataDir, String namesrvAddr, Map<String, String> brokerConf) {
        return new QuiverProcess("broker", dataDir, brokerConf, namesrvAddr);
    }

    private QuiverProcess(String kind, Path dataDir, Map<String, String> brokerConf, String namesrvForBroker) {
        this.kind = kind;
        this.namesrvForBroker = namesrvForBroker;
        String d = System.getProperty("quiver.dist");
        if (d == null) {
            throw new IllegalStateException("system property quiver.dist (the built distribution) is not set");
        }
        this.dist = Path.of(d);
        this.dataDir = dataDir;
        this.namesrvPort = FreePorts.next();
        this.brokerPort = FreePorts.next();
        this.metricsPort = FreePorts.next();
        this.grpcPort = FreePorts.next();
        this.haPort = FreePorts.next();
        this.brokerConf = brokerConf;
        Runtime.getRuntime().addShutdownHook(new Thread(this::kill));
    }

    public QuiverProcess(Path dataDir) {
        this(dataDir, Map.of());
    }

    public String namesrvAddr() {
        return "127.0.0.1:" + namesrvPort;
    }

    public String brokerAddr() {
        return "127.0.0.1:" + brokerPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    /** {@code 127.0.0.1:<port>} of the broker's gRPC endpoint (RocketMQ 5 SDKs). */
    public String grpcAddress() {
        return "127.0.0.1:" + grpcPort;
    }

    /** The broker's Prometheus endpoint, {@code http://127.0.0.1:<port>/metrics} (https when TLS is enforced). */
    public String metricsUrl() {
        return (tlsEnforced() ? "https" : "http") + "://127.0.0.1:" + metricsPort + "/metrics";
    }

    private boolean tlsEnforced() {
        return "enforcing".equalsIgnoreCase(brokerConf.getOrDefault("tls.server.mode", "").trim());
    }

    /** The text of the broker's /metrics; over HTTPS (any certificate accepted) when TLS is enforced. */
    public String fetchMetrics() {
        try {
            java.net.http.HttpClient.Builder b = java.net.http.HttpClient.newBuilder();
            if (tlsEnforced()) {
                javax.net.ssl.SSLContext any = javax.net.ssl.SSLContext.getInstance("TLS");
                any.init(null, new javax.net.ssl.TrustManager[] {new AnyCertificate()}, null);
                b.sslContext(any);
            }
            return b.build().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(metricsUrl())).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot read " + metricsUrl() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Tests only: accepts whatever certificate a test's own broker presents. */
    private static final class AnyCertificate implements javax.net.ssl.X509TrustManager {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
        }

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
            return new java.security.cert.X509Certificate[0];
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    /** Milliseconds from process start until it printed that it is ready. */
    public long startMillis() {
        return startMillis;
    }

    public long pid() {
        return process.pid();
    }

    public List<String> output() {
        synchronized (output) {
            return new ArrayList<>(output);
        }
    }

    /** Starts the process and waits until it reports ready; throws with its output if it does not. */
    /**
     * Starts the process and waits until it is ready. A port picked free at construction can be taken by someone else
     * before the process binds it: when the process fails on a port that only it uses (metrics, gRPC), those two are
     * picked again and the start is tried once more.
     */
    public QuiverProcess start() {
        try {
            return startOnce();
        } catch (IllegalStateException e) {
            String out = String.join("\n", output());
            boolean ownPortTaken = out.contains("gRPC endpoint cannot listen")
                || out.contains("Address already in use") && out.contains("metrics");
            if (!ownPortTaken) {
                throw e;
            }
            metricsPort = FreePorts.next();
            grpcPort = FreePorts.next();
            output.add("---- a port was taken; starting again with metrics port " + metricsPort + " and gRPC port "
                + grpcPort);
            return startOnce();
        }
    }

    private QuiverProcess startOnce() {
        try {
            Files.createDirectories(dataDir);
            List<String> cmd = new ArrayList<>(List.of(dist.resolve("bin/quiver").toString(), kind));
            if (!kind.equals("controller")) {
                cmd.addAll(List.of("--host", "127.0.0.1"));
            }
            switch (kind) {
                case "controller" -> cmd.addAll(List.of("--data-dir", dataDir.resolve("controller").toString()));
                case "standalone" -> cmd.addAll(List.of("--namesrv-port", Integer.toString(namesrvPort),
                    "--broker-port", Integer.toString(brokerPort), "--data-dir", dataDir.toString()));
                case "namesrv" -> cmd.addAll(List.of("--port", Integer.toString(namesrvPort), "--data-dir",
                    dataDir.toString()));
                default -> cmd.addAll(List.of("--port", Integer.toString(brokerPort), "--namesrv", namesrvForBroker,
                    "--data-dir", dataDir.resolve("broker").toString()));
            }
            if (kind.equals("controller") || kind.equals("namesrv") && !brokerConf.isEmpty()) {
                Map<String, String> conf = new java.util.TreeMap<>(brokerConf);
                if (kind.equals("controller")) {
                    conf.putIfAbsent("bindAddress", "127.0.0.1");
                }
                Path file = dataDir.resolve(kind + ".conf");
                StringBuilder sb = new StringBuilder();
                conf.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
                Files.writeString(file, sb.toString());
                cmd.add("--config");
                cmd.add(file.toString());
            } else if (!kind.equals("namesrv")) {
                Map<String, String> conf = new java.util.TreeMap<>(TEST_DEFAULTS);
                conf.put("metricsPromExporterPort", Integer.toString(metricsPort));
                conf.put("grpcServerPort", Integer.toString(grpcPort));
                conf.put("haListenPort", Integer.toString(haPort)); // never listenPort + 1, which may be taken
                conf.putAll(brokerConf);
                Path file = dataDir.resolve("broker.conf");
                StringBuilder sb = new StringBuilder();
                conf.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
                Files.writeString(file, sb.toString());
                cmd.add("--config");
                cmd.add(file.toString());
            }
            output.add("---- start " + String.join(" ", cmd));
            long t0 = System.nanoTime();
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            process = pb.start();
            CountDownLatch ready = new CountDownLatch(1);
            java.util.concurrent.atomic.AtomicBoolean sawReady = new java.util.concurrent.atomic.AtomicBoolean();
            reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                    String line;
                    java.io.Writer log = Files.newBufferedWriter(dataDir.resolve("quiver.out"),
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                    while ((line = r.readLine()) != null) {
                        output.add(line);
                        log.write(line);
                        log.write('\n');
                        log.flush();
                        if (line.contains("is ready in") || line.startsWith("Quiver name server listening")
                            || line.startsWith("Quiver broker ") || line.startsWith("Quiver controller ")) {
                            sawReady.set(true);
                            ready.countDown();
                        }
                    }
                    log.close();
                } catch (IOException ignored) {
                    // process ended
                }
                ready.countDown();
            }, "quiver-output-" + brokerPort);
            reader.setDaemon(true);
            reader.start();
            if (!ready.await(START_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !sawReady.get() || !process.isAlive()) {
                kill();
                throw new IllegalStateException("Quiver did not start:\n" + String.join("\n", output()));
            }
            startMillis = (System.nanoTime() - t0) / 1_000_000;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void drainOutput() {
        if (reader != null) {
            try {
                reader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** SIGTERM, then wait for a clean exit and all of its output; returns the exit code. */
    public int stop() {
        if (process == null || !process.isAlive()) {
            return process == null ? 0 : process.exitValue();
        }
        signal("CONT"); // a suspended process would not act on SIGTERM
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its stdout
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new IllegalStateException("Quiver did not stop within 30 s of SIGTERM:\n" + String.join("\n", output()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        drainOutput();
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook runs, as in a crash. */
    public void kill() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            drainOutput();
        }
    }

    /** SIGSTOP: the process freezes (its connections stay open and silent) until {@link #resume()}. */
    public void suspend() {
        signal("STOP");
    }

    /** SIGCONT after {@link #suspend()}. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        if (process == null || !process.isAlive()) {
            return;
        }
        try {
            Process k = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
            k.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Where {@link #close()} copies this process's output and log files before deleting its data (null: nowhere). */
    private Path keepLogsIn;

    /** Keep this process's output and log files in {@code dir} when it is closed (for diagnosing a failed run). */
    public QuiverProcess keepLogsIn(Path dir) {
        this.keepLogsIn = dir;
        return this;
    }

    /** Stops the process cleanly and deletes its data directory (after copying its logs, if asked to). */
    @Override
    public void close() {
        try {
            stop();
        } finally {
            kill();
            copyLogs();
            deleteRecursively(dataDir);
        }
    }

    private void copyLogs() {
        if (keepLogsIn == null || !Files.exists(dataDir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".out") || p.toString().endsWith(".log")).toList()) {
                Path to = keepLogsIn.resolve(dataDir.getFileName().toString()).resolve(dataDir.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException ignored) {
            // best effort: missing diagnostics are not a test failure
        }
    }

    private static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort: a leftover temp directory is not a test failure
        }
    }
}
