package io.quiver.broker.handler;

import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.MessageId;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.RequestContext;
import io.quiver.store.MessageStore;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * Requests an admin tool sends to one consumer through its broker: GET_CONSUMER_RUNNING_INFO (307, mqadmin
 * consumerStatus, consumerProgress -s, the dashboard's consumer view) and CONSUME_MESSAGE_DIRECTLY (309, mqadmin
 * queryMsgById -g -d, the dashboard's "resend"). The consumer is found by its group and client id among the members
 * that sent heartbeats here; the request goes to it over its own connection with every field and the body (for 309:
 * the broker's name, and the stored message as body), and its answer comes back unchanged. Nothing waits on a thread:
 * the answer completes the admin's request when it arrives, or after {@link #CLIENT_TIMEOUT_MILLIS}.
 */
public final class ClientRelayHandlers {
    /** How long a consumer has to answer (RocketMQ's broker waits as long). */
    static final long CLIENT_TIMEOUT_MILLIS = 10_000;
    /** RocketMQ's CONSUME_MSG_TIMEOUT: the consumer did not answer in time. */
    static final int CONSUME_MSG_TIMEOUT = 207;

    /** The admin's own credentials: never passed on to a consumer, which could replay them. */
    static final java.util.Set<String> RELAY_WITHHELD = java.util.Set.of(
        io.quiver.protocol.acl.AclSignature.ACCESS_KEY, io.quiver.protocol.acl.AclSignature.SIGNATURE,
        io.quiver.protocol.acl.AclSignature.SECURITY_TOKEN);

    private final ClientRegistry clients;
    private final RemotingServer server;
    private final MessageStore store;
    private final BrokerConfig config;

    public ClientRelayHandlers(ClientRegistry clients, RemotingServer server, MessageStore store, BrokerConfig config) {
        this.clients = clients;
        this.server = server;
        this.store = store;
        this.config = config;
    }

    /** GET_CONSUMER_RUNNING_INFO: relayed as it is. */
    public void runningInfo(RequestContext ctx, RemotingCommand req) {
        relay(ctx, req, req.body());
    }

    /** CONSUME_MESSAGE_DIRECTLY: the message named by the offset id {@code msgId} goes along as the body. */
    public void consumeDirectly(RequestContext ctx, RemotingCommand req) {
        String msgId = req.ext("msgId");
        long offset;
        try {
            offset = MessageId.decode(msgId).commitLogOffset();
        } catch (IllegalArgumentException e) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "msgId must be an offset message id (the one mqadmin queryMsgById "
                + "takes): " + e.getMessage());
            return;
        }
        ByteBuffer record = store.recordAt(offset);
        if (record == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "no message at commit-log offset " + offset + " (msgId " + msgId + ")");
            return;
        }
        byte[] body = new byte[record.remaining()];
        record.duplicate().get(body);
        req.putExt("brokerName", config.brokerName);
        relay(ctx, req, body);
    }

    private void relay(RequestContext ctx, RemotingCommand req, byte[] body) {
        String group = req.ext("consumerGroup");
        String clientId = req.ext("clientId");
        if (group == null || clientId == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "consumerGroup and clientId are required");
            return;
        }
        ClientChannel member = member(group, clientId);
        if (member == null) {
            ctx.reply(ResponseCode.SYSTEM_ERROR, "The Consumer " + group + " " + clientId + " not online");
            return;
        }
        RemotingCommand ask = RemotingCommand.request(req.code());
        Map<String, String> fields = req.extFields();
        if (fields != null) {
            fields.forEach((k, v) -> {
                if (!RELAY_WITHHELD.contains(k)) {
                    ask.putExt(k, v);
                }
            });
        }
        if (body != null) {
            ask.body(body);
        }
        server.invoke(member.channel(), ask, CLIENT_TIMEOUT_MILLIS).whenComplete((answer, failure) -> {
            if (failure != null) {
                boolean timedOut = failure instanceof java.util.concurrent.TimeoutException
                    || failure.getCause() instanceof java.util.concurrent.TimeoutException;
                ctx.reply(timedOut ? CONSUME_MSG_TIMEOUT : ResponseCode.SYSTEM_ERROR, "consumer " + clientId + " of "
                    + group + (timedOut ? " did not answer within " + CLIENT_TIMEOUT_MILLIS + " ms"
                        : " could not be asked: " + failure.getMessage()));
                return;
            }
            RemotingCommand back = ctx.response(answer.code(), answer.remark());
            if (answer.extFields() != null) {
                answer.extFields().forEach(back::putExt);
            }
            if (answer.body() != null) {
                back.body(answer.body());
            }
            ctx.reply(back);
        });
    }

    private ClientChannel member(String group, String clientId) {
        ConsumerGroupState g = clients.consumerGroup(group);
        if (g == null) {
            return null;
        }
        for (ClientChannel c : g.channels()) {
            if (c.clientId().equals(clientId)) {
                return c;
            }
        }
        return null;
    }
}
