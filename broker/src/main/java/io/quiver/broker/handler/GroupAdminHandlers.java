package io.quiver.broker.handler;

import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;

/**
 * Consumer-group administration (fact sheet §9.4): create or update, delete (optionally with offsets), list.
 * Admin pool; changes answer once they are on disk.
 */
public final class GroupAdminHandlers {
    private final SubscriptionGroupTable groups;
    private final ConsumerOffsetTable offsets;

    public GroupAdminHandlers(SubscriptionGroupTable groups, ConsumerOffsetTable offsets) {
        this.groups = groups;
        this.offsets = offsets;
    }

    public void createGroup(RequestContext ctx, RemotingCommand req) {
        SubscriptionGroupConfig c = Json.decode(req.body(), SubscriptionGroupConfig.class);
        String invalid = c.groupName == null || c.groupName.isBlank() ? "the subscription group config has no groupName"
            : io.quiver.protocol.message.TopicNames.validateGroup(c.groupName);
        if (invalid != null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, invalid);
            return;
        }
        java.util.concurrent.CompletableFuture<Void> written = groups.put(c);
        if (written == null) {
            ctx.reply(ResponseCode.NO_PERMISSION, "[LIMIT] consumer group " + c.groupName + " is not created: the broker "
                + "holds " + groups.size() + " groups, its limit (maxSubscriptionGroupCount="
                + groups.limit() + ")");
            return;
        }
        DurableReply.whenWritten(ctx, written);
    }

    public void deleteGroup(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.DeleteGroup h = RequestHeaders.DeleteGroup.decode(req);
        String group = h.groupName();
        java.util.concurrent.CompletableFuture<Void> written = groups.delete(group);
        if (h.removeOffsets()) {
            offsets.removeGroup(group);
        }
        if (written == null) {
            ctx.reply(ResponseCode.SUCCESS, null); // nothing to delete: answered as RocketMQ does
            return;
        }
        DurableReply.whenWritten(ctx, written);
    }

    public void allGroupConfig(RequestContext ctx, RemotingCommand req) {
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(groups.snapshot())));
    }
}
