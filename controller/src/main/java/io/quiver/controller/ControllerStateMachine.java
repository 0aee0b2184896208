package io.quiver.controller;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;

/**
 * The controller's {@link ControllerState} as an Apache Ratis state machine: every command committed to the Raft
 * log is applied here, in log order, on Ratis's apply thread (the state's one owner), and its result is the reply
 * the proposing client receives. Reads ({@link #query}) answer a group's state from this replica. A command that
 * does not decode is answered with a refusal and changes nothing. Snapshots (every group, in one file per
 * snapshot, written atomically) let Ratis keep its log short; a restarting controller loads the newest one and
 * replays the log after it.
 */
public final class ControllerStateMachine extends BaseStateMachine {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ControllerStateMachine.class);

    private final ControllerState state = new ControllerState();
    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    /** Commands applied on this replica, visible to status pages on other threads. */
    private volatile long appliedCommands;

    private final java.util.concurrent.atomic.AtomicLong elections = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong inSyncChanges = new java.util.concurrent.atomic.AtomicLong();

    /** Elections (every change of master epoch) this controller applied since it started, its log replay included. */
    public long elections() {
        return elections.get();
    }

    /** Changes of an in-sync set by its master that this controller applied since it started. */
    public long inSyncChanges() {
        return inSyncChanges.get();
    }

    private void count(ControllerCommand c, GroupState before, ControllerState.Result r) {
        if (!r.accepted() || before == null || r.group() == null) {
            return;
        }
        if (r.group().masterEpoch() != before.masterEpoch()) {
            elections.incrementAndGet();
        } else if (c instanceof ControllerCommand.AlterInSync && r.group().inSyncEpoch() != before.inSyncEpoch()) {
            inSyncChanges.incrementAndGet();
        }
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto entry = trx.getLogEntry();
        byte[] bytes = entry.getStateMachineLogEntry().getLogData().toByteArray();
        ControllerState.Result result;
        synchronized (state) {
            try {
                ControllerCommand c = CommandCodec.decode(bytes);
                GroupState before = state.group(c.cluster(), c.brokerName()).orElse(null);
                result = state.apply(c);
                count(c, before, result);
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

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        loadSnapshot();
    }

    @Override
    public void reinitialize() throws IOException {
        loadSnapshot();
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
    }

    /**
     * Writes every group to a snapshot file named by the last applied term and index, so Ratis can drop the log
     * before it; returns that index.
     */
    @Override
    public long takeSnapshot() throws IOException {
        byte[] bytes;
        TermIndex last;
        synchronized (state) {
            last = getLastAppliedTermIndex();
            bytes = CommandCodec.encodeSnapshot(state.groups());
        }
        if (last == null) {
            return RaftLog.INVALID_LOG_INDEX;
        }
        File f = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        Path tmp = f.toPath().resolveSibling(f.getName() + ".tmp");
        Files.write(tmp, bytes);
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ch.force(true);
        }
        Files.move(tmp, f.toPath(), StandardCopyOption.ATOMIC_MOVE);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(f.toPath(), null), last));
        log.info("controller snapshot at index {}: {} broker groups, {} bytes", last.getIndex(), state.groupCount(),
            bytes.length);
        return last.getIndex();
    }

    private void loadSnapshot() throws IOException {
        SingleFileSnapshotInfo snap = storage.getLatestSnapshot();
        if (snap == null) {
            return;
        }
        byte[] bytes = Files.readAllBytes(snap.getFile().getPath());
        synchronized (state) {
            state.restore(CommandCodec.decodeSnapshot(bytes));
            setLastAppliedTermIndex(snap.getTermIndex());
        }
        log.info("controller state loaded from the snapshot at index {}", snap.getTermIndex().getIndex());
    }

    /** Commands applied so far on this replica (any thread). */
    public long appliedCommands() {
        return appliedCommands;
    }

    /** Every group on this replica (any thread). */
    public java.util.List<GroupState> groups() {
        synchronized (state) {
            return state.groups();
        }
    }

    /** A group's state on this replica (any thread; for status and tests). */
    public java.util.Optional<GroupState> group(String cluster, String brokerName) {
        synchronized (state) {
            return state.group(cluster, brokerName);
        }
    }
}
