package io.quiver.protocol.body;

import java.util.Map;
import java.util.TreeMap;

/** A string-to-string table: runtime info and KV namespaces. */
public final class KvTable {
    public Map<String, String> table = new TreeMap<>();
}
