package io.quiver.grpc;

import apache.rocketmq.v2.AckMessageEntry;
import apache.rocketmq.v2.AckMessageRequest;
import apache.rocketmq.v2.AckMessageResponse;
import apache.rocketmq.v2.AckMessageResultEntry;
import apache.rocketmq.v2.ChangeInvisibleDurationRequest;
import apache.rocketmq.v2.ChangeInvisibleDurationResponse;
import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.FilterType;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueRequest;
import apache.rocketmq.v2.ForwardMessageToDeadLetterQueueResponse;
import apache.rocketmq.v2.ReceiveMessageRequest;
import apache.rocketmq.v2.ReceiveMessageResponse;
import apache.rocketmq.v2.Status;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.TopicNames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * ReceiveMessage, AckMessage, ChangeInvisibleDuration and ForwardMessageToDeadLetterQueue: the consumer side of
 * RocketMQ 5 over the broker's POP (POP_MESSAGE with its long polling, ACK_MESSAGE, CHANGE_MESSAGE_INVISIBLETIME)
 * and CONSUMER_SEND_MSG_BACK, sent over the client's own connection.
 */
final class ConsumerService {
    /** Most messages one receive returns (the broker's POP limit). */
    static final int MAX_BATCH = 256;
    static final long MIN_INVISIBLE_MILLIS = 10_000;
    static final long MAX_INVISIBLE_MILLIS = 12 * 3_600_000L;
    /** Invisible time of messages received by push consumers, which ask the broker to renew it. */
    static final long AUTO_RENEW_INVISIBLE_MILLIS = 60_000;
    /** Kept free of a receive's deadline for the answer to travel back. */
    static final long DEADLINE_MARGIN_MILLIS = 1_000;
    static final String NO_NEW_MESSAGE = "no new message";
    /**
     * Where a group without a committed offset starts: at the first message still stored (POP's initMode 0). RocketMQ
     * starts there too while that message is in memory, which on a young topic it is.
     */
    static final int INIT_FROM_FIRST = 0;

    private final ClientSessions sessions;
    private final BrokerView broker;
    private final HandleRenewals renewals;
    private final java.util.function.Supplier<java.util.concurrent.Executor> answerOn;

    /** @param answerOn where a call's acknowledgements are answered, asked on the call's thread (its connection's loop) */
    ConsumerService(ClientSessions sessions, BrokerView broker, HandleRenewals renewals,
                    java.util.function.Supplier<java.util.concurrent.Executor> answerOn) {
        this.answerOn = answerOn;
        this.sessions = sessions;
        this.broker = broker;
        this.renewals = renewals;
    }

