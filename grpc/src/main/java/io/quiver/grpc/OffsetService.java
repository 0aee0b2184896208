package io.quiver.grpc;

import apache.rocketmq.v2.Code;
import apache.rocketmq.v2.FilterType;
import apache.rocketmq.v2.GetOffsetRequest;
import apache.rocketmq.v2.GetOffsetResponse;
import apache.rocketmq.v2.PullMessageRequest;
import apache.rocketmq.v2.PullMessageResponse;
import apache.rocketmq.v2.QueryOffsetPolicy;
import apache.rocketmq.v2.QueryOffsetRequest;
import apache.rocketmq.v2.QueryOffsetResponse;
import apache.rocketmq.v2.Status;
import apache.rocketmq.v2.UpdateOffsetRequest;
import apache.rocketmq.v2.UpdateOffsetResponse;
import com.google.protobuf.util.Durations;
import com.google.protobuf.util.Timestamps;
import io.grpc.stub.StreamObserver;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.TopicNames;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The pull consumer's RPCs of the newer protos: PullMessage (the broker's PULL_MESSAGE, with its long polling),
 * GetOffset and UpdateOffset (the group's committed offset: QUERY_CONSUMER_OFFSET, UPDATE_CONSUMER_OFFSET) and
 * QueryOffset (a queue's first or next offset, or the one at a time: GET_MIN_OFFSET, GET_MAX_OFFSET,
 * SEARCH_OFFSET_BY_TIMESTAMP). Offsets are the broker's queue offsets.
 */
final class OffsetService {
    /** Most messages one pull returns. */
    static final int MAX_PULL = 256;
    /** PULL_MESSAGE's sysFlag bits: wait for messages, and the subscription travels with the request. */
    static final int FLAG_SUSPEND = 0x2;
    static final int FLAG_SUBSCRIPTION = 0x4;

    private final ClientSessions sessions;

    OffsetService(ClientSessions sessions) {
        this.sessions = sessions;
    }

    void pull(ClientSession s, PullMessageRequest req, StreamObserver<PullMessageResponse> out) {
        String group = req.getGroup().getName();
        String topic = req.getMessageQueue().getTopic().getName();
        Status bad = groupAndTopic(group, topic);
        if (bad == null && (req.getOffset() < 0 || req.getBatchSize() < 1)) {
            bad = Statuses.of(Code.BAD_REQUEST, "the offset must not be negative and the batch size at least 1");
        }
        if (bad != null) {
            pulled(out, bad, List.of(), -1);
            return;
        }
        long poll = req.hasLongPollingTimeout() ? Math.max(0, Math.min(Durations.toMillis(req.getLongPollingTimeout()),
            ClientSettings.LONG_POLLING_TIMEOUT.toMillis())) : 0;
        String exp = req.getFilterExpression().getExpression().isBlank() ? "*" : req.getFilterExpression().getExpression();
        RemotingCommand pull = RemotingCommand.request(RequestCode.PULL_MESSAGE)
            .putExt("consumerGroup", group).putExt("topic", topic).putExt("queueId", req.getMessageQueue().getId())
            .putExt("queueOffset", req.getOffset()).putExt("maxMsgNums", Math.min(MAX_PULL, req.getBatchSize()))
            .putExt("sysFlag", FLAG_SUBSCRIPTION | (poll > 0 ? FLAG_SUSPEND : 0)).putExt("commitOffset", 0)
            .putExt("suspendTimeoutMillis", poll).putExt("subscription", exp).putExt("subVersion", System.currentTimeMillis())
            .putExt("expressionType", req.getFilterExpression().getType() == FilterType.SQL ? "SQL92" : "TAG");
        sessions.call(s, pull, poll + 5_000).whenComplete((resp, e) -> {
            if (e != null) {
                pulled(out, Statuses.ofFailure(e), List.of(), -1);
                return;
            }
            long next = resp.extFields() != null && resp.extFields().get("nextBeginOffset") != null
                ? Long.parseLong(resp.extFields().get("nextBeginOffset")) : -1;
            switch (resp.code()) {
                case ResponseCode.SUCCESS -> pulled(out, Statuses.OK, messages(resp.body(), s.metadata().namespace()), next);
                case ResponseCode.PULL_NOT_FOUND, ResponseCode.PULL_RETRY_IMMEDIATELY -> pulled(out,
                    Statuses.of(Code.MESSAGE_NOT_FOUND, "no new message"), List.of(), next);
                case ResponseCode.PULL_OFFSET_MOVED -> pulled(out, Statuses.of(Code.ILLEGAL_OFFSET, "offset "
                    + req.getOffset() + " is outside the queue; go on from " + next), List.of(), next);
                default -> pulled(out, Statuses.ofResponse(resp), List.of(), next);
            }
        });
    }

    private static List<apache.rocketmq.v2.Message> messages(byte[] body, String namespace) {
        List<apache.rocketmq.v2.Message> out = new ArrayList<>();
        if (body == null) {
            return out;
        }
        ByteBuffer buf = ByteBuffer.wrap(body);
        for (int at = 0; at + 4 <= body.length; ) {
            int size = buf.getInt(at);
            if (size <= 0 || at + size > body.length) {
                break;
            }
            DecodedMessage d = MessageRecord.decode(buf, at);
            out.add(MessageConverter.toGrpc(d, d.topic, namespace, null));
            at += size;
        }
        return out;
    }

    /** A pull's answer: its status, its messages, then the offset to pull from next. */
    private static void pulled(StreamObserver<PullMessageResponse> out, Status status,
                               List<apache.rocketmq.v2.Message> messages, long next) {
        try {
            out.onNext(PullMessageResponse.newBuilder().setStatus(status).build());
            for (apache.rocketmq.v2.Message m : messages) {
                out.onNext(PullMessageResponse.newBuilder().setMessage(m).build());
            }
            if (next >= 0) {
                out.onNext(PullMessageResponse.newBuilder().setNextOffset(next).build());
            }
            out.onCompleted();
        } catch (RuntimeException e) {
            // the client went away
        }
    }

    void getOffset(ClientSession s, GetOffsetRequest req, StreamObserver<GetOffsetResponse> out) {
        String group = req.getGroup().getName();
        String topic = req.getMessageQueue().getTopic().getName();
        Status bad = groupAndTopic(group, topic);
        if (bad != null) {
            ClientService.reply(out, GetOffsetResponse.newBuilder().setStatus(bad).build());
            return;
        }
        RemotingCommand q = RemotingCommand.request(RequestCode.QUERY_CONSUMER_OFFSET).putExt("consumerGroup", group)
            .putExt("topic", topic).putExt("queueId", req.getMessageQueue().getId());
        sessions.call(s, q, ClientService.BROKER_TIMEOUT_MILLIS).whenComplete((resp, e) -> {
            GetOffsetResponse.Builder b = GetOffsetResponse.newBuilder();
            if (e != null) {
                b.setStatus(Statuses.ofFailure(e));
            } else if (resp.code() == ResponseCode.SUCCESS) {
                b.setStatus(Statuses.OK).setOffset(Long.parseLong(resp.extFields().get("offset")));
            } else if (resp.code() == ResponseCode.QUERY_NOT_FOUND) {
                b.setStatus(Statuses.of(Code.OFFSET_NOT_FOUND, "group " + group + " has committed no offset of this queue"));
            } else {
                b.setStatus(Statuses.ofResponse(resp));
            }
            ClientService.reply(out, b.build());
        });
    }

    void updateOffset(ClientSession s, UpdateOffsetRequest req, StreamObserver<UpdateOffsetResponse> out) {
        String group = req.getGroup().getName();
        String topic = req.getMessageQueue().getTopic().getName();
        Status bad = groupAndTopic(group, topic);
        if (bad == null && req.getOffset() < 0) {
            bad = Statuses.of(Code.ILLEGAL_OFFSET, "offset " + req.getOffset() + " is negative");
        }
        if (bad != null) {
            ClientService.reply(out, UpdateOffsetResponse.newBuilder().setStatus(bad).build());
            return;
        }
        RemotingCommand u = RemotingCommand.request(RequestCode.UPDATE_CONSUMER_OFFSET).putExt("consumerGroup", group)
            .putExt("topic", topic).putExt("queueId", req.getMessageQueue().getId()).putExt("commitOffset", req.getOffset());
        sessions.call(s, u, ClientService.BROKER_TIMEOUT_MILLIS).whenComplete((resp, e) -> ClientService.reply(out,
            UpdateOffsetResponse.newBuilder().setStatus(e != null ? Statuses.ofFailure(e) : resp.code() == 0 ? Statuses.OK
                : Statuses.ofResponse(resp)).build()));
    }

    void queryOffset(ClientSession s, QueryOffsetRequest req, StreamObserver<QueryOffsetResponse> out) {
        String topic = req.getMessageQueue().getTopic().getName();
        String problem = TopicNames.validate(topic);
        if (problem != null) {
            ClientService.reply(out, QueryOffsetResponse.newBuilder().setStatus(Statuses.of(Code.ILLEGAL_TOPIC, problem))
                .build());
            return;
        }
        RemotingCommand q;
        if (req.getQueryOffsetPolicy() == QueryOffsetPolicy.TIMESTAMP) {
            if (!req.hasTimestamp()) {
                ClientService.reply(out, QueryOffsetResponse.newBuilder().setStatus(Statuses.of(Code.BAD_REQUEST,
                    "policy TIMESTAMP needs a timestamp")).build());
                return;
            }
            q = RemotingCommand.request(RequestCode.SEARCH_OFFSET_BY_TIMESTAMP)
                .putExt("timestamp", Timestamps.toMillis(req.getTimestamp()));
        } else {
            q = RemotingCommand.request(req.getQueryOffsetPolicy() == QueryOffsetPolicy.END ? RequestCode.GET_MAX_OFFSET
                : RequestCode.GET_MIN_OFFSET);
        }
        q.putExt("topic", topic).putExt("queueId", req.getMessageQueue().getId());
        sessions.call(s, q, ClientService.BROKER_TIMEOUT_MILLIS).whenComplete((resp, e) -> {
            QueryOffsetResponse.Builder b = QueryOffsetResponse.newBuilder();
            if (e != null) {
                b.setStatus(Statuses.ofFailure(e));
            } else if (resp.code() == ResponseCode.SUCCESS) {
                b.setStatus(Statuses.OK).setOffset(Long.parseLong(resp.extFields().get("offset")));
            } else {
                b.setStatus(Statuses.ofResponse(resp));
            }
            ClientService.reply(out, b.build());
        });
    }

    private static Status groupAndTopic(String group, String topic) {
        String problem = TopicNames.validateGroup(group);
        if (problem != null) {
            return Statuses.of(Code.ILLEGAL_CONSUMER_GROUP, problem);
        }
        problem = TopicNames.validate(topic);
        return problem == null ? null : Statuses.of(Code.ILLEGAL_TOPIC, problem);
    }
}
