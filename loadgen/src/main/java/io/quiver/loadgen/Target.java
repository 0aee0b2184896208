package io.quiver.loadgen;

import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverProcess;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A broker under test: a name server address to drive, the processes to measure, and how to stop it. */
interface Target extends AutoCloseable {
    String label();

    String namesrv();

    /** The processes whose CPU, memory and threads are reported (name server and broker). */
    List<Long> pids();

    /** Milliseconds from spawning the processes until the broker accepted connections and registered. */
    long startMillis();

    /** The settings that decide the comparison (flush mode, heap, file sizes), for the report. */
    default String settings() {
        return label();
    }

    @Override
    void close();

    /** {@code quiver standalone} from the built distribution, with production file sizes. */
    static Target quiver(String flushDiskType) throws IOException {
        return quiver(flushDiskType, true);
    }

    /** A standalone; without {@code trace} its trace store is off (traceStoreEnable=false), to measure its cost. */
    static Target quiver(String flushDiskType, boolean trace) throws IOException {
        Path dir = Files.createTempDirectory("quiver-bench-");
        Map<String, String> conf = new java.util.HashMap<>(benchFiles(flushDiskType));
        if (!trace) {
            conf.put("traceStoreEnable", "false");
        }
        QuiverProcess q = new QuiverProcess(dir, conf).start();
        long ms = q.startMillis();
        return new Target() {
            public String label() {
                return "Quiver " + flushDiskType + (trace ? "" : " no-trace");
            }

            public String settings() {
                return "Quiver (quiver standalone, default JVM options): flushDiskType=" + flushDiskType
                    + ", mappedFileSizeCommitLog=1 GiB" + (trace ? "" : ", traceStoreEnable=false")
                    + ", other settings at their defaults";
            }

            public String namesrv() {
                return q.namesrvAddr();
            }

            public List<Long> pids() {
                return List.of(q.pid());
            }

            public long startMillis() {
                return ms;
            }

            public void close() {
                q.close();
            }
        };
    }

    /** Production file sizes for a benchmarked Quiver broker (the test kit's defaults are test-sized). */
    private static Map<String, String> benchFiles(String flushDiskType) {
        return Map.of("flushDiskType", flushDiskType, "mappedFileSizeCommitLog", Integer.toString(1024 * 1024 * 1024),
            "mappedFileSizeConsumeQueue", "6000000", "maxHashSlotNum", "1000000", "maxIndexNum", "4000000");
    }

