package io.quiver.protocol.message;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The message properties string (fact sheet §6.3): {@code name\u0001value\u0002...}, and the property
 * names Quiver reads or writes (§10.1).
 */
public final class MessageProperties {
    public static final char NAME_VALUE_SEPARATOR = '\u0001';
    public static final char PROPERTY_SEPARATOR = '\u0002';

    public static final String TAGS = "TAGS";
    public static final String KEYS = "KEYS";
    public static final String WAIT = "WAIT";
    public static final String DELAY = "DELAY";
    public static final String UNIQ_KEY = "UNIQ_KEY";
    public static final String RETRY_TOPIC = "RETRY_TOPIC";
    public static final String REAL_TOPIC = "REAL_TOPIC";
    public static final String REAL_QID = "REAL_QID";
    public static final String TRAN_MSG = "TRAN_MSG";
    public static final String PGROUP = "PGROUP";
    public static final String ORIGIN_MESSAGE_ID = "ORIGIN_MESSAGE_ID";
    public static final String RECONSUME_TIME = "RECONSUME_TIME";
    public static final String MAX_RECONSUME_TIMES = "MAX_RECONSUME_TIMES";
    public static final String CLUSTER = "CLUSTER";
    public static final String TRANSACTION_CHECK_TIMES = "TRANSACTION_CHECK_TIMES";
    public static final String CHECK_IMMUNITY_TIME_IN_SECONDS = "CHECK_IMMUNITY_TIME_IN_SECONDS";
    /** Quiver's op records: the decision taken for a half message (C commit, R rollback, D discarded). */
    public static final String TRAN_DECISION = "TRAN_DECISION";
    public static final String MSG_REGION = "MSG_REGION";
    public static final String TRACE_ON = "TRACE_ON";

    private MessageProperties() {}

    /** Parses a properties string; parts with an empty name or value are dropped, as official parsers do. */
    public static Map<String, String> parse(String s) {
        Map<String, String> map = new LinkedHashMap<>();
        if (s == null || s.isEmpty()) {
            return map;
        }
        int start = 0;
        int n = s.length();
        while (start < n) {
            int end = s.indexOf(PROPERTY_SEPARATOR, start);
            if (end < 0) {
                end = n;
            }
            int sep = s.indexOf(NAME_VALUE_SEPARATOR, start);
            if (sep > start && sep < end - 1) {
                map.put(s.substring(start, sep), s.substring(sep + 1, end));
            }
            start = end + 1;
        }
        return map;
    }

    /**
     * One property of an encoded properties string, exactly as {@code parse(s).get(name)} would give it (the
     * last non-empty value under that name), without building a map: for readers that need one or two names
     * of every record (the message index).
     */
    public static String valueOf(String s, String name) {
        if (s == null || s.isEmpty() || name.isEmpty()) {
            return null;
        }
        String found = null;
        int len = name.length();
        int n = s.length();
        int start = 0;
        while (start < n) {
            int end = s.indexOf(PROPERTY_SEPARATOR, start);
            if (end < 0) {
                end = n;
            }
            if (end - start > len + 1 && s.charAt(start + len) == NAME_VALUE_SEPARATOR && s.startsWith(name, start)) {
                found = s.substring(start + len + 1, end);
            }
            start = end + 1;
        }
        return found;
    }

    /** Encodes properties without a trailing separator (the 4.9.8 / 5.1.4 form); null values are skipped. */
    public static String encode(Map<String, String> properties) {
        if (properties == null || properties.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(64);
        for (Map.Entry<String, String> e : properties.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(PROPERTY_SEPARATOR);
            }
            sb.append(e.getKey()).append(NAME_VALUE_SEPARATOR).append(e.getValue());
        }
        return sb.toString();
    }
}
