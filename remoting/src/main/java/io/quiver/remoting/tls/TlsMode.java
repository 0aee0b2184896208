package io.quiver.remoting.tls;

import java.util.Locale;

/** How a listener treats TLS ({@code tls.server.mode}, RocketMQ's key and values). */
public enum TlsMode {
    /** Plain text only: a TLS handshake is refused. */
    DISABLED,
    /** TLS and plain text on one port, told apart by a connection's first byte. */
    PERMISSIVE,
    /** TLS only: a plain-text connection is refused. */
    ENFORCING;

    /** Parses RocketMQ's names, in any case. */
    public static TlsMode parse(String value) {
        String v = value == null ? "" : value.trim().toUpperCase(Locale.ROOT);
        for (TlsMode m : values()) {
            if (m.name().equals(v)) {
                return m;
            }
        }
        throw new IllegalArgumentException("tls.server.mode must be disabled, permissive or enforcing, not '" + value + "'");
    }
}
