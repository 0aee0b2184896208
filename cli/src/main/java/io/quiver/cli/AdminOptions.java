package io.quiver.cli;

import picocli.CommandLine.Option;

/** Options every admin verb shares: where the cluster is, and whether to print JSON. */
final class AdminOptions {
    @Option(names = "--namesrv", paramLabel = "ADDRS", defaultValue = "${env:QUIVER_NAMESRV:-127.0.0.1:9876}",
        description = "name servers, host:port;host:port (default: $QUIVER_NAMESRV, else ${DEFAULT-VALUE})")
    String namesrv;

    @Option(names = "--json", description = "print JSON for scripts instead of a table")
    boolean json;

    AdminClient connect() {
        return new AdminClient(namesrv);
    }
}
