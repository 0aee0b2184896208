package io.quiver.cli;

import io.quiver.remoting.tls.DevCertificates;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code quiver tls ...}: certificates for trying TLS. */
@Command(name = "tls", mixinStandardHelpOptions = true, description = "TLS certificates.",
    subcommands = {TlsCommand.GenDevCerts.class})
final class TlsCommand extends CommandGroup {

    @Command(name = "gen-dev-certs", mixinStandardHelpOptions = true,
        description = "Write a development set of certificates into DIR: a CA (ca.pem, ca.key), a server certificate "
            + "for localhost and this host signed by it (server.pem, server.key) and a client certificate for mutual TLS "
            + "(client.pem, client.key). EC P-256, PEM, valid 365 days. For trying TLS, not for production.")
    static final class GenDevCerts implements Callable<Integer> {
        @Parameters(paramLabel = "DIR", description = "directory to write the files into (created if missing)")
        Path dir;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                for (Path p : DevCertificates.writeDevSet(dir)) {
                    System.out.println("wrote " + p);
                }
                System.out.printf("%nTry it (broker.conf):%n"
                    + "  tls.server.mode=enforcing%n"
                    + "  tls.server.certPath=%1$s%n"
                    + "  tls.server.keyPath=%2$s%n"
                    + "Mutual TLS, also:%n"
                    + "  tls.server.need.client.auth=require%n"
                    + "  tls.server.trustCertPath=%3$s%n"
                    + "Clients: -Dtls.enable=true (and for mutual TLS -Dtls.test.mode.enable=false%n"
                    + "  -Dtls.client.certPath=%4$s -Dtls.client.keyPath=%5$s)%n",
                    dir.resolve("server.pem").toAbsolutePath(), dir.resolve("server.key").toAbsolutePath(),
                    dir.resolve("ca.pem").toAbsolutePath(), dir.resolve("client.pem").toAbsolutePath(),
                    dir.resolve("client.key").toAbsolutePath());
                return 0;
            });
        }
    }
}
