package io.quiver.grpc;

import io.quiver.protocol.header.SendMessageRequestHeader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * What the gRPC endpoint needs of the broker it serves beside its remoting requests: its name, its topics' queues and
 * message types, its consumer groups' retry policy, its size limit, and its send pipeline entered directly (a send is
 * the endpoint's most frequent call, so it skips the remoting command and the in-process hop). The broker implements
 * it over its own tables; tests implement it directly.
 */
public interface BrokerView {
    String brokerName();

    /** The topic as the broker serves it; null when it has no such topic and would not create it on a send. */
    TopicView topic(String name);

    /** The group's policy; null when the broker has no such group and would not create it. */
    GroupView group(String name);

    /** Largest body the broker stores (maxMessageSize). */
    int maxMessageSize();

    /**
     * A topic's queues. {@code messageType} is the topic's {@code message.type} attribute (NORMAL, FIFO, DELAY,
     * TRANSACTION, MIXED), or null when it has none: then it takes every type.
     */
    record TopicView(String name, int readQueues, int writeQueues, int perm, String messageType) {}

    /** A group's policy: how often a message is redelivered, the delays between, and whether it consumes in order. */
    record GroupView(int retryMaxTimes, List<Duration> retryDelays, boolean orderly) {}

    /**
     * Stores one message through the broker's send pipeline, the one SEND_MESSAGE_V2 takes (checks, routing, delay,
     * transactions, statistics), completed on {@code completeOn}.
     *
     * @param properties the message's properties, the broker's to change
     * @param from       the producer's address
     */
    CompletableFuture<Sent> send(SendMessageRequestHeader header, Map<String, String> properties, byte[] body,
                                 InetSocketAddress from, Executor completeOn);

    /**
     * A send's outcome: a remoting response code and remark; for a stored message its queue offset and where its record
     * starts in the commit log.
     */
    record Sent(int code, String remark, long queueOffset, long commitLogOffset) {}

    /**
     * Acknowledges a message received over POP, as ACK_MESSAGE does: {@code topic} is where the broker holds it (the
     * group's POP retry topic for a redelivery), {@code extraInfo} the receipt's broker part. Never completes
     * exceptionally; the outcome is a remoting response code and remark.
     */
    CompletableFuture<Answer> ack(String group, String topic, int queueId, String extraInfo, long offset);

    /** A remoting response code and remark, for calls that answer nothing more. */
    record Answer(int code, String remark) {}

    /**
     * The masters of the other broker groups that serve {@code topic}, with their gRPC endpoints, as the name servers
     * know them: empty when there are none or no name server answers. Never completes exceptionally.
     */
    CompletableFuture<List<Peer>> peers(String topic);

    /** Another broker group's master and its queues of a topic. */
    record Peer(String brokerName, String host, int port, int readQueues, int writeQueues, int perm) {}

    /**
     * The broker's access control of a gRPC call with these headers from {@code remoteIp}: a refusal, or what the caller
     * may do (always everything, without ACL).
     *
     * @param authorization the {@code authorization} header (null when absent)
     * @param dateTime      the {@code x-mq-date-time} header it signs (null when absent)
     */
    default Access grpcAccess(String authorization, String dateTime, String remoteIp) {
        return Access.OPEN;
    }

    /** A call's access: refused with {@code refusal}, or served with what {@code grant} allows. */
    record Access(String refusal, Grant grant) {
        public static final Access OPEN = new Access(null, Grant.ALL);
    }
}
