package io.quiver.broker.handler;

import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.client.ConsumerGroupState;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RemotingServer;
import io.quiver.remoting.RequestContext;
import io.quiver.remoting.RequestHandler;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * INVOKE_BROKER_TO_GET_CONSUMER_STATUS (fact sheet §9.4): asks every online member of a group (or the one
 * at {@code clientAddr}) for its consume offsets with GET_CONSUMER_STATUS_FROM_CLIENT and answers
 * {@code {"consumerTable":{clientId:{<MessageQueue>:offset}},"messageQueueTable":{}}}. Client bodies hold
 * MessageQueue-keyed maps (fact sheet §12.2), so each client's table is copied as raw JSON, never parsed.
 * Runs on the admin pool; waits at most {@link #CLIENT_TIMEOUT_MILLIS} per client.
 */
public final class ConsumerStatusHandler implements RequestHandler {
    static final long CLIENT_TIMEOUT_MILLIS = 5_000;

    private final ClientRegistry clients;
    private final RemotingServer server;

    public ConsumerStatusHandler(ClientRegistry clients, RemotingServer server) {
        this.clients = clients;
        this.server = server;
    }

    @Override
    public void handle(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.ConsumerStatus h = RequestHeaders.ConsumerStatus.decode(req);
        String topic = h.topic();
        String group = h.group();
        String clientAddr = h.clientAddr();
        ConsumerGroupState g = clients.consumerGroup(group);
        if (g == null || g.isEmpty()) {
            ctx.reply(ResponseCode.CONSUMER_NOT_ONLINE, "the consumer group[" + group + "] not online");
            return;
        }
        List<ClientChannel> members = new ArrayList<>();
        for (ClientChannel c : g.channels()) {
            if (clientAddr == null || clientAddr.isBlank() || c.remoteAddress().equals(clientAddr)) {
                members.add(c);
            }
        }
        List<CompletableFuture<RemotingCommand>> calls = new ArrayList<>();
        for (ClientChannel c : members) {
            RemotingCommand ask = RemotingCommand.request(RequestCode.GET_CONSUMER_STATUS_FROM_CLIENT)
                .putExt("topic", topic).putExt("group", group).putExt("clientAddr", c.remoteAddress());
            calls.add(server.invoke(c.channel(), ask, CLIENT_TIMEOUT_MILLIS));
        }
        StringBuilder table = new StringBuilder();
        for (int i = 0; i < members.size(); i++) {
            RemotingCommand resp;
            try {
                resp = calls.get(i).get(CLIENT_TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                continue; // a client that does not answer is left out, as official brokers do
            }
            if (resp.code() != ResponseCode.SUCCESS || resp.body() == null) {
                continue;
            }
            String offsets = rawObject(new String(resp.body(), StandardCharsets.UTF_8), "messageQueueTable");
            if (table.length() > 0) {
                table.append(',');
            }
            table.append(Json.encodeToString(members.get(i).clientId())).append(':').append(offsets == null ? "{}" : offsets);
        }
        String body = "{\"consumerTable\":{" + table + "},\"messageQueueTable\":{}}";
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(body.getBytes(StandardCharsets.UTF_8)));
    }

    /** The raw JSON object that follows {@code "field":} in {@code json} (balanced braces, strings respected). */
    static String rawObject(String json, String field) {
        int at = json.indexOf("\"" + field + "\"");
        if (at < 0) {
            return null;
        }
        int start = json.indexOf('{', at + field.length() + 2);
        if (start < 0) {
            return null;
        }
        int depth = 0;
        boolean inString = false;
        for (int i = start; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return json.substring(start, i + 1);
            }
        }
        return null;
    }
}
