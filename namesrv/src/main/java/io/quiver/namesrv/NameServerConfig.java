package io.quiver.namesrv;

import io.quiver.remoting.tls.TlsSettings;
import java.nio.file.Path;

/**
 * Name-server settings.
 *
 * @param bindHost               address to listen on
 * @param port                   listen port (RocketMQ default 9876)
 * @param kvConfigFile           where KV settings persist; null keeps them in memory
 * @param brokerTimeoutMillis    a broker that has not registered for this long is removed
 * @param scanIntervalMillis     how often expiry runs
 * @param tls                    TLS of the listen port (tls.server.*)
 */
public record NameServerConfig(String bindHost, int port, Path kvConfigFile, long brokerTimeoutMillis,
                               long scanIntervalMillis, TlsSettings tls) {
    public static final int DEFAULT_PORT = 9876;
    public static final long DEFAULT_BROKER_TIMEOUT_MILLIS = 120_000;

    public static NameServerConfig of(String bindHost, int port, Path dataDir) {
        return new NameServerConfig(bindHost, port, dataDir == null ? null : dataDir.resolve("namesrv/kvConfig.json"),
            DEFAULT_BROKER_TIMEOUT_MILLIS, 5_000, TlsSettings.from(System::getProperty));
    }

    /** These settings with {@code t} as the listen port's TLS. */
    public NameServerConfig withTls(TlsSettings t) {
        return new NameServerConfig(bindHost, port, kvConfigFile, brokerTimeoutMillis, scanIntervalMillis, t);
    }
}
