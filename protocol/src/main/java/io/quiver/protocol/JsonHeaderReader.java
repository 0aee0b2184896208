package io.quiver.protocol;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads the JSON form of a remoting header (fact sheet §1.3) straight from the frame's bytes.
 *
 * <p>The header is a flat object: a few numbers and strings and one object of string fields. A general
 * JSON parser builds tokens, names and buffers for every field; this reader walks the bytes once and
 * makes a {@code String} only for the values it keeps. ASCII strings without escapes (nearly every
 * field) become strings in one copy; the properties field, full of <code>&#92;u0001</code> escapes, is decoded
 * in one pass. Any value the header does not know (an object, an array, a number where a string is
 * usual) is accepted or skipped as official peers do. Malformed input is a {@link ProtocolException}
 * that says what is wrong and where; nothing is read outside {@code [start, end)}.
 *
 * <p>One instance reads one header; it is not shared between threads.
 */
final class JsonHeaderReader {
    /** Deepest nesting of an ignored value that is still skipped; deeper is refused. */
    static final int MAX_SKIP_DEPTH = 64;

    /** Longest field name kept in {@link #NAMES}. */
    static final int MAX_CACHED_NAME = 32;
    /**
     * Field names seen recently, by hash (1 024 slots, so at most 1 024 short strings for the process:
     * a fixed bound whatever names peers send). Shared by all threads without locks.
     */
    private static final String[] NAMES = new String[1024];

    private final byte[] b;
    private final int end;
    private final int start;
    private int pos;

    private JsonHeaderReader(byte[] bytes, int offset, int length) {
        this.b = bytes;
        this.start = offset;
        this.pos = offset;
        this.end = offset + length;
    }

    static RemotingCommand read(byte[] bytes, int offset, int length) {
        return new JsonHeaderReader(bytes, offset, length).header();
    }

    private RemotingCommand header() {
        RemotingCommand cmd = new RemotingCommand();
        skipSpace();
        if (pos >= end || b[pos] != '{') {
            throw new ProtocolException("JSON header is not an object");
        }
        pos++;
        boolean sawCode = false;
        if (peekAfterSpace() == '}') {
            pos++;
        } else {
            while (true) {
                String name = fieldName();
                switch (name) {
                    case "code" -> {
                        cmd.code(intValue(name));
                        sawCode = true;
                    }
                    case "opaque" -> cmd.opaque(intValue(name));
                    case "flag" -> cmd.flag(intValue(name));
                    case "version" -> cmd.version(intValue(name));
                    case "language" -> cmd.language(language());
                    case "remark" -> cmd.remark(scalarOrSkip());
                    case "extFields" -> cmd.extFields(extFields());
                    default -> skipValue(0);
                }
                if (!nextMember('}')) {
                    break;
                }
            }
        }
        skipSpace();
        if (pos != end) {
            throw invalid("unexpected bytes after the header object");
        }
        if (!sawCode) {
            throw new ProtocolException("JSON header has no \"code\"");
        }
        return cmd;
    }

    private Map<String, String> extFields() {
        int c = peekAfterSpace();
        if (c == 'n') {
            literal("null");
            return null;
        }
        if (c != '{') {
            throw new ProtocolException("JSON header field \"extFields\" is not an object");
        }
        pos++;
        Map<String, String> ext = new HashMap<>(32);
        if (peekAfterSpace() == '}') {
            pos++;
            return ext;
        }
        do {
            String key = fieldName();
            int v = peekAfterSpace();
            if (v == '{' || v == '[') {
                skipValue(0); // not a header field; official readers ignore such values too
            } else {
                String value = nullableScalar();
                if (value != null) {
                    ext.put(key, value);
                }
            }
        } while (nextMember('}'));
        return ext;
    }

    /** After a member: true if a comma follows, false (having consumed it) if {@code close} does. */
    private boolean nextMember(char close) {
        int c = peekAfterSpace();
        if (c == ',') {
            pos++;
            return true;
        }
        if (c == close) {
            pos++;
            return false;
        }
        throw invalid(c < 0 ? "the header ends inside an object" : "expected ',' or '" + close + "'");
    }

    /** A quoted name and its colon. */
    private String fieldName() {
        if (peekAfterSpace() != '"') {
            throw invalid("expected a quoted field name");
        }
        String name = name();
        if (peekAfterSpace() != ':') {
            throw invalid("expected ':' after field name \"" + name + "\"");
        }
        pos++;
        return name;
    }

    private LanguageCode language() {
        return LanguageCode.ofName(scalarOrSkip());
    }

