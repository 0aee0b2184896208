package io.quiver.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code quiver local-cluster}: a whole controller-mode deployment on this machine, each part its own process
 * (name servers, controllers, and the replicas of each broker group), so failover can be tried by killing one.
 * Each process logs to its own directory; Ctrl-C stops them all.
 */
@Command(name = "local-cluster", mixinStandardHelpOptions = true,
    description = {"Start a whole cluster on this machine as separate processes: name servers, failover controllers "
        + "and broker groups of replicas in controller mode. Each process writes DIR/<name>/quiver.out and its logs "
        + "under DIR/<name>; Ctrl-C stops them all.",
        "Ports (with the default --base-port 9876): name servers 9876.., controllers 9900.. (Raft 9910.., "
            + "metrics 9920..), broker "
            + "g replica r 10911+100g+10r (replication +1, metrics 15557+10g+r)."})
final class LocalClusterCommand implements Callable<Integer> {
    /** Most processes one local cluster starts. */
    static final int MAX_PROCESSES = 64;

    @Option(names = "--groups", paramLabel = "N", description = "broker groups (default ${DEFAULT-VALUE})")
    int groups = 1;

    @Option(names = "--replicas", paramLabel = "N", description = "replicas per broker group (default ${DEFAULT-VALUE})")
    int replicas = 3;

    @Option(names = "--namesrvs", paramLabel = "N", description = "name servers (default ${DEFAULT-VALUE})")
    int namesrvs = 2;

    @Option(names = "--controllers", paramLabel = "N", description = "controllers (default ${DEFAULT-VALUE})")
    int controllers = 3;

    @Option(names = "--base-port", paramLabel = "PORT", description = "the first name server's port; every other "
        + "port keeps its distance from it (default ${DEFAULT-VALUE})")
    int basePort = 9876;

    @Option(names = "--dir", paramLabel = "DIR", description = "where every process keeps its data and logs "
        + "(default ${DEFAULT-VALUE}); reused on the next run")
    Path dir = Path.of("data", "local-cluster");

    private final List<Process> processes = new ArrayList<>();

