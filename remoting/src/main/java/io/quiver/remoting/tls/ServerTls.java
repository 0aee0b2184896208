package io.quiver.remoting.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS side of one listener: its {@link TlsMode} and the server context TLS connections are served with. With
 * certificate files the context is built at start (a file that cannot be read stops the start, naming it) and built
 * again when the files change ({@link #reloadIfChanged}; a change that cannot be read keeps the old context and is
 * logged). Without them a self-signed certificate is made on a thread of its own, so the start does not wait for it.
 * Thread-safe: the context is published through a volatile future.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);

    private final String name;
    private final TlsSettings settings;
    private volatile CompletableFuture<SslContext> context;
    /** Size and modification time of each file the context was built from; owner: the caller of reloadIfChanged. */
    private List<Long> builtFrom = List.of();

    private ServerTls(String name, TlsSettings settings) {
        this.name = name;
        this.settings = settings;
    }

    /** The TLS side of listener {@code name}; null context work when the mode is disabled. */
    public static ServerTls start(String name, TlsSettings settings) {
        ServerTls t = new ServerTls(name, settings);
        if (settings.mode() == TlsMode.DISABLED) {
            t.context = null;
        } else if (settings.certPath().isEmpty()) {
            if (!settings.keyPath().isEmpty()) {
                throw new IllegalArgumentException("tls.server.keyPath is set but tls.server.certPath is not");
            }
            t.context = CompletableFuture.supplyAsync(t::selfSigned, runnable -> {
                Thread th = new Thread(runnable, name + "-tls-cert");
                th.setDaemon(true);
                th.start();
            });
        } else {
            t.builtFrom = t.fingerprint();
            t.context = CompletableFuture.completedFuture(t.fromFiles());
            log.info("{}: TLS certificate from {}", name, settings.certPath());
        }
        return t;
    }

    public TlsMode mode() {
        return settings.mode();
    }

    /** The context TLS connections are served with (may still be in the making); null when the mode is disabled. */
    public CompletableFuture<SslContext> context() {
        return context;
    }

    /**
     * Builds the context again if a certificate, key or trust file changed since it was built; connections made
     * from then on use it. Returns whether it did. Called by the owner's scheduler, one thread at a time.
     */
    public boolean reloadIfChanged() {
        if (settings.mode() == TlsMode.DISABLED || settings.certPath().isEmpty()) {
            return false;
        }
        List<Long> now = fingerprint();
        if (now.equals(builtFrom)) {
            return false;
        }
        builtFrom = now;
        try {
            context = CompletableFuture.completedFuture(fromFiles());
            log.info("{}: TLS certificate files changed; new connections use {}", name, settings.certPath());
            return true;
        } catch (IllegalArgumentException e) {
            log.error("{}: TLS certificate files changed but cannot be used, the previous certificate stays: {}", name,
                e.getMessage());
            return false;
        }
    }

    private List<Long> fingerprint() {
        List<Long> f = new ArrayList<>();
        for (String p : List.of(settings.certPath(), settings.keyPath(), settings.trustCertPath())) {
            if (p.isEmpty()) {
                continue;
            }
            try {
                f.add(Files.size(Path.of(p)));
                f.add(Files.getLastModifiedTime(Path.of(p)).toMillis());
            } catch (java.io.IOException e) {
                f.add(-1L);
            }
        }
        return f;
    }

    private SslContext fromFiles() {
        if (settings.keyPath().isEmpty()) {
            throw new IllegalArgumentException("tls.server.certPath is set but tls.server.keyPath is not");
        }
        File cert = readable("tls.server.certPath", settings.certPath());
        File key = readable("tls.server.keyPath", settings.keyPath());
        try {
            SslContextBuilder b = SslContextBuilder.forServer(cert, key,
                settings.keyPassword().isEmpty() ? null : settings.keyPassword());
            return withClientAuth(b).build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("TLS certificate " + cert + " with key " + key + " cannot be used: "
                + rootMessage(e), e);
        }
    }

    /**
     * A JDK {@link javax.net.ssl.SSLContext} with this listener's certificate (as it is now), for an HTTPS endpoint
     * such as /metrics; no client certificate is asked. Waits for a self-signed certificate still being made.
     */
    public javax.net.ssl.SSLContext jdkServerContext() {
        try {
            SslContextBuilder b;
            if (settings.certPath().isEmpty()) {
                context.join();
                DevCertificates.Issued cert = selfSignedCert;
                b = SslContextBuilder.forServer(cert.key(), cert.certificate());
            } else {
                b = SslContextBuilder.forServer(readable("tls.server.certPath", settings.certPath()),
                    readable("tls.server.keyPath", settings.keyPath()),
                    settings.keyPassword().isEmpty() ? null : settings.keyPassword());
            }
            return ((io.netty.handler.ssl.JdkSslContext) b.sslProvider(io.netty.handler.ssl.SslProvider.JDK).build())
                .context();
        } catch (SSLException | RuntimeException e) {
            throw new IllegalArgumentException(name + ": the TLS certificate cannot serve HTTPS: " + rootMessage(e), e);
        }
    }

    /** The self-signed certificate made at start, when there are no files. */
    private volatile DevCertificates.Issued selfSignedCert;

    private SslContext selfSigned() {
        try {
            DevCertificates.Issued cert = DevCertificates.selfSigned();
            selfSignedCert = cert;
            String what = "{}: TLS with a self-signed certificate (no tls.server.certPath): for trying TLS only; clients "
                + "cannot tell this server from another";
            if (settings.mode() == TlsMode.ENFORCING) {
                log.warn(what, name);
            } else {
                log.info(what, name); // the default (permissive): plain-text clients are unaffected
            }
            return withClientAuth(SslContextBuilder.forServer(cert.key(), cert.certificate())).build();
        } catch (SSLException | RuntimeException e) {
            log.error("{}: no TLS: a self-signed certificate could not be made: {}", name, rootMessage(e));
            throw new IllegalStateException(e);
        }
    }

    private SslContextBuilder withClientAuth(SslContextBuilder b) {
        b.clientAuth(settings.needClientAuth());
        if (settings.needClientAuth() != io.netty.handler.ssl.ClientAuth.NONE) {
            if (settings.trustCertPath().isEmpty()) {
                throw new IllegalArgumentException("tls.server.need.client.auth=" + settings.needClientAuth()
                    .name().toLowerCase(java.util.Locale.ROOT) + " needs tls.server.trustCertPath: the certificates "
                    + "client certificates must chain to");
            }
            b.trustManager(readable("tls.server.trustCertPath", settings.trustCertPath()));
        }
        return b;
    }

    /**
     * The context a process's own outgoing connections use when {@link TlsSettings#clientEnable}; null otherwise.
     */
    public static SslContext clientContext(TlsSettings s) {
        if (!s.clientEnable()) {
            return null;
        }
        try {
            SslContextBuilder b = SslContextBuilder.forClient();
            if (s.clientAuthServer()) {
                if (s.clientTrustCertPath().isEmpty()) {
                    throw new IllegalArgumentException("tls.client.authServer=true needs tls.client.trustCertPath");
                }
                b.trustManager(readable("tls.client.trustCertPath", s.clientTrustCertPath()));
            } else {
                b.trustManager(InsecureTrustManagerFactory.INSTANCE);
            }
            if (!s.clientCertPath().isEmpty()) {
                b.keyManager(readable("tls.client.certPath", s.clientCertPath()),
                    readable("tls.client.keyPath", s.clientKeyPath()),
                    s.clientKeyPassword().isEmpty() ? null : s.clientKeyPassword());
            }
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new IllegalArgumentException("the TLS client settings cannot be used: " + rootMessage(e), e);
        }
    }

    private static File readable(String key, String path) {
        if (path.isEmpty()) {
            throw new IllegalArgumentException(key + " is not set");
        }
        File f = new File(path);
        if (!f.isFile() || !f.canRead()) {
            throw new IllegalArgumentException(key + " " + path + " is not a readable file");
        }
        return f;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }
}
