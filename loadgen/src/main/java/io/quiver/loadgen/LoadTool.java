package io.quiver.loadgen;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The load tool: {@code run} drives one workload against a running cluster; {@code compare} starts Apache
 * RocketMQ and Quiver in turn on this machine and runs the same workloads against each, A B C A B C.
 */
@Command(name = "quiver-load", mixinStandardHelpOptions = true, subcommands = {LoadTool.Run.class, LoadTool.Compare.class},
    description = "Load and side-by-side benchmarks with the official RocketMQ 4.9.8 client.")
public final class LoadTool implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(new CommandLine(new LoadTool()).execute(args));
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Workload options shared by run and compare. */
    static final class Options {
        @Option(names = "--size", description = "message body bytes (default ${DEFAULT-VALUE})")
        int size = 1024;
        @Option(names = "--queues", description = "queues of the benchmark topic (default ${DEFAULT-VALUE})")
        int queues = 8;
        @Option(names = "--warmup", description = "seconds of warm-up, not counted (default ${DEFAULT-VALUE})")
        int warmup = 5;
        @Option(names = "--duration", description = "seconds measured (default ${DEFAULT-VALUE})")
        int duration = 15;
        @Option(names = "--batch", description = "messages per batch send (default ${DEFAULT-VALUE})")
        int batch = 32;
        @Option(names = "--backlog", description = "messages stored before the consume workload (default ${DEFAULT-VALUE})")
        long backlog = 200_000;
        @Option(names = "--rate", description = "messages per second of the e2e workload (default ${DEFAULT-VALUE})")
        int rate = 1_000;

        /**
         * {@code sync:64} = workload sync with 64 threads; {@code sync:64@queues=1024+size=128} overrides options
         * for that workload only (queues, size, batch, backlog, rate), which is how scaling points are written.
         */
        Workloads.Spec spec(String w) {
            int at = w.indexOf('@');
            String[] parts = (at < 0 ? w : w.substring(0, at)).split(":");
            int threads = parts.length > 1 ? Integer.parseInt(parts[1]) : 1;
            int q = queues;
            int sz = size;
            int b = batch;
            long bl = backlog;
            int r = rate;
            if (at >= 0) {
                for (String kv : w.substring(at + 1).split("\\+")) {
                    String[] e = kv.split("=", 2);
                    if (e.length != 2) {
                        throw new IllegalArgumentException("expected key=value after @ in " + w);
                    }
                    switch (e[0]) {
                        case "queues" -> q = Integer.parseInt(e[1]);
                        case "size" -> sz = Integer.parseInt(e[1]);
                        case "batch" -> b = Integer.parseInt(e[1]);
                        case "backlog" -> bl = Long.parseLong(e[1]);
                        case "rate" -> r = Integer.parseInt(e[1]);
                        default -> throw new IllegalArgumentException("unknown override " + e[0]
                            + " in " + w + " (queues, size, batch, backlog, rate)");
                    }
                }
            }
            return new Workloads.Spec(parts[0], threads, sz, b, warmup * 1000L, duration * 1000L, q, bl, r);
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Run one workload against a running cluster and print one RESULT line (JSON).",
            "Workloads: sync, async, oneway, batch, tx (commit at once), consume (a backlog), e2e (fixed rate)."})
    static final class Run implements Callable<Integer> {
        @Option(names = "--namesrv", required = true)
        String namesrv;
        @Option(names = "--workload", required = true, description = "WORKLOAD[:THREADS], e.g. sync:64")
        String workload;
        @Option(names = "--broker-pid", description = "pids whose CPU time is reported per message")
        List<Long> pids = new ArrayList<>();
        @CommandLine.Mixin
        Options options = new Options();

        @Override
        public Integer call() throws Exception {
            Target t = pids.isEmpty() ? null : new Target() {
                public String label() {
                    return namesrv;
                }

                public String namesrv() {
                    return namesrv;
                }

                public List<Long> pids() {
                    return pids;
                }

                public long startMillis() {
                    return -1;
                }

                public void close() {
                }
            };
            Result r = new Workloads(namesrv, t).run(options.spec(workload));
            System.out.println(r.line());
            return r.failures() == 0 ? 0 : 1;
        }
    }

    @Command(name = "compare", mixinStandardHelpOptions = true,
        description = {"Start Apache RocketMQ (ASYNC_FLUSH, its default, and SYNC_FLUSH) and Quiver (SYNC_FLUSH, its",
            "default, and ASYNC_FLUSH) in turn, pre-load each until its throughput is stable, run every workload",
            "against each for several rounds (A B C D A B C D), and print medians and the ratios of three pairings:",
            "like for like ASYNC, like for like SYNC, and the defaults."})
    static final class Compare implements Callable<Integer> {
        @Option(names = "--rocketmq-cp", required = true, description = "file holding Apache RocketMQ's classpath")
        Path rocketmqClasspath;
        @Option(names = "--rocketmq-version", description = "label (default ${DEFAULT-VALUE})")
        String rocketmqVersion = "5.1.4";
        @Option(names = "--rounds", description = "A B C rounds (default ${DEFAULT-VALUE})")
        int rounds = 2;
        @Option(names = "--workloads", split = ",", description = "default: ${DEFAULT-VALUE}")
        List<String> workloads = List.of("sync:64", "sync:1", "async:16", "batch:16", "tx:16", "consume", "e2e");
        @Option(names = "--show-footprint-per-workload", description = "add the broker's RSS and threads after each workload")
        boolean showAfter;
        @Option(names = "--targets", split = ",",
            description = {"rocketmq-async, rocketmq-sync, quiver-sync, quiver-async (default: these four), and the",
                "replicated groups rocketmq-repl, rocketmq-repl-sync, quiver-repl, quiver-repl-async (a SYNC_MASTER",
                "and a SLAVE; ASYNC_FLUSH, SYNC_FLUSH, SYNC_FLUSH, ASYNC_FLUSH), and quiver-sync-notrace (the trace store off)"})
        List<String> targets = List.of("rocketmq-async", "rocketmq-sync", "quiver-sync", "quiver-async");
        @Option(names = "--preload", description = "least seconds of load on each broker before anything is measured"
            + " (default ${DEFAULT-VALUE})")
        int preloadSeconds = 30;
        @Option(names = "--preload-max", description = "most seconds of pre-load if throughput does not settle"
            + " (default ${DEFAULT-VALUE})")
        int preloadMaxSeconds = 120;
        @Option(names = "--preload-workload", description = "the pre-load (default ${DEFAULT-VALUE})")
        String preloadWorkload = "sync:64";
        @CommandLine.Mixin
        Options options = new Options();

        @Override
        public Integer call() throws Exception {
            String cp = Files.readString(rocketmqClasspath).trim();
            Map<String, Map<String, List<Result>>> results = new LinkedHashMap<>(); // target -> workload -> rounds
            Map<String, List<long[]>> footprint = new LinkedHashMap<>(); // start ms, idle RSS kB, threads, peak kB, idle cpu ms
            Map<String, Map<String, List<long[]>>> after = new LinkedHashMap<>(); // target -> workload -> {RSS kB, threads}
            for (int round = 1; round <= rounds; round++) {
                for (String which : targets) {
                    System.err.printf("== round %d: %s%n", round, which);
                    try (Target t = switch (which) {
                        case "rocketmq", "rocketmq-async" -> Target.rocketmq(cp, rocketmqVersion, "ASYNC_FLUSH");
                        case "rocketmq-sync" -> Target.rocketmq(cp, rocketmqVersion, "SYNC_FLUSH");
                        case "quiver-sync" -> Target.quiver("SYNC_FLUSH");
                        case "quiver-async" -> Target.quiver("ASYNC_FLUSH");
                        case "quiver-sync-notrace" -> Target.quiver("SYNC_FLUSH", false);
                        case "rocketmq-repl" -> Target.rocketmq(cp, rocketmqVersion, "ASYNC_FLUSH", true);
                        case "rocketmq-repl-sync" -> Target.rocketmq(cp, rocketmqVersion, "SYNC_FLUSH", true);
                        case "quiver-repl" -> Target.quiverReplicated("SYNC_FLUSH");
                        case "quiver-repl-async" -> Target.quiverReplicated("ASYNC_FLUSH");
                        default -> throw new IllegalArgumentException("unknown target " + which);
                    }) {
                        settings.put(t.label(), t.settings());
                        System.err.println("   " + t.settings());
                        Thread.sleep(5_000);
                        long idleCpu0 = ProcStats.cpuNanos(t.pids());
                        Thread.sleep(10_000);
                        long idleCpuMs = (ProcStats.cpuNanos(t.pids()) - idleCpu0) / 1_000_000;
                        long rss = ProcStats.status(t.pids(), "VmRSS");
                        long threads = ProcStats.status(t.pids(), "Threads");
                        Workloads w = new Workloads(t.namesrv(), t);
                        preload(w);
                        for (String wl : workloads) {
                            Result r = w.run(options.spec(wl));
                            System.out.println(r.line());
                            results.computeIfAbsent(t.label(), k -> new LinkedHashMap<>())
                                .computeIfAbsent(wl, k -> new ArrayList<>()).add(r);
                            after.computeIfAbsent(t.label(), k -> new LinkedHashMap<>()).computeIfAbsent(wl, k -> new ArrayList<>())
                                .add(new long[] {ProcStats.status(t.pids(), "VmRSS"), ProcStats.status(t.pids(), "Threads")});
                        }
                        footprint.computeIfAbsent(t.label(), k -> new ArrayList<>()).add(new long[] {t.startMillis(), rss,
                            threads, ProcStats.status(t.pids(), "VmHWM"), idleCpuMs});
                    }
                }
            }
            print(results, footprint, after);
            System.out.println();
            settings.values().forEach(s -> System.out.println("- " + s));
            printPairings(results);
            return 0;
        }

        private final Map<String, String> settings = new LinkedHashMap<>();

        /**
         * Loads the broker until it is warm: windows of 5 s of {@link #preloadWorkload} until at least
         * {@link #preloadSeconds} have passed and the last two windows are within 5 % of each other (at most
         * {@link #preloadMaxSeconds}). JIT compilation, page cache and file allocation are then behind it.
         */
        private void preload(Workloads w) throws Exception {
            Workloads.Spec base = options.spec(preloadWorkload);
            Workloads.Spec window = new Workloads.Spec(base.workload(), base.threads(), base.size(), base.batch(), 0, 5_000,
                base.queues(), base.backlog(), base.rate());
            long t0 = System.nanoTime();
            List<Double> rates = new ArrayList<>();
            while (true) {
                rates.add(w.run(window).msgsPerSecond());
                double elapsed = (System.nanoTime() - t0) / 1e9;
                int n = rates.size();
                boolean stable = n >= 2 && Math.abs(rates.get(n - 1) - rates.get(n - 2)) <= 0.05 * rates.get(n - 2);
                if (elapsed >= preloadSeconds && stable || elapsed >= preloadMaxSeconds) {
                    System.err.printf(Locale.ROOT, "   pre-loaded %.0f s with %s: %s msgs/s per window%s%n", elapsed,
                        preloadWorkload, rates.stream().map(r -> String.format(Locale.ROOT, "%.0f", r)).toList(),
                        stable ? ", stable" : ", NOT stable within the limit");
                    return;
                }
            }
        }

        /** Quiver against RocketMQ in three pairings: ASYNC/ASYNC, SYNC/SYNC and the defaults (SYNC/ASYNC). */
        private void printPairings(Map<String, Map<String, List<Result>>> results) {
            String rmq = "RocketMQ " + rocketmqVersion;
            String[][] pairs = {
                {"like for like, ASYNC_FLUSH", "Quiver ASYNC_FLUSH", rmq + " ASYNC_FLUSH"},
                {"like for like, SYNC_FLUSH", "Quiver SYNC_FLUSH", rmq + " SYNC_FLUSH"},
                {"defaults (Quiver SYNC_FLUSH, RocketMQ ASYNC_FLUSH)", "Quiver SYNC_FLUSH", rmq + " ASYNC_FLUSH"},
                {"SYNC_MASTER+SLAVE, like for like, ASYNC_FLUSH", "Quiver SYNC_MASTER+SLAVE ASYNC_FLUSH",
                    rmq + " SYNC_MASTER+SLAVE ASYNC_FLUSH"},
                {"SYNC_MASTER+SLAVE, like for like, SYNC_FLUSH", "Quiver SYNC_MASTER+SLAVE SYNC_FLUSH",
                    rmq + " SYNC_MASTER+SLAVE SYNC_FLUSH"},
                {"SYNC_MASTER+SLAVE, defaults (Quiver SYNC_FLUSH, RocketMQ ASYNC_FLUSH)", "Quiver SYNC_MASTER+SLAVE SYNC_FLUSH",
                    rmq + " SYNC_MASTER+SLAVE ASYNC_FLUSH"},
                {"Quiver replicated against Quiver alone, SYNC_FLUSH (the second column is the single broker)",
                    "Quiver SYNC_MASTER+SLAVE SYNC_FLUSH", "Quiver SYNC_FLUSH"},
                {"Quiver replicated against Quiver alone, ASYNC_FLUSH (the second column is the single broker)",
                    "Quiver SYNC_MASTER+SLAVE ASYNC_FLUSH", "Quiver ASYNC_FLUSH"}};
            System.out.println();
            System.out.println("| pairing | workload | RocketMQ msgs/s | Quiver msgs/s | Quiver/RocketMQ | broker CPU µs/msg "
                + "(RocketMQ → Quiver) | client CPU µs/msg (RocketMQ → Quiver) | p99 ms (RocketMQ → Quiver) |");
            System.out.println("|---|---|---:|---:|---:|---|---|---|");
            for (String[] p : pairs) {
                Map<String, List<Result>> q = results.get(p[1]);
                Map<String, List<Result>> r = results.get(p[2]);
                if (q == null || r == null) {
                    continue;
                }
                for (String wl : workloads) {
                    double qr = median(q.getOrDefault(wl, List.of()).stream().map(Result::msgsPerSecond).toList());
                    double rr = median(r.getOrDefault(wl, List.of()).stream().map(Result::msgsPerSecond).toList());
                    double qc = median(q.getOrDefault(wl, List.of()).stream().map(Result::cpuMicrosPerMessage).toList());
                    double rc = median(r.getOrDefault(wl, List.of()).stream().map(Result::cpuMicrosPerMessage).toList());
                    double qk = median(q.getOrDefault(wl, List.of()).stream().map(Result::clientCpuMicrosPerMessage).toList());
                    double rk = median(r.getOrDefault(wl, List.of()).stream().map(Result::clientCpuMicrosPerMessage).toList());
                    double qp = median(q.getOrDefault(wl, List.of()).stream().map(x -> x.percentileMillis(99)).toList());
                    double rp = median(r.getOrDefault(wl, List.of()).stream().map(x -> x.percentileMillis(99)).toList());
                    String p99 = Double.isNaN(qp) || Double.isNaN(rp) ? "-"
                        : String.format(Locale.ROOT, "%.2f → %.2f", rp, qp);
                    System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.2f× | %.1f → %.1f | %.1f → %.1f | %s |%n",
                        p[0], wl, rr, qr, qr / rr, rc, qc, rk, qk, p99);
                }
            }
        }

        private void print(Map<String, Map<String, List<Result>>> results, Map<String, List<long[]>> footprint,
                           Map<String, Map<String, List<long[]>>> after) {
            List<String> labels = new ArrayList<>(results.keySet());
            String base = labels.get(0);
            System.out.printf(Locale.ROOT, "%n%d rounds, medians; %d-byte messages, %d queues, %d s measured after %d s warm-up."
                + " Ratios are against %s.%n", rounds, options.size, options.queues, options.duration, options.warmup, base);
            StringBuilder header = new StringBuilder("| workload | figure |");
            StringBuilder rule = new StringBuilder("|---|---|");
            for (String l : labels) {
                header.append(' ').append(l).append(" |");
                rule.append("---:|");
                if (!l.equals(base)) {
                    header.append(" ratio |");
                    rule.append("---:|");
                }
            }
            System.out.println(header);
            System.out.println(rule);
            for (String wl : workloads) {
                row(results, labels, wl, "msgs/s", Result::msgsPerSecond, "%.0f");
                row(results, labels, wl, "p99 ms", r -> r.percentileMillis(99), "%.2f");
                row(results, labels, wl, "broker CPU µs/msg", Result::cpuMicrosPerMessage, "%.1f");
                row(results, labels, wl, "client CPU µs/msg", Result::clientCpuMicrosPerMessage, "%.1f");
                if (showAfter) {
                    afterRow(after, labels, wl, "RSS MB after", 0, 1024.0);
                    afterRow(after, labels, wl, "threads after", 1, 1);
                }
            }
            String[] names = {"start-up ms", "idle RSS MB", "threads at idle", "peak RSS MB", "idle CPU ms per 10 s"};
            for (int i = 0; i < names.length; i++) {
                StringBuilder sb = new StringBuilder("| footprint | " + names[i] + " |");
                double b = Double.NaN;
                for (String l : labels) {
                    final int idx = i;
                    List<Double> xs = footprint.get(l).stream().map(f -> idx == 1 || idx == 3 ? f[idx] / 1024.0 : f[idx])
                        .map(Double::valueOf).toList();
                    double m = median(xs);
                    sb.append(String.format(Locale.ROOT, " %.0f |", m));
                    if (l.equals(base)) {
                        b = m;
                    } else {
                        sb.append(String.format(Locale.ROOT, " %.2f× |", m / b));
                    }
                }
                System.out.println(sb);
            }
        }

        private static void afterRow(Map<String, Map<String, List<long[]>>> after, List<String> labels, String wl,
                                     String figure, int idx, double divisor) {
            printRow(labels, wl, figure, "%.0f", l -> after.getOrDefault(l, Map.of()).getOrDefault(wl, List.of()).stream()
                .map(x -> x[idx] / divisor).toList());
        }

        private static void row(Map<String, Map<String, List<Result>>> results, List<String> labels, String wl, String figure,
                                java.util.function.ToDoubleFunction<Result> f, String fmt) {
            printRow(labels, wl, figure, fmt, l -> results.getOrDefault(l, Map.of()).getOrDefault(wl, List.of()).stream()
                .map(r -> f.applyAsDouble(r)).filter(d -> !Double.isNaN(d)).toList());
        }

        /** One table row: the median of each target's values, and its ratio to the first target's. */
        private static void printRow(List<String> labels, String wl, String figure, String fmt,
                                     java.util.function.Function<String, List<Double>> values) {
            StringBuilder sb = new StringBuilder("| " + wl + " | " + figure + " |");
            double base = Double.NaN;
            for (String l : labels) {
                double m = median(values.apply(l));
                sb.append(' ').append(Double.isNaN(m) ? "-" : String.format(Locale.ROOT, fmt, m)).append(" |");
                if (l.equals(labels.get(0))) {
                    base = m;
                } else {
                    sb.append(Double.isNaN(m) || Double.isNaN(base) ? " - |" : String.format(Locale.ROOT, " %.2f× |", m / base));
                }
            }
            System.out.println(sb);
        }

        private static double median(List<Double> xs) {
            if (xs.isEmpty()) {
                return Double.NaN;
            }
            List<Double> s = new ArrayList<>(xs);
            Collections.sort(s);
            return s.size() % 2 == 1 ? s.get(s.size() / 2) : (s.get(s.size() / 2 - 1) + s.get(s.size() / 2)) / 2;
        }
    }
}
