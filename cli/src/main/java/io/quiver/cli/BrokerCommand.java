package io.quiver.cli;

import io.quiver.broker.Broker;
import io.quiver.broker.config.BrokerConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** A broker on its own, registering with the name servers of its configuration. */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = {"Run a broker; or, with a subcommand, operate a running one."},
    subcommands = {BrokerAdminCommands.Config.class, BrokerAdminCommands.Drain.class})
final class BrokerCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options = new ServerOptions();

    @Option(names = "--port", paramLabel = "PORT", description = "listen port (overrides listenPort)")
    Integer port;

    @Option(names = "--namesrv", paramLabel = "ADDRS", description = "name servers host:port;host:port (overrides namesrvAddr)")
    String namesrv;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (overrides storePathRootDir)")
    Path dataDir;

    @Override
    public Integer call() {
        BrokerConfig config = options.loadBrokerConfig();
        if (port != null) {
            config.listenPort = port;
        }
        if (namesrv != null) {
            config.namesrvAddr = namesrv;
        }
        if (dataDir != null) {
            config.storePathRootDir = dataDir;
        }
        Servers servers = new Servers();
        try {
            io.quiver.cli.logging.LogFiles.start(config.storePathRootDir.resolve("logs"));
            if (config.enableControllerMode) {
                servers.add(new io.quiver.broker.FailoverAgent(config).start());
                System.out.printf("Quiver broker %s in controller mode (controllers %s), listening on %s:%d (advertised %s), "
                    + "name servers %s%n", config.brokerName, config.controllerAddr, config.bindAddress, config.listenPort,
                    config.brokerAddr(), config.namesrvAddr);
                return servers.awaitShutdown();
            }
            Broker broker = new Broker(config);
            broker.onDrained(Servers::exitAfterDrain);
            broker.start();
            servers.add(broker);
            System.out.printf("Quiver broker %s listening on %s:%d (advertised %s), name servers %s%n", config.brokerName,
                config.bindAddress, broker.port(), config.brokerAddr(), config.namesrvAddr);
        } catch (RuntimeException e) {
            System.err.println("quiver: cannot start the broker: " + e.getMessage());
            servers.closeAll();
            return 1;
        }
        return servers.awaitShutdown();
    }
}
