package io.quiver.broker.metadata;

import io.quiver.protocol.body.MessageRequestMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * How each consumer group reads each topic, PULL (the default) or POP, as set by mqadmin setConsumeMode; written
 * to {@code config/messageRequestMode.json} (RocketMQ's file and layout) on every change. At most {@code limit}
 * entries. Thread-safe (changes are rare).
 */
public final class MessageRequestModeTable {
    private final Path file;
    private final int limit;
    private MessageRequestMode.Table table = new MessageRequestMode.Table();
    private int size;

    public MessageRequestModeTable(Path configDir, int limit) {
        this.file = configDir.resolve("messageRequestMode.json");
        this.limit = limit;
    }

    public synchronized void load() {
        try {
            if (Files.exists(file)) {
                MessageRequestMode.Table t = JsonFile.read(file, MessageRequestMode.Table.class);
                if (t != null && t.messageRequestModeMap != null) {
                    table = t;
                    size = t.messageRequestModeMap.values().stream().mapToInt(Map::size).sum();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** The whole table as it is persisted (GET_ALL_MESSAGE_REQUEST_MODE's body). */
    public synchronized byte[] encoded() {
        return io.quiver.protocol.body.Json.encode(table);
    }

    /** The group's mode for the topic, or null when none was set. */
    public synchronized MessageRequestMode get(String topic, String group) {
        Map<String, MessageRequestMode> m = table.messageRequestModeMap.get(topic);
        return m == null ? null : m.get(group);
    }

    /** Stores a mode and writes the file; false when {@code limit} entries exist already (nothing changed). */
    public synchronized boolean put(MessageRequestMode mode) {
        Map<String, MessageRequestMode> m = table.messageRequestModeMap.get(mode.topic);
        boolean fresh = m == null || !m.containsKey(mode.consumerGroup);
        if (fresh && size >= limit) {
            return false;
        }
        table.messageRequestModeMap.computeIfAbsent(mode.topic, t -> new TreeMap<>()).put(mode.consumerGroup, mode);
        if (fresh) {
            size++;
        }
        try {
            JsonFile.write(file, table);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        return true;
    }
}
