package io.quiver.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Bench tier: many threads sending synchronously, each as fast as its answers come, for a warm-up and then a
 * measured period; throughput, and the CPU per message of the broker's process and of this (the client's) JVM over
 * the measured period only.
 */
public final class SyncLoad {
    /** One send: true when the broker stored it. */
    @FunctionalInterface
    public interface Sender {
        boolean send(byte[] body) throws Exception;
    }

    public record Figures(double msgsPerSec, double brokerCpuMicrosPerMsg, double clientCpuMicrosPerMsg, long failures) {
        @Override
        public String toString() {
            return String.format("%.0f msgs/s, broker CPU %.1f µs/msg, client CPU %.1f µs/msg, %d failures", msgsPerSec,
                brokerCpuMicrosPerMsg, clientCpuMicrosPerMsg, failures);
        }

        /** These figures as ratios to {@code base}'s: throughput, broker and client CPU per message. */
        public String ratiosTo(Figures base) {
            return String.format("throughput %.2fx, broker CPU per message %.2fx, client CPU per message %.2fx",
                msgsPerSec / base.msgsPerSec, brokerCpuMicrosPerMsg / base.brokerCpuMicrosPerMsg,
                clientCpuMicrosPerMsg / base.clientCpuMicrosPerMsg);
        }
    }

    private SyncLoad() {}

    /** CPU time of this (the client's) JVM. */
    public static long clientCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
            .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** CPU time (user and system) of process {@code pid}, from /proc. */
    public static long cpuNanos(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L; // utime + stime, USER_HZ 100
    }

    /** {@code threads} threads send bodies of {@code size} bytes for warm-up plus measurement; figures over the latter. */
    public static Figures run(long brokerPid, int threads, int size, long warmupMillis, long measureMillis, Sender sender)
        throws Exception {
        LongAdder ok = new LongAdder();
        LongAdder failed = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        byte[] body = new byte[size];
        List<Thread> all = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread t = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        if (sender.send(body)) {
                            ok.increment();
                        } else {
                            failed.increment();
                        }
                    } catch (Exception e) {
                        failed.increment();
                    }
                }
            });
            t.start();
            all.add(t);
        }
        Thread.sleep(warmupMillis);
        long n0 = ok.sum();
        long f0 = failed.sum();
        long c0 = cpuNanos(brokerPid);
        long k0 = clientCpuNanos();
        long t0 = System.nanoTime();
        Thread.sleep(measureMillis);
        long n = ok.sum() - n0;
        long c = cpuNanos(brokerPid) - c0;
        long k = clientCpuNanos() - k0;
        double secs = (System.nanoTime() - t0) / 1e9;
        long f = failed.sum() - f0;
        stop.set(true);
        for (Thread t : all) {
            t.join();
        }
        return new Figures(n / secs, c / 1000.0 / Math.max(1, n), k / 1000.0 / Math.max(1, n), f);
    }
}
