package io.quiver.broker.transaction;

import io.netty.channel.Channel;
import io.quiver.broker.client.ClientChannel;
import io.quiver.broker.client.ClientRegistry;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.support.OffsetStateTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.protocol.message.MessageSysFlag;
import io.quiver.protocol.message.TopicNames;
import io.quiver.remoting.RemotingServer;
import io.quiver.store.Clock;
import io.quiver.store.GetResult;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageStore;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Transactional messages (fact sheet §7): half messages kept invisible in {@code RMQ_SYS_TRANS_HALF_TOPIC},
 * decisions recorded as op records in {@code RMQ_SYS_TRANS_OP_HALF_TOPIC}, and the check-back to the
 * producer group for halves left undecided.
 *
 * <p>Exactly-once: a commit appends the real message and its op record in one atomic store append, and
 * before any commit the message index is asked whether a committed copy of this half already exists (a
 * crash can cut the op record after the commit record). Decisions on one half are serialised through
 * {@link #inFlight}; the {@link OffsetStateTable} is set once the op record is stored. Check-backs run on one
 * thread, bounded per round and per producer group; progress is persisted in {@code config/transaction.json}.
 */
public final class TransactionService extends io.quiver.store.DutyCycle {
    private static final Logger log = LoggerFactory.getLogger(TransactionService.class);

    /** Most half messages examined in one check round. */
    public static final int MAX_HALVES_SCANNED_PER_ROUND = 50_000;
    /** Most check-backs sent to one producer group in one round. */
    public static final int MAX_CHECKS_PER_GROUP_PER_ROUND = 2_000;

    /** The outcome of a decision request. */
    public enum Outcome { DONE, ALREADY_DECIDED, NOT_FOUND, MISMATCH, STORE_FAILED, IGNORED }

    /** What `quiver tx list` shows of one pending half (public fields: the JSON wire names). */
    public static final class PendingTx {
        public final long halfOffset;
        public final long commitLogOffset;
        public final String topic;
        public final String producerGroup;
        public final String msgId;
        public final long ageMillis;
        public final int checks;

        PendingTx(long halfOffset, long commitLogOffset, String topic, String producerGroup, String msgId,
                  long ageMillis, int checks) {
            this.halfOffset = halfOffset;
            this.commitLogOffset = commitLogOffset;
            this.topic = topic;
            this.producerGroup = producerGroup;
            this.msgId = msgId;
            this.ageMillis = ageMillis;
            this.checks = checks;
        }
    }

    /** Persisted progress. */
    public static final class Progress {
        public long halfProgress;
        public long opReplayFrom;
    }

    /** Wall-clock time, behind an interface so tests control it. */
    private final Clock clock;
    private final BrokerConfig config;
    private final MessageStore store;
    private final ClientRegistry clients;
    private final RemotingServer server;
    private final byte[] storeHost;
    private final OffsetStateTable decisions;
    private final io.quiver.broker.support.ProgressFile<Progress> progressFile;
    private final Set<Long> inFlight = new HashSet<>();
    private final AtomicInteger roundRobin = new AtomicInteger();
    private final LongAdder prepared = new LongAdder();
    private final LongAdder committed = new LongAdder();
    private final LongAdder rolledBack = new LongAdder();
    private final LongAdder checked = new LongAdder();
    private final LongAdder discarded = new LongAdder();
    private volatile io.quiver.broker.trace.Tracer tracer = io.quiver.broker.trace.Tracer.NONE;
    private volatile long halfProgress;
    /** Longest the first rounds wait for the index to catch up with the log. */
    static final long INDEX_CATCH_UP_MILLIS = 30_000;
    // Owned by the check thread.
    private long indexWaitUntil;
    /**
     * The commit log's end when this process recovered it. A half stored after it cannot have a committed
     * copy from an earlier life of the broker, so committing it needs no index look-up. Until the service
     * starts, every half is looked up.
     */
    private volatile long recoveredLogEnd = Long.MAX_VALUE;
    private long nextRoundAt;

    public TransactionService(BrokerConfig config, MessageStore store, ClientRegistry clients, RemotingServer server,
                              byte[] storeHost, Path dataDir, Clock clock) {
        super("quiver-tx-check", 100);
        this.clock = clock;
        this.config = config;
        this.store = store;
        this.clients = clients;
        this.server = server;
        this.storeHost = storeHost;
        this.decisions = new OffsetStateTable(dataDir.resolve("transaction"));
        this.progressFile = new io.quiver.broker.support.ProgressFile<>(
            dataDir.resolve("config").resolve("transaction.json"), Progress.class, Progress::new);
    }

    // ------------------------------------------------------------------ start-up

    /** Replays op records written since the last persisted progress (then the check thread starts). */
    @Override
    protected void beforeStart() {
        recoveredLogEnd = store.commitLogWritePosition();
        Progress p = progressFile.read();
        halfProgress = p.halfProgress;
        long opMax = store.maxOffset(TopicNames.TRANS_OP_HALF_TOPIC, 0);
        long replayed = 0;
        for (long o = Math.max(p.opReplayFrom, store.minOffset(TopicNames.TRANS_OP_HALF_TOPIC, 0));
             o < opMax; ) {
            GetResult r = store.getCopies(TopicNames.TRANS_OP_HALF_TOPIC, 0, o, 32, 0, MessageFilter.ALL);
            if (r.records().isEmpty()) {
                o = Math.max(o + 1, r.nextBeginOffset());
                continue;
            }
            for (ByteBuffer rec : r.records()) {
                applyOp(MessageRecord.decode(rec, 0));
                replayed++;
            }
            o = r.nextBeginOffset();
        }
        if (replayed > 0) {
            log.info("transactions: replayed {} decision(s) from the op log", replayed);
        }
        indexWaitUntil = clock.millis() + INDEX_CATCH_UP_MILLIS;
    }

    private void applyOp(DecodedMessage op) {
        try {
            long half = Long.parseLong(new String(op.body, StandardCharsets.US_ASCII).trim().split(",")[0]);
            String d = op.propertyMap().get(MessageProperties.TRAN_DECISION);
            decisions.setDecision(half, "C".equals(d) ? OffsetStateTable.COMMITTED
                : "D".equals(d) ? OffsetStateTable.DISCARDED : OffsetStateTable.ROLLED_BACK);
        } catch (NumberFormatException e) {
            log.warn("ignoring an op record with body '{}'", new String(op.body, StandardCharsets.US_ASCII));
        }
    }

    private void writeProgress(long opReplayFrom) {
        decisions.force();
        Progress p = new Progress();
        p.halfProgress = halfProgress;
        p.opReplayFrom = opReplayFrom;
        progressFile.write(p);
    }

    // ------------------------------------------------------------------ half messages

    /** Turns a transactional send into its half message: stored invisible, real destination in properties. */
    /** Reports decisions and checks to the trace store. */
    public void traceWith(io.quiver.broker.trace.Tracer t) {
        tracer = t;
    }

    public void toHalf(MessageDraft d, Map<String, String> props) {
        props.put(MessageProperties.REAL_TOPIC, d.topic());
        props.put(MessageProperties.REAL_QID, Integer.toString(d.queueId()));
        d.properties(MessageProperties.encode(props));
        d.topic(TopicNames.TRANS_HALF_TOPIC);
        d.queueId(0);
        d.sysFlag(MessageSysFlag.withTransactionType(d.sysFlag(), MessageSysFlag.TRANSACTION_NOT_TYPE));
        d.tagsCode(0);
        prepared.increment();
    }

    // ------------------------------------------------------------------ decisions

    /** END_TRANSACTION from a producer (its own decision or its answer to a check). */
    public CompletableFuture<Outcome> end(RequestHeaders.EndTransaction h, java.util.concurrent.Executor completeOn) {
        int decision = switch (h.commitOrRollback()) {
            case RequestHeaders.EndTransaction.COMMIT -> OffsetStateTable.COMMITTED;
            case RequestHeaders.EndTransaction.ROLLBACK -> OffsetStateTable.ROLLED_BACK;
            default -> OffsetStateTable.PENDING;
        };
        if (decision == OffsetStateTable.PENDING) {
            return CompletableFuture.completedFuture(Outcome.IGNORED); // "unknown": stays pending, checked later
        }
        return decide(h.commitLogOffset(), h.tranStateTableOffset(), h.producerGroup(), decision, completeOn);
    }

    /** Records a decision for the half at {@code halfPhy} / {@code halfQueueOffset}, at most once. */
    /** Records a decision; the outcome is completed on {@code completeOn}. */
    CompletableFuture<Outcome> decide(long halfPhy, long halfQueueOffset, String producerGroup, int decision,
                                      java.util.concurrent.Executor completeOn) {
        ByteBuffer rec = store.recordAt(halfPhy);
        if (rec == null) {
            log.warn("transaction decision for unknown half message at commit-log offset {}", halfPhy);
            return CompletableFuture.completedFuture(Outcome.NOT_FOUND);
        }
        DecodedMessage half = MessageRecord.decode(rec, 0);
        Map<String, String> props = half.propertyMap();
        if (!TopicNames.TRANS_HALF_TOPIC.equals(half.topic) || half.queueOffset != halfQueueOffset
            || (producerGroup != null && !producerGroup.equals(props.get(MessageProperties.PGROUP)))) {
            log.warn("transaction decision refused: the message at {} is not half {} of producer group {}", halfPhy,
                halfQueueOffset, producerGroup);
            return CompletableFuture.completedFuture(Outcome.MISMATCH);
        }
        synchronized (inFlight) {
            if (decisions.decision(halfQueueOffset) != OffsetStateTable.PENDING || !inFlight.add(halfQueueOffset)) {
                return CompletableFuture.completedFuture(Outcome.ALREADY_DECIDED);
            }
        }
        List<MessageDraft> drafts = new ArrayList<>(3);
        String realTopic = props.get(MessageProperties.REAL_TOPIC);
        int realQid = parseInt(props.get(MessageProperties.REAL_QID));
        if (decision == OffsetStateTable.COMMITTED
            && (halfPhy >= recoveredLogEnd || !alreadyCommitted(half, props, realTopic))) {
            drafts.add(copy(half, props, realTopic, realQid, MessageSysFlag.TRANSACTION_COMMIT_TYPE, halfPhy));
        }
        if (decision == OffsetStateTable.DISCARDED) {
            drafts.add(copy(half, props, TopicNames.TRANS_CHECK_MAX_TIME_TOPIC, 0, MessageSysFlag.TRANSACTION_NOT_TYPE, 0));
        }
        drafts.add(op(halfQueueOffset, decision));
        return store.put(drafts, true, completeOn).handle((r, e) -> {
            Outcome outcome;
            if (e == null && r.isStored()) {
                decisions.setDecision(halfQueueOffset, decision);
                if (decision != OffsetStateTable.DISCARDED) {
                    tracer.transactionDecided(props.get(MessageProperties.UNIQ_KEY), producerGroup != null ? producerGroup
                        : props.get(MessageProperties.PGROUP), decision == OffsetStateTable.COMMITTED);
                }
                (decision == OffsetStateTable.COMMITTED ? committed : decision == OffsetStateTable.DISCARDED ? discarded
                    : rolledBack).increment();
                outcome = Outcome.DONE;
            } else {
                log.error("storing the decision for half {} failed: {}", halfQueueOffset, e != null ? e : r.remark());
                outcome = Outcome.STORE_FAILED;
            }
            synchronized (inFlight) {
                inFlight.remove(halfQueueOffset);
            }
            return outcome;
        });
    }

    /** Whether a committed copy of this half exists already (after a crash cut its op record). */
    private boolean alreadyCommitted(DecodedMessage half, Map<String, String> props, String realTopic) {
        String uniq = props.get(MessageProperties.UNIQ_KEY);
        if (uniq == null || realTopic == null) {
            return false;
        }
        for (ByteBuffer r : store.query(realTopic, uniq, true, 32, half.storeTimestamp - 1, Long.MAX_VALUE)) {
            DecodedMessage m = MessageRecord.decode(r, 0);
            if (m.preparedTransactionOffset == half.physicalOffset) {
                return true;
            }
        }
        return false;
    }

    private MessageDraft copy(DecodedMessage half, Map<String, String> props, String topic, int queueId, int txType,
                              long preparedOffset) {
        MessageDraft d = MessageDraft.copyOf(half);
        d.topic(topic);
        d.queueId(queueId);
        d.sysFlag(MessageSysFlag.withTransactionType(half.sysFlag, txType));
        d.preparedTransactionOffset(preparedOffset);
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }

    private MessageDraft op(long halfQueueOffset, int decision) {
        MessageDraft d = new MessageDraft();
        d.topic(TopicNames.TRANS_OP_HALF_TOPIC);
        d.queueId(0);
        byte[] body = Long.toString(halfQueueOffset).getBytes(StandardCharsets.US_ASCII);
        d.body(body, 0, body.length);
        d.bornTimestamp(clock.millis());
        d.storeHost(storeHost);
        d.storePort(config.listenPort);
        String code = decision == OffsetStateTable.COMMITTED ? "C" : decision == OffsetStateTable.DISCARDED ? "D" : "R";
        d.properties(MessageProperties.TAGS + MessageProperties.NAME_VALUE_SEPARATOR + "d"
            + MessageProperties.PROPERTY_SEPARATOR + MessageProperties.TRAN_DECISION
            + MessageProperties.NAME_VALUE_SEPARATOR + code);
        d.tagsCode("d".hashCode());
        return d;
    }

    private static int parseInt(String s) {
        try {
            return s == null ? 0 : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    // ------------------------------------------------------------------ check-back

    /**
     * One cycle: once the index has caught up with the log (commits found there are never repeated; at most
     * {@link #INDEX_CATCH_UP_MILLIS}), a check round every {@code transactionCheckInterval}.
     */
    @Override
    protected int doWork() {
        long now = clock.millis();
        if (now < indexWaitUntil && store.indexedUpTo() < store.commitLogWritePosition()) {
            return 0;
        }
        indexWaitUntil = 0;
        if (now < nextRoundAt) {
            return 0;
        }
        try {
            checkRound(now);
        } finally {
            nextRoundAt = now + Math.max(100, config.transactionCheckInterval
                - (clock.millis() - now));
        }
        return 0;
    }

    @Override
    protected long idleWaitNanos() {
        long now = clock.millis();
        long wait = indexWaitUntil > now ? 20 : Math.max(1, nextRoundAt - now);
        return wait * 1_000_000L;
    }

    /** One round over the pending halves: check, or discard those past their limits. */
    void checkRound(long now) {
        long opMaxAtStart = store.maxOffset(TopicNames.TRANS_OP_HALF_TOPIC, 0);
        long max = store.maxOffset(TopicNames.TRANS_HALF_TOPIC, 0);
        long h = Math.max(halfProgress, Math.max(0, store.minOffset(TopicNames.TRANS_HALF_TOPIC, 0)));
        while (h < max && decisions.decision(h) != OffsetStateTable.PENDING) {
            h++;
        }
        halfProgress = h;
        decisions.dropBefore(h);
        Map<String, Integer> sentPerGroup = new HashMap<>();
        int scanned = 0;
        long timeout = config.transactionTimeOut;
        long maxLifetime = config.fileReservedTime * 3_600_000L;
        for (long o = h; o < max && scanned < MAX_HALVES_SCANNED_PER_ROUND && isRunning(); o++, scanned++) {
            if (decisions.decision(o) != OffsetStateTable.PENDING) {
                continue;
            }
            GetResult r = store.getCopies(TopicNames.TRANS_HALF_TOPIC, 0, o, 1, 0, MessageFilter.ALL);
            if (r.records().isEmpty()) {
                continue;
            }
            DecodedMessage half = MessageRecord.decode(r.records().get(0), 0);
            Map<String, String> props = half.propertyMap();
            long age = now - half.storeTimestamp;
            String immunityProp = props.get(MessageProperties.CHECK_IMMUNITY_TIME_IN_SECONDS);
            long immunity = timeout;
            if (immunityProp != null) {
                immunity = Math.max(timeout, parseInt(immunityProp) * 1000L);
            }
            if (age < immunity) {
                if (immunityProp == null) {
                    break; // halves are in store order: the rest are younger still
                }
                continue;
            }
            int checks = decisions.checks(o);
            if (checks >= config.transactionCheckMax || (maxLifetime > 0 && age > maxLifetime)) {
                log.info("transaction half {} (msgId {}) discarded after {} check(s); kept in {}", o,
                    props.get(MessageProperties.UNIQ_KEY), checks, TopicNames.TRANS_CHECK_MAX_TIME_TOPIC);
                decide(half.physicalOffset, o, null, OffsetStateTable.DISCARDED, Runnable::run).join();
                continue;
            }
            String group = props.get(MessageProperties.PGROUP);
            int sent = sentPerGroup.getOrDefault(group, 0);
            if (group == null || sent >= MAX_CHECKS_PER_GROUP_PER_ROUND) {
                continue;
            }
            Channel ch = pickProducer(group);
            if (ch == null) {
                continue; // nobody of the group is online: no check this round, none counted
            }
            sendCheck(ch, half, props, o, checks + 1);
            tracer.transactionChecked(props.get(MessageProperties.UNIQ_KEY), group, String.valueOf(ch.remoteAddress()),
                checks + 1);
            decisions.addCheck(o);
            checked.increment();
            sentPerGroup.put(group, sent + 1);
        }
        writeProgress(opMaxAtStart);
    }

    private Channel pickProducer(String group) {
        List<ClientChannel> live = new ArrayList<>();
        for (ClientChannel c : clients.producers(group)) {
            if (c.channel().isActive() && c.channel().isWritable()) {
                live.add(c);
            }
        }
        if (live.isEmpty()) {
            return null;
        }
        return live.get(Math.floorMod(roundRobin.getAndIncrement(), live.size())).channel();
    }

    private void sendCheck(Channel ch, DecodedMessage half, Map<String, String> props, long halfOffset, int checkNo) {
        MessageDraft d = copy(half, props, props.get(MessageProperties.REAL_TOPIC),
            parseInt(props.get(MessageProperties.REAL_QID)), MessageSysFlag.TRANSACTION_NOT_TYPE, 0);
        Map<String, String> p = new java.util.LinkedHashMap<>(props);
        p.put(MessageProperties.TRANSACTION_CHECK_TIMES, Integer.toString(checkNo));
        d.properties(MessageProperties.encode(p));
        int size = d.encodedSize();
        ByteBuffer body = ByteBuffer.allocate(size);
        MessageRecord.write(body, d, size, half.bodyCrc, halfOffset, half.physicalOffset, half.storeTimestamp);
        String uniq = props.get(MessageProperties.UNIQ_KEY);
        RemotingCommand req = RemotingCommand.request(RequestCode.CHECK_TRANSACTION_STATE).body(body.array());
        new RequestHeaders.CheckTransactionState(halfOffset, half.physicalOffset, uniq, uniq,
            MessageId.offsetId(half.storeHost, half.storePort, half.physicalOffset)).encode(req);
        server.invokeOneway(ch, req);
    }

    // ------------------------------------------------------------------ operators

    /** Pending halves, oldest first, at most {@code limit}. */
    public List<PendingTx> pending(int limit) {
        List<PendingTx> out = new ArrayList<>();
        long max = store.maxOffset(TopicNames.TRANS_HALF_TOPIC, 0);
        long now = clock.millis();
        for (long o = halfProgress; o < max && out.size() < limit; o++) {
            if (decisions.decision(o) != OffsetStateTable.PENDING) {
                continue;
            }
            GetResult r = store.getCopies(TopicNames.TRANS_HALF_TOPIC, 0, o, 1, 0, MessageFilter.ALL);
            if (r.records().isEmpty()) {
                continue;
            }
            DecodedMessage half = MessageRecord.decode(r.records().get(0), 0);
            Map<String, String> props = half.propertyMap();
            out.add(new PendingTx(o, half.physicalOffset, props.get(MessageProperties.REAL_TOPIC),
                props.get(MessageProperties.PGROUP), props.get(MessageProperties.UNIQ_KEY), now - half.storeTimestamp,
                decisions.checks(o)));
        }
        return out;
    }

    /** Counters since start: prepared, committed, rolledBack, checked, discarded; and pending now. */
    public Map<String, Long> counters() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("prepared", prepared.sum());
        m.put("committed", committed.sum());
        m.put("rolledBack", rolledBack.sum());
        m.put("checked", checked.sum());
        m.put("discarded", discarded.sum());
        long pending = 0;
        long max = store.maxOffset(TopicNames.TRANS_HALF_TOPIC, 0);
        for (long o = halfProgress; o < max; o++) {
            if (decisions.decision(o) == OffsetStateTable.PENDING) {
                pending++;
            }
        }
        m.put("pending", pending);
        return m;
    }

    /** Persists progress once the check thread has stopped. */
    @Override
    protected void onStop() {
        writeProgress(store.maxOffset(TopicNames.TRANS_OP_HALF_TOPIC, 0));
    }
}
