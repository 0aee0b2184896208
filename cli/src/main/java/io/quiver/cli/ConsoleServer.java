package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in web console: static pages from the class path ({@code /console/}) and the JSON API under {@code /api/}.
 * Served by {@code quiver standalone} ({@code consolePort}) and {@code quiver console}. Requests are served by a small
 * pool with a bounded queue (a connection beyond it is closed, never served on the accepting thread); every API call passes {@link ConsoleAccess} first. A change (POST) must carry the header
 * {@code X-Quiver-Console: 1}, which a page of another site cannot send without the console's consent.
 */
final class ConsoleServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ConsoleServer.class);
    static final int THREADS = 4;
    static final int QUEUE = 64;
    /** Most accounts whose signed connections are kept open at once. */
    static final int MAX_SIGNED_CLIENTS = 8;
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
        "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8", "svg", "image/svg+xml");

    private final String namesrv;
    private final AdminClient anonymous;
    private final ConsoleAccess access;
    private final ConsoleHistory history;
    private final ConsoleApi api;
    private final HttpServer http;
    private final ThreadPoolExecutor pool;
    /** Guarded by itself: one client per signed-in account, least recently used dropped first. */
    private final LinkedHashMap<String, AdminClient> signed = new LinkedHashMap<>(16, 0.75f, true);
    private final java.util.concurrent.ScheduledExecutorService closer =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quiver-console-closer");
            t.setDaemon(true);
            return t;
        });

    /**
     * @param namesrv   the cluster's name servers
     * @param own       the console's own client (reads without credentials; signed with its own account under ACL)
     * @param access    who may do what
     */
    ConsoleServer(String bind, int port, String namesrv, AdminClient own, ConsoleAccess access) throws IOException {
        // a connection that sends its request slowly, or never, is closed instead of holding a worker
        System.setProperty("sun.net.httpserver.maxReqTime", System.getProperty("sun.net.httpserver.maxReqTime", "30"));
        System.setProperty("sun.net.httpserver.maxRspTime", System.getProperty("sun.net.httpserver.maxRspTime", "120"));
        this.namesrv = namesrv;
        this.anonymous = own;
        this.access = access;
        this.history = new ConsoleHistory(() -> own);
        this.api = new ConsoleApi(history);
        this.http = HttpServer.create(new InetSocketAddress(bind, port), 64);
        this.pool = new ThreadPoolExecutor(THREADS, THREADS, 60, TimeUnit.SECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "quiver-console");
            t.setDaemon(true);
            return t;
        }, new ThreadPoolExecutor.AbortPolicy()); // the server closes a refused connection (JDK 17 and later)
        http.setExecutor(pool);
        http.createContext("/", this::serve);
    }

    ConsoleServer start() {
        http.start();
        history.start();
        return this;
    }

    int port() {
        return http.getAddress().getPort();
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            ex.getResponseHeaders().add("X-Content-Type-Options", "nosniff");
            ex.getResponseHeaders().add("X-Frame-Options", "DENY");
            ex.getResponseHeaders().add("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
            ex.getResponseHeaders().add("Cache-Control", "no-store");
            String path = ex.getRequestURI().getPath();
            if (path.startsWith("/api/")) {
                api(ex, path.substring(5));
            } else {
                page(ex, path);
            }
        } catch (RuntimeException e) {
            log.warn("console: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
        }
    }

    private void page(HttpExchange ex, String path) throws IOException {
        String file = path.equals("/") || path.isEmpty() ? "index.html" : path.substring(1);
        if (!"GET".equals(ex.getRequestMethod())) {
            send(ex, 405, "text/plain; charset=utf-8", "use GET".getBytes(StandardCharsets.UTF_8));
            return;
        }
        if (!file.matches("[a-z0-9-]+\\.(html|js|css|svg)")) {
            send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
            return;
        }
        try (InputStream in = ConsoleServer.class.getResourceAsStream("/console/" + file)) {
            if (in == null) {
                send(ex, 404, "text/plain; charset=utf-8", "not found".getBytes(StandardCharsets.UTF_8));
                return;
            }
            send(ex, 200, TYPES.get(file.substring(file.lastIndexOf('.') + 1)), in.readAllBytes());
        }
    }

    private void api(HttpExchange ex, String path) throws IOException {
        boolean write = "POST".equals(ex.getRequestMethod());
        if (!write && !"GET".equals(ex.getRequestMethod())) {
            json(ex, 405, error("use GET to read and POST to change"));
            return;
        }
        if (write && !"1".equals(ex.getRequestHeaders().getFirst("X-Quiver-Console"))) {
            json(ex, 403, error("a change must be sent by the console's page (header X-Quiver-Console: 1)"));
            return;
        }
        ConsoleAccess.Decision d = access.decide(ex.getRemoteAddress().getAddress(),
            ex.getRequestHeaders().getFirst("Host"), ex.getRequestHeaders().getFirst("Authorization"), write);
        if (path.equals("whoami")) {
            com.fasterxml.jackson.databind.node.ObjectNode who = Json.mapper().createObjectNode()
                .put("allowed", d.allowed()).put("canWrite", d.canWrite()).put("account", d.accessKey())
                .put("reason", d.reason());
            if (d.allowed()) {
                who.put("namesrv", namesrv).put("accounts", access.accountsPath());
            }
            json(ex, d.allowed() ? 200 : d.status(), who);
            return;
        }
        if (!d.allowed()) {
            // no WWW-Authenticate: the browser would put up its own prompt over the page's sign-in
            json(ex, d.status(), error(d.reason()));
            return;
        }
        try {
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            AdminClient c = d.accessKey() == null ? anonymous : signedClient(d);
            json(ex, 200, write ? api.post(c, path, q) : api.get(c, path, q));
        } catch (ConsoleApi.BadRequest e) {
            json(ex, e.status, error(e.getMessage()));
        } catch (Failure e) {
            json(ex, e.exitCode == Exit.NOT_FOUND ? 404 : e.exitCode == Exit.USAGE ? 400 : 502, error(e.getMessage()));
        } catch (IllegalStateException | IOException e) {
            json(ex, 502, error("the cluster could not answer: " + e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("console: /api/{} failed", path, e);
            json(ex, 500, error("internal error; see the console's log"));
        }
    }

    /**
     * The client that signs as the signed-in account, by access key and secret (a rotated secret gets a new one). An
     * evicted client is closed a minute later, so a request still using it finishes.
     */
    private AdminClient signedClient(ConsoleAccess.Decision d) {
        String key = d.accessKey() + "\u0000" + Integer.toHexString(d.secretKey().hashCode());
        synchronized (signed) {
            AdminClient c = signed.get(key);
            if (c == null) {
                c = new AdminClient(namesrv, d.accessKey(), d.secretKey());
                signed.put(key, c);
                if (signed.size() > MAX_SIGNED_CLIENTS) {
                    java.util.Iterator<AdminClient> oldest = signed.values().iterator();
                    AdminClient gone = oldest.next();
                    oldest.remove();
                    closer.schedule(gone::close, 60, TimeUnit.SECONDS);
                }
            }
            return c;
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> q = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return q;
        }
        String[] pairs = raw.split("&", 33);
        for (int i = 0; i < Math.min(pairs.length, 32); i++) {
            int eq = pairs[i].indexOf('=');
            try {
                String k = URLDecoder.decode(eq < 0 ? pairs[i] : pairs[i].substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pairs[i].substring(eq + 1), StandardCharsets.UTF_8);
                q.put(k, v);
            } catch (IllegalArgumentException e) {
                throw new ConsoleApi.BadRequest(400, "the query string is not URL-encoded: " + e.getMessage());
            }
        }
        return q;
    }

    private static JsonNode error(String message) {
        return Json.mapper().createObjectNode().put("error", message);
    }

    private static void json(HttpExchange ex, int status, JsonNode body) throws IOException {
        send(ex, status, "application/json; charset=utf-8", Json.mapper().writeValueAsBytes(body));
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @Override
    public void close() {
        history.close();
        http.stop(0);
        pool.shutdownNow();
        closer.shutdownNow().forEach(Runnable::run); // evicted clients waiting to close
        synchronized (signed) {
            signed.values().forEach(AdminClient::close);
            signed.clear();
        }
    }
}
