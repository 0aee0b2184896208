package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

/**
 * The frame fuzzer's mutations: first on the draft's structure (ext field values of the wrong kind, deleted
 * or extra fields, another request code, odd flags and languages, header fields of the wrong JSON type, JSON
 * body nodes replaced, deleted or multiplied, random bodies), then on the encoded bytes (bit flips,
 * interesting bytes and words, truncation, extension, wrong frame and header lengths, another serialize type).
 * Byte mutations pick a region (the whole frame, the header, or the body) so many frames keep a decodable
 * header and reach a handler with a damaged body. Stateless, so workers share one; deterministic for a given
 * Random.
 */
final class FrameMutator {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final byte[] INTERESTING_BYTES = {0, (byte) 0xFF, 0x7F, (byte) 0x80};
    private static final int[] INTERESTING_INTS = {0, -1, 1, Integer.MAX_VALUE, Integer.MIN_VALUE, 0x7F, 0x80, 0xFF,
        0x7FFF, 0x8000, 0xFFFF, 0x00FFFFFF, 0x01000000, 16 * 1024 * 1024 + 1};
    private static final String[] INTERESTING_STRINGS = {"", " ", "-1", "0", "1", "2147483647", "2147483648",
        "-2147483649", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "99999999999999999999999999", "1.5", "1e10", "NaN", "Infinity", "0x10", "true", "false", "null", "abc",
        " 7 ", "*", "||", "%RETRY%", "%DLQ%", "a b!", "\u0000", "\u0001\u0002", "\uFFFF", "\uD800", "é漢字",
        "TBW102x", "CONSUME_FROM_NOWHERE", "SQL92", "TAG", "BROADCASTING", "JAVA", "{}", "[]"};

    private final int[] codes;

    /** @param codes request codes a mutated frame may switch to (the handled ones) */
    FrameMutator(List<Integer> codes) {
        this.codes = codes.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Applies one to a few structural mutations to {@code d}. */
    void mutateDraft(FrameDraft d, Random r) {
        int n = 1 + (r.nextInt(4) == 0 ? r.nextInt(3) : 0);
        for (int i = 0; i < n; i++) {
            mutateOnce(d, r);
        }
    }

    static String interestingString(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> Long.toString(r.nextLong());
            case 1 -> Integer.toString(-r.nextInt(1000));
            case 2 -> "x".repeat(r.nextInt(4) == 0 ? 70_000 : 1 + r.nextInt(300));
            default -> INTERESTING_STRINGS[r.nextInt(INTERESTING_STRINGS.length)];
        };
    }

    static JsonNode interestingJson(Random r) {
        return switch (r.nextInt(18)) {
            case 0 -> F.nullNode();
            case 1 -> F.textNode("");
            case 2 -> F.numberNode(-1);
            case 3 -> F.numberNode(0);
            case 4 -> F.numberNode(Long.MAX_VALUE);
            case 5 -> F.numberNode(Long.MIN_VALUE);
            case 6 -> F.numberNode(new BigInteger("123456789012345678901234567890"));
            case 7 -> F.numberNode(1.5e308);
            case 8 -> F.numberNode(-0.5);
            case 9 -> F.booleanNode(r.nextBoolean());
            case 10 -> F.arrayNode();
            case 11 -> F.objectNode();
            case 12 -> F.arrayNode().add(F.nullNode());
            case 13 -> F.objectNode().put("x", 1);
            case 14 -> F.numberNode(Integer.MAX_VALUE + 1L);
            default -> F.textNode(interestingString(r));
        };
    }

