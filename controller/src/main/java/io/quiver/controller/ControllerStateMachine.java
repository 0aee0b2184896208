package io.quiver.controller;

import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The controller's {@link ControllerState} as an Apache Ratis state machine: every command committed to the Raft
 * log is applied here, in log order, on Ratis's apply thread (the state's one owner), and its result is the reply
 * the proposing client receives. Reads ({@link #query}) answer a group's state from this replica. A command that
 * does not decode is answered with a refusal and changes nothing.
 */
public final class ControllerStateMachine extends BaseStateMachine {
    private final ControllerState state = new ControllerState();
    /** Commands applied on this replica, visible to status pages on other threads. */
    private volatile long appliedCommands;

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] bytes = entry.getStateMachineLogEntry().getLogData().toByteArray();
        ControllerState.Result result;
        synchronized (state) {
            try {
                result = state.apply(CommandCodec.decode(bytes));
            } catch (IllegalArgumentException e) {
                result = new ControllerState.Result(null, "the command does not decode: " + e.getMessage(), -1);
            }
            appliedCommands++;
            updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
        }
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(result))));
    }

    /** A read: the message is "cluster/brokerName"; the answer is that group's state as a result. */
    @Override
    public CompletableFuture<Message> query(Message request) {
        String key = request.getContent().toStringUtf8();
        int slash = key.indexOf('/');
        if (slash < 0) {
            return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(
                new ControllerState.Result(null, "a query names a group as cluster/brokerName, not '" + key + "'", -1)))));
        }
        GroupState g;
        synchronized (state) {
            g = state.group(key.substring(0, slash), key.substring(slash + 1)).orElse(null);
        }
        ControllerState.Result r = new ControllerState.Result(g, g == null ? "unknown broker group " + key : null, -1);
        return CompletableFuture.completedFuture(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(r))));
    }

    /** Commands applied so far on this replica (any thread). */
    public long appliedCommands() {
        return appliedCommands;
    }

    /** A group's state on this replica (any thread; for status and tests). */
    public java.util.Optional<GroupState> group(String cluster, String brokerName) {
        synchronized (state) {
            return state.group(cluster, brokerName);
        }
    }
}
