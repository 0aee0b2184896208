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
@Command(name = "controller", mixinStandardHelpOptions = true,
    description = {"Run a failover controller: one member of the controllers' Raft group.",
        "Keys (in --config): controllerPeers=n0-host:port;n1-host:port;n2-host:port (the Raft addresses),",
        "controllerSelfId=n0, controllerStorePath (default data/controller), enableElectUncleanMaster (false),",
        "controllerSnapshotThreshold (10000 log entries), controllerHeartBeatTimeoutMills (3000),",
        "scanNotActiveBrokerInterval (500). Brokers do not use it yet (issue Automatic failover)."})
final class ControllerCommand implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", required = true, description = "controller settings (key=value)")
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "overrides controllerStorePath; logs go under it")
    Path dataDir;

    @Override
    public Integer call() {
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
            System.out.printf("Quiver controller %s listening on %s (peers %s)%n", config.selfId(), config.selfAddress(),
                config.peers());
        } catch (RuntimeException e) {
            System.err.println("quiver: cannot start the controller: " + e.getMessage());
            return 1;
        }
        return servers.awaitShutdown();
    }
}
