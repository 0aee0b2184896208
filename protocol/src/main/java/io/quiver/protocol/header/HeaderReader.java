package io.quiver.protocol.header;

import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import java.util.Map;

/**
 * Reads typed values out of a command's ext fields (fact sheet §1.6). A missing required field or a
 * value of the wrong type is a {@link ProtocolException} whose message names the field, so the
 * client sees which field it must send.
 */
public final class HeaderReader {
    private final Map<String, String> fields;
    private final int code;

    public HeaderReader(RemotingCommand cmd) {
        this.fields = cmd.extFields() == null ? Map.of() : cmd.extFields();
        this.code = cmd.code();
    }

    public String string(String key) {
        String v = fields.get(key);
        if (v == null) {
            throw missing(key);
        }
        return v;
    }

    public String optString(String key) {
        return fields.get(key);
    }

    public int int32(String key) {
        return parseInt(key, string(key));
    }

    public int optInt32(String key, int dflt) {
        String v = fields.get(key);
        return v == null || v.isEmpty() ? dflt : parseInt(key, v);
    }

    public Integer optInt32(String key) {
        String v = fields.get(key);
        return v == null || v.isEmpty() ? null : parseInt(key, v);
    }

    public long int64(String key) {
        return parseLong(key, string(key));
    }

    public long optInt64(String key, long dflt) {
        String v = fields.get(key);
        return v == null || v.isEmpty() ? dflt : parseLong(key, v);
    }

    public boolean bool(String key) {
        return Boolean.parseBoolean(string(key).trim());
    }

    public boolean optBool(String key, boolean dflt) {
        String v = fields.get(key);
        return v == null || v.isEmpty() ? dflt : Boolean.parseBoolean(v.trim());
    }

    public Boolean optBool(String key) {
        String v = fields.get(key);
        return v == null || v.isEmpty() ? null : Boolean.parseBoolean(v.trim());
    }

    private int parseInt(String key, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new ProtocolException("header field '" + key + "' of request code " + code
                + " must be an integer, got '" + v + "'");
        }
    }

    private long parseLong(String key, String v) {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new ProtocolException("header field '" + key + "' of request code " + code
                + " must be a long integer, got '" + v + "'");
        }
    }

    private ProtocolException missing(String key) {
        return new ProtocolException("the required header field '" + key + "' of request code " + code + " is missing");
    }
}
