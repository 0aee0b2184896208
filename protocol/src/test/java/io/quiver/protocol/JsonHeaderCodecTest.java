package io.quiver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: the hand-written JSON header reader and writer against Jackson, a general JSON library,
 * as the reference. Random headers must encode to the bytes Jackson writes and decode to what Jackson
 * reads; random damage to valid headers must either decode to Jackson's reading or fail with a
 * {@link ProtocolException} exactly when Jackson fails.
 */
@Timeout(60)
class JsonHeaderCodecTest {
    private static final JsonFactory JACKSON = JsonFactory.builder().build();
    private static final long SEED = Long.getLong("json.seed", 20261201L);

    @Test
    void writerProducesJacksonsBytesAndReaderReadsThemBack() throws IOException {
        Random rnd = new Random(SEED);
        for (int i = 0; i < 10_000; i++) {
            RemotingCommand c = randomCommand(rnd);
            ByteBuf ours = Unpooled.buffer();
            JsonHeaderWriter.write(c, ours);
            byte[] oursBytes = ByteBufUtil.getBytes(ours);
            String text = new String(oursBytes, StandardCharsets.UTF_8);
            if (text.codePoints().allMatch(cp -> cp < 0x10000)) {
                assertThat(text).as("case %d", i).isEqualTo(new String(jacksonWrite(c), StandardCharsets.UTF_8));
            } // else Jackson escapes a surrogate pair, where we write its four UTF-8 bytes as official peers do
            assertSame(jacksonRead(oursBytes), c, "Jackson reading case " + i);
            RemotingCommand d = JsonHeaderReader.read(oursBytes, 0, oursBytes.length);
            assertSame(d, c, "case " + i);
        }
    }

    @Test
    void readerAgreesWithJacksonOnDamagedHeaders() throws IOException {
        Random rnd = new Random(SEED + 1);
        int agreedValid = 0;
        int agreedInvalid = 0;
        for (int i = 0; i < 30_000; i++) {
            RemotingCommand c = randomCommand(rnd);
            byte[] bytes = jacksonWrite(c);
            damage(rnd, bytes);
            RemotingCommand reference;
            try {
                reference = jacksonRead(bytes);
            } catch (ProtocolException | IOException e) {
                reference = null;
            }
            RemotingCommand ours;
            try {
                ours = JsonHeaderReader.read(bytes, 0, bytes.length);
            } catch (ProtocolException e) {
                ours = null;
            }
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if (!validUtf8(bytes)) {
                continue; // Jackson refuses or keeps some invalid UTF-8; our reader puts U+FFFD there
            }
            if (reference == null) {
                assertThat(ours).as("case %d accepted %s", i, text).isNull();
                agreedInvalid++;
            } else {
                assertThat(ours).as("case %d refused %s", i, text).isNotNull();
                assertSame(ours, reference, "case " + i + ": " + text);
                agreedValid++;
            }
        }
        assertThat(agreedValid).isGreaterThan(1_000);
        assertThat(agreedInvalid).isGreaterThan(1_000);
    }

    @Test
    void officialPeersHeaderFormsAreRead() {
        String json = " {\n\"code\" : 310 , \"extFields\":{\"i\":\"TAGS\\u0001A\\u0002KEYS\\u0001k1\",\"d\":4,"
            + "\"x\":1.5e3,\"u\":\"\\ud83d\\ude00\\/\\\"\"},\"flag\":0,\"language\":\"GO\",\"opaque\":-1,"
            + "\"remark\":null,\"version\":441}\t";
        byte[] b = json.getBytes(StandardCharsets.UTF_8);
        RemotingCommand c = JsonHeaderReader.read(b, 0, b.length);
        assertThat(c.code()).isEqualTo(310);
        assertThat(c.opaque()).isEqualTo(-1);
        assertThat(c.language()).isEqualTo(LanguageCode.GO);
        assertThat(c.remark()).isNull();
        assertThat(c.extFields()).containsExactlyInAnyOrderEntriesOf(Map.of(
            "i", "TAGS\u0001A\u0002KEYS\u0001k1", "d", "4", "x", "1.5e3", "u", "\uD83D\uDE00/\""));
    }

