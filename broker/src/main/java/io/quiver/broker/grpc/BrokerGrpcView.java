package io.quiver.broker.grpc;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.config.DelayLevels;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.grpc.BrokerView;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.broker.handler.PopHandlers;
import io.quiver.broker.send.SendOutcome;
import io.quiver.broker.send.SendRequest;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.BrokerData;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.header.SendMessageRequestHeader;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.PermName;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The broker as its gRPC endpoint sees it: names, topics and groups read from the broker's own tables, and its send
 * pipeline.
 */
public final class BrokerGrpcView implements BrokerView {
    /** The first delay level a redelivery waits (10 s by default), as for remoting consumers. */
    static final int FIRST_RETRY_LEVEL = 3;

    private final BrokerConfig config;
    private final TopicTable topics;
    private final SubscriptionGroupTable groups;
    private final List<Duration> retryDelays;
    private final Sender sender;
    private final PopHandlers pops;
    private final NameServerCall nameServer;
    private final GrpcAccess access;

    /** The broker's send pipeline behind its guards. */
    @FunctionalInterface
    public interface Sender {
        CompletableFuture<SendOutcome> send(SendRequest r, Executor completeOn);
    }

    /** One request to a name server (any of them); fails when none answers. */
    @FunctionalInterface
    public interface NameServerCall {
        CompletableFuture<RemotingCommand> ask(RemotingCommand request);
    }

    /** The broker's access control for gRPC calls: what a call with these headers may do, or why it is refused. */
    @FunctionalInterface
    public interface GrpcAccess {
        Access access(String authorization, String dateTime, String remoteIp);
    }

    public BrokerGrpcView(BrokerConfig config, TopicTable topics, SubscriptionGroupTable groups, Sender sender,
                          PopHandlers pops, NameServerCall nameServer, GrpcAccess access) {
        this.config = config;
        this.access = access;
        this.nameServer = nameServer;
        this.sender = sender;
        this.pops = pops;
        this.topics = topics;
        this.groups = groups;
        DelayLevels levels = DelayLevels.parse(config.messageDelayLevel);
        List<Duration> delays = new ArrayList<>();
        for (int l = FIRST_RETRY_LEVEL; l <= levels.maxLevel(); l++) {
            delays.add(Duration.ofMillis(levels.millis(l)));
        }
        this.retryDelays = List.copyOf(delays);
    }

    @Override
    public String brokerName() {
        return config.brokerName;
    }

    @Override
    public TopicView topic(String name) {
        TopicConfig t = topics.get(name);
        if (t == null) {
            return config.autoCreateTopicEnable
                ? new TopicView(name, config.defaultTopicQueueNums, config.defaultTopicQueueNums, PermName.READ_WRITE, null)
                : null;
        }
        String type = t.attributes == null ? null : t.attributes.get("message.type");
        return new TopicView(name, t.readQueueNums, t.writeQueueNums, t.perm & config.brokerPermission, type);
    }

    @Override
    public GroupView group(String name) {
        SubscriptionGroupConfig g = groups.get(name);
        if (g == null) {
            return config.autoCreateSubscriptionGroup ? new GroupView(new SubscriptionGroupConfig(name).retryMaxTimes,
                retryDelays, false) : null;
        }
        return new GroupView(g.retryMaxTimes, retryDelays, g.consumeMessageOrderly);
    }

    @Override
    public int maxMessageSize() {
        return config.maxMessageSize;
    }

    @Override
    public CompletableFuture<Sent> send(SendMessageRequestHeader header, Map<String, String> properties, byte[] body,
                                        InetSocketAddress from, Executor completeOn) {
        boolean tx = MessageSysFlag.transactionType(header.sysFlag()) == MessageSysFlag.TRANSACTION_PREPARED_TYPE;
        SendRequest r = new SendRequest(header, body, false, tx, properties, from.getAddress().getAddress(), from.getPort());
        return sender.send(r, completeOn).thenApply(o -> new Sent(o.code(), o.remark(), o.queueOffset(),
            o.commitLogOffsets().length > 0 ? o.commitLogOffsets()[0] : -1));
    }

    @Override
    public CompletableFuture<Answer> ack(String group, String topic, int queueId, String extraInfo, long offset) {
        if (config.isReplica()) { // as ACK_MESSAGE at a replica
            return CompletableFuture.completedFuture(new Answer(ResponseCode.SERVICE_NOT_AVAILABLE, "broker "
                + config.brokerName + " is a replica (brokerRole=SLAVE): acknowledgements go to its master"));
        }
        return pops.ack(group, topic, queueId, extraInfo, offset).thenApply(a -> new Answer(a.code(), a.remark()));
    }

    @Override
    public CompletableFuture<List<Peer>> peers(String topic) {
        RemotingCommand req = RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).putExt("topic", topic)
            .putExt(RequestHeaders.GrpcAddresses.ASK, true);
        CompletableFuture<RemotingCommand> answer;
        try {
            answer = nameServer.ask(req);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        return answer.handle((resp, e) -> e != null || resp.code() != ResponseCode.SUCCESS || resp.body() == null
            ? List.<Peer>of() : peers(Json.decode(resp.body(), TopicRouteData.class),
            RequestHeaders.GrpcAddresses.decode(resp.ext(RequestHeaders.GrpcAddresses.FIELD))));
    }

    /** The masters of other broker groups in {@code route} that registered a gRPC endpoint. */
    List<Peer> peers(TopicRouteData route, Map<String, String> grpcByBrokerAddr) {
        List<Peer> out = new ArrayList<>();
        for (BrokerData b : route.brokerDatas) {
            String master = b.brokerAddrs.get(0L);
            String grpc = master == null ? null : grpcByBrokerAddr.get(master);
            int colon = grpc == null ? -1 : grpc.lastIndexOf(':');
            if (b.brokerName == null || b.brokerName.equals(config.brokerName) || colon <= 0) {
                continue;
            }
            for (TopicRouteData.QueueData q : route.queueDatas) {
                if (b.brokerName.equals(q.brokerName)) {
                    try {
                        out.add(new Peer(b.brokerName, grpc.substring(0, colon), Integer.parseInt(grpc.substring(colon + 1)),
                            q.readQueueNums, q.writeQueueNums, q.perm));
                    } catch (NumberFormatException ignored) {
                        // not an endpoint: that broker is left out of gRPC routes
                    }
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public Access grpcAccess(String authorization, String dateTime, String remoteIp) {
        return access.access(authorization, dateTime, remoteIp);
    }
}
