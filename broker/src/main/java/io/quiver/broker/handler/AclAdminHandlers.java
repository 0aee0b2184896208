package io.quiver.broker.handler;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.acl.AclEdits;
import io.quiver.acl.AclFile;
import io.quiver.acl.AclRules;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import java.util.Map;

/**
 * The ACL 1.0 admin requests of mqadmin and {@code quiver acl}: create or change an account (50), delete one (51), the
 * file's version (52), the global white list (53) and the whole file (54, RocketMQ 5). Changes are written to the ACL
 * file and in force at once (the access guard reads the same {@link AclFile}). A change that would leave an unusable
 * file is refused with the reason and nothing is written. Only admin accounts get here when ACL is on (the access
 * guard); with ACL off every request is refused, as there is no file to edit. Runs on the admin pool; the file
 * serialises the changes.
 */
public final class AclAdminHandlers {
    /** RocketMQ's failure codes of 50, 51 and 53. */
    public static final int UPDATE_AND_CREATE_ACL_CONFIG_FAILED = 209;
    public static final int DELETE_ACL_CONFIG_FAILED = 210;
    public static final int UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED = 211;

    static final String ACL_OFF = "ACL is not enabled on this broker (aclEnable=false): there are no accounts to "
        + "administer";

    private final AclFile file;
    private final BrokerConfig config;

    /** {@code file} is null when ACL is off. */
    public AclAdminHandlers(AclFile file, BrokerConfig config) {
        this.file = file;
        this.config = config;
    }

    public void updateAccount(RequestContext ctx, RemotingCommand req) {
        edit(ctx, UPDATE_AND_CREATE_ACL_CONFIG_FAILED,
            () -> AclEdits.upsertAccount(RequestHeaders.AclAccountEdit.decode(req)));
    }

    public void deleteAccount(RequestContext ctx, RemotingCommand req) {
        edit(ctx, DELETE_ACL_CONFIG_FAILED, () -> AclEdits.deleteAccount(RequestHeaders.AclAccessKey.decode(req).accessKey()));
    }

    public void updateGlobalWhiteAddresses(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.AclGlobalWhiteAddrs h = RequestHeaders.AclGlobalWhiteAddrs.decode(req);
        if (file != null && h.aclFileFullPath() != null && !h.aclFileFullPath().isBlank()
            && !java.nio.file.Path.of(h.aclFileFullPath().trim()).toAbsolutePath().normalize()
                .equals(file.path().toAbsolutePath().normalize())) {
            ctx.reply(UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED, "this broker keeps its accounts in one file, "
                + file.path() + " (aclFile); aclFileFullPath names another");
            return;
        }
        edit(ctx, UPDATE_GLOBAL_WHITE_ADDRS_CONFIG_FAILED, () -> AclEdits.setGlobalWhiteAddresses(h.globalWhiteAddrs()));
    }

    private interface EditFromRequest {
        AclEdits.Edit get();
    }

    private void edit(RequestContext ctx, int failure, EditFromRequest edit) {
        if (file == null) {
            ctx.reply(failure, ACL_OFF);
            return;
        }
        try {
            file.edit(edit.get());
            ctx.reply(ResponseCode.SUCCESS, null);
        } catch (AclRules.Invalid e) {
            ctx.reply(failure, "the ACL file was not changed: " + e.getMessage());
        }
    }

    /** GET_BROKER_CLUSTER_ACL_INFO (52): the file's version, under its path too (both official clients read that). */
    public void version(RequestContext ctx, RemotingCommand req) {
        if (file == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, ACL_OFF);
            return;
        }
        String version = dataVersion(file.version());
        RemotingCommand r = ctx.response(ResponseCode.SUCCESS, null)
            .putExt("version", version)
            .putExt("allAclFileVersion", "{" + Json.encodeToString(file.path().toString()) + ":" + version + "}")
            .putExt("brokerName", config.brokerName)
            .putExt("brokerAddr", config.brokerAddr())
            .putExt("clusterName", config.brokerClusterName);
        ctx.reply(r);
    }

    private static String dataVersion(AclFile.Version v) {
        return "{\"counter\":" + v.counter() + ",\"stateVersion\":0,\"timestamp\":" + v.timestamp() + "}";
    }

    /**
     * GET_BROKER_CLUSTER_ACL_CONFIG (54, mqadmin getAclConfig of RocketMQ 5): the white list and every account as the
     * file has them, secret keys included as RocketMQ gives them (only admin accounts may ask when ACL is on).
     */
    public void config(RequestContext ctx, RemotingCommand req) {
        if (file == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, ACL_OFF);
            return;
        }
        JsonNode doc;
        try {
            doc = file.document();
        } catch (AclRules.Invalid e) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, e.getMessage());
            return;
        }
        ObjectNode body = Json.mapper().createObjectNode();
        ArrayNode white = body.putArray("globalWhiteAddrs");
        doc.path("globalWhiteRemoteAddresses").forEach(n -> white.add(n.asText()));
        ArrayNode accounts = body.putArray("plainAccessConfigs");
        for (JsonNode a : doc.path("accounts")) {
            ObjectNode out = accounts.addObject();
            for (Map.Entry<String, String> f : Map.of("accessKey", "accessKey", "secretKey", "secretKey",
                "whiteRemoteAddress", "whiteRemoteAddress", "defaultTopicPerm", "defaultTopicPerm",
                "defaultGroupPerm", "defaultGroupPerm").entrySet()) {
                JsonNode v = a.get(f.getKey());
                if (v != null && !v.isNull() && !v.isContainerNode()) {
                    out.put(f.getValue(), v.asText());
                }
            }
            out.put("admin", a.path("admin").asBoolean(false));
            ArrayNode topics = out.putArray("topicPerms");
            a.path("topicPerms").forEach(n -> topics.add(n.asText()));
            ArrayNode groups = out.putArray("groupPerms");
            a.path("groupPerms").forEach(n -> groups.add(n.asText()));
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }
}
