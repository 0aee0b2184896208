package io.quiver.remoting.tls;

import io.netty.handler.ssl.ClientAuth;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Function;

/**
 * TLS settings of one process, under RocketMQ's key names: how its listeners treat TLS ({@code tls.server.*}) and
 * whether its own outgoing connections use it ({@code tls.enable}, {@code tls.client.*}).
 *
 * @param mode            {@code tls.server.mode}
 * @param needClientAuth  {@code tls.server.need.client.auth}: none, optional or require a client certificate
 * @param certPath        {@code tls.server.certPath}: PEM certificate chain; empty: a self-signed one made at start
 * @param keyPath         {@code tls.server.keyPath}: PEM private key (PKCS#8)
 * @param keyPassword     {@code tls.server.keyPassword}: the key's password, if it is encrypted
 * @param trustCertPath   {@code tls.server.trustCertPath}: PEM certificates that client certificates must chain to
 * @param clientEnable    {@code tls.enable}: outgoing connections (to name servers, masters, brokers) use TLS
 * @param clientCertPath  {@code tls.client.certPath}: the certificate outgoing connections present (mutual TLS)
 * @param clientKeyPath   {@code tls.client.keyPath}
 * @param clientKeyPassword {@code tls.client.keyPassword}
 * @param clientTrustCertPath {@code tls.client.trustCertPath}: what servers' certificates must chain to
 * @param clientAuthServer {@code tls.client.authServer}: verify servers' certificates (else any is accepted, as
 *                        RocketMQ's clients do by default)
 */
public record TlsSettings(TlsMode mode, ClientAuth needClientAuth, String certPath, String keyPath, String keyPassword,
                          String trustCertPath, boolean clientEnable, String clientCertPath, String clientKeyPath,
                          String clientKeyPassword, String clientTrustCertPath, boolean clientAuthServer) {
    /** Every key read, with its default: what {@code quiver config table} lists. */
    public static final List<String[]> KEYS = List.of(
        new String[] {"tls.server.mode", "permissive", "disabled (plain text only), permissive (TLS and plain text on "
            + "one port, told apart by the first byte) or enforcing (TLS only) on the remoting port"},
        new String[] {"tls.server.need.client.auth", "none", "none, optional or require a client certificate (mutual "
            + "TLS) that chains to tls.server.trustCertPath"},
        new String[] {"tls.server.certPath", "", "PEM certificate chain of the remoting port; empty: a self-signed one "
            + "made at start (for trying TLS only); read again when the file changes"},
        new String[] {"tls.server.keyPath", "", "PEM private key (PKCS#8) of tls.server.certPath"},
        new String[] {"tls.server.keyPassword", "", "password of tls.server.keyPath, if encrypted"},
        new String[] {"tls.server.trustCertPath", "", "PEM certificates client certificates must chain to"},
        new String[] {"tls.enable", "(tls.server.mode=enforcing)", "this process's own connections (to name "
            + "servers, masters, controllers) use TLS; by default they do when the remoting port enforces TLS"},
        new String[] {"tls.client.certPath", "", "PEM certificate those connections present (mutual TLS)"},
        new String[] {"tls.client.keyPath", "", "PEM private key (PKCS#8) of tls.client.certPath"},
        new String[] {"tls.client.keyPassword", "", "password of tls.client.keyPath, if encrypted"},
        new String[] {"tls.client.trustCertPath", "", "PEM certificates servers' certificates must chain to"},
        new String[] {"tls.client.authServer", "false", "verify servers' certificates against "
            + "tls.client.trustCertPath (false: accept any, as RocketMQ's clients do by default)"},
        new String[] {"tls.config.file", "", "a properties file with any of the tls.* keys; its values win over "
            + "the same keys given elsewhere, as in RocketMQ"});

    /** No TLS anywhere (in-process and test set-ups that want none). */
    public static final TlsSettings DISABLED = new TlsSettings(TlsMode.DISABLED, ClientAuth.NONE, "", "", "", "", false,
        "", "", "", "", false);

    /** These settings with {@code enable} deciding whether outgoing connections use TLS (broker.conf's useTLS). */
    public TlsSettings withClientEnable(boolean enable) {
        return new TlsSettings(mode, needClientAuth, certPath, keyPath, keyPassword, trustCertPath, enable, clientCertPath,
            clientKeyPath, clientKeyPassword, clientTrustCertPath, clientAuthServer);
    }

    /** Whether {@code key} is one of these settings' keys. */
    public static boolean isKey(String key) {
        return KEYS.stream().anyMatch(k -> k[0].equals(key));
    }

    /**
     * Reads the settings through {@code lookup} (null for a key not given), then from the properties file named by
     * {@code tls.config.file}, whose values win. Throws {@link IllegalArgumentException} naming the key at fault.
     */
    public static TlsSettings from(Function<String, String> lookup) {
        Function<String, String> get = lookup;
        String file = lookup.apply("tls.config.file");
        if (file != null && !file.isBlank()) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(Path.of(file.trim()))) {
                p.load(r);
            } catch (IOException | RuntimeException e) {
                throw new IllegalArgumentException("tls.config.file " + file.trim() + " cannot be read: " + e.getMessage(), e);
            }
            get = key -> p.containsKey(key) ? p.getProperty(key) : lookup.apply(key);
        }
        return new TlsSettings(
            TlsMode.parse(value(get, "tls.server.mode")),
            clientAuth(value(get, "tls.server.need.client.auth")),
            value(get, "tls.server.certPath"), value(get, "tls.server.keyPath"), value(get, "tls.server.keyPassword"),
            value(get, "tls.server.trustCertPath"),
            get.apply("tls.enable") != null ? bool(get, "tls.enable") : TlsMode.parse(value(get, "tls.server.mode")) == TlsMode.ENFORCING,
            value(get, "tls.client.certPath"), value(get, "tls.client.keyPath"), value(get, "tls.client.keyPassword"),
            value(get, "tls.client.trustCertPath"),
            bool(get, "tls.client.authServer"));
    }

    private static String value(Function<String, String> get, String key) {
        String v = get.apply(key);
        if (v == null) {
            v = KEYS.stream().filter(k -> k[0].equals(key)).findFirst().orElseThrow()[1];
        }
        return v.trim();
    }

    private static boolean bool(Function<String, String> get, String key) {
        String v = value(get, key).toLowerCase(Locale.ROOT);
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException(key + " must be true or false, not '" + v + "'");
        }
        return v.equals("true");
    }

    private static ClientAuth clientAuth(String v) {
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> ClientAuth.NONE;
            case "optional" -> ClientAuth.OPTIONAL;
            case "require" -> ClientAuth.REQUIRE;
            default -> throw new IllegalArgumentException(
                "tls.server.need.client.auth must be none, optional or require, not '" + v + "'");
        };
    }
}