    @Test
    void malformedHeadersSayWhereAndWhat() {
        assertThatThrownBy(() -> read("{\"code\":1,\"extFields\":{\"a\":\"x}}"))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("ends inside a string");
        assertThatThrownBy(() -> read("{\"code\":1 \"flag\":0}"))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("expected ',' or '}' at byte 10");
        assertThatThrownBy(() -> read("{\"code\":12345678901}"))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("\"code\" is not an integer");
        assertThatThrownBy(() -> read("{\"code\":1}x"))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("after the header object");
        assertThatThrownBy(() -> read("{\"code\":1,\"r\":\"a\\qb\"}"))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("unknown escape '\\q'");
        String deep = "{\"code\":1,\"z\":" + "[".repeat(100) + "]".repeat(100) + "}";
        assertThatThrownBy(() -> read(deep))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("nest deeper than 64");
        assertThat(read("{\"code\":1,\"z\":" + "[".repeat(60) + "]".repeat(60) + "}").code()).isEqualTo(1);
    }

    private static RemotingCommand read(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return JsonHeaderReader.read(b, 0, b.length);
    }

    // ------------------------------------------------------------------ random input

    private static final String[] ALPHABET = {"a", "Z", "0", " ", "\"", "\\", "/", "\u0001", "\u0002", "\n", "\t",
        "\u001f", "é", "世", "\uD83D\uDE00", "\u007f", "\u0080", "\u2028", "}", "{", ":", ","};

    private static String randomString(Random rnd, int max) {
        int n = rnd.nextInt(max + 1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(rnd.nextInt(3) == 0 ? ALPHABET[rnd.nextInt(ALPHABET.length)] : String.valueOf((char) ('a' + rnd.nextInt(26))));
        }
        return sb.toString();
    }

    private static RemotingCommand randomCommand(Random rnd) {
        RemotingCommand c = new RemotingCommand().code(rnd.nextInt()).opaque(rnd.nextBoolean() ? rnd.nextInt(1000) : rnd.nextInt())
            .flag(rnd.nextInt(4)).version(rnd.nextInt(500))
            .language(LanguageCode.values()[rnd.nextInt(LanguageCode.values().length)]);
        if (rnd.nextBoolean()) {
            c.remark(randomString(rnd, 20));
        }
        int fields = rnd.nextInt(16);
        if (fields > 0) {
            Map<String, String> ext = new LinkedHashMap<>();
            for (int i = 0; i < fields; i++) {
                ext.put(randomString(rnd, 6), randomString(rnd, rnd.nextInt(5) == 0 ? 200 : 12));
            }
            c.extFields(ext);
        }
        return c;
    }

    private static final byte[] INSERTS = "{}[]\":,\\ 0-1.eEtrufalsn\u0001".getBytes(StandardCharsets.ISO_8859_1);