    /**
     * A receive pops from every queue of the broker the request names (queue -1), as RocketMQ's proxy does: a
     * simple consumer names one queue of the route per call but wants whatever is there. A FIFO group pops the
     * queue named, which it holds in order.
     */
    void receive(ClientSession s, ReceiveMessageRequest req, StreamObserver<ReceiveMessageResponse> out) {
        String group = req.getGroup().getName();
        String topic = req.getMessageQueue().getTopic().getName();
        String problem = TopicNames.validateGroup(group);
        if (problem != null) {
            finish(out, Statuses.of(Code.ILLEGAL_CONSUMER_GROUP, problem), List.of());
            return;
        }
        problem = TopicNames.validate(topic);
        if (problem != null) {
            finish(out, Statuses.of(Code.ILLEGAL_TOPIC, problem), List.of());
            return;
        }
        long invisible;
        if (req.getAutoRenew()) {
            invisible = AUTO_RENEW_INVISIBLE_MILLIS;
        } else {
            invisible = req.hasInvisibleDuration() ? Durations.toMillis(req.getInvisibleDuration()) : -1;
            if (invisible < MIN_INVISIBLE_MILLIS || invisible > MAX_INVISIBLE_MILLIS) {
                finish(out, Statuses.of(Code.ILLEGAL_INVISIBLE_TIME, "the invisible duration must be "
                    + MIN_INVISIBLE_MILLIS / 1000 + " s to 12 h, not " + invisible + " ms"), List.of());
                return;
            }
        }
        if (req.getBatchSize() < 1) {
            finish(out, Statuses.of(Code.BAD_REQUEST, "the batch size must be at least 1, not " + req.getBatchSize()),
                List.of());
            return;
        }
        long poll = pollMillis(req);
        BrokerView.GroupView policy = broker.group(group);
        boolean fifo = policy != null && policy.orderly(); // the group's setting, as the client was told
        RemotingCommand pop = RemotingCommand.request(RequestCode.POP_MESSAGE)
            .putExt("consumerGroup", group).putExt("topic", topic).putExt("queueId", fifo ? req.getMessageQueue().getId() : -1)
            .putExt("maxMsgNums", Math.min(MAX_BATCH, req.getBatchSize())).putExt("invisibleTime", invisible)
            .putExt("pollTime", poll).putExt("bornTime", System.currentTimeMillis()).putExt("initMode", INIT_FROM_FIRST)
            .putExt("order", fifo);
        if (req.hasFilterExpression() && !req.getFilterExpression().getExpression().isBlank()) {
            pop.putExt("expType", req.getFilterExpression().getType() == FilterType.SQL ? "SQL92" : "TAG")
                .putExt("exp", req.getFilterExpression().getExpression());
        }
        ServerCallStreamObserver<ReceiveMessageResponse> call =
            out instanceof ServerCallStreamObserver<ReceiveMessageResponse> c ? c : null;
        if (call != null) {
            call.setOnCancelHandler(() -> { }); // the answer is dropped; its messages are handed back below
        }
        sessions.call(s, pop, poll + 5_000).whenComplete((resp, e) -> {
            if (e != null) {
                finish(out, Statuses.ofFailure(e), List.of());
            } else if (resp.code() == ResponseCode.SUCCESS && call != null && call.isCancelled()) {
                handBack(s, group, topic, resp); // the client stopped waiting (it closed, or its deadline passed)
            } else if (resp.code() == ResponseCode.SUCCESS) {
                List<apache.rocketmq.v2.Message> messages = messages(resp, group, s.metadata().namespace(),
                    req.getAutoRenew() ? s : null);
                finish(out, messages.isEmpty() ? Statuses.of(Code.MESSAGE_NOT_FOUND, NO_NEW_MESSAGE) : Statuses.OK, messages);
            } else if (resp.code() == ResponseCode.POLLING_TIMEOUT || resp.code() == ResponseCode.PULL_NOT_FOUND
                || resp.code() == ResponseCode.NO_MESSAGE
                || resp.code() == ResponseCode.TOPIC_NOT_EXIST && broker.topic(topic) != null) {
                // a topic the first send will create has no message yet
                finish(out, Statuses.of(Code.MESSAGE_NOT_FOUND, NO_NEW_MESSAGE), List.of());
            } else {
                finish(out, Statuses.ofResponse(resp), List.of());
            }
        });
    }

    /**
     * Makes the messages of a pop nobody will receive visible again at once, rather than after their invisible time
     * (a minute for a push consumer): a receive cancelled while its pop was under way, for example the long poll of a
     * consumer that has just closed.
     */
    private void handBack(ClientSession s, String group, String topic, RemotingCommand popped) {
        for (apache.rocketmq.v2.Message m : messages(popped, group, s.metadata().namespace(), null)) {
            ReceiptHandle handle = ReceiptHandle.decode(m.getSystemProperties().getReceiptHandle());
            sessions.call(s, changeRequest(group, topic, handle, 0), ClientService.BROKER_TIMEOUT_MILLIS);
        }
    }

    /** How long a receive may wait: what it asks (20 s at most), within its deadline less a margin. */
    static long pollMillis(ReceiveMessageRequest req) {
        long poll = req.hasLongPollingTimeout() ? Durations.toMillis(req.getLongPollingTimeout())
            : ClientSettings.LONG_POLLING_TIMEOUT.toMillis();
        poll = Math.max(0, Math.min(poll, ClientSettings.LONG_POLLING_TIMEOUT.toMillis()));
        Deadline d = Context.current().getDeadline();
        if (d != null) {
            poll = Math.min(poll, Math.max(0, d.timeRemaining(TimeUnit.MILLISECONDS) - DEADLINE_MARGIN_MILLIS));
        }
        return poll;
    }

