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
 * @param acl                    with ACL on, the accounts every request is checked against; null: ACL off
 */
public record NameServerConfig(String bindHost, int port, Path kvConfigFile, long brokerTimeoutMillis,
                               long scanIntervalMillis, TlsSettings tls, io.quiver.acl.AclFile acl) {
    public static final int DEFAULT_PORT = 9876;
    public static final long DEFAULT_BROKER_TIMEOUT_MILLIS = 120_000;

    /** With the settings UPDATE_NAMESRV_CONFIG stored under {@code dataDir} (namesrv/namesrv-overrides.properties). */
    public static NameServerConfig of(String bindHost, int port, Path dataDir) {
        long scan = 5_000;
        if (dataDir != null) {
            try {
                String stored = NamesrvConfigHandlers.load(dataDir.resolve("namesrv")).get("scanNotActiveBrokerInterval");
                if (stored != null) {
                    scan = Math.max(1_000, Long.parseLong(stored.trim()));
                }
            } catch (java.io.IOException | NumberFormatException e) {
                throw new IllegalArgumentException("the stored name-server settings under " + dataDir.resolve("namesrv")
                    + " cannot be read: " + e.getMessage(), e);
            }
        }
        return new NameServerConfig(bindHost, port, dataDir == null ? null : dataDir.resolve("namesrv/kvConfig.json"),
            DEFAULT_BROKER_TIMEOUT_MILLIS, scan, TlsSettings.from(System::getProperty), null);
    }

    /** These settings with {@code t} as the listen port's TLS. */
    public NameServerConfig withTls(TlsSettings t) {
        return new NameServerConfig(bindHost, port, kvConfigFile, brokerTimeoutMillis, scanIntervalMillis, t, acl);
    }

    /**
     * These settings with every request checked against the accounts of {@code file} (null: ACL off); the name server
     * reads it again when it changes. A broker in the same process may share the object.
     */
    public NameServerConfig withAcl(io.quiver.acl.AclFile file) {
        return new NameServerConfig(bindHost, port, kvConfigFile, brokerTimeoutMillis, scanIntervalMillis, tls, file);
    }
}