    private void mutateOnce(FrameDraft d, Random r) {
        switch (r.nextInt(14)) {
            case 0, 1 -> { // an ext value of the wrong kind
                if (!d.ext.isEmpty()) {
                    String key = randomKey(d, r);
                    d.ext.put(key, interestingString(r));
                }
            }
            case 2 -> { // a deleted ext field
                if (!d.ext.isEmpty()) {
                    d.ext.remove(randomKey(d, r));
                }
            }
            case 3 -> d.ext.put(r.nextBoolean() ? "fuzz" + r.nextInt(10) : interestingString(r), interestingString(r));
            case 4 -> d.code = r.nextInt(4) == 0 ? INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)]
                : codes[r.nextInt(codes.length)]; // a header and body meant for another code
            case 5 -> d.flag = r.nextInt(3) == 0 ? r.nextInt() : r.nextInt(4);
            case 6 -> d.language = r.nextInt(3) == 0 ? r.nextInt(256) - 128 : r.nextInt(16);
            case 7 -> d.version = r.nextBoolean() ? -1 : r.nextInt(70_000) - 1000;
            case 8 -> d.remark = interestingString(r);
            case 9 -> { // a JSON header field of the wrong type, or deleted
                String[] keys = {"code", "opaque", "flag", "version", "language", "remark", "extFields",
                    "serializeTypeCurrentRPC"};
                String key = keys[r.nextInt(keys.length)];
                d.headerOverrides.put(key, r.nextInt(5) == 0 ? null : interestingJson(r));
            }
            case 10, 11, 12 -> {
                if (d.jsonBody != null) {
                    mutateJson(d, r);
                } else {
                    mutateRawBody(d, r);
                }
            }
            default -> d.target = d.target == FrameDraft.Target.BROKER ? FrameDraft.Target.NAMESRV
                : FrameDraft.Target.BROKER; // the other endpoint
        }
    }

    private static String randomKey(FrameDraft d, Random r) {
        List<String> keys = new ArrayList<>(d.ext.keySet());
        return keys.get(r.nextInt(keys.size()));
    }

    private static void mutateRawBody(FrameDraft d, Random r) {
        switch (r.nextInt(6)) {
            case 0 -> d.body(new byte[0]);
            case 1 -> d.body((byte[]) null);
            case 2 -> {
                byte[] b = new byte[r.nextInt(512)];
                r.nextBytes(b);
                d.body(b);
            }
            case 3 -> d.body(new String[] {"null", "[]", "{}", "\"s\"", "123", "{\"clientID\":null}", "=", "a=\\uZZZZ",
                "\\u12", "x=\u0000"}[r.nextInt(10)]);
            case 4 -> d.body(FrameCorpus.batchBody(r, r.nextInt(4) == 0 ? 2_000 : 1 + r.nextInt(5)));
            default -> d.body(FrameDraft.JSON.createObjectNode().put("fuzz", interestingString(r)).toString());
        }
    }

    /** Replaces, deletes, renames or multiplies one node of the JSON body. */
    private static void mutateJson(FrameDraft d, Random r) {
        List<JsonNode[]> nodes = new ArrayList<>(); // {parent, child} pairs; parent null for the root
        collect(null, d.jsonBody, nodes);
        JsonNode[] pick = nodes.get(r.nextInt(nodes.size()));
        JsonNode parent = pick[0];
        JsonNode node = pick[1];
        if (parent == null) {
            if (r.nextBoolean()) {
                d.json(interestingJson(r));
            } else {
                d.json(F.arrayNode().add(d.jsonBody)); // the right document inside the wrong container
            }
            return;
        }
        int op = r.nextInt(6);
        if (parent instanceof ObjectNode o) {
            String field = fieldOf(o, node);
            switch (op) {
                case 0, 1, 2 -> o.set(field, interestingJson(r));
                case 3 -> o.remove(field);
                case 4 -> {
                    o.remove(field);
                    o.set(r.nextBoolean() ? field.toUpperCase() : interestingString(r), node);
                }
                default -> o.set(field, many(node, r));
            }
        } else if (parent instanceof ArrayNode a) {
            int i = indexOf(a, node);
            switch (op) {
                case 0, 1 -> a.set(i, interestingJson(r));
                case 2 -> a.set(i, F.nullNode());
                case 3 -> a.remove(i);
                case 4 -> a.insert(i, node.deepCopy());
                default -> {
                    int copies = r.nextInt(4) == 0 ? 5_000 : 1 + r.nextInt(50);
                    for (int k = 0; k < copies; k++) {
                        JsonNode c = node.deepCopy();
                        if (c instanceof ObjectNode co && r.nextBoolean()) {
                            // distinct elements survive set semantics: vary one string field
                            Iterator<String> names = co.fieldNames();
                            if (names.hasNext()) {
                                String f = names.next();
                                if (co.get(f).isTextual()) {
                                    co.put(f, co.get(f).asText() + k);
                                }
                            }
                        }
                        a.add(c);
                    }
                }
            }
        }
    }

    private static JsonNode many(JsonNode node, Random r) {
        ArrayNode a = F.arrayNode();
        int n = 1 + r.nextInt(20);
        for (int i = 0; i < n; i++) {
            a.add(node.deepCopy());
        }
        return a;
    }

    private static void collect(JsonNode parent, JsonNode node, List<JsonNode[]> out) {
        out.add(new JsonNode[] {parent, node});
        if (node.isContainerNode()) {
            node.forEach(child -> collect(node, child, out));
        }
    }

    private static String fieldOf(ObjectNode o, JsonNode child) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (o.get(f) == child) {
                return f;
            }
        }
        throw new IllegalStateException("child not found");
    }

    private static int indexOf(ArrayNode a, JsonNode child) {
        for (int i = 0; i < a.size(); i++) {
            if (a.get(i) == child) {
                return i;
            }
        }
        throw new IllegalStateException("child not found");
    }

    // ------------------------------------------------------------------ bytes

    /**
     * Applies one to a few byte mutations. Afterwards the length word is set to match the bytes again in 9 of
     * 10 frames, unless a mutation chose a wrong length on purpose, so most frames stay readable as frames.
     */
    byte[] mutateBytes(byte[] frame, Random r) {
        int n = 1 + (r.nextInt(3) == 0 ? r.nextInt(3) : 0);
        byte[] f = frame;
        boolean keepLength = r.nextInt(10) != 0;
        boolean[] lengthChosen = {false};
        for (int i = 0; i < n; i++) {
            f = mutateBytesOnce(f, r, lengthChosen);
        }
        if (keepLength && f.length >= 4 && !lengthChosen[0]) {
            ByteBuffer.wrap(f).putInt(0, f.length - 4);
        }
        return f;
    }

    /** One byte mutation; sets {@code lengthChosen[0]} when it wrote a wrong length word on purpose. */
    private byte[] mutateBytesOnce(byte[] f, Random r, boolean[] lengthChosen) {
        if (f.length < 8) {
            return f;
        }
        int headerLength = ByteBuffer.wrap(f).getInt(4) & 0x00FFFFFF;
        int bodyStart = Math.min(f.length, 8 + headerLength);
        int from;
        int to;
        switch (r.nextInt(4)) {
            case 0 -> { // the header
                from = 8;
                to = bodyStart;
            }
            case 1, 2 -> { // the body, if any
                from = bodyStart < f.length ? bodyStart : 8;
                to = f.length;
            }
            default -> {
                from = 0;
                to = f.length;
            }
        }
        if (to <= from) {
            from = 0;
            to = f.length;
        }
        switch (r.nextInt(10)) {
            case 0, 1 -> { // bit flips
                byte[] c = f.clone();
                int flips = 1 + r.nextInt(8);
                for (int i = 0; i < flips; i++) {
                    int at = from + r.nextInt(to - from);
                    c[at] ^= (byte) (1 << r.nextInt(8));
                }
                return c;
            }
            case 2, 3 -> { // interesting bytes
                byte[] c = f.clone();
                int count = 1 + r.nextInt(4);
                for (int i = 0; i < count; i++) {
                    c[from + r.nextInt(to - from)] = INTERESTING_BYTES[r.nextInt(INTERESTING_BYTES.length)];
                }
                return c;
            }
            case 4 -> { // an interesting word
                byte[] c = f.clone();
                if (to - from >= 4) {
                    int at = from + r.nextInt(to - from - 3);
                    ByteBuffer.wrap(c).putInt(at, INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)]);
                }
                return c;
            }
            case 5 -> { // truncation
                return Arrays.copyOf(f, Math.max(4, from + r.nextInt(Math.max(1, to - from))));
            }
            case 6 -> { // extension with random or repeated bytes
                int extra = 1 + r.nextInt(r.nextInt(8) == 0 ? 4096 : 32);
                byte[] c = Arrays.copyOf(f, f.length + extra);
                if (r.nextBoolean()) {
                    byte[] tail = new byte[extra];
                    r.nextBytes(tail);
                    System.arraycopy(tail, 0, c, f.length, extra);
                }
                return c;
            }
            case 7 -> { // a wrong total length
                byte[] c = f.clone();
                int[] choices = {0, 1, 3, 4, -1, f.length - 5, f.length - 3, f.length + 100, Integer.MAX_VALUE,
                    16 * 1024 * 1024 + 1, INTERESTING_INTS[r.nextInt(INTERESTING_INTS.length)]};
                ByteBuffer.wrap(c).putInt(0, choices[r.nextInt(choices.length)]);
                lengthChosen[0] = true;
                return c;
            }
            case 8 -> { // a wrong header length, serialize type kept
                byte[] c = f.clone();
                int type = c[4] & 0xFF;
                int[] choices = {0, 1, headerLength - 1, headerLength + 1, 0x00FFFFFF, f.length - 8, f.length,
                    r.nextInt(0x01000000)};
                ByteBuffer.wrap(c).putInt(4, (type << 24) | (choices[r.nextInt(choices.length)] & 0x00FFFFFF));
                return c;
            }
            default -> { // another serialize type
                byte[] c = f.clone();
                c[4] = new byte[] {0, 1, 2, (byte) 0xFF, (byte) 0x80}[r.nextInt(5)];
                return c;
            }
        }
    }

    /** True if the bytes could decode as QUIVER_DRAIN (19003), which stops the broker by design. */
    static boolean mayBeDrain(byte[] f) {
        if (f.length >= 10 && ByteBuffer.wrap(f).getShort(8) == 19_003) {
            return true;
        }
        return new String(f, StandardCharsets.ISO_8859_1).contains("19003");
    }
}