    /** The messages of a POP answer, each with its receipt handle; held for renewal for {@code renewFor}, if not null. */
    private List<apache.rocketmq.v2.Message> messages(RemotingCommand resp, String group, String namespace,
                                                      ClientSession renewFor) {
        Map<String, String> h = resp.extFields();
        long popTime = Long.parseLong(h.get("popTime"));
        long invisible = Long.parseLong(h.get("invisibleTime"));
        int reviveQid = Integer.parseInt(h.get("reviveQid"));
        Map<String, Long> starts = new HashMap<>();
        String startInfo = h.get("startOffsetInfo");
        if (startInfo != null && !startInfo.isEmpty()) {
            for (String part : startInfo.split(";")) {
                String[] f = part.split(" ");
                starts.put(f[0] + " " + f[1], Long.parseLong(f[2]));
            }
        }
        Map<String, Integer> redelivered = redeliveries(h.get("orderCountInfo"));
        List<apache.rocketmq.v2.Message> out = new ArrayList<>();
        byte[] body = resp.body();
        if (body == null) {
            return out;
        }
        ByteBuffer buf = ByteBuffer.wrap(body);
        int at = 0;
        while (at + 4 <= body.length) {
            int size = buf.getInt(at);
            if (size <= 0 || at + size > body.length) {
                break;
            }
            DecodedMessage d = MessageRecord.decode(buf, at);
            at += size;
            boolean retry = d.topic.startsWith(TopicNames.RETRY_PREFIX);
            Long start = starts.get((retry ? "1" : "0") + " " + d.queueId);
            ReceiptHandle handle = new ReceiptHandle(start == null ? d.queueOffset : start, popTime, invisible, reviveQid,
                retry, broker.brokerName(), d.queueId, d.queueOffset, d.physicalOffset);
            apache.rocketmq.v2.Message m = MessageConverter.toGrpc(d, MessageConverter.consumerTopic(d), namespace,
                handle.encode());
            Integer again = redelivered.get((retry ? "1" : "0") + " qo" + d.queueId + "%" + d.queueOffset);
            if (again != null) { // a FIFO message that came back: it is the same record, so the broker counts for it
                m = m.toBuilder().setSystemProperties(m.getSystemProperties().toBuilder()
                    .setDeliveryAttempt(d.reconsumeTimes + 1 + again)).build();
            }
            if (renewFor != null) {
                renewals.hold(renewFor, group, m.getTopic().getName(), m.getSystemProperties().getMessageId(), handle);
            }
            out.add(m);
        }
        return out;
    }

    /** The per-message counts of a FIFO pop's {@code orderCountInfo}: "marker qo<queue>%<offset>" to count. */
    static Map<String, Integer> redeliveries(String orderCountInfo) {
        Map<String, Integer> out = new HashMap<>();
        if (orderCountInfo == null || orderCountInfo.isEmpty()) {
            return out;
        }
        for (String part : orderCountInfo.split(";")) {
            String[] f = part.split(" ");
            if (f.length == 3 && f[1].startsWith("qo")) {
                try {
                    out.put(f[0] + " " + f[1], Integer.parseInt(f[2]));
                } catch (NumberFormatException ignored) {
                    // not a count: the message reads as a first delivery
                }
            }
        }
        return out;
    }

    /** Answers a receive: its status, its messages, the delivery time, as the SDKs read them. */
    private static void finish(StreamObserver<ReceiveMessageResponse> out, Status status,
                               List<apache.rocketmq.v2.Message> messages) {
        try {
            out.onNext(ReceiveMessageResponse.newBuilder().setStatus(status).build());
            for (apache.rocketmq.v2.Message m : messages) {
                out.onNext(ReceiveMessageResponse.newBuilder().setMessage(m).build());
            }
            out.onNext(ReceiveMessageResponse.newBuilder().setDeliveryTimestamp(Timestamps.fromMillis(
                System.currentTimeMillis())).build());
            out.onCompleted();
        } catch (RuntimeException e) {
            // the client cancelled; its messages become visible again after their invisible time
        }
    }

