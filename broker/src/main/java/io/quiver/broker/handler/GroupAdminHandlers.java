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

    /** GET_SUBSCRIPTIONGROUP_CONFIG (352, RocketMQ 5's admin API and proxy): one group's settings. */
    public void groupConfig(RequestContext ctx, RemotingCommand req) {
        String group = req.ext("group");
        io.quiver.protocol.body.SubscriptionGroupConfig g = group == null ? null : groups.get(group);
        if (g == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "No group in this broker" + (group == null ? "" : ": " + group));
            return;
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(g)));
    }

    /** QUERY_TOPICS_BY_CONSUMER's body: {@code {"brokerAddr":...,"topicList":[...]}}. */
    public static final class TopicsOfGroup {
        public String brokerAddr;
        public java.util.List<String> topicList = new java.util.ArrayList<>();
    }

    /** QUERY_TOPICS_BY_CONSUMER (343, RocketMQ 5's admin API): the topics the group has committed offsets on here. */
    public void topicsOfGroup(RequestContext ctx, RemotingCommand req, String brokerAddr) {
        TopicsOfGroup body = new TopicsOfGroup();
        body.brokerAddr = brokerAddr;
        String group = req.ext("group");
        if (group != null) {
            body.topicList.addAll(new java.util.TreeSet<>(offsets.topicsOf(group)));
        }
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }

    /**
     * CLONE_GROUP_OFFSET (314, DefaultMQAdminExt.cloneGroupOffset): the source group's offsets on the topic (every
     * topic it has offsets on when none is named) become the destination group's. Always answered SUCCESS, as
     * RocketMQ does; a group or topic without offsets copies nothing.
     */
    public void cloneOffsets(RequestContext ctx, RemotingCommand req) {
        String src = req.ext("srcGroup");
        String dest = req.ext("destGroup");
        if (src == null || dest == null || src.isBlank() || dest.isBlank()) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "srcGroup and destGroup are required");
            return;
        }
        String topic = req.ext("topic");
        java.util.Set<String> topics = topic == null || topic.isBlank() ? offsets.topicsOf(src) : java.util.Set.of(topic);
        boolean[] full = new boolean[1];
        for (String t : topics) {
            offsets.offsetsOf(src, t).forEach((queueId, offset) -> full[0] |= !offsets.commit(dest, t, queueId, offset));
        }
        ctx.reply(full[0] ? ResponseCode.SYSTEM_ERROR : ResponseCode.SUCCESS, full[0]
            ? "the offset table is full (" + offsets.limit() + " group-topic entries); some offsets were not copied" : null);
    }
}
