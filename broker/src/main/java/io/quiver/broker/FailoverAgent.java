package io.quiver.broker;

import io.quiver.broker.failover.ControllerClient;
import io.quiver.broker.failover.InSyncPlanner;
import io.quiver.broker.failover.RoleDecision;
import io.quiver.broker.failover.RoleDecision.Role;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.config.BrokerRole;
import io.quiver.protocol.body.ControllerGroupView;
import io.quiver.protocol.header.ControllerHeaders;
import io.quiver.replication.ShippingServer;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A broker in controller mode ({@code enableControllerMode=true}): registers with the controllers, heartbeats to
 * all of them, and runs the {@link Broker} in the role they decide, starting it again in the new role when that
 * changes (a replica promoted to master, a deposed master become a replica, a replica given a new master). As
 * master it holds a lease (each answered heartbeat of the lead controller extends it by two thirds of the
 * controllers' heartbeat timeout, so it runs out before they can elect anyone else) and confirms sends only while
 * it holds; it keeps the controllers' in-sync set up to date, and sends wait for every member of it.
 *
 * <p>One thread ({@code quiver-failover}) owns every field below but {@link #leaseUntilNanos}; answers from the
 * controllers come back to it.
 */
public final class FailoverAgent implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(FailoverAgent.class);

    /** A replica this close to the master's end (bytes) may join the in-sync set. */
    static final long CATCH_UP_BYTES = 1024 * 1024;
    static final long REGISTER_RETRY_MILLIS = 1_000;


    private final BrokerConfig base;
    private final ControllerClient controllers;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "quiver-failover");
        t.setDaemon(true);
        return t;
    });
    /** Until when (System.nanoTime) this master may confirm sends; written by the agent, read by the send path. */
    private volatile long leaseUntilNanos;
    private volatile boolean closed;

    private long brokerId = -1;
    private Broker broker;
    private Role role = Role.NONE;
    /** The master epoch of the current role (a replica's: of the master it follows). */
    private long roleEpoch;
    private String followedHa;
    /** The newest master epoch any controller told. */
    private long knownEpoch;
    private ControllerGroupView lastView;
    /** When the last tick ran, and when ticks last resumed after a pause (System.nanoTime). */
    private long lastTickNanos = System.nanoTime();
    private long resumedNanos = System.nanoTime();
    /** Master: the in-sync set the controllers hold (this broker included) and its epoch. */
    private Set<Long> committed = Set.of();
    /** {@link #committed} for status readers on other threads. */
    private volatile Set<Long> inSyncSeen = Set.of();
    private long committedEpoch = -1;
    /** Master: replicas being added, with the end they must confirm before the change is proposed. */
    private final Map<Long, Long> joining = new HashMap<>();
    private boolean proposing;
    /** Handlers told of each role change (tests and status). */
    private final java.util.List<java.util.function.Consumer<String>> roleListeners =
        new java.util.concurrent.CopyOnWriteArrayList<>();

    public FailoverAgent(BrokerConfig config) {
        if (config.controllerAddr == null || config.controllerAddr.isBlank()) {
            throw new IllegalArgumentException("enableControllerMode=true needs controllerAddr=host:port;host:port;...");
        }
        this.base = config;
        this.controllers = new ControllerClient(config.controllerAddr, Math.max(1_000, 2L * config.brokerHeartbeatInterval),
            io.quiver.remoting.tls.ServerTls.clientContext(config.tlsSettings()));
        if (config.innerAccessKey != null) {
            controllers.signAs(config.innerAccessKey, config.innerSecretKey);
        }
    }

    /** Registers (retrying until a controller answers) and starts heartbeating; returns at once. */
    public FailoverAgent start() {
        thread.execute(this::register);
        return this;
    }

    public void onRoleChange(java.util.function.Consumer<String> listener) {
        roleListeners.add(listener);
    }

    /** Whether this broker may confirm sends as master now. Any thread. */
    boolean leaseHolds() {
        return System.nanoTime() - leaseUntilNanos < 0;
    }

    private void register() {
        if (closed) {
            return;
        }
        long preferred = base.brokerId >= 1 ? base.brokerId : -1;
        controllers.register(new ControllerHeaders.Register(base.brokerClusterName, base.brokerName, base.brokerAddr(),
            base.haServerAddr(), preferred)).whenCompleteAsync((view, failure) -> {
                if (closed) {
                    return;
                }
                if (failure != null) {
                    log.warn("cannot register with the controllers {} ({}); trying again", controllers.addresses(),
                        failure.getMessage());
                    thread.schedule(this::register, REGISTER_RETRY_MILLIS, TimeUnit.MILLISECONDS);
                    return;
                }
                brokerId = view.assignedBrokerId;
                log.info("registered with the controllers as brokerId {} of {} (master {}, epoch {})", brokerId,
                    base.brokerName, view.masterBrokerId, view.masterEpoch);
                thread.scheduleWithFixedDelay(this::tick, base.brokerHeartbeatInterval, base.brokerHeartbeatInterval,
                    TimeUnit.MILLISECONDS);
                if (view.masterBrokerId < 0) {
                    becomeReplica(null, view.masterEpoch); // until an election: serve reads, take no writes
                }
                onView(view, System.nanoTime());
            }, thread);
    }

    private void tick() {
        try {
            if (closed) {
                return;
            }
            if (broker == null) {
                becomeReplica(followedHa, roleEpoch); // the last start failed: try again as a replica
                if (broker == null) {
                    return;
                }
            }
            long sent = System.nanoTime();
            if (sent - lastTickNanos > 3 * TimeUnit.MILLISECONDS.toNanos(base.brokerHeartbeatInterval)) {
                resumedNanos = sent; // this process was paused (or is starting): ask before judging the lease
            }
            lastTickNanos = sent;
            ControllerHeaders.Heartbeat h = new ControllerHeaders.Heartbeat(base.brokerClusterName, base.brokerName,
                base.brokerAddr(), brokerId, roleEpoch, broker.commitLogEnd());
            for (CompletableFuture<ControllerGroupView> answer : controllers.heartbeat(h)) {
                answer.thenAcceptAsync(v -> onView(v, sent), thread);
            }
            long timeout = lastView == null ? 0 : TimeUnit.MILLISECONDS.toNanos(lastView.heartbeatTimeoutMillis);
            if (role == Role.MASTER && lastView != null && sent - leaseUntilNanos > timeout && sent - resumedNanos > timeout) {
                // By now the controllers may have elected another master: stop advertising this one (it has not
                // acknowledged anything since its lease ran out); the controllers' answer makes it master again.
                log.warn("broker {} lost its lease from the controllers {} ms ago; stepping down until they answer",
                    base.brokerName, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - leaseUntilNanos));
                becomeReplica(null, roleEpoch);
                return;
            }
            if (role == Role.MASTER) {
                manageInSync();
            }
        } catch (RuntimeException e) {
            log.error("controller-mode tick failed", e);
        }
    }

    /** Agent thread: a controller's view of this group, from a request sent at {@code sentNanos}. */
    private void onView(ControllerGroupView v, long sentNanos) {
        if (closed || v.masterEpoch < knownEpoch) {
            return; // a controller that has not applied the newest election yet
        }
        knownEpoch = v.masterEpoch;
        lastView = v;
        RoleDecision.Change change = RoleDecision.decide(brokerId, role, roleEpoch, followedHa, v.masterBrokerId,
            v.masterHaAddress, v.masterEpoch);
        if (!change.keep()) {
            if (change.role() == Role.MASTER) {
                becomeMaster(v);
            } else {
                becomeReplica(change.masterHa(), change.epoch());
            }
        }
        if (v.masterBrokerId == brokerId && role == Role.MASTER && roleEpoch == v.masterEpoch) {
            if (v.leader) {
                long until = sentNanos + TimeUnit.MILLISECONDS.toNanos(v.heartbeatTimeoutMillis * 2 / 3);
                if (until - leaseUntilNanos > 0) {
                    leaseUntilNanos = until;
                }
            }
            if (v.syncStateSetEpoch > committedEpoch) {
                committed = Set.copyOf(v.syncStateSet);
                inSyncSeen = committed;
                committedEpoch = v.syncStateSetEpoch;
                applyGate();
            }
        }
    }

    private void becomeMaster(ControllerGroupView v) {
        log.warn("the controllers elected this broker (brokerId {}) master of {} in epoch {}", brokerId, base.brokerName,
            v.masterEpoch);
        BrokerConfig c = copy(base);
        c.brokerRole = BrokerRole.SYNC_MASTER;
        c.brokerId = 0;
        c.haMasterAddress = null;
        long epoch = v.masterEpoch;
        leaseUntilNanos = System.nanoTime(); // none yet; a lead controller's answer grants it
        restart(c, new Broker.ControllerRole(epoch, this::leaseHolds, () -> inSyncSeen, null));
        if (broker == null) {
            role = Role.NONE;
            return;
        }
        role = Role.MASTER;
        roleEpoch = epoch;
        followedHa = null;
        committed = Set.copyOf(v.syncStateSet);
        inSyncSeen = committed;
        committedEpoch = v.syncStateSetEpoch;
        joining.clear();
        proposing = false;
        applyGate();
        notifyRole("MASTER epoch " + epoch);
    }

    private void becomeReplica(String masterHa, long epoch) {
        String masterAddr = masterHa == null || lastView == null || lastView.masterAddress == null
            || !masterHa.equals(lastView.masterHaAddress) ? null : lastView.masterAddress;
        log.warn("brokerId {} of {} is now a replica {} (epoch {})", brokerId, base.brokerName,
            masterHa == null ? "waiting for the controllers to elect a master" : "of the master at " + masterHa, epoch);
        BrokerConfig c = copy(base);
        c.brokerRole = BrokerRole.SLAVE;
        c.brokerId = brokerId;
        c.haMasterAddress = masterHa;
        leaseUntilNanos = System.nanoTime() - 1;
        restart(c, new Broker.ControllerRole(epoch, () -> false, Set::of, masterAddr));
        role = broker == null ? Role.NONE : Role.REPLICA;
        roleEpoch = epoch;
        followedHa = masterHa;
        committed = Set.of();
        inSyncSeen = committed;
        committedEpoch = -1;
        joining.clear();
        notifyRole("REPLICA epoch " + epoch);
    }

    /** Stops the running broker and starts one in the new role; on failure no broker runs (the next tick retries). */
    private void restart(BrokerConfig c, Broker.ControllerRole r) {
        if (broker != null) {
            broker.close(false);
            broker = null;
        }
        Broker b = null;
        try {
            b = new Broker(c, r);
            b.start();
            broker = b;
        } catch (RuntimeException e) {
            log.error("cannot start broker {} as {}: {}", c.brokerName, c.brokerRole, e.getMessage(), e);
            if (b != null) {
                try {
                    b.close(false);
                } catch (RuntimeException closing) {
                    log.warn("closing the broker that did not start failed: {}", closing.toString());
                }
            }
        }
    }

    private void notifyRole(String what) {
        for (var l : roleListeners) {
            l.accept(what);
        }
    }

    /** Master: what sends wait for is the committed set, widened by the replicas being added. */
    private void applyGate() {
        if (role != Role.MASTER || broker == null) {
            return;
        }
        Set<Long> required = new HashSet<>(committed);
        required.addAll(joining.keySet());
        required.remove(brokerId);
        broker.requireReplicas(required, committed.size() < minInSync());
    }

    private int minInSync() {
        if (base.minInSyncReplicas > 0) {
            return base.minInSyncReplicas;
        }
        int registered = lastView == null ? 1 : Math.max(1, lastView.replicas.size());
        return registered / 2 + 1;
    }

    /**
     * Master, each tick: a member that disconnected or has not caught up for haMaxTimeSlaveNotCatchup leaves the
     * in-sync set; a replica close to the end joins it. Sends wait for a joining replica before the change is
     * proposed, and for a leaving one until the controllers agreed, so the controllers' set never lacks a replica
     * holding an acknowledged send. One change at a time.
     */
    private void manageInSync() {
        if (proposing || lastView == null) {
            return;
        }
        Map<Long, InSyncPlanner.Replica> live = new HashMap<>();
        for (ShippingServer.ReplicaStatus s : broker.replicas()) {
            live.put(s.brokerId(), new InSyncPlanner.Replica(s.ackedOffset(), s.lagBytes(), s.millisSinceAck()));
        }
        InSyncPlanner.Step step = new InSyncPlanner(brokerId, base.haMaxTimeSlaveNotCatchup, CATCH_UP_BYTES)
            .next(committed, joining, live, lastView.replicas.keySet());
        if (step instanceof InSyncPlanner.Propose p) {
            propose(p.set());
        } else if (step instanceof InSyncPlanner.ForgetJoining f) {
            joining.keySet().removeAll(f.brokerIds());
            applyGate();
        } else if (step instanceof InSyncPlanner.Join j) {
            long id = j.brokerId();
            joining.put(id, Long.MAX_VALUE); // the end to confirm is read once the gate waits for it
            Set<Long> required = new HashSet<>(committed);
            required.addAll(joining.keySet());
            required.remove(brokerId);
            Broker b = broker;
            b.requireReplicas(required, committed.size() < minInSync()).thenRunAsync(() -> {
                if (broker == b && joining.containsKey(id)) {
                    joining.put(id, b.commitLogEnd());
                }
            }, thread);
        }
    }

    private void propose(Set<Long> next) {
        proposing = true;
        long epoch = roleEpoch;
        controllers.alterInSync(new ControllerHeaders.AlterSyncStateSet(base.brokerClusterName, base.brokerName, brokerId,
            epoch), next).whenCompleteAsync((v, failure) -> {
                proposing = false;
                if (role != Role.MASTER || roleEpoch != epoch) {
                    return;
                }
                if (failure != null) {
                    log.warn("the controllers did not change the in-sync set of {} to {}: {}", base.brokerName, next,
                        failure.getMessage());
                    joining.keySet().removeIf(next::contains);
                    applyGate();
                    return;
                }
                log.info("in-sync set of {} is now {} (epoch {})", base.brokerName, v.syncStateSet, v.syncStateSetEpoch);
                joining.keySet().removeIf(next::contains);
                onView(v, System.nanoTime());
                applyGate();
            }, thread);
    }

    static BrokerConfig copy(BrokerConfig c) {
        return c.copy();
    }

    /** The broker running now (null before registration). For status and tests. */
    public Broker broker() {
        try {
            return thread.submit(() -> broker).get(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            return null;
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            thread.submit(() -> {
                if (broker != null) {
                    broker.close(role != Role.MASTER || leaseHolds());
                    broker = null;
                }
            }).get(60, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.warn("stopping the broker did not finish: {}", e.toString());
        }
        thread.shutdownNow();
        controllers.close();
    }
}