    void ack(ClientSession s, AckMessageRequest req, StreamObserver<AckMessageResponse> out) {
        String group = req.getGroup().getName();
        String topic = req.getTopic().getName();
        if (req.getEntriesCount() == 0) {
            ClientService.reply(out, AckMessageResponse.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                "no entry to acknowledge")).build());
            return;
        }
        if (req.getEntriesCount() > ProducerService.MAX_MESSAGES_PER_SEND) {
            ClientService.reply(out, AckMessageResponse.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                "at most " + ProducerService.MAX_MESSAGES_PER_SEND + " entries per call")).build());
            return;
        }
        List<CompletableFuture<AckMessageResultEntry>> results = new ArrayList<>();
        for (AckMessageEntry entry : req.getEntriesList()) {
            results.add(ackOne(s, group, topic, entry));
        }
        CompletableFuture.allOf(results.toArray(new CompletableFuture[0])).whenCompleteAsync((v, e) -> {
            AckMessageResponse.Builder resp = AckMessageResponse.newBuilder();
            List<Status> statuses = new ArrayList<>();
            for (CompletableFuture<AckMessageResultEntry> f : results) {
                AckMessageResultEntry r = f.join();
                resp.addEntries(r);
                statuses.add(r.getStatus());
            }
            ClientService.reply(out, resp.setStatus(ProducerService.summary(statuses)).build());
        }, answerOn.get());
    }

    private CompletableFuture<AckMessageResultEntry> ackOne(ClientSession s, String group, String topic,
                                                            AckMessageEntry entry) {
        AckMessageResultEntry.Builder r = AckMessageResultEntry.newBuilder().setMessageId(entry.getMessageId())
            .setReceiptHandle(entry.getReceiptHandle());
        ReceiptHandle handle;
        try {
            handle = ReceiptHandle.decode(entry.getReceiptHandle());
        } catch (IllegalArgumentException e) {
            return CompletableFuture.completedFuture(r.setStatus(Statuses.of(Code.INVALID_RECEIPT_HANDLE, e.getMessage()))
                .build());
        }
        return renewals.release(s, group, entry.getMessageId(), handle)
            .thenCompose(newest -> ack(group, topic, newest))
            .handle((a, e) -> r.setStatus(e != null ? Statuses.ofFailure(e) : ackStatus(a)).build());
    }

    /** Acknowledges at the broker directly (the call the SDKs make once per message, so no remoting command). */
    private CompletableFuture<BrokerView.Answer> ack(String group, String topic, ReceiptHandle handle) {
        return broker.ack(group, brokerTopic(group, topic, handle), handle.queueId(), handle.extraInfo(),
            handle.queueOffset());
    }

    private static Status ackStatus(BrokerView.Answer a) {
        if (a.code() == ResponseCode.SUCCESS) {
            return Statuses.OK;
        }
        if (a.code() == ResponseCode.MESSAGE_ILLEGAL) {
            return Statuses.of(Code.INVALID_RECEIPT_HANDLE, a.remark());
        }
        return Statuses.of(Statuses.of(a.code()), a.remark() == null ? "" : a.remark());
    }

    void changeInvisibleDuration(ClientSession s, ChangeInvisibleDurationRequest req,
                                 StreamObserver<ChangeInvisibleDurationResponse> out) {
        ReceiptHandle handle;
        try {
            handle = ReceiptHandle.decode(req.getReceiptHandle());
        } catch (IllegalArgumentException e) {
            ClientService.reply(out, ChangeInvisibleDurationResponse.newBuilder()
                .setStatus(Statuses.of(Code.INVALID_RECEIPT_HANDLE, e.getMessage())).build());
            return;
        }
        long invisible = Durations.toMillis(req.getInvisibleDuration());
        if (invisible < 0 || invisible > MAX_INVISIBLE_MILLIS) {
            ClientService.reply(out, ChangeInvisibleDurationResponse.newBuilder()
                .setStatus(Statuses.of(Code.ILLEGAL_INVISIBLE_TIME, "the invisible duration must be 0 to 12 h, not "
                    + invisible + " ms")).build());
            return;
        }
        String group = req.getGroup().getName();
        CompletableFuture<ReceiptHandle> newest = renewals.release(s, group, req.getMessageId(), handle);
        newest.thenCompose(h -> sessions.call(s, changeRequest(group, req.getTopic().getName(), h, invisible),
            ClientService.BROKER_TIMEOUT_MILLIS)).whenComplete((resp, e) -> {
            ChangeInvisibleDurationResponse.Builder b = ChangeInvisibleDurationResponse.newBuilder();
            if (e != null) {
                b.setStatus(Statuses.ofFailure(e));
            } else if (resp.code() == ResponseCode.SUCCESS) {
                long popTime = Long.parseLong(resp.extFields().get("popTime"));
                long inv = Long.parseLong(resp.extFields().get("invisibleTime"));
                b.setStatus(Statuses.OK).setReceiptHandle(newest.join().renewed(popTime, inv).encode());
            } else if (resp.code() == ResponseCode.MESSAGE_ILLEGAL || resp.code() == ResponseCode.NO_MESSAGE) {
                b.setStatus(Statuses.of(Code.INVALID_RECEIPT_HANDLE, resp.remark()));
            } else {
                b.setStatus(Statuses.ofResponse(resp));
            }
            ClientService.reply(out, b.build());
        });
    }

    void forwardToDeadLetterQueue(ClientSession s, ForwardMessageToDeadLetterQueueRequest req,
                                  StreamObserver<ForwardMessageToDeadLetterQueueResponse> out) {
        ReceiptHandle handle;
        try {
            handle = ReceiptHandle.decode(req.getReceiptHandle());
        } catch (IllegalArgumentException e) {
            ClientService.reply(out, ForwardMessageToDeadLetterQueueResponse.newBuilder()
                .setStatus(Statuses.of(Code.INVALID_RECEIPT_HANDLE, e.getMessage())).build());
            return;
        }
        if (handle.commitLogOffset() < 0) {
            ClientService.reply(out, ForwardMessageToDeadLetterQueueResponse.newBuilder()
                .setStatus(Statuses.of(Code.INVALID_RECEIPT_HANDLE, "the receipt handle names no stored message")).build());
            return;
        }
        String group = req.getGroup().getName();
        String topic = req.getTopic().getName();
        RemotingCommand back = RemotingCommand.request(RequestCode.CONSUMER_SEND_MSG_BACK)
            .putExt("offset", handle.commitLogOffset()).putExt("group", group).putExt("delayLevel", -1)
            .putExt("originMsgId", req.getMessageId()).putExt("originTopic", topic).putExt("maxReconsumeTimes", 0);
        CompletableFuture<ReceiptHandle> newest = renewals.release(s, group, req.getMessageId(), handle);
        newest.thenCompose(h -> sessions.call(s, back, ClientService.BROKER_TIMEOUT_MILLIS)).thenCompose(resp -> {
            if (resp.code() != ResponseCode.SUCCESS) {
                return CompletableFuture.completedFuture(Statuses.ofResponse(resp));
            }
            return ack(group, topic, newest.join()).thenApply(ConsumerService::ackStatus);
        }).whenComplete((status, e) -> ClientService.reply(out, ForwardMessageToDeadLetterQueueResponse.newBuilder()
            .setStatus(e != null ? Statuses.ofFailure(e) : status).build()));
    }

    static RemotingCommand changeRequest(String group, String topic, ReceiptHandle handle, long invisibleMillis) {
        return RemotingCommand.request(RequestCode.CHANGE_MESSAGE_INVISIBLETIME)
            .putExt("consumerGroup", group).putExt("topic", brokerTopic(group, topic, handle))
            .putExt("queueId", handle.queueId()).putExt("extraInfo", handle.extraInfo())
            .putExt("offset", handle.queueOffset()).putExt("invisibleTime", invisibleMillis);
    }

    /** The topic the broker holds a received message in: the group's POP retry topic for a redelivery. */
    static String brokerTopic(String group, String topic, ReceiptHandle handle) {
        return handle.retry() ? TopicNames.popRetryTopic(group, topic) : topic;
    }
}
