package io.quiver.controller;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A controller's settings, with the key names the issue and RocketMQ's controller use where they exist:
 * {@code controllerPeers} ({@code n0-host:port;n1-host:port;n2-host:port}, the Raft addresses), {@code controllerSelfId},
 * {@code controllerStorePath}, {@code enableElectUncleanMaster}, {@code controllerHeartBeatTimeoutMills} (a broker not heard
 * from for this long is dead; 3 000), {@code scanNotActiveBrokerInterval} (how often the leader looks; 500), and
 * Quiver's {@code controllerSnapshotThreshold}, and {@code bindAddress}/{@code listenPort} (where brokers and tools talk to
 * it; 0.0.0.0 and 9878), {@code metricsExporterType} (PROM or DISABLE, the default) and {@code metricsPromExporterPort}
 * (5559).
 * {@link #parse} refuses a bad value with a message naming the key.
 */
public record ControllerConfig(Map<String, String> peers, String selfId, Path storePath, boolean electUncleanMaster,
                               long snapshotThreshold, long heartbeatTimeoutMillis, long scanIntervalMillis,
                               String bindAddress, int listenPort, boolean metricsEnabled, int metricsPort) {
    /** The controller's Prometheus port unless {@code metricsPromExporterPort} says otherwise. */
    public static final int DEFAULT_METRICS_PORT = 5559;

    /** Where brokers and tools reach a controller unless {@code listenPort} says otherwise. */
    public static final int DEFAULT_LISTEN_PORT = 9878;

    /** Most controllers in one Raft group. */
    public static final int MAX_PEERS = 9;

    public ControllerConfig {
        peers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(peers));
    }

    /** This controller's Raft address (host:port). */
    public String selfAddress() {
        return peers.get(selfId);
    }

    public static ControllerConfig parse(Map<String, String> kv) {
        String rawPeers = kv.get("controllerPeers");
        if (rawPeers == null || rawPeers.isBlank()) {
            throw new IllegalArgumentException("controllerPeers is required: id-host:port;id-host:port;... "
                + "(for example n0-127.0.0.1:9870;n1-127.0.0.1:9871;n2-127.0.0.1:9872)");
        }
        Map<String, String> peers = new LinkedHashMap<>();
        for (String p : rawPeers.split(";")) {
            String t = p.trim();
            int dash = t.indexOf('-');
            int colon = t.lastIndexOf(':');
            if (dash <= 0 || colon < dash + 2) {
                throw new IllegalArgumentException("controllerPeers: '" + t + "' is not id-host:port");
            }
            int port;
            try {
                port = Integer.parseInt(t.substring(colon + 1));
            } catch (NumberFormatException e) {
                port = -1;
            }
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("controllerPeers: '" + t + "' has no valid port");
            }
            if (peers.put(t.substring(0, dash), t.substring(dash + 1)) != null) {
                throw new IllegalArgumentException("controllerPeers names " + t.substring(0, dash) + " twice");
            }
        }
        if (peers.size() > MAX_PEERS) {
            throw new IllegalArgumentException("controllerPeers lists " + peers.size() + " controllers; at most "
                + MAX_PEERS);
        }
        String self = kv.getOrDefault("controllerSelfId", "").trim();
        if (!peers.containsKey(self)) {
            throw new IllegalArgumentException("controllerSelfId '" + self + "' is not one of controllerPeers "
                + new ArrayList<>(peers.keySet()));
        }
        Path store = Path.of(kv.getOrDefault("controllerStorePath", "data/controller"));
        String unclean = kv.getOrDefault("enableElectUncleanMaster", "false").trim();
        if (!unclean.equals("true") && !unclean.equals("false")) {
            throw new IllegalArgumentException("enableElectUncleanMaster must be true or false, not '" + unclean + "'");
        }
        long threshold;
        try {
            threshold = Long.parseLong(kv.getOrDefault("controllerSnapshotThreshold", "10000").trim());
        } catch (NumberFormatException e) {
            threshold = -1;
        }
        if (threshold < 1) {
            throw new IllegalArgumentException("controllerSnapshotThreshold must be a positive number of log entries");
        }
        long timeout = positive(kv, "controllerHeartBeatTimeoutMills", 3_000);
        long scan = positive(kv, "scanNotActiveBrokerInterval", 500);
        String bind = kv.getOrDefault("bindAddress", "0.0.0.0").trim();
        int listenPort;
        try {
            listenPort = Integer.parseInt(kv.getOrDefault("listenPort", Integer.toString(DEFAULT_LISTEN_PORT)).trim());
        } catch (NumberFormatException e) {
            listenPort = -1;
        }
        if (listenPort < 0 || listenPort > 65_535) {
            throw new IllegalArgumentException("listenPort must be a port number (0 picks a free one), not '"
                + kv.get("listenPort") + "'");
        }
        String exporter = kv.getOrDefault("metricsExporterType", "DISABLE").trim();
        if (!exporter.equals("PROM") && !exporter.equals("DISABLE")) {
            throw new IllegalArgumentException("metricsExporterType must be PROM or DISABLE, not '" + exporter + "'");
        }
        int metricsPort;
        try {
            metricsPort = Integer.parseInt(kv.getOrDefault("metricsPromExporterPort",
                Integer.toString(DEFAULT_METRICS_PORT)).trim());
        } catch (NumberFormatException e) {
            metricsPort = -1;
        }
        if (metricsPort < 0 || metricsPort > 65_535) {
            throw new IllegalArgumentException("metricsPromExporterPort must be a port number, not '"
                + kv.get("metricsPromExporterPort") + "'");
        }
        return new ControllerConfig(peers, self, store, Boolean.parseBoolean(unclean), threshold, timeout, scan, bind,
            listenPort, exporter.equals("PROM"), metricsPort);
    }

    private static long positive(Map<String, String> kv, String key, long dflt) {
        try {
            long v = Long.parseLong(kv.getOrDefault(key, Long.toString(dflt)).trim());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new IllegalArgumentException(key + " must be a positive number of milliseconds, not '" + kv.get(key) + "'");
    }

    /** The peer ids in the order given. */
    public List<String> peerIds() {
        return List.copyOf(peers.keySet());
    }
}
