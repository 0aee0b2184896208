package io.quiver.controller;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.netty.NettyConfigKeys;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One controller: a member of the controllers' Raft group (Apache Ratis over its Netty transport) holding the
 * replicated {@link ControllerState}, plus a client of that group through which this controller proposes
 * commands (Ratis sends them to the leader, wherever it is). Its storage survives restarts: an existing directory
 * is recovered, a new one formatted. A controller without a quorum of its peers decides nothing: a proposal fails
 * once {@link #PROPOSAL_TIMEOUT_MILLIS} have passed.
 */
public final class ControllerNode implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControllerNode.class);

    /** Every controller of every deployment uses this Raft group. */
    static final RaftGroupId GROUP_ID = RaftGroupId.valueOf(UUID.nameUUIDFromBytes(
        "quiver-controller".getBytes(StandardCharsets.US_ASCII)));
    /** How long a proposal may take, retries included, before it is answered as failed. */
    public static final long PROPOSAL_TIMEOUT_MILLIS = 5_000;

    private final ControllerConfig config;
    private final ControllerStateMachine stateMachine = new ControllerStateMachine();
    /** Most proposals waiting for the proposing thread. */
    static final int MAX_PENDING_PROPOSALS = 10_000;

    private RaftServer server;
    private RaftClient client;
    /** One thread sends this controller's proposals, in order; bounded. */
    private final java.util.concurrent.ThreadPoolExecutor proposer = new java.util.concurrent.ThreadPoolExecutor(1, 1,
        0, TimeUnit.MILLISECONDS, new java.util.concurrent.ArrayBlockingQueue<>(MAX_PENDING_PROPOSALS), r -> {
            Thread t = new Thread(r, "quiver-controller-propose");
            t.setDaemon(true);
            return t;
        });

    /** Heartbeats waiting for the liveness thread, at most; beyond it they are dropped (and counted). */
    static final int MAX_PENDING_HEARTBEATS = 100_000;

    /** Owns {@link #liveness}, {@link #leading} and {@link #electing}: heartbeats, and the leader's scans. */
    private final java.util.concurrent.ScheduledExecutorService livenessThread =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "quiver-controller-liveness");
            t.setDaemon(true);
            return t;
        });
    private final java.util.concurrent.atomic.AtomicInteger pendingHeartbeats = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.function.LongSupplier clock;
    private BrokerLiveness liveness;
    private boolean leading;
    /** Groups with an election proposed and not yet answered (liveness thread). */
    private final java.util.Set<String> electing = new java.util.HashSet<>();

    public ControllerNode(ControllerConfig config) {
        this(config, System::currentTimeMillis);
    }

    /** As above, with the clock the liveness view uses (tests). */
    public ControllerNode(ControllerConfig config, java.util.function.LongSupplier clock) {
        this.config = config;
        this.clock = clock;
        this.liveness = new BrokerLiveness(config.heartbeatTimeoutMillis(), clock.getAsLong());
    }

    /**
     * A broker's heartbeat, with the end of its commit log; any thread. Returns false when too many heartbeats wait
     * (the broker's next one will do) or the controller is stopping.
     */
    public boolean heartbeat(String cluster, String brokerName, long brokerId, long logEnd) {
        if (pendingHeartbeats.incrementAndGet() > MAX_PENDING_HEARTBEATS) {
            pendingHeartbeats.decrementAndGet();
            return false;
        }
        long now = clock.getAsLong();
        try {
            livenessThread.execute(() -> {
                pendingHeartbeats.decrementAndGet();
                liveness.heartbeat(cluster, brokerName, brokerId, logEnd, now);
            });
        } catch (java.util.concurrent.RejectedExecutionException stopping) {
            pendingHeartbeats.decrementAndGet();
            return false; // this controller is stopping
        }
        return true;
    }

    /**
     * Liveness thread, every {@code scanNotActiveBrokerInterval}: the leader proposes an election for each group
     * whose master went silent (one at a time per group); a controller that just became leader first waits a
     * heartbeat timeout, since the silence it sees may only be its own late start.
     */
    private void scan() {
        try {
            long now = clock.getAsLong();
            boolean leader = isLeader();
            if (leader && !leading) {
                liveness.restartJudging(now);
            }
            leading = leader;
            liveness.forgetLongSilent(now);
            if (!leader) {
                return;
            }
            for (ControllerCommand.Elect e : liveness.elections(stateMachine.groups(), config.electUncleanMaster(), now)) {
                String key = e.cluster() + "/" + e.brokerName();
                if (!electing.add(key)) {
                    continue;
                }
                propose(e).whenCompleteAsync((r, failure) -> {
                    electing.remove(key);
                    if (failure != null) {
                        log.warn("election for {} not decided: {}", key, failure.getMessage());
                    } else if (r.accepted()) {
                        log.warn("broker group {}: master {} elected, epoch {} (alive {})", key, r.group().masterId(),
                            r.group().masterEpoch(), e.alive().keySet());
                    }
                }, livenessThread);
            }
        } catch (RuntimeException ex) {
            log.error("controller liveness scan failed", ex);
        }
    }

    private RaftGroup group() {
        List<RaftPeer> peers = new ArrayList<>();
        for (Map.Entry<String, String> p : config.peers().entrySet()) {
            peers.add(RaftPeer.newBuilder().setId(p.getKey()).setAddress(p.getValue()).build());
        }
        return RaftGroup.valueOf(GROUP_ID, peers);
    }

    public ControllerNode start() {
        try {
            RaftProperties p = new RaftProperties();
            RaftConfigKeys.Rpc.setType(p, SupportedRpcType.NETTY);
            String self = config.selfAddress();
            NettyConfigKeys.Server.setPort(p, Integer.parseInt(self.substring(self.lastIndexOf(':') + 1)));
            Files.createDirectories(config.storePath());
            RaftServerConfigKeys.setStorageDir(p, List.of(config.storePath().toFile()));
            RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
            RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotThreshold());
            boolean existing = Files.isDirectory(config.storePath().resolve(GROUP_ID.getUuid().toString()));
            RaftGroup group = group();
            server = RaftServer.newBuilder().setGroup(group).setProperties(p)
                .setServerId(RaftPeerId.valueOf(config.selfId())).setStateMachine(stateMachine)
                .setOption(existing ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT).build();
            server.start();
            RaftProperties cp = new RaftProperties();
            RaftConfigKeys.Rpc.setType(cp, SupportedRpcType.NETTY);
            RaftClientConfigKeys.Rpc.setRequestTimeout(cp, TimeDuration.valueOf(1, TimeUnit.SECONDS));
            client = RaftClient.newBuilder().setProperties(cp).setRaftGroup(group)
                .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(20,
                    TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
                .build();
            livenessThread.scheduleWithFixedDelay(this::scan, config.scanIntervalMillis(), config.scanIntervalMillis(),
                TimeUnit.MILLISECONDS);
            log.info("controller {} at {} started ({} its storage in {}); peers {}", config.selfId(), self,
                existing ? "recovered" : "formatted", config.storePath().toAbsolutePath(), config.peers());
            return this;
        } catch (IOException e) {
            close();
            throw new UncheckedIOException("controller " + config.selfId() + " cannot start: " + e.getMessage(), e);
        }
    }

    /**
     * Proposes {@code command} to the controllers; completes with its result once a quorum committed and applied
     * it, or exceptionally when no quorum answered within {@link #PROPOSAL_TIMEOUT_MILLIS}.
     */
    public CompletableFuture<ControllerState.Result> propose(ControllerCommand command) {
        CompletableFuture<ControllerState.Result> done = new CompletableFuture<>();
        try {
            proposer.execute(() -> {
                try {
                    // The blocking API follows the leader (and waits for one) under the client's retry policy.
                    RaftClientReply reply = client.io().send(Message.valueOf(ByteString.copyFrom(CommandCodec.encode(command))));
                    if (!reply.isSuccess()) {
                        done.completeExceptionally(new IllegalStateException("the controllers did not decide: "
                            + reply.getException()));
                    } else {
                        done.complete(CommandCodec.decodeResult(reply.getMessage().getContent().toByteArray()));
                    }
                } catch (IOException | RuntimeException e) {
                    done.completeExceptionally(new IllegalStateException("the controllers did not decide (no quorum "
                        + "reachable?): " + e.getMessage(), e));
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            done.completeExceptionally(new IllegalStateException("controller " + config.selfId() + " has "
                + MAX_PENDING_PROPOSALS + " proposals waiting, or is stopping"));
        }
        return done.orTimeout(PROPOSAL_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** A group as this controller has applied it (may trail the leader by what is in flight). */
    public Optional<GroupState> group(String cluster, String brokerName) {
        return stateMachine.group(cluster, brokerName);
    }

    /**
     * The replicas of a group whose heartbeats this controller saw within the timeout, with their log ends. Blocks
     * the caller (never the liveness thread) for at most a second.
     */
    public Map<Long, Long> alive(String cluster, String brokerName) {
        try {
            return livenessThread.submit(() -> liveness.alive(cluster, brokerName, clock.getAsLong()))
                .get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Map.of();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                 | java.util.concurrent.RejectedExecutionException e) {
            return Map.of();
        }
    }

    /** Elections this controller applied since it started. */
    public long elections() {
        return stateMachine.elections();
    }

    /** In-sync set changes this controller applied since it started. */
    public long inSyncChanges() {
        return stateMachine.inSyncChanges();
    }

    /** Every group as this controller has applied it. */
    public List<GroupState> groups() {
        return stateMachine.groups();
    }

    /** The id of the controller this one believes leads (null when it knows none). */
    public String leaderId() {
        try {
            if (server == null) {
                return null;
            }
            var id = server.getDivision(GROUP_ID).getInfo().getLeaderId();
            return id == null ? null : id.toString();
        } catch (IOException e) {
            return null;
        }
    }

    public ControllerConfig config() {
        return config;
    }

    /** Whether this controller leads the Raft group now (and has committed an entry of its term). */
    public boolean isLeader() {
        try {
            return server != null && server.getDivision(GROUP_ID).getInfo().isLeader()
                && server.getDivision(GROUP_ID).getInfo().isLeaderReady();
        } catch (IOException e) {
            return false;
        }
    }

    public String selfId() {
        return config.selfId();
    }

    @Override
    public void close() {
        livenessThread.shutdownNow();
        proposer.shutdownNow();
        try {
            if (client != null) {
                client.close();
            }
            if (server != null) {
                server.close();
            }
        } catch (IOException e) {
            log.warn("controller {} did not stop cleanly: {}", config.selfId(), e.getMessage());
        }
    }
}