    /** An integer field; a quoted integer and null (as 0) are accepted, as lenient peers send them. */
    private int intValue(String name) {
        int c = peekAfterSpace();
        if (c == 'n') {
            literal("null");
            return 0;
        }
        if (c == '"') {
            String s = string();
            try {
                return Integer.parseInt(s.trim());
            } catch (NumberFormatException e) {
                throw new ProtocolException("JSON header field \"" + name + "\" is not an integer");
            }
        }
        int numberStart = pos;
        if ((c != '-' && (c < '0' || c > '9')) || !number()) {
            throw new ProtocolException("JSON header field \"" + name + "\" is not an integer");
        }
        long v = 0;
        int i = numberStart;
        boolean negative = b[i] == '-';
        if (negative) {
            i++;
        }
        if (pos - i > 10) {
            throw new ProtocolException("JSON header field \"" + name + "\" is not an integer");
        }
        for (; i < pos; i++) {
            v = v * 10 + (b[i] - '0');
        }
        v = negative ? -v : v;
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new ProtocolException("JSON header field \"" + name + "\" is not an integer");
        }
        return (int) v;
    }

    /**
     * Scans a JSON number at {@code pos}. Returns true if it was an integer; a fraction or an exponent
     * is scanned too (and reported as false) so callers that keep text can keep it whole.
     */
    private boolean number() {
        int s = pos;
        if (pos < end && b[pos] == '-') {
            pos++;
        }
        int digits = pos;
        while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
            pos++;
        }
        if (pos == digits) {
            pos = s;
            throw invalid("expected a value");
        }
        if (b[digits] == '0' && pos - digits > 1) {
            pos = digits;
            throw invalid("a number has a leading zero");
        }
        boolean integer = true;
        if (pos < end && b[pos] == '.') {
            integer = false;
            pos++;
            int frac = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                pos++;
            }
            if (pos == frac) {
                throw invalid("a number has no digits after its '.'");
            }
        }
        if (pos < end && (b[pos] == 'e' || b[pos] == 'E')) {
            integer = false;
            pos++;
            if (pos < end && (b[pos] == '+' || b[pos] == '-')) {
                pos++;
            }
            int exp = pos;
            while (pos < end && b[pos] >= '0' && b[pos] <= '9') {
                pos++;
            }
            if (pos == exp) {
                throw invalid("a number has no digits in its exponent");
            }
        }
        return integer;
    }

    /** Like {@link #nullableScalar()}, but an object or array is skipped and reads as null. */
    private String scalarOrSkip() {
        int c = peekAfterSpace();
        if (c == '{' || c == '[') {
            skipValue(0);
            return null;
        }
        return nullableScalar();
    }

    /** A string, number or boolean as text; null for a JSON null. */
    private String nullableScalar() {
        int c = peekAfterSpace();
        switch (c) {
            case '"' -> {
                return string();
            }
            case 'n' -> {
                literal("null");
                return null;
            }
            case 't' -> {
                literal("true");
                return "true";
            }
            case 'f' -> {
                literal("false");
                return "false";
            }
            default -> {
                int s = pos;
                number();
                return new String(b, s, pos - s, StandardCharsets.ISO_8859_1);
            }
        }
    }

    /** Skips any value; containers nest at most {@link #MAX_SKIP_DEPTH} deep. */
    private void skipValue(int depth) {
        int c = peekAfterSpace();
        switch (c) {
            case '{', '[' -> {
                if (depth >= MAX_SKIP_DEPTH) {
                    throw invalid("values nest deeper than " + MAX_SKIP_DEPTH);
                }
                char close = c == '{' ? '}' : ']';
                pos++;
                if (peekAfterSpace() == close) {
                    pos++;
                    return;
                }
                do {
                    if (close == '}') {
                        fieldName();
                    }
                    skipValue(depth + 1);
                } while (nextMember(close));
            }
            case '"' -> skipString();
            case 't' -> literal("true");
            case 'f' -> literal("false");
            case 'n' -> literal("null");
            default -> number();
        }
    }

    private void literal(String word) {
        int n = word.length();
        if (end - pos < n) {
            throw invalid("expected '" + word + "'");
        }
        for (int i = 0; i < n; i++) {
            if (b[pos + i] != word.charAt(i)) {
                throw invalid("expected '" + word + "'");
            }
        }
        pos += n;
    }

    private void skipString() {
        pos++; // the opening quote
        while (pos < end) {
            byte c = b[pos++];
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                if (pos >= end) {
                    break;
                }
                byte e = b[pos++];
                if (e == 'u') {
                    hex4();
                } else if ("\"\\/bfnrt".indexOf(e) < 0) {
                    pos -= 2;
                    throw invalid("unknown escape '\\" + (char) (e & 0xFF) + "'");
                }
            } else if (c >= 0 && c < 0x20) {
                pos--;
                throw invalid("a control character inside a string must be escaped");
            }
        }
        throw invalid("the header ends inside a string");
    }

    /**
     * A quoted field name at {@code pos}. Short plain ASCII names (all that peers send) come from
     * {@link #NAMES}, so reading a header makes no string per field name.
     */
    private String name() {
        int s = pos + 1;
        int i = s;
        int hash = 0;
        while (i < end && i - s <= MAX_CACHED_NAME) {
            byte c = b[i];
            if (c == '"') {
                int len = i - s;
                int slot = (hash ^ (hash >>> 7)) & (NAMES.length - 1);
                String cached = NAMES[slot];
                if (cached != null && sameAscii(cached, s, len)) {
                    pos = i + 1;
                    return cached;
                }
                String fresh = new String(b, s, len, StandardCharsets.ISO_8859_1);
                NAMES[slot] = fresh; // a racing write only costs a later miss; Strings are immutable
                pos = i + 1;
                return fresh;
            }
            if (c < 0x20 || c == '\\') {
                break; // escapes, control bytes and non-ASCII take the general path
            }
            hash = 31 * hash + c;
            i++;
        }
        return string();
    }

    private boolean sameAscii(String cached, int s, int len) {
        if (cached.length() != len) {
            return false;
        }
        for (int k = 0; k < len; k++) {
            if (cached.charAt(k) != b[s + k]) {
                return false;
            }
        }
        return true;
    }

    /** A quoted string at {@code pos} (which holds the quote). */
    private String string() {
        int s = ++pos;
        boolean ascii = true;
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                pos++;
                return new String(b, s, pos - 1 - s, ascii ? StandardCharsets.ISO_8859_1 : StandardCharsets.UTF_8);
            }
            if (c == '\\') {
                return escapedString(s);
            }
            if (c < 0) {
                ascii = false;
            } else if (c < 0x20) {
                throw invalid("a control character inside a string must be escaped");
            }
            pos++;
        }
        throw invalid("the header ends inside a string");
    }

    /**
     * A string with escapes, from {@code s} (just after its quote). The usual case, ASCII text whose
     * escapes stand for characters below 256 (the properties' separators), is decoded into a byte array
     * of the right size; anything else goes through {@link #generalEscapedString}.
     */
    private String escapedString(int s) {
        int q = s;
        while (q < end && b[q] != '"') {
            q += b[q] == '\\' ? 2 : 1;
        }
        if (q >= end) {
            pos = end;
            throw invalid("the header ends inside a string");
        }
        byte[] out = new byte[q - s];
        int n = 0;
        pos = s;
        while (pos < q) {
            byte c = b[pos];
            if (c < 0) {
                return generalEscapedString(s);
            }
            if (c == '\\') {
                pos++;
                byte e = b[pos++];
                switch (e) {
                    case '"', '\\', '/' -> out[n++] = e;
                    case 'b' -> out[n++] = '\b';
                    case 'f' -> out[n++] = '\f';
                    case 'n' -> out[n++] = '\n';
                    case 'r' -> out[n++] = '\r';
                    case 't' -> out[n++] = '\t';
                    case 'u' -> {
                        char u = hex4();
                        if (u > 0xFF) {
                            return generalEscapedString(s);
                        }
                        out[n++] = (byte) u;
                    }
                    default -> {
                        pos -= 2;
                        throw invalid("unknown escape '\\" + (char) (e & 0xFF) + "'");
                    }
                }
            } else if (c < 0x20) {
                throw invalid("a control character inside a string must be escaped");
            } else {
                out[n++] = c;
                pos++;
            }
        }
        pos = q + 1;
        return new String(out, 0, n, StandardCharsets.ISO_8859_1);
    }

    /** Any string with escapes, decoded from {@code s} (just after its quote). */
    private String generalEscapedString(int s) {
        StringBuilder sb = new StringBuilder(Math.min(end - s, 1024));
        int run = s; // start of the bytes not yet appended
        pos = s;
        while (pos < end) {
            byte c = b[pos];
            if (c == '"') {
                appendRun(sb, run, pos);
                pos++;
                return sb.toString();
            }
            if (c == '\\') {
                appendRun(sb, run, pos);
                pos++;
                if (pos >= end) {
                    break;
                }
                byte e = b[pos++];
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> sb.append(hex4());
                    default -> {
                        pos -= 2;
                        throw invalid("unknown escape '\\" + (char) (e & 0xFF) + "'");
                    }
                }
                run = pos;
            } else if (c >= 0 && c < 0x20) {
                throw invalid("a control character inside a string must be escaped");
            } else {
                pos++;
            }
        }
        throw invalid("the header ends inside a string");
    }

    private void appendRun(StringBuilder sb, int from, int to) {
        boolean ascii = true;
        for (int i = from; i < to; i++) {
            if (b[i] < 0) {
                ascii = false;
                break;
            }
        }
        if (ascii) {
            for (int i = from; i < to; i++) {
                sb.append((char) b[i]);
            }
        } else {
            sb.append(new String(b, from, to - from, StandardCharsets.UTF_8));
        }
    }

    private char hex4() {
        if (end - pos < 4) {
            throw invalid("a \\u escape needs four hex digits");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(b[pos + i], 16);
            if (d < 0) {
                throw invalid("a \\u escape needs four hex digits");
            }
            v = (v << 4) | d;
        }
        pos += 4;
        return (char) v;
    }

    private void skipSpace() {
        while (pos < end) {
            byte c = b[pos];
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                pos++;
            } else {
                return;
            }
        }
    }

    /** Skips white space; returns the next byte (not consumed) or -1 at the end. */
    private int peekAfterSpace() {
        skipSpace();
        return pos < end ? b[pos] & 0xFF : -1;
    }

    private ProtocolException invalid(String what) {
        return new ProtocolException("JSON header is not valid JSON: " + what + " at byte " + (pos - start));
    }
}
