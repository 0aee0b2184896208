package io.quiver.namesrv;

import com.fasterxml.jackson.core.type.TypeReference;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Name-server key/value settings by namespace (fact sheet §3.5), persisted to one JSON file that is
 * replaced atomically on every change. Methods are synchronized; changes are rare admin calls. Bounded:
 * at most {@link #MAX_ENTRIES} entries and {@link #MAX_CHARS} characters of keys and values, so a client
 * cannot grow the table (or the file rewritten on each change) without end.
 */
final class KvConfigTable {
    private static final Logger log = LoggerFactory.getLogger(KvConfigTable.class);

    /** Most entries over all namespaces. */
    static final int MAX_ENTRIES = 10_000;
    /** Most characters of namespaces, keys and values together. */
    static final long MAX_CHARS = 8L * 1024 * 1024;

    private final Path file;
    private final Map<String, Map<String, String>> table = new TreeMap<>();
    private int entries;
    private long chars;

    KvConfigTable(Path file) {
        this.file = file;
    }

    synchronized void load() {
        if (file == null || !Files.exists(file)) {
            return;
        }
        try {
            Map<String, Map<String, String>> loaded = Json.mapper().readValue(file.toFile(),
                new TypeReference<Map<String, Map<String, String>>>() { });
            loaded.forEach((ns, kv) -> {
                table.put(ns, new TreeMap<>(kv));
                kv.forEach((k, v) -> {
                    entries++;
                    chars += ns.length() + k.length() + v.length();
                });
            });
        } catch (IOException e) {
            log.error("cannot read {}; starting with no KV settings", file, e);
        }
    }

    synchronized String get(String namespace, String key) {
        Map<String, String> ns = table.get(namespace);
        return ns == null ? null : ns.get(key);
    }

    synchronized Map<String, String> namespace(String namespace) {
        Map<String, String> ns = table.get(namespace);
        return ns == null ? null : new HashMap<>(ns);
    }

    /**
     * Sets a value; returns null when done, otherwise why not (the entry would pass {@link #MAX_ENTRIES} or
     * {@link #MAX_CHARS}). Nothing changes when refused.
     */
    synchronized String put(String namespace, String key, String value) {
        Map<String, String> ns = table.get(namespace);
        String old = ns == null ? null : ns.get(key);
        long grown = chars + value.length() - (old == null ? -(namespace.length() + key.length()) : old.length());
        if (old == null && entries >= MAX_ENTRIES) {
            return "the name server holds " + entries + " KV entries, its limit (" + MAX_ENTRIES + ")";
        }
        if (grown > MAX_CHARS) {
            return "the KV entries would hold " + grown + " characters, more than the limit (" + MAX_CHARS + ")";
        }
        table.computeIfAbsent(namespace, n -> new TreeMap<>()).put(key, value);
        entries += old == null ? 1 : 0;
        chars = grown;
        persist();
        return null;
    }

    synchronized void delete(String namespace, String key) {
        Map<String, String> ns = table.get(namespace);
        String old = ns == null ? null : ns.remove(key);
        if (old != null) {
            entries--;
            chars -= namespace.length() + key.length() + old.length();
            if (ns.isEmpty()) {
                table.remove(namespace);
            }
            persist();
        }
    }

    private void persist() {
        if (file == null) {
            return;
        }
        try {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, Json.encode(table));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            log.error("cannot write {}; the KV change is kept in memory only", file, e);
        }
    }
}
