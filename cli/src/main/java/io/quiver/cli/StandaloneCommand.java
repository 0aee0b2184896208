package io.quiver.cli;

import io.quiver.broker.Broker;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.namesrv.NameServer;
import io.quiver.namesrv.NameServerConfig;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Name server and broker in one process: the quickest way to a working Quiver. */
@Command(name = "standalone", mixinStandardHelpOptions = true,
    description = "Run a name server and a broker in one process.")
final class StandaloneCommand implements Callable<Integer> {
    @Mixin
    ServerOptions options = new ServerOptions();

    @Option(names = "--namesrv-port", paramLabel = "PORT", description = "name server port (default ${DEFAULT-VALUE})")
    int namesrvPort = NameServerConfig.DEFAULT_PORT;

    @Option(names = "--broker-port", paramLabel = "PORT", description = "broker port (default: listenPort from --config, else 10911)")
    Integer brokerPort;

    @Option(names = "--data-dir", paramLabel = "DIR", description = "data directory (default: storePathRootDir's parent from --config, else ./data)")
    Path dataDir;

    @Override
    public Integer call() {
        long t0 = System.nanoTime();
        BrokerConfig config = options.loadBrokerConfig();
        Path root = dataDir != null ? dataDir : options.configFile != null && config.storePathRootDir != null
            && !config.storePathRootDir.equals(Path.of("data", "broker")) ? config.storePathRootDir.getParent() : Path.of("data");
        if (root == null) {
            root = Path.of(".");
        }
        if (dataDir != null || options.configFile == null || config.storePathRootDir.equals(Path.of("data", "broker"))) {
            config.storePathRootDir = root.resolve("broker");
        }
        if (brokerPort != null) {
            config.listenPort = brokerPort;
        }
        String bind = options.host != null ? options.host : "0.0.0.0";
        Servers servers = new Servers();
        try {
            java.nio.file.Path logFile = io.quiver.cli.logging.LogFiles.start(root.resolve("logs"));
            if (config.aclEnable && config.innerAccessKey == null) {
                throw new IllegalArgumentException("aclEnable=true: the name server checks signatures too, so the broker "
                    + "needs an admin account of " + config.aclFilePath() + " for its own requests: set "
                    + "innerClientAuthenticationCredentials={\"accessKey\":\"...\",\"secretKey\":\"...\"}");
            }
            // one ACL file object for both: an account an admin request adds is known to both at once
            io.quiver.acl.AclFile acl = config.aclEnable ? new io.quiver.acl.AclFile(config.aclFilePath()) : null;
            NameServer ns = new NameServer(NameServerConfig.of(bind, namesrvPort, root).withTls(config.tlsSettings())
                .withAcl(acl));
            ns.start();
            servers.add(ns);
            config.namesrvAddr = "127.0.0.1:" + ns.port();
            Broker broker = new Broker(config, null, acl);
            broker.onDrained(Servers::exitAfterDrain);
            broker.start();
            servers.add(broker);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            long jvmMs = System.currentTimeMillis() - ManagementFactory.getRuntimeMXBean().getStartTime();
            System.out.printf("Quiver standalone is ready in %d ms (%d ms since JVM start).%n", ms, jvmMs);
            System.out.printf("  name server  %s:%d%n", bind, ns.port());
            System.out.printf("  broker       %s:%d  (advertised as %s, cluster %s, name %s)%n", bind, broker.port(),
                config.brokerAddr(), config.brokerClusterName, config.brokerName);
            if (broker.grpcPort() > 0) {
                System.out.printf("  gRPC         %s:%d  (RocketMQ 5 SDKs; TLS and plain text)%n", bind, broker.grpcPort());
            }
            System.out.printf("  data         %s  (flush: %s)%n", config.storePathRootDir.toAbsolutePath(), config.flushDiskType);
            if ("PROM".equals(config.metricsExporterType)) {
                System.out.printf("  metrics      http://%s:%d/metrics%n", config.metricsPromExporterHost,
                    config.metricsPromExporterPort);
            }
            if (config.consolePort > 0) {
                System.out.printf("  console      %s%n", startConsole(config, acl, bind, ns.port(), servers));
            }
            if (logFile != null) {
                System.out.printf("  log          %s%n", logFile);
            }
            System.out.printf("Connect RocketMQ clients with namesrvAddr=%s:%d. Stop with Ctrl-C.%n",
                "0.0.0.0".equals(bind) ? "127.0.0.1" : bind, ns.port());
        } catch (RuntimeException e) {
            System.err.println("quiver: cannot start: " + e.getMessage());
            servers.closeAll();
            return 1;
        }
        return servers.awaitShutdown();
    }

    /**
     * The web console on {@code consolePort}, signed in to the cluster as the broker's own account under ACL; its users
     * sign in with the admin accounts of the broker's plain_acl.yml. A port in use leaves the standalone without it.
     */
    private static String startConsole(BrokerConfig config, io.quiver.acl.AclFile acl, String bind, int nsPort,
                                       Servers servers) {
        String namesrv = "127.0.0.1:" + nsPort;
        AdminClient own = new AdminClient(namesrv, config.innerAccessKey, config.innerSecretKey);
        io.quiver.acl.AclFile accounts = acl != null ? acl
            : java.nio.file.Files.exists(config.aclFilePath()) ? new io.quiver.acl.AclFile(config.aclFilePath()) : null;
        try {
            ConsoleServer console = new ConsoleServer(bind, config.consolePort, namesrv, own, new ConsoleAccess(accounts))
                .start();
            servers.add(own);
            servers.add(console);
            return "http://" + ("0.0.0.0".equals(bind) ? "127.0.0.1" : bind) + ":" + console.port() + "/";
        } catch (java.io.IOException e) {
            own.close();
            return "not started: port " + config.consolePort + " cannot be bound (" + e.getMessage()
                + "); set consolePort (0 turns it off)";
        }
    }
}
