package io.quiver.cli;

import io.quiver.namesrv.NameServer;
import io.quiver.namesrv.NameServerConfig;
import java.nio.file.Path;
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

    @Override
    public Integer call() {
        Servers servers = new Servers();
        try {
            io.quiver.cli.logging.LogFiles.start(dataDir.resolve("logs"));
            NameServer ns = new NameServer(NameServerConfig.of(host, port, dataDir));
            ns.start();
            servers.add(ns);
            System.out.printf("Quiver name server listening on %s:%d%n", host, ns.port());
        } catch (RuntimeException e) {
            System.err.println("quiver: cannot start the name server: " + e.getMessage());
            return 1;
        }
        return servers.awaitShutdown();
    }
}
