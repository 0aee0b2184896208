package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One remoting request of the frame fuzzer before it becomes bytes: the header fields, the ext fields and a
 * body that is either raw bytes or a JSON tree (so mutators can change it by structure). Encodes itself as a
 * frame with a JSON or a "ROCKETMQ" binary header (fact sheet §1.2-1.4). Written for the test, with its own
 * encoders, so a mutated draft can hold values no real client would produce. Not thread-safe; one per frame.
 */
final class FrameDraft {
    /**
     * The test's JSON mapper, without Jackson's default name and string length limits: the name server's
     * answers may quote fuzzed names (70 000 characters, say) that official fastjson clients read fine.
     */
    static final ObjectMapper JSON = new ObjectMapper(com.fasterxml.jackson.core.JsonFactory.builder()
        .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
            .maxNameLength(Integer.MAX_VALUE).maxStringLength(Integer.MAX_VALUE).build())
        .build());

    /** Which endpoint a request is meant for. */
    enum Target { BROKER, NAMESRV }

    final String template;
    Target target;
    int code;
    int flag;
    int language; // LanguageCode ordinal; 0 = JAVA
    int version = 409;
    int opaque;
    String remark;
    boolean binary;
    final Map<String, String> ext = new LinkedHashMap<>();
    /** Raw body; ignored when {@link #jsonBody} is set. */
    byte[] body;
    /** A JSON body that mutators edit as a tree; encoded when the frame is built. */
    JsonNode jsonBody;
    /**
     * JSON header keys replaced after the header is built (a value of the wrong type, say); a null value
     * deletes the key. Only used for JSON headers.
     */
    final Map<String, JsonNode> headerOverrides = new LinkedHashMap<>();

    FrameDraft(String template, Target target, int code) {
        this.template = template;
        this.target = target;
        this.code = code;
    }

    FrameDraft ext(String key, Object value) {
        ext.put(key, String.valueOf(value));
        return this;
    }

    FrameDraft oneway() {
        flag |= 2;
        return this;
    }

    FrameDraft body(byte[] b) {
        this.body = b;
        this.jsonBody = null;
        return this;
    }

    FrameDraft body(String text) {
        return body(text.getBytes(StandardCharsets.UTF_8));
    }

    FrameDraft json(JsonNode tree) {
        this.jsonBody = tree;
        this.body = null;
        return this;
    }

    byte[] bodyBytes() {
        if (jsonBody != null) {
            try {
                return JSON.writeValueAsBytes(jsonBody);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return body;
    }

    /** The whole frame: length word, header-info word, header, body. */
    byte[] encode() {
        byte[] header = binary ? binaryHeader() : jsonHeader();
        byte[] b = bodyBytes();
        int bodyLength = b == null ? 0 : b.length;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(8 + header.length + bodyLength);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeInt(4 + header.length + bodyLength);
            out.writeInt(((binary ? 1 : 0) << 24) | (header.length & 0x00FFFFFF));
            out.write(header);
            if (b != null) {
                out.write(b);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static final String[] LANGUAGES = {"JAVA", "CPP", "DOTNET", "PYTHON", "DELPHI", "ERLANG", "RUBY", "OTHER",
        "HTTP", "GO", "PHP", "OMS", "RUST", "NODE_JS"};

    private byte[] jsonHeader() {
        ObjectNode h = JsonNodeFactory.instance.objectNode();
        h.put("code", code);
        if (!ext.isEmpty()) {
            ObjectNode e = h.putObject("extFields");
            ext.forEach(e::put);
        }
        h.put("flag", flag);
        h.put("language", language >= 0 && language < LANGUAGES.length ? LANGUAGES[language] : Integer.toString(language));
        h.put("opaque", opaque);
        if (remark != null) {
            h.put("remark", remark);
        }
        h.put("serializeTypeCurrentRPC", "JSON");
        h.put("version", version);
        headerOverrides.forEach((k, v) -> {
            if (v == null) {
                h.remove(k);
            } else {
                h.set(k, v);
            }
        });
        try {
            return JSON.writeValueAsBytes(h);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private byte[] binaryHeader() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        DataOutputStream out = new DataOutputStream(bytes);
        try {
            out.writeShort(code);
            out.writeByte(language);
            out.writeShort(version);
            out.writeInt(opaque);
            out.writeInt(flag);
            byte[] r = remark == null ? new byte[0] : remark.getBytes(StandardCharsets.UTF_8);
            out.writeInt(r.length);
            out.write(r);
            ByteArrayOutputStream area = new ByteArrayOutputStream();
            DataOutputStream a = new DataOutputStream(area);
            for (Map.Entry<String, String> e : ext.entrySet()) {
                byte[] k = e.getKey().getBytes(StandardCharsets.UTF_8);
                byte[] v = e.getValue().getBytes(StandardCharsets.UTF_8);
                a.writeShort(k.length);
                a.write(k);
                a.writeInt(v.length);
                a.write(v);
            }
            out.writeInt(area.size());
            area.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