    /**
     * A replicated Quiver broker group: {@code quiver namesrv}, a SYNC_MASTER and a SLAVE ({@code quiver broker}
     * each), returned once a send is acknowledged (the replica is connected and caught up).
     */
    static Target quiverReplicated(String flushDiskType) throws Exception {
        Path dir = Files.createTempDirectory("quiver-bench-repl-");
        long t0 = System.nanoTime();
        QuiverProcess ns = QuiverProcess.namesrv(dir.resolve("ns")).start();
        Map<String, String> master = new java.util.HashMap<>(benchFiles(flushDiskType));
        master.put("brokerName", "broker-a");
        master.put("brokerRole", "SYNC_MASTER");
        Map<String, String> slave = new java.util.HashMap<>(benchFiles(flushDiskType));
        slave.put("brokerName", "broker-a");
        slave.put("brokerRole", "SLAVE");
        slave.put("brokerId", "1");
        QuiverProcess m = QuiverProcess.broker(dir.resolve("master"), ns.namesrvAddr(), master);
        QuiverProcess r = QuiverProcess.broker(dir.resolve("slave"), ns.namesrvAddr(), slave);
        try {
            m.start();
            r.start();
            Workloads.awaitAcknowledgedSend(ns.namesrvAddr());
        } catch (Exception e) {
            r.close();
            m.close();
            ns.close();
            deleteRecursively(dir);
            throw e;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Target() {
            public String label() {
                return "Quiver SYNC_MASTER+SLAVE " + flushDiskType;
            }

            public String settings() {
                return "Quiver (quiver namesrv, quiver broker SYNC_MASTER and SLAVE, default JVM options): flushDiskType="
                    + flushDiskType + " on both, mappedFileSizeCommitLog=1 GiB, other settings at their defaults";
            }

            public String namesrv() {
                return ns.namesrvAddr();
            }

            public List<Long> pids() {
                return List.of(ns.pid(), m.pid(), r.pid());
            }

            public long startMillis() {
                return ms;
            }

            public void close() {
                r.close();
                m.close();
                ns.close();
                deleteRecursively(dir);
            }
        };
    }

    /** Apache RocketMQ's name server and broker with {@code flushDiskType} (its default: ASYNC_FLUSH), from a classpath. */
    static Target rocketmq(String classpath, String version, String flushDiskType) throws Exception {
        return rocketmq(classpath, version, flushDiskType, false);
    }

    /**
     * Apache RocketMQ's name server and a broker with {@code flushDiskType}; with {@code replicated}, the broker is
     * a SYNC_MASTER with a SLAVE (brokerId 1) beside it, and the target is returned once a send is acknowledged.
     */
    static Target rocketmq(String classpath, String version, String flushDiskType, boolean replicated) throws Exception {
        Path home = Files.createTempDirectory("rmq-bench-");
        int nsPort = FreePorts.next();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(home.resolve("ns.conf"), "listenPort=" + nsPort + "\n");
        long t0 = System.nanoTime();
        List<Process> started = new java.util.ArrayList<>();
        Process ns = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-Drocketmq.home.dir=" + home, "-cp", classpath,
            "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", home.resolve("ns.conf").toString())
            .redirectErrorStream(true).redirectOutput(home.resolve("ns.out").toFile()).start();
        started.add(ns);
        try {
            awaitPort(nsPort);
            started.add(rocketmqBroker(java, classpath, home, "master", nsPort, flushDiskType,
                replicated ? "SYNC_MASTER" : "ASYNC_MASTER", 0));
            if (replicated) {
                started.add(rocketmqBroker(java, classpath, home, "slave", nsPort, flushDiskType, "SLAVE", 1));
                Workloads.awaitAcknowledgedSend("127.0.0.1:" + nsPort);
            }
        } catch (Exception | Error e) {
            started.forEach(Process::destroyForcibly); // a broker that never got ready is not left running
            deleteRecursively(home);
            throw e;
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        String roles = replicated ? " SYNC_MASTER+SLAVE " : " ";
        return new Target() {
            public String label() {
                return "RocketMQ " + version + roles + flushDiskType;
            }

            public String settings() {
                return "Apache RocketMQ " + version + " (name server and " + (replicated ? "SYNC_MASTER and SLAVE brokers"
                    : "broker") + ", -Xms1g -Xmx1g each): flushDiskType=" + flushDiskType
                    + ", other settings at their defaults";
            }

            public String namesrv() {
                return "127.0.0.1:" + nsPort;
            }

            public List<Long> pids() {
                return started.stream().map(Process::pid).toList();
            }

            public long startMillis() {
                return ms;
            }

            public void close() {
                try {
                    for (int i = started.size() - 1; i >= 0; i--) {
                        started.get(i).destroy();
                        started.get(i).waitFor(30, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    deleteRecursively(home);
                }
            }
        };
    }

    /** Starts one RocketMQ broker of group broker-a under {@code home/name}; returns once it booted. */
    private static Process rocketmqBroker(String java, String classpath, Path home, String name, int nsPort,
                                          String flushDiskType, String role, int brokerId) throws Exception {
        int port = FreePorts.next();
        Path dir = home.resolve(name);
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("broker.conf"), String.join("\n", "brokerClusterName=DefaultCluster",
            "brokerName=broker-a", "brokerId=" + brokerId, "brokerRole=" + role, "listenPort=" + port,
            "haListenPort=" + FreePorts.next(), "namesrvAddr=127.0.0.1:" + nsPort, "brokerIP1=127.0.0.1",
            "brokerIP2=127.0.0.1", "storePathRootDir=" + dir.resolve("store"),
            "storePathCommitLog=" + dir.resolve("store/commitlog"), "autoCreateTopicEnable=true",
            "flushDiskType=" + flushDiskType) + "\n");
        Process p = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-Drocketmq.home.dir=" + home,
            "-Duser.home=" + dir, "-cp", classpath, "org.apache.rocketmq.broker.BrokerStartup", "-c",
            dir.resolve("broker.conf").toString())
            .redirectErrorStream(true).redirectOutput(dir.resolve("broker.out").toFile()).start();
        awaitPort(port);
        awaitLine(dir.resolve("broker.out"), "boot success");
        return p;
    }

    private static void awaitPort(int port) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("port " + port + " did not open within 60 s");
    }

    private static void awaitLine(Path file, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (Files.exists(file) && Files.readString(file).contains(text)) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException(file + " never said '" + text + "'");
    }

    private static void deleteRecursively(Path root) {
        try (var walk = Files.walk(root)) {
            walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort
        }
    }
}
