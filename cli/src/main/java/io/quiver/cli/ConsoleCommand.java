package io.quiver.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code quiver console}: the web console for a cluster, talking to it through its name servers. */
@Command(name = "console", mixinStandardHelpOptions = true,
    description = {"Serve the web console for a cluster: brokers, topics, groups and lag, message search and trace, "
        + "pending transactions. Without credentials it is read-only and answers only its own host; admin accounts of "
        + "--acl-file sign in for changes and from other hosts.", Exit.HELP})
final class ConsoleCommand implements java.util.concurrent.Callable<Integer> {
    @Mixin
    AdminOptions admin;

    @Option(names = "--port", paramLabel = "PORT", description = "port to serve on (default ${DEFAULT-VALUE})")
    int port = 8080;

    @Option(names = "--bind", paramLabel = "ADDR",
        description = "address to listen on (default ${DEFAULT-VALUE}; 0.0.0.0 for other hosts, behind TLS: sign-in is HTTP Basic)")
    String bind = "127.0.0.1";

    @Option(names = "--acl-file", paramLabel = "PATH",
        description = "plain_acl.yml whose admin accounts may sign in (without it nobody can make changes)")
    Path aclFile;

    @Override
    public Integer call() {
        return Failure.run(() -> {
            if (aclFile != null && !Files.isRegularFile(aclFile)) {
                throw new Failure(Exit.USAGE, "--acl-file " + aclFile + " is not a file");
            }
            AdminClient own = admin.connect();
            Servers servers = new Servers();
            servers.add(own);
            try {
                ConsoleServer console = new ConsoleServer(bind, port, admin.namesrv, own,
                    new ConsoleAccess(aclFile == null ? null : new io.quiver.acl.AclFile(aclFile))).start();
                servers.add(console);
                System.out.printf("Quiver console for %s at http://%s:%d/ (read-only without signing in). Stop with Ctrl-C.%n",
                    admin.namesrv, "0.0.0.0".equals(bind) ? "127.0.0.1" : bind, console.port());
            } catch (java.io.IOException e) {
                servers.closeAll();
                throw new Failure(Exit.FAILED, "cannot serve on " + bind + ":" + port + ": " + e.getMessage());
            }
            return servers.awaitShutdown();
        });
    }
}
