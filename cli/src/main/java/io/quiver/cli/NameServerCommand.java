package io.quiver.cli;

import io.quiver.namesrv.NameServer;
import io.quiver.namesrv.NameServerConfig;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** A name server on its own. */
@Command(name = "namesrv", mixinStandardHelpOptions = true, description = "Run a name server.")
final class NameServerCommand implements Callable<Integer> {
    @Option(names = "--port", paramLabel = "PORT", description = "listen port (default ${DEFAULT-VALUE})")
    int port = NameServerConfig.DEFAULT_PORT;

    @Option(names = "--host", paramLabel = "IP", description = "address to listen on (default ${DEFAULT-VALUE})")
    String host = "0.0.0.0";

    @Option(names = "--data-dir", paramLabel = "DIR", description = "where KV settings persist (default ${DEFAULT-VALUE})")
    Path dataDir = Path.of("data");

    @Option(names = "--config", paramLabel = "FILE", description = "settings (key=value); with "
        + "enableControllerInNamesrv=true and the controller's keys (controllerPeers, controllerSelfId, "
        + "controllerStorePath, ...) the name server is also a failover controller, which brokers reach at its port; "
        + "aclEnable=true (and aclFile, default plain_acl.yml beside this file): every request signed by a known account, "
        + "brokers' registrations by an admin one; tls.* keys: TLS")
    Path configFile;

    @Override
    public Integer call() {
        Servers servers = new Servers();
        try {
            io.quiver.cli.logging.LogFiles.start(dataDir.resolve("logs"));
            Map<String, String> kv = configFile == null ? Map.of() : ServerOptions.readProperties(configFile);
            boolean acl = Boolean.parseBoolean(kv.getOrDefault("aclEnable", "false").trim());
            Path aclFile = !acl ? null : kv.containsKey("aclFile") && !kv.get("aclFile").isBlank()
                ? Path.of(kv.get("aclFile").trim()) : configFile.toAbsolutePath().resolveSibling("plain_acl.yml");
            NameServer ns = new NameServer(NameServerConfig.of(host, port, dataDir).withTls(
                io.quiver.remoting.tls.TlsSettings.from(k -> kv.containsKey(k) ? kv.get(k) : System.getProperty(k)))
                .withAcl(aclFile == null ? null : new io.quiver.acl.AclFile(aclFile)));
            String withController = "";
            if (Boolean.parseBoolean(kv.getOrDefault("enableControllerInNamesrv", "false").trim())) {
                Map<String, String> ckv = new java.util.LinkedHashMap<>(kv);
                ckv.putIfAbsent("controllerStorePath", dataDir.resolve("controller").toString());
                io.quiver.controller.ControllerConfig cc = io.quiver.controller.ControllerConfig.parse(ckv);
                ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("org.apache.ratis"))
                    .setLevel(ch.qos.logback.classic.Level.WARN);
                io.quiver.controller.ControllerNode node = new io.quiver.controller.ControllerNode(cc).start();
                servers.add(node);
                servers.add(new io.quiver.controller.ControllerServer(node, ns::register).start());
                withController = ", with failover controller " + cc.selfId() + " (Raft on " + cc.selfAddress() + ")";
            }
            ns.start();
            servers.add(ns);
            System.out.printf("Quiver name server listening on %s:%d%s%n", host, ns.port(), withController);
        } catch (RuntimeException e) {
            System.err.println("quiver: cannot start the name server: " + e.getMessage());
            servers.closeAll();
            return 1;
        }
        return servers.awaitShutdown();
    }
}
