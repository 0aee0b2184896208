package io.quiver.broker;

import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.metadata.TopicTable;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicConfigTable;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RemotingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replica's copy of its master's metadata, refreshed every {@link #PERIOD_MILLIS}: topics (the master's
 * table, taken whole when its data version changes), subscription groups, and consumer offsets. Offsets that
 * consumers committed on the replica while the master was away go to the master first
 * (UPDATE_CONSUMER_OFFSET), so a group does not consume again what it consumed during the outage; until the
 * master has them they win over the master's older values. Delay-level, timer and transaction progress need
 * nothing here: they are records in the commit log, which the replica already has. One thread
 * ({@code quiver-replica-metadata}) does all of it.
 */
final class MetadataFollower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetadataFollower.class);

    static final long PERIOD_MILLIS = 1_000;
    static final long CALL_TIMEOUT_MILLIS = 3_000;

    private final Supplier<String> masterAddress;
    private final RemotingClient client;
    private final TopicTable topics;
    private final SubscriptionGroupTable groups;
    private final ConsumerOffsetTable offsets;
    private final java.util.concurrent.ScheduledExecutorService thread;
    // Owned by the follower's thread.
    private DataVersion lastTopics;
    private DataVersion lastGroups;
    private String lastProblem;
    private volatile long lastSyncMillis;

    MetadataFollower(Supplier<String> masterAddress, RemotingClient client, TopicTable topics, SubscriptionGroupTable groups,
                     ConsumerOffsetTable offsets) {
        this.masterAddress = masterAddress;
        this.client = client;
        this.topics = topics;
        this.groups = groups;
        this.offsets = offsets;
        this.thread = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quiver-replica-metadata");
            t.setDaemon(true);
            return t;
        });
    }

    void start() {
        offsets.trackLocalCommits(true);
        thread.scheduleWithFixedDelay(this::syncOnce, 0, PERIOD_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** When the replica last took its master's metadata (epoch milliseconds), or 0. */
    long lastSyncMillis() {
        return lastSyncMillis;
    }

    void syncOnce() {
        String master = masterAddress.get();
        if (master == null) {
            return;
        }
        try {
            pushLocalCommits(master);
            TopicConfigTable t = fetch(master, RequestCode.GET_ALL_TOPIC_CONFIG, TopicConfigTable.class);
            if (t != null && t.dataVersion != null && !t.dataVersion.equals(lastTopics)) {
                int changed = topics.adopt(t);
                lastTopics = t.dataVersion.copy();
                if (changed > 0) {
                    log.info("took {} topic change(s) from the master at {}", changed, master);
                }
            }
            SubscriptionGroupTable.Snapshot g = fetch(master, RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG,
                SubscriptionGroupTable.Snapshot.class);
            if (g != null && (g.dataVersion == null || !g.dataVersion.equals(lastGroups))) {
                groups.adopt(g); // compared group by group only when the master's table changed
                lastGroups = g.dataVersion == null ? null : g.dataVersion.copy();
            }
            ConsumerOffsetTable.Snapshot o = fetch(master, RequestCode.GET_ALL_CONSUMER_OFFSET, ConsumerOffsetTable.Snapshot.class);
            if (o != null) {
                offsets.adopt(o);
            }
            lastSyncMillis = System.currentTimeMillis();
            if (lastProblem != null) {
                log.info("following the master's metadata at {} again", master);
                lastProblem = null;
            }
        } catch (Exception e) {
            String problem = e.getMessage();
            if (!String.valueOf(problem).equals(lastProblem)) {
                log.warn("cannot take the master's metadata from {}: {}", master, problem);
            }
            lastProblem = String.valueOf(problem);
        }
    }

    private <T> T fetch(String master, int code, Class<T> type) throws Exception {
        RemotingCommand resp = client.invoke(master, RemotingCommand.request(code), CALL_TIMEOUT_MILLIS)
            .get(CALL_TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS);
        if (resp.code() != ResponseCode.SUCCESS) {
            throw new IllegalStateException("request " + code + " answered " + resp.code() + " " + resp.remark());
        }
        return resp.body() == null || resp.body().length == 0 ? null : Json.decode(resp.body(), type);
    }

    /** Sends the master every offset committed here that it does not have yet. */
    private void pushLocalCommits(String master) throws Exception {
        List<Object[]> pending = new ArrayList<>();
        offsets.forEachUnsynced((group, topic, queueId, offset) -> pending.add(new Object[] {group, topic, queueId, offset}));
        int given = 0;
        for (Object[] p : pending) {
            String group = (String) p[0];
            String topic = (String) p[1];
            int queueId = (Integer) p[2];
            long offset = (Long) p[3];
            RemotingCommand req = RemotingCommand.request(RequestCode.UPDATE_CONSUMER_OFFSET);
            new RequestHeaders.UpdateConsumerOffset(group, topic, queueId, offset).encode(req);
            RemotingCommand resp = call(master, req);
            if (resp.code() == ResponseCode.SUBSCRIPTION_GROUP_NOT_EXIST && groups.get(group) != null) {
                // The group first met this replica (its consumers started during the outage): the master gets it too.
                RemotingCommand create = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)
                    .body(Json.encode(groups.get(group)));
                if (call(master, create).code() == ResponseCode.SUCCESS) {
                    RemotingCommand again = RemotingCommand.request(RequestCode.UPDATE_CONSUMER_OFFSET);
                    new RequestHeaders.UpdateConsumerOffset(group, topic, queueId, offset).encode(again);
                    resp = call(master, again);
                }
            }
            if (resp.code() == ResponseCode.SUCCESS) {
                offsets.synced(group, topic, queueId, offset);
                given++;
            } else {
                log.debug("the master kept offset {} of {} on {}-{} for later: {} {}", offset, group, topic, queueId,
                    resp.code(), resp.remark());
            }
        }
        if (given > 0) {
            log.info("gave the master {} consumer offset(s) committed on this replica", given);
        }
    }

    private RemotingCommand call(String master, RemotingCommand req) throws Exception {
        return client.invoke(master, req, CALL_TIMEOUT_MILLIS).get(CALL_TIMEOUT_MILLIS + 500, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
