package io.quiver.namesrv;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.RequestContext;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * GET_NAMESRV_CONFIG (319) and UPDATE_NAMESRV_CONFIG (318), mqadmin getNamesrvConfig / updateNamesrvConfig: the name
 * server's settings as properties text, under RocketMQ's key names where it has them. A change is stored in
 * {@code namesrv/namesrv-overrides.properties} under the data directory and applies at the next start, which the
 * answer says; where the name server keeps its data, and what its command line decides (port, address), is refused
 * with the reason. Runs on the KV pool, one request at a time.
 */
final class NamesrvConfigHandlers {
    static final String OVERRIDES_FILE = "namesrv-overrides.properties";
    /** Settings a request may store for the next start. */
    static final java.util.Set<String> STORABLE = java.util.Set.of("scanNotActiveBrokerInterval");
    /** RocketMQ's black list: where the name server's data and settings are kept. */
    static final java.util.Set<String> NEVER = java.util.Set.of("kvConfigPath", "configStorePath", "configBlackList",
        "rocketmqHome");
    /** Set on the command line (--port, --host): refused with where to change them. */
    static final java.util.Set<String> COMMAND_LINE = java.util.Set.of("listenPort", "bindAddress");

    private final NameServerConfig config;

    NamesrvConfigHandlers(NameServerConfig config) {
        this.config = config;
    }

    /** The settings in force, as properties text sorted by key. */
    void get(RequestContext ctx, RemotingCommand req) {
        Map<String, String> m = new TreeMap<>();
        m.put("listenPort", Integer.toString(config.port()));
        m.put("bindAddress", config.bindHost());
        m.put("kvConfigPath", config.kvConfigFile() == null ? "" : config.kvConfigFile().toString());
        m.put("scanNotActiveBrokerInterval", Long.toString(config.scanIntervalMillis()));
        m.put("brokerChannelExpiredTime", Long.toString(config.brokerTimeoutMillis()));
        m.put("tls.server.mode", config.tls().mode().name().toLowerCase(java.util.Locale.ROOT));
        m.put("aclEnable", Boolean.toString(config.acl() != null));
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('=').append(v).append('\n'));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(sb.toString().getBytes(StandardCharsets.UTF_8)));
    }

    synchronized void update(RequestContext ctx, RemotingCommand req) throws IOException {
        Properties p = new Properties();
        try {
            p.load(new StringReader(req.body() == null ? "" : new String(req.body(), StandardCharsets.UTF_8)));
        } catch (IllegalArgumentException e) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "the body is not a properties text (key=value lines): " + e.getMessage());
            return;
        }
        Map<String, String> changes = new TreeMap<>();
        p.stringPropertyNames().forEach(k -> changes.put(k.trim(), p.getProperty(k).trim()));
        if (changes.isEmpty()) {
            ctx.reply(ResponseCode.SUCCESS, null);
            return;
        }
        for (Map.Entry<String, String> e : changes.entrySet()) {
            String key = e.getKey();
            if (NEVER.contains(key)) {
                ctx.reply(ResponseCode.NO_PERMISSION, "Can not update config in black list: " + key
                    + " is where the name server keeps its data");
                return;
            }
            if (COMMAND_LINE.contains(key)) {
                ctx.reply(ResponseCode.NO_PERMISSION, key + " is set on the name server's command line (--port, --host)");
                return;
            }
            if (!STORABLE.contains(key)) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "unknown name-server setting '" + key + "'; settings that may "
                    + "change: " + String.join(", ", STORABLE));
                return;
            }
            try {
                if (Long.parseLong(e.getValue()) < 1_000) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException bad) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, key + " must be a number of milliseconds of 1000 or more, not '"
                    + e.getValue() + "'");
                return;
            }
        }
        if (config.kvConfigFile() == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "this name server keeps no data directory, so it cannot store settings");
            return;
        }
        Path dir = config.kvConfigFile().toAbsolutePath().getParent();
        Map<String, String> stored = load(dir);
        stored.putAll(changes);
        Files.createDirectories(dir);
        Properties out = new Properties(); // escapes what the request's Properties.load decoded
        out.putAll(stored);
        java.io.StringWriter text = new java.io.StringWriter();
        out.store(text, "Settings changed at run time (UPDATE_NAMESRV_CONFIG); applied at the next start");
        Path tmp = dir.resolve(OVERRIDES_FILE + ".tmp");
        Files.writeString(tmp, text.toString(), StandardCharsets.ISO_8859_1);
        Files.move(tmp, dir.resolve(OVERRIDES_FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        ctx.reply(ResponseCode.SUCCESS, "stored; " + String.join(", ", changes.keySet()) + " applies after a restart ("
            + dir.resolve(OVERRIDES_FILE) + ")");
    }

    /** The stored settings in {@code dir} (the name server's data directory), or an empty map. */
    static Map<String, String> load(Path dir) throws IOException {
        Path f = dir.resolve(OVERRIDES_FILE);
        Map<String, String> m = new TreeMap<>();
        if (Files.exists(f)) {
            Properties p = new Properties();
            try (var in = Files.newInputStream(f)) {
                p.load(in); // as Properties.store wrote it
            }
            p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        }
        return m;
    }
}
