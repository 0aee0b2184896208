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
        Path dir = Files.createTempDirectory("quiver-bench-");
        QuiverProcess q = new QuiverProcess(dir, Map.of("flushDiskType", flushDiskType,
            "mappedFileSizeCommitLog", Integer.toString(1024 * 1024 * 1024), "mappedFileSizeConsumeQueue", "6000000",
            "maxHashSlotNum", "1000000", "maxIndexNum", "4000000")).start();
        long ms = q.startMillis();
        return new Target() {
            public String label() {
                return "Quiver " + flushDiskType;
            }

            public String settings() {
                return "Quiver (quiver standalone, default JVM options): flushDiskType=" + flushDiskType
                    + ", mappedFileSizeCommitLog=1 GiB, other settings at their defaults";
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

    /** Apache RocketMQ's name server and broker with {@code flushDiskType} (its default: ASYNC_FLUSH), from a classpath. */
    static Target rocketmq(String classpath, String version, String flushDiskType) throws Exception {
        Path home = Files.createTempDirectory("rmq-bench-");
        int nsPort = FreePorts.next();
        int brokerPort = FreePorts.next();
        Files.writeString(home.resolve("ns.conf"), "listenPort=" + nsPort + "\n");
        Files.writeString(home.resolve("broker.conf"), String.join("\n", "brokerClusterName=DefaultCluster",
            "brokerName=broker-a", "brokerId=0", "listenPort=" + brokerPort, "namesrvAddr=127.0.0.1:" + nsPort,
            "brokerIP1=127.0.0.1", "storePathRootDir=" + home.resolve("store"),
            "storePathCommitLog=" + home.resolve("store/commitlog"), "autoCreateTopicEnable=true",
            "flushDiskType=" + flushDiskType) + "\n");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        long t0 = System.nanoTime();
        Process ns = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-Drocketmq.home.dir=" + home, "-cp", classpath,
            "org.apache.rocketmq.namesrv.NamesrvStartup", "-c", home.resolve("ns.conf").toString())
            .redirectErrorStream(true).redirectOutput(home.resolve("ns.out").toFile()).start();
        awaitPort(nsPort);
        Process broker = new ProcessBuilder(java, "-Xms1g", "-Xmx1g", "-Drocketmq.home.dir=" + home, "-cp", classpath,
            "org.apache.rocketmq.broker.BrokerStartup", "-c", home.resolve("broker.conf").toString())
            .redirectErrorStream(true).redirectOutput(home.resolve("broker.out").toFile()).start();
        awaitPort(brokerPort);
        awaitLine(home.resolve("broker.out"), "boot success");
        long ms = (System.nanoTime() - t0) / 1_000_000;
        return new Target() {
            public String label() {
                return "RocketMQ " + version + " " + flushDiskType;
            }

            public String settings() {
                return "Apache RocketMQ " + version + " (name server and broker, -Xms1g -Xmx1g each): flushDiskType="
                    + flushDiskType + ", other settings at their defaults";
            }

            public String namesrv() {
                return "127.0.0.1:" + nsPort;
            }

            public List<Long> pids() {
                return List.of(ns.pid(), broker.pid());
            }

            public long startMillis() {
                return ms;
            }

            public void close() {
                try {
                    broker.destroy();
                    broker.waitFor(30, TimeUnit.SECONDS);
                    ns.destroy();
                    ns.waitFor(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } finally {
                    deleteRecursively(home);
                }
            }
        };
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
