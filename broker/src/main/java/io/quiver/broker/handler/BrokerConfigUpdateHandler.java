package io.quiver.broker.handler;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * UPDATE_BROKER_CONFIG (mqadmin updateBrokerConfig): changes settings of a running broker, as RocketMQ does. Every
 * change is persisted in {@code config/broker-overrides.properties} (applied at every start after broker.conf);
 * {@link BrokerConfig#LIVE} settings also take effect at once, the others at the next start, which the answer's remark
 * says. An unknown key, a value that does not parse, or a key that decides where the data lives refuses the whole
 * request, naming it. A permission change
 * re-registers with the name servers at once. Runs on the admin pool; requests are serialised.
 */
public final class BrokerConfigUpdateHandler implements RequestHandler {
    public static final String OVERRIDES_FILE = "broker-overrides.properties";

    private final BrokerConfig config;
    private final Runnable registerSoon;

    public BrokerConfigUpdateHandler(BrokerConfig config, Runnable registerSoon) {
        this.config = config;
        this.registerSoon = registerSoon;
    }

    /** The persisted overrides under {@code dataDir}, or an empty map. */
    public static Map<String, String> load(Path dataDir) throws IOException {
        Path f = dataDir.resolve("config").resolve(OVERRIDES_FILE);
        Map<String, String> m = new TreeMap<>();
        if (Files.exists(f)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(f)) {
                p.load(in); // as Properties.store wrote it (ISO-8859-1 with escapes)
            }
            p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        }
        return m;
    }

    @Override
    public synchronized void handle(RequestContext ctx, RemotingCommand req) throws IOException {
        Properties p = new Properties();
        try {
            p.load(new StringReader(req.body() == null ? "" : new String(req.body(), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) { // a malformed unicode escape
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the body is not a properties text (key=value lines): " + e.getMessage());
            return;
        }
        Map<String, String> changes = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> changes.put(k.trim(), p.getProperty(k).trim()));
        if (changes.isEmpty()) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the request names no setting to change (body: key=value lines)");
            return;
        }
        Map<String, String> live = new LinkedHashMap<>();
        java.util.Set<String> atRestart = new java.util.TreeSet<>();
        for (String key : changes.keySet()) {
            if (!BrokerConfig.settings().containsKey(key)) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "unknown setting '" + key + "' (see `quiver config table`)");
                return;
            }
            if (NEVER_AT_RUN_TIME.contains(key)) {
                ctx.reply(ResponseCode.NO_PERMISSION, "Can not update config in black list: setting '" + key + "' "
                    + "decides where this broker keeps its data and its stored settings; edit broker.conf instead");
                return;
            }
            if (BrokerConfig.LIVE.contains(key)) {
                live.put(key, changes.get(key));
            } else {
                atRestart.add(key);
            }
        }
        int oldPermission = config.brokerPermission;
        try {
            new BrokerConfig().apply(changes); // every value parses before any is applied: all or nothing
            config.apply(live);
        } catch (IllegalArgumentException e) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, e.getMessage());
            return;
        }
        Map<String, String> persisted = load(config.storePathRootDir);
        persisted.putAll(changes);
        Path dir = config.storePathRootDir.resolve("config");
        Files.createDirectories(dir);
        // Properties.store escapes what the request's Properties.load decoded (a value holding a newline cannot become
        // a key of its own at the next start); owner-only, as it may hold secrets (key passwords, credentials)
        Properties out = new Properties();
        out.putAll(persisted);
        java.io.StringWriter text = new java.io.StringWriter();
        out.store(text, "Settings changed at run time (UPDATE_BROKER_CONFIG); applied at start after broker.conf");
        Path tmp = dir.resolve(OVERRIDES_FILE + ".tmp");
        Files.writeString(tmp, text.toString(), StandardCharsets.ISO_8859_1);
        ownerOnly(tmp);
        Files.move(tmp, dir.resolve(OVERRIDES_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (config.brokerPermission != oldPermission) {
            registerSoon.run();
        }
        ctx.reply(ResponseCode.SUCCESS, atRestart.isEmpty() ? null : "stored; " + String.join(", ", atRestart)
            + (atRestart.size() == 1 ? " applies" : " apply") + " after a restart (" + dir.resolve(OVERRIDES_FILE)
            + "), the running broker keeps " + (atRestart.size() == 1 ? "its value" : "their values")
            + (live.isEmpty() ? "" : "; " + String.join(", ", live.keySet()) + " changed now"));
    }

    private static void ownerOnly(Path f) throws IOException {
        try {
            Files.setPosixFilePermissions(f, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException notPosix) {
            // a file system without POSIX permissions: left as created
        }
    }

    /** Settings a request may not change at all: where the data, and this very file of stored settings, live. */
    static final java.util.Set<String> NEVER_AT_RUN_TIME = java.util.Set.of("storePathRootDir");
}