    private static void damage(Random rnd, byte[] b) {
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int at = rnd.nextInt(b.length);
            b[at] = rnd.nextInt(4) == 0 ? (byte) rnd.nextInt(256) : INSERTS[rnd.nextInt(INSERTS.length)];
        }
    }

    private static boolean validUtf8(byte[] b) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(b));
            return true;
        } catch (java.nio.charset.CharacterCodingException e) {
            return false;
        }
    }

    private static void assertSame(RemotingCommand actual, RemotingCommand expected, String what) {
        assertThat(actual.code()).as(what).isEqualTo(expected.code());
        assertThat(actual.opaque()).as(what).isEqualTo(expected.opaque());
        assertThat(actual.flag()).as(what).isEqualTo(expected.flag());
        assertThat(actual.version()).as(what).isEqualTo(expected.version());
        assertThat(actual.language()).as(what).isEqualTo(expected.language());
        assertThat(actual.remark()).as(what).isEqualTo(expected.remark());
        Map<String, String> a = actual.extFields() == null ? Map.of() : actual.extFields();
        Map<String, String> x = expected.extFields() == null ? Map.of() : expected.extFields();
        if (!a.equals(x)) {
            java.util.Set<String> keys = new java.util.TreeSet<>(a.keySet());
            keys.addAll(x.keySet());
            StringBuilder diff = new StringBuilder();
            for (String k : keys) {
                if (!java.util.Objects.equals(a.get(k), x.get(k))) {
                    diff.append("\n key ").append(escape(k)).append(": ours ").append(escape(a.get(k)))
                        .append(" reference ").append(escape(x.get(k)));
                }
            }
            throw new AssertionError(what + diff);
        }
    }

    private static String escape(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        s.chars().forEach(ch -> sb.append(ch >= 0x20 && ch < 0x7f ? String.valueOf((char) ch) : String.format("\\u%04x", ch)));
        return sb.append('"').toString();
    }

    // ------------------------------------------------------------------ the reference: Jackson

    private static byte[] jacksonWrite(RemotingCommand cmd) throws IOException {
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        try (JsonGenerator g = JACKSON.createGenerator(bos)) {
            g.writeStartObject();
            g.writeNumberField("code", cmd.code());
            Map<String, String> ext = cmd.extFields();
            if (ext != null && !ext.isEmpty()) {
                g.writeObjectFieldStart("extFields");
                for (Map.Entry<String, String> e : ext.entrySet()) {
                    g.writeStringField(e.getKey(), e.getValue());
                }
                g.writeEndObject();
            }
            g.writeNumberField("flag", cmd.flag());
            g.writeStringField("language", cmd.language().name());
            g.writeNumberField("opaque", cmd.opaque());
            if (cmd.remark() != null) {
                g.writeStringField("remark", cmd.remark());
            }
            g.writeStringField("serializeTypeCurrentRPC", "JSON");
            g.writeNumberField("version", cmd.version());
            g.writeEndObject();
        }
        return bos.toByteArray();
    }

    /** The decoder Quiver used before the hand-written one, kept as the reference. */
    private static RemotingCommand jacksonRead(byte[] bytes) throws IOException {
        RemotingCommand cmd = new RemotingCommand();
        try (JsonParser p = JACKSON.createParser(bytes)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new ProtocolException("not an object");
            }
            boolean sawCode = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "code" -> {
                        cmd.code(intValue(p, t));
                        sawCode = true;
                    }
                    case "opaque" -> cmd.opaque(intValue(p, t));
                    case "flag" -> cmd.flag(intValue(p, t));
                    case "version" -> cmd.version(intValue(p, t));
                    case "language" -> {
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            p.skipChildren();
                            cmd.language(LanguageCode.OTHER);
                        } else {
                            cmd.language(t == JsonToken.VALUE_NUMBER_INT ? LanguageCode.of(p.getIntValue())
                                : LanguageCode.ofName(t == JsonToken.VALUE_NULL ? null : p.getText()));
                        }
                    }
                    case "remark" -> {
                        if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                            p.skipChildren();
                            cmd.remark(null);
                        } else {
                            cmd.remark(t == JsonToken.VALUE_NULL ? null : p.getText());
                        }
                    }
                    case "extFields" -> cmd.extFields(readExtFields(p, t));
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw new ProtocolException("trailing");
            }
            if (!sawCode) {
                throw new ProtocolException("no code");
            }
            return cmd;
        }
    }

    private static int intValue(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NUMBER_INT) {
            return p.getIntValue();
        }
        if (t == JsonToken.VALUE_STRING) {
            try {
                return Integer.parseInt(p.getText().trim());
            } catch (NumberFormatException e) {
                throw new ProtocolException("not an integer");
            }
        }
        if (t == JsonToken.VALUE_NULL) {
            return 0;
        }
        throw new ProtocolException("not an integer");
    }

    private static Map<String, String> readExtFields(JsonParser p, JsonToken t) throws IOException {
        if (t == JsonToken.VALUE_NULL) {
            return null;
        }
        if (t != JsonToken.START_OBJECT) {
            throw new ProtocolException("not an object");
        }
        Map<String, String> ext = new HashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_OBJECT || v == JsonToken.START_ARRAY) {
                p.skipChildren();
            } else if (v != JsonToken.VALUE_NULL) {
                ext.put(key, p.getText());
            }
        }
        return ext;
    }
}
