package io.quiver.cli;

import picocli.CommandLine.Option;

/** Options every admin verb shares: where the cluster is, whether to print JSON, and who signs (ACL). */
final class AdminOptions {
    @Option(names = "--namesrv", paramLabel = "ADDRS", defaultValue = "${env:QUIVER_NAMESRV:-127.0.0.1:9876}",
        description = "name servers, host:port;host:port (default: $QUIVER_NAMESRV, else ${DEFAULT-VALUE})")
    String namesrv;

    @Option(names = "--json", description = "print JSON for scripts instead of a table")
    boolean json;

    @Option(names = "--access-key", paramLabel = "KEY", defaultValue = "${env:QUIVER_ACCESS_KEY}",
        description = "with ACL on: the account that signs every request (default: $QUIVER_ACCESS_KEY)")
    String accessKey;

    /** Only from the environment: a secret on the command line would show in the process list. */
    String secretKey() {
        return System.getenv("QUIVER_SECRET_KEY");
    }

    AdminClient connect() {
        if (accessKey == null || accessKey.isBlank()) {
            return new AdminClient(namesrv);
        }
        String secret = secretKey();
        if (secret == null || secret.isBlank()) {
            throw new Failure(Exit.USAGE, "--access-key " + accessKey + " needs its secret in $QUIVER_SECRET_KEY");
        }
        return new AdminClient(namesrv, accessKey.trim(), secret);
    }
}
