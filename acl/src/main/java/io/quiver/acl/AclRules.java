package io.quiver.acl;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.quiver.protocol.message.TopicNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rules of one plain_acl.yml: the global white list and the accounts (RocketMQ's format, see
 * {@code docs/research/acl.md}). Immutable; a changed file is parsed into new rules.
 */
public record AclRules(List<AddressPattern> globalWhiteRemoteAddresses, Map<String, Account> accounts) {
    /** Most accounts one file may hold. */
    public static final int MAX_ACCOUNTS = 10_000;
    /** Most entries of one account's topic or group permissions, and of the global white list. */
    public static final int MAX_ENTRIES = 100_000;
    /** Shortest access and secret key (RocketMQ asks for more than 6 characters). */
    public static final int MIN_KEY_LENGTH = 7;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    public static final AclRules NONE = new AclRules(List.of(), Map.of());

    /** Thrown for a file that cannot be used; says where (line) and why, never a secret. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message);
        }
    }

    public static AclRules parse(byte[] yaml) throws Invalid {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            throw new Invalid("not YAML" + (at != null ? " at line " + at.getLineNr() : "") + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new Invalid("unreadable: " + e.getMessage());
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            return NONE;
        }
        if (!root.isObject()) {
            throw new Invalid("the file must be a mapping with globalWhiteRemoteAddresses and accounts");
        }
        List<AddressPattern> global = new ArrayList<>();
        for (String p : strings(root.get("globalWhiteRemoteAddresses"), "globalWhiteRemoteAddresses")) {
            global.add(pattern(p, "globalWhiteRemoteAddresses"));
        }
        Map<String, Account> accounts = new LinkedHashMap<>();
        JsonNode list = root.get("accounts");
        if (list != null && !list.isNull()) {
            if (!list.isArray()) {
                throw new Invalid("accounts must be a list");
            }
            if (list.size() > MAX_ACCOUNTS) {
                throw new Invalid("more than " + MAX_ACCOUNTS + " accounts");
            }
            int i = 0;
            for (JsonNode a : list) {
                Account account = account(a, i++);
                if (accounts.putIfAbsent(account.accessKey(), account) != null) {
                    throw new Invalid("accounts[" + (i - 1) + "]: accessKey " + account.accessKey() + " appears twice");
                }
            }
        }
        return new AclRules(List.copyOf(global), Map.copyOf(accounts));
    }

    private static Account account(JsonNode a, int i) throws Invalid {
        String where = "accounts[" + i + "]";
        if (!a.isObject()) {
            throw new Invalid(where + " must be a mapping");
        }
        String ak = text(a.get("accessKey"));
        String sk = text(a.get("secretKey"));
        if (ak == null || ak.length() < MIN_KEY_LENGTH) {
            throw new Invalid(where + ": accessKey must have at least " + MIN_KEY_LENGTH + " characters");
        }
        where = "account " + ak;
        if (sk == null || sk.length() < MIN_KEY_LENGTH) {
            throw new Invalid(where + ": secretKey must have at least " + MIN_KEY_LENGTH + " characters");
        }
        AddressPattern white = pattern(text(a.get("whiteRemoteAddress")), where + " whiteRemoteAddress");
        boolean admin = a.has("admin") && a.get("admin").asBoolean(false);
        int defaultTopic = perm(text(a.get("defaultTopicPerm")), where + " defaultTopicPerm", Perm.DENY);
        int defaultGroup = perm(text(a.get("defaultGroupPerm")), where + " defaultGroupPerm", Perm.DENY);
        Map<String, Integer> topics = new HashMap<>();
        for (String e : strings(a.get("topicPerms"), where + " topicPerms")) {
            String[] kv = entry(e, where + " topicPerms");
            topics.put(kv[0], perm(kv[1], where + " topicPerms " + kv[0], Perm.DENY));
        }
        Map<String, Integer> groups = new HashMap<>();
        for (String e : strings(a.get("groupPerms"), where + " groupPerms")) {
            String[] kv = entry(e, where + " groupPerms");
            groups.put(TopicNames.retryTopic(kv[0]), perm(kv[1], where + " groupPerms " + kv[0], Perm.DENY));
        }
        return new Account(ak, sk, white, admin, defaultTopic, defaultGroup, Map.copyOf(topics), Map.copyOf(groups));
    }

    private static String[] entry(String e, String where) throws Invalid {
        int eq = e.indexOf('=');
        if (eq <= 0 || eq != e.lastIndexOf('=') || eq == e.length() - 1) {
            throw new Invalid(where + ": '" + e + "' is not name=PERM");
        }
        return new String[] {e.substring(0, eq).trim(), e.substring(eq + 1).trim()};
    }

    private static int perm(String text, String where, int absent) throws Invalid {
        if (text == null || text.isBlank()) {
            return absent;
        }
        Integer p = Perm.parse(text);
        if (p == null) {
            throw new Invalid(where + ": '" + text + "' is not PUB, SUB, PUB|SUB or DENY");
        }
        return p;
    }

    private static AddressPattern pattern(String text, String where) throws Invalid {
        try {
            return AddressPattern.parse(text);
        } catch (IllegalArgumentException e) {
            throw new Invalid(where + ": " + e.getMessage());
        }
    }

    private static List<String> strings(JsonNode n, String where) throws Invalid {
        List<String> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if (!n.isArray()) {
            throw new Invalid(where + " must be a list");
        }
        if (n.size() > MAX_ENTRIES) {
            throw new Invalid(where + " has more than " + MAX_ENTRIES + " entries");
        }
        for (Iterator<JsonNode> it = n.elements(); it.hasNext(); ) {
            String s = text(it.next());
            if (s != null && !s.isBlank()) {
                out.add(s.trim());
            }
        }
        return out;
    }

    /** A scalar as text (YAML numbers included: a secret key of digits is a number to YAML); null when absent. */
    private static String text(JsonNode n) {
        return n == null || n.isNull() || n.isContainerNode() ? null : n.asText();
    }
}
