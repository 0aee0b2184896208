package io.quiver.protocol;

import io.netty.buffer.ByteBuf;
import java.util.Map;

/**
 * Writes the JSON form of a remoting header (fact sheet §1.3) straight into the outbound buffer, with
 * the fields in the order official peers write them. Strings are written as UTF-8; a quote, a backslash
 * and control characters are escaped ({@code \n}, {@code \t}, {@code \r}, {@code \b}, {@code \f} short,
 * the rest as <code>&#92;u00XX</code>); an unpaired surrogate, which UTF-8 cannot carry, is written as a
 * <code>&#92;uXXXX</code> escape. Stateless.
 */
final class JsonHeaderWriter {
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private JsonHeaderWriter() {}

    static void write(RemotingCommand cmd, ByteBuf out) {
        ascii(out, "{\"code\":");
        integer(out, cmd.code());
        Map<String, String> ext = cmd.extFields();
        if (ext != null && !ext.isEmpty()) {
            ascii(out, ",\"extFields\":{");
            boolean first = true;
            for (Map.Entry<String, String> e : ext.entrySet()) {
                if (e.getValue() == null) {
                    continue;
                }
                if (!first) {
                    out.writeByte(',');
                }
                first = false;
                string(out, e.getKey());
                out.writeByte(':');
                string(out, e.getValue());
            }
            out.writeByte('}');
        }
        ascii(out, ",\"flag\":");
        integer(out, cmd.flag());
        ascii(out, ",\"language\":\"");
        ascii(out, cmd.language().name());
        ascii(out, "\",\"opaque\":");
        integer(out, cmd.opaque());
        if (cmd.remark() != null) {
            ascii(out, ",\"remark\":");
            string(out, cmd.remark());
        }
        ascii(out, ",\"serializeTypeCurrentRPC\":\"JSON\",\"version\":");
        integer(out, cmd.version());
        out.writeByte('}');
    }

    private static void ascii(ByteBuf out, String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            out.writeByte(s.charAt(i));
        }
    }

    private static void integer(ByteBuf out, int v) {
        if (v == Integer.MIN_VALUE) {
            ascii(out, "-2147483648");
            return;
        }
        if (v < 0) {
            out.writeByte('-');
            v = -v;
        }
        int div = 1;
        while (div <= v / 10) {
            div *= 10;
        }
        for (; div > 0; div /= 10) {
            out.writeByte('0' + (v / div) % 10);
        }
    }

    private static void string(ByteBuf out, String s) {
        out.ensureWritable(s.length() + 2);
        out.writeByte('"');
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80) {
                if (c == '"' || c == '\\') {
                    out.writeByte('\\');
                }
                out.writeByte(c);
            } else if (c < 0x20) {
                switch (c) {
                    case '\n' -> ascii(out, "\\n");
                    case '\t' -> ascii(out, "\\t");
                    case '\r' -> ascii(out, "\\r");
                    case '\b' -> ascii(out, "\\b");
                    case '\f' -> ascii(out, "\\f");
                    default -> unicodeEscape(out, c);
                }
            } else if (c < 0x800) {
                out.writeByte(0xC0 | (c >> 6));
                out.writeByte(0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                out.writeByte(0xF0 | (cp >> 18));
                out.writeByte(0x80 | ((cp >> 12) & 0x3F));
                out.writeByte(0x80 | ((cp >> 6) & 0x3F));
                out.writeByte(0x80 | (cp & 0x3F));
            } else if (Character.isSurrogate(c)) {
                unicodeEscape(out, c);
            } else {
                out.writeByte(0xE0 | (c >> 12));
                out.writeByte(0x80 | ((c >> 6) & 0x3F));
                out.writeByte(0x80 | (c & 0x3F));
            }
        }
        out.writeByte('"');
    }

    private static void unicodeEscape(ByteBuf out, char c) {
        ascii(out, "\\u");
        out.writeByte(HEX[(c >> 12) & 0xF]);
        out.writeByte(HEX[(c >> 8) & 0xF]);
        out.writeByte(HEX[(c >> 4) & 0xF]);
        out.writeByte(HEX[c & 0xF]);
    }
}
