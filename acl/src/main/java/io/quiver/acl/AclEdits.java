package io.quiver.acl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.header.RequestHeaders;
import java.util.List;

/**
 * The changes the ACL admin requests make to a plain_acl.yml, applied to its YAML tree so that what they do not touch
 * (other accounts, other fields) stays as written. Whether the result is a usable file is judged afterwards, by
 * {@link AclRules#parse}, as for a file edited by hand.
 */
public final class AclEdits {
    private AclEdits() {}

    /** A change to the tree; throws {@link IllegalArgumentException} with a reason a person can act on. */
    @FunctionalInterface
    public interface Edit {
        void apply(ObjectNode root);
    }

    /**
     * Creates the account, or changes the fields {@code e} gives on an existing one (absent fields stay; permission
     * lists given replace the old lists), as RocketMQ's UPDATE_AND_CREATE_ACL_CONFIG does.
     */
    public static Edit upsertAccount(RequestHeaders.AclAccountEdit e) {
        return root -> {
            ArrayNode accounts = accounts(root);
            ObjectNode account = find(accounts, e.accessKey());
            if (account == null) {
                if (e.secretKey() == null || e.secretKey().isBlank()) {
                    throw new IllegalArgumentException("a new account needs a secretKey");
                }
                account = accounts.addObject().put("accessKey", e.accessKey());
            }
            if (e.secretKey() != null && !e.secretKey().isBlank()) {
                account.put("secretKey", e.secretKey());
            }
            if (e.whiteRemoteAddress() != null && !e.whiteRemoteAddress().isBlank()) {
                account.put("whiteRemoteAddress", e.whiteRemoteAddress());
            }
            if (e.admin() != null) {
                account.put("admin", e.admin());
            }
            if (e.defaultTopicPerm() != null && !e.defaultTopicPerm().isBlank()) {
                account.put("defaultTopicPerm", e.defaultTopicPerm().trim());
            }
            if (e.defaultGroupPerm() != null && !e.defaultGroupPerm().isBlank()) {
                account.put("defaultGroupPerm", e.defaultGroupPerm().trim());
            }
            if (e.topicPerms() != null) {
                account.set("topicPerms", list(e.topicPerms()));
            }
            if (e.groupPerms() != null) {
                account.set("groupPerms", list(e.groupPerms()));
            }
        };
    }

    /** Removes the account; an unknown access key is an error. */
    public static Edit deleteAccount(String accessKey) {
        return root -> {
            ArrayNode accounts = accounts(root);
            for (int i = 0; i < accounts.size(); i++) {
                if (accessKey.equals(accounts.get(i).path("accessKey").asText(null))) {
                    accounts.remove(i);
                    return;
                }
            }
            throw new IllegalArgumentException("no account has accessKey " + accessKey);
        };
    }

    /** Replaces the global white list. */
    public static Edit setGlobalWhiteAddresses(List<String> patterns) {
        return root -> root.set("globalWhiteRemoteAddresses", list(patterns));
    }

    private static ArrayNode accounts(ObjectNode root) {
        JsonNode a = root.get("accounts");
        if (a == null || a.isNull()) {
            return root.putArray("accounts");
        }
        if (!a.isArray()) {
            throw new IllegalArgumentException("the file's accounts is not a list");
        }
        return (ArrayNode) a;
    }

    private static ObjectNode find(ArrayNode accounts, String accessKey) {
        for (JsonNode a : accounts) {
            if (a.isObject() && accessKey.equals(a.path("accessKey").asText(null))) {
                return (ObjectNode) a;
            }
        }
        return null;
    }

    private static ArrayNode list(List<String> items) {
        ArrayNode n = JsonNodeFactory.instance.arrayNode();
        items.forEach(n::add);
        return n;
    }
}