    @Override
    public Integer call() {
        String problem = problem();
        if (problem != null) {
            System.err.println("quiver: " + problem);
            return Exit.USAGE;
        }
        String home = System.getProperty("quiver.home");
        if (home == null) {
            System.err.println("quiver: local-cluster runs from the distribution (bin/quiver), which sets quiver.home");
            return Exit.USAGE;
        }
        Path quiver = Path.of(home, "bin", "quiver");
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "quiver-local-cluster-stop"));
        try {
            Files.createDirectories(dir);
            List<String> ns = new ArrayList<>();
            for (int i = 0; i < namesrvs; i++) {
                ns.add("127.0.0.1:" + (basePort + i));
            }
            String namesrvAddr = String.join(";", ns);
            List<String> peers = new ArrayList<>();
            List<String> listen = new ArrayList<>();
            for (int i = 0; i < controllers; i++) {
                peers.add("n" + i + "-127.0.0.1:" + (basePort + 34 + i));
                listen.add("127.0.0.1:" + (basePort + 24 + i));
            }
            String controllerAddr = String.join(";", listen);
            Table t = new Table("PROCESS", "ADDRESS", "PID", "OUTPUT");
            for (int i = 0; i < namesrvs; i++) {
                String name = "namesrv-" + i;
                Process p = launch(quiver, name, List.of("namesrv", "--host", "127.0.0.1", "--port",
                    Integer.toString(basePort + i), "--data-dir", dir.resolve(name).toString()));
                t.row(name, ns.get(i), p.pid(), dir.resolve(name).resolve("quiver.out"));
            }
            for (int i = 0; i < controllers; i++) {
                String name = "controller-" + i;
                Map<String, String> conf = new LinkedHashMap<>();
                conf.put("controllerPeers", String.join(";", peers));
                conf.put("controllerSelfId", "n" + i);
                conf.put("listenPort", Integer.toString(basePort + 24 + i));
                conf.put("bindAddress", "127.0.0.1");
                conf.put("metricsExporterType", "PROM");
                conf.put("metricsPromExporterPort", Integer.toString(basePort + 44 + i));
                Path file = write(name, "controller.conf", conf);
                Process p = launch(quiver, name, List.of("controller", "--config", file.toString(), "--data-dir",
                    dir.resolve(name).resolve("store").toString()));
                t.row(name, listen.get(i), p.pid(), dir.resolve(name).resolve("quiver.out"));
            }
            for (int g = 0; g < groups; g++) {
                for (int r = 0; r < replicas; r++) {
                    String name = "broker-" + (char) ('a' + g) + "-" + r;
                    int port = basePort + 1035 + 100 * g + 10 * r;
                    Map<String, String> conf = new LinkedHashMap<>();
                    conf.put("brokerClusterName", "LocalCluster");
                    conf.put("brokerName", "broker-" + (char) ('a' + g));
                    conf.put("enableControllerMode", "true");
                    conf.put("controllerAddr", controllerAddr);
                    conf.put("namesrvAddr", namesrvAddr);
                    conf.put("listenPort", Integer.toString(port));
                    conf.put("haListenPort", Integer.toString(port + 1));
                    conf.put("grpcServerPort", Integer.toString(port + 2));
                    conf.put("metricsPromExporterPort", Integer.toString(basePort + 5681 + 10 * g + r));
                    conf.put("brokerIP1", "127.0.0.1");
                    conf.put("bindAddress", "127.0.0.1");
                    conf.put("storePathRootDir", dir.resolve(name).resolve("store").toString());
                    conf.put("mappedFileSizeCommitLog", Integer.toString(128 * 1024 * 1024));
                    Path file = write(name, "broker.conf", conf);
                    Process p = launch(quiver, name, List.of("broker", "--config", file.toString()));
                    t.row(name, "127.0.0.1:" + port, p.pid(), dir.resolve(name).resolve("quiver.out"));
                }
            }
            t.print(System.out);
            System.out.printf("%nTry it:%n  quiver cluster --namesrv '%s'%n  quiver controller status --controller '%s'%n"
                + "  kill -9 <PID of the master>   (a new master is elected within seconds)%n"
                + "Producers and consumers: namesrvAddr=%s (set pollNameServerInterval low, e.g. 1000, to follow "
                + "a new master at once). Ctrl-C stops everything.%n", namesrvAddr, controllerAddr, namesrvAddr);
        } catch (IOException | RuntimeException e) {
            System.err.println("quiver: cannot start the local cluster: " + e.getMessage());
            stopAll();
            return Exit.FAILED;
        }
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Exit.OK;
            }
        }
    }

    String problem() {
        if (groups < 1 || replicas < 1 || namesrvs < 1 || controllers < 1) {
            return "--groups, --replicas, --namesrvs and --controllers must each be at least 1";
        }
        if (groups > 9 || replicas > 9 || namesrvs > 9 || controllers > 9) {
            return "at most 9 of each on one machine (the port layout has room for 9)";
        }
        if (basePort < 1024 || basePort + 5681 + 100 > 65_535) {
            return "--base-port must be between 1024 and " + (65_535 - 5_781);
        }
        if (groups * replicas + namesrvs + controllers > MAX_PROCESSES) {
            return "that is more than " + MAX_PROCESSES + " processes";
        }
        return null;
    }

    private Path write(String name, String file, Map<String, String> conf) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        StringBuilder sb = new StringBuilder("# written by quiver local-cluster\n");
        conf.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        Path f = d.resolve(file);
        Files.writeString(f, sb.toString());
        return f;
    }

    private Process launch(Path quiver, String name, List<String> args) throws IOException {
        Path d = dir.resolve(name);
        Files.createDirectories(d);
        List<String> cmd = new ArrayList<>();
        cmd.add(quiver.toString());
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(d.resolve("quiver.out").toFile())).start();
        synchronized (processes) {
            processes.add(p);
        }
        return p;
    }

    /** SIGTERM to every process, then waits for them (SIGKILL after 30 s). */
    private void stopAll() {
        List<Process> all;
        synchronized (processes) {
            all = new ArrayList<>(processes);
        }
        for (Process p : all) {
            p.toHandle().destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
