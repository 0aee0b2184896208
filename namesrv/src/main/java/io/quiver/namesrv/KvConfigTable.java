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
 * replaced atomically on every change. Methods are synchronized; changes are rare admin calls.
 */
final class KvConfigTable {
    private static final Logger log = LoggerFactory.getLogger(KvConfigTable.class);

    private final Path file;
    private final Map<String, Map<String, String>> table = new TreeMap<>();

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
            loaded.forEach((ns, kv) -> table.put(ns, new TreeMap<>(kv)));
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

    synchronized void put(String namespace, String key, String value) {
        table.computeIfAbsent(namespace, n -> new TreeMap<>()).put(key, value);
        persist();
    }

    synchronized void delete(String namespace, String key) {
        Map<String, String> ns = table.get(namespace);
        if (ns != null && ns.remove(key) != null) {
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
