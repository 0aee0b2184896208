package io.quiver.grpc;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.EndTransactionRequest;
import apache.rocketmq.v2.EndTransactionResponse;
import apache.rocketmq.v2.Message;
import apache.rocketmq.v2.MessageType;
import apache.rocketmq.v2.RecoverOrphanedTransactionCommand;
import apache.rocketmq.v2.SendMessageRequest;
import apache.rocketmq.v2.SendMessageResponse;
import apache.rocketmq.v2.SendResultEntry;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.TelemetryCommand;
import apache.rocketmq.v2.TransactionResolution;
import apache.rocketmq.v2.TransactionSource;
import io.grpc.stub.StreamObserver;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.header.SendMessageRequestHeader;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.TopicNames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SendMessage, handed straight to the broker's send pipeline ({@link BrokerView#send}); EndTransaction as the broker's
 * END_TRANSACTION, sent over the client's own connection; and the broker's transaction checks, passed on to the
 * producer over its Telemetry stream.
 */
final class ProducerService {
    private static final Logger log = LoggerFactory.getLogger(ProducerService.class);
    static final long SEND_TIMEOUT_MILLIS = 10_000;
    /** Most messages one SendMessage call may carry. */
    static final int MAX_MESSAGES_PER_SEND = 1024;

    private final ClientSessions sessions;
    private final BrokerView broker;
    private final java.util.function.Supplier<java.util.concurrent.Executor> completeOn;

    /**
     * @param completeOn where a call's stored sends are answered, asked on the call's thread: the loop serving the
     *                   call's connection (an answer built on the store's writer would hold up the next write)
     */
    ProducerService(ClientSessions sessions, BrokerView broker,
                    java.util.function.Supplier<java.util.concurrent.Executor> completeOn) {
        this.sessions = sessions;
        this.broker = broker;
        this.completeOn = completeOn;
    }

