package io.quiver.cli;

import io.quiver.controller.ControllerConfig;
import io.quiver.controller.ControllerNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A failover controller on its own: one member of the controllers' Raft group (Apache Ratis). */
@Command(name = "controller", mixinStandardHelpOptions = true, subcommands = ControllerStatusCommand.class,
    description = {"Run a failover controller: one member of the controllers' Raft group.",
        "Keys (in --config): controllerPeers=n0-host:port;n1-host:port;n2-host:port (the Raft addresses),",
        "controllerSelfId=n0, controllerStorePath (default data/controller), enableElectUncleanMaster (false),",
        "controllerSnapshotThreshold (10000 log entries), controllerHeartBeatTimeoutMills (3000),",
        "scanNotActiveBrokerInterval (500), listenPort (9878, where brokers and tools reach it), bindAddress,",
        "metricsExporterType (DISABLE; PROM serves Prometheus metrics on metricsPromExporterPort, 5559).",
        "Brokers use it with enableControllerMode=true and controllerAddr=host:port;host:port;host:port."})
final class ControllerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", description = "controller settings (key=value); required to run one")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "overrides controllerStorePath; logs go under it")
    Path dataDir;

    @Override
    public Integer call() {
        if (configFile == null) {
            System.err.println("quiver: quiver controller needs --config FILE (or a subcommand: status)");
            return Exit.USAGE;
        }
        Servers servers = new Servers();
        try {
            Map<String, String> kv = new LinkedHashMap<>(ServerOptions.readProperties(configFile));
            if (dataDir != null) {
                kv.put("controllerStorePath", dataDir.toString());
            }
            ControllerConfig config = ControllerConfig.parse(kv);
            io.quiver.cli.logging.LogFiles.start(config.storePath().resolve("logs"));
            // Ratis logs every configuration key it reads at INFO; its warnings and errors are what matter here.
            ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.ratis"))
                .setLevel(ch.qos.logback.classic.Level.WARN);
            ControllerNode node = new ControllerNode(config).start();
            servers.add(node);
            io.quiver.controller.ControllerServer listener = new io.quiver.controller.ControllerServer(node,
                io.quiver.remoting.tls.ServerTls.start("controller",
                    io.quiver.remoting.tls.TlsSettings.from(k -> kv.containsKey(k) ? kv.get(k) : System.getProperty(k))))
                .start();
            servers.add(listener);
            String metrics = "";
            if (config.metricsEnabled()) {
                ControllerMetrics m = new ControllerMetrics(node, config.bindAddress(), config.metricsPort());
                servers.add(m);
                metrics = ", metrics on http://" + config.bindAddress() + ":" + m.port() + "/metrics";
            }
            System.out.printf("Quiver controller %s: brokers and tools on %s:%d, Raft on %s (peers %s)%s%n", config.selfId(),
                config.bindAddress(), listener.port(), config.selfAddress(), config.peers(), metrics);
        } catch (RuntimeException e) {
            System.err.println("quiver: cannot start the controller: " + e.getMessage());
            return 1;
        }
        return servers.awaitShutdown();
    }
}