    void send(ClientSession s, SendMessageRequest req, StreamObserver<SendMessageResponse> out) {
        if (req.getMessagesCount() == 0) {
            ClientService.reply(out, SendMessageResponse.newBuilder()
                .setStatus(Statuses.of(Code.MESSAGE_CORRUPTED, "the request carries no message")).build());
            return;
        }
        if (req.getMessagesCount() > MAX_MESSAGES_PER_SEND) {
            ClientService.reply(out, SendMessageResponse.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                "at most " + MAX_MESSAGES_PER_SEND + " messages per call, not " + req.getMessagesCount())).build());
            return;
        }
        String topic = req.getMessages(0).getTopic().getName();
        for (Message m : req.getMessagesList()) {
            if (!m.getTopic().getName().equals(topic)) {
                ClientService.reply(out, SendMessageResponse.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                    "all messages of one call must have the same topic")).build());
                return;
            }
            MessageConverter.Problem p = MessageConverter.check(m, broker.maxMessageSize());
            if (p != null) {
                ClientService.reply(out, SendMessageResponse.newBuilder().setStatus(Statuses.of(p.code(), p.remark()))
                    .build());
                return;
            }
        }
        List<CompletableFuture<SendResultEntry>> entries = new ArrayList<>();
        java.util.concurrent.Executor here = completeOn.get();
        for (Message m : req.getMessagesList()) {
            entries.add(sendOne(s, m, here));
        }
        CompletableFuture.allOf(entries.toArray(new CompletableFuture[0])).whenComplete((v, e) -> {
            SendMessageResponse.Builder resp = SendMessageResponse.newBuilder();
            List<Status> statuses = new ArrayList<>();
            for (CompletableFuture<SendResultEntry> f : entries) {
                SendResultEntry entry = f.join();
                resp.addEntries(entry);
                statuses.add(entry.getStatus());
            }
            resp.setStatus(summary(statuses));
            ClientService.reply(out, resp.build());
        });
    }

    private CompletableFuture<SendResultEntry> sendOne(ClientSession s, Message m, java.util.concurrent.Executor completeOn) {
        String topic = m.getTopic().getName();
        String messageId = m.getSystemProperties().getMessageId();
        byte[] body;
        try {
            body = MessageConverter.body(m);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(entry(Statuses.of(Code.MESSAGE_CORRUPTED, e.getMessage()), messageId));
        }
        boolean transactional = m.getSystemProperties().getMessageType() == MessageType.TRANSACTION;
        BrokerView.TopicView view = broker.topic(topic);
        int createQueues = view != null ? Math.max(1, view.writeQueues()) : 4; // as many as the route showed
        SendMessageRequestHeader header = new SendMessageRequestHeader(topic, topic, TopicNames.AUTO_CREATE_TEMPLATE,
            createQueues, queueId(m), MessageConverter.sysFlag(m), bornMillis(m), 0, null,
            Math.max(0, m.getSystemProperties().getDeliveryAttempt() - 1), false, null, false, broker.brokerName());
        CompletableFuture<BrokerView.Sent> sent;
        try {
            sent = broker.send(header, new java.util.HashMap<>(MessageConverter.properties(m, topic)), body,
                s.metadata().remote(), completeOn);
        } catch (RuntimeException e) {
            sent = CompletableFuture.failedFuture(e);
        }
        return sent.handle((resp, e) -> {
            if (e != null) {
                return entry(Statuses.ofFailure(e), messageId);
            }
            Code code = Statuses.ofSend(resp.code());
            if (code != Code.OK && code != Code.MASTER_PERSISTENCE_TIMEOUT && code != Code.SLAVE_PERSISTENCE_TIMEOUT
                && code != Code.HA_NOT_AVAILABLE) {
                return entry(Statuses.of(code, resp.remark()), messageId);
            }
            SendResultEntry.Builder b = SendResultEntry.newBuilder()
                .setStatus(code == Code.OK ? Statuses.OK : Statuses.of(code, resp.remark()))
                .setMessageId(messageId).setOffset(resp.queueOffset());
            if (transactional) {
                b.setTransactionId(new TransactionId(resp.commitLogOffset(), resp.queueOffset(), messageId).encode());
            }
            return b.build();
        });
    }

    /** The queue the SDK picked (for FIFO, by the message group's hash), or -1 to let the broker choose. */
    private static int queueId(Message m) {
        int q = m.getSystemProperties().getQueueId();
        return m.getSystemProperties().hasMessageGroup() ? q : -1;
    }

    private static long bornMillis(Message m) {
        return m.getSystemProperties().hasBornTimestamp()
            ? com.google.protobuf.util.Timestamps.toMillis(m.getSystemProperties().getBornTimestamp())
            : System.currentTimeMillis();
    }

    void endTransaction(ClientSession s, EndTransactionRequest req, StreamObserver<EndTransactionResponse> out) {
        TransactionId id;
        try {
            id = TransactionId.decode(req.getTransactionId());
        } catch (IllegalArgumentException e) {
            ClientService.reply(out, EndTransactionResponse.newBuilder()
                .setStatus(Statuses.of(Code.INVALID_TRANSACTION_ID, e.getMessage())).build());
            return;
        }
        int decision;
        if (req.getResolution() == TransactionResolution.COMMIT) {
            decision = RequestHeaders.EndTransaction.COMMIT;
        } else if (req.getResolution() == TransactionResolution.ROLLBACK) {
            decision = RequestHeaders.EndTransaction.ROLLBACK;
        } else {
            ClientService.reply(out, EndTransactionResponse.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                "the resolution must be COMMIT or ROLLBACK")).build());
            return;
        }
        String messageId = req.getMessageId().isBlank() ? id.messageId() : req.getMessageId();
        RemotingCommand end = RemotingCommand.request(RequestCode.END_TRANSACTION);
        new RequestHeaders.EndTransaction(req.getTopic().getName(), id.tranStateTableOffset(), id.commitLogOffset(),
            decision, req.getSource() == TransactionSource.SOURCE_SERVER_CHECK, messageId, messageId).encode(end);
        sessions.call(s, end, ClientService.BROKER_TIMEOUT_MILLIS).whenComplete((resp, e) -> {
            Status st = e != null ? Statuses.ofFailure(e) : resp.code() == 0 ? Statuses.OK
                : Statuses.of(Code.INVALID_TRANSACTION_ID, resp.remark());
            ClientService.reply(out, EndTransactionResponse.newBuilder().setStatus(st).build());
        });
    }

    /** The broker asks the producer behind {@code s} about a half message: passed on over its Telemetry stream. */
    static void checkTransaction(ClientSession s, RemotingCommand req) {
        try {
            DecodedMessage half = MessageRecord.decode(ByteBuffer.wrap(req.body()), 0);
            long tranStateTableOffset = Long.parseLong(req.extFields().get("tranStateTableOffset"));
            long commitLogOffset = Long.parseLong(req.extFields().get("commitLogOffset"));
            String messageId = MessageProperties.valueOf(half.properties, MessageProperties.UNIQ_KEY);
            String topic = half.topic;
            Message m = MessageConverter.toGrpc(half, topic, s.metadata().namespace(), null);
            TelemetryCommand cmd = TelemetryCommand.newBuilder().setRecoverOrphanedTransactionCommand(
                RecoverOrphanedTransactionCommand.newBuilder().setMessage(m)
                    .setTransactionId(new TransactionId(commitLogOffset, tranStateTableOffset,
                        messageId == null ? half.offsetMsgId() : messageId).encode())).build();
            if (!s.tell(cmd)) {
                log.debug("transaction check for gRPC client {} dropped: no Telemetry stream open", s.clientId);
            }
        } catch (RuntimeException e) {
            log.warn("a transaction check for gRPC client {} could not be passed on: {}", s.clientId, e.toString());
        }
    }

    private static SendResultEntry entry(Status status, String messageId) {
        return SendResultEntry.newBuilder().setStatus(status).setMessageId(messageId).build();
    }

    /** One code when every entry has it; MULTIPLE_RESULTS otherwise. */
    static Status summary(List<Status> statuses) {
        if (statuses.isEmpty()) {
            return Statuses.of(Code.INTERNAL_SERVER_ERROR, "no result");
        }
        Code first = statuses.get(0).getCode();
        for (Status st : statuses) {
            if (st.getCode() != first) {
                return Statuses.of(Code.MULTIPLE_RESULTS, "the entries have different results");
            }
        }
        return statuses.size() == 1 ? statuses.get(0) : Statuses.of(first, statuses.get(0).getMessage());
    }
}
