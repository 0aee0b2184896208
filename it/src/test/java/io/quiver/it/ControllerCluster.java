package io.quiver.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.common.protocol.body.ClusterInfo;
import org.apache.rocketmq.common.protocol.route.BrokerData;

/**
 * A whole controller-mode deployment on loopback, each part its own process: a name server, three controllers
 * and {@code replicas} brokers of one broker group, all with their own data directories under {@code root}.
 */
final class ControllerCluster implements AutoCloseable {
    static final String CLUSTER = "FailoverCluster";

    final QuiverProcess namesrv;
    final List<QuiverProcess> controllers = new ArrayList<>();
    final List<QuiverProcess> brokers = new ArrayList<>();
    final String controllerAddrs;
    /** Each controller's listen address, in order. */
    final List<String> controllerListen;
    private final Path root;
    private final int replicas;
    private final Map<String, String> brokerConf;
    private final Map<Integer, Map<String, String>> overrides = new HashMap<>();
    final String brokerName;
    private final ObjectMapper json = new ObjectMapper();
    /** Whether every port of this cluster enforces TLS; the CLI's environment then turns it on. */
    private final boolean tls;
    private final Map<String, String> cliEnv;

    ControllerCluster(Path root, String brokerName, int replicas, Map<String, String> brokerConf) {
        this(root, brokerName, replicas, brokerConf, Map.of());
    }

    /**
     * With {@code tls}: settings (tls.*) given to the controllers and the brokers alike; the CLI and the producers of
     * this cluster then connect with TLS.
     */
    ControllerCluster(Path root, String brokerName, int replicas, Map<String, String> brokerConf, Map<String, String> tls) {
        this.tls = !tls.isEmpty();
        this.cliEnv = this.tls ? Map.of("JAVA_OPTS", "-Dtls.enable=true") : Map.of();
        Map<String, String> withTls = new HashMap<>(brokerConf);
        withTls.putAll(tls);
        brokerConf = withTls;
        this.brokerName = brokerName;
        this.root = root;
        this.replicas = replicas;
        this.brokerConf = brokerConf;
        namesrv = QuiverProcess.namesrv(root.resolve("ns"));
        List<String> peers = new ArrayList<>();
        List<String> listen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add("n" + i + "-127.0.0.1:" + FreePorts.next());
            listen.add("127.0.0.1:" + FreePorts.next());
        }
        controllerAddrs = String.join(";", listen);
        controllerListen = List.copyOf(listen);
        for (int i = 0; i < 3; i++) {
            Map<String, String> conf = new HashMap<>(Map.of("controllerPeers", String.join(";", peers),
                "controllerSelfId", "n" + i, "listenPort", listen.get(i).substring(listen.get(i).indexOf(':') + 1)));
            conf.putAll(tls);
            controllers.add(QuiverProcess.controller(root.resolve("c" + i), conf));
        }
    }

    /** Every process keeps its output and logs in {@code dir}/{name} when the cluster is closed. */
    ControllerCluster keepLogsIn(Path dir) {
        this.logs = dir;
        namesrv.keepLogsIn(dir);
        controllers.forEach(c -> c.keepLogsIn(dir));
        return this;
    }

    private Path logs;

    /** Settings of broker {@code index} beyond the common ones (before {@link #start}). */
    ControllerCluster override(int index, Map<String, String> conf) {
        overrides.put(index, conf);
        return this;
    }

    /** Starts the name server, the controllers, and every broker. */
    ControllerCluster start() {
        startControlPlane();
        brokers.forEach(QuiverProcess::start);
        return this;
    }

    /** Starts the name server and the controllers, and creates (without starting) the brokers. */
    ControllerCluster startControlPlane() {
        namesrv.start();
        controllers.forEach(QuiverProcess::start);
        for (int i = 0; i < replicas; i++) {
            Map<String, String> conf = new HashMap<>(Map.of("brokerClusterName", CLUSTER, "brokerName", brokerName,
                "enableControllerMode", "true", "controllerAddr", controllerAddrs));
            conf.putAll(brokerConf);
            conf.putAll(overrides.getOrDefault(i, Map.of()));
            QuiverProcess b = QuiverProcess.broker(root.resolve("b" + i), namesrv.namesrvAddr(), conf);
            if (logs != null) {
                b.keepLogsIn(logs);
            }
            brokers.add(b);
        }
        return this;
    }

    /**
     * A started producer of this cluster that re-reads routes every second (the default 30 s would keep it on a
     * dead master that long).
     */
    org.apache.rocketmq.client.producer.DefaultMQProducer producer(String group) throws Exception {
        var p = new org.apache.rocketmq.client.producer.DefaultMQProducer(group);
        p.setNamesrvAddr(namesrv.namesrvAddr());
        p.setInstanceName(group + "-" + System.nanoTime());
        p.setPollNameServerInterval(1_000);
        p.setSendMsgTimeout(3_000);
        p.setUseTLS(tls);
        p.start();
        return p;
    }

    /** Creates {@code topic} with four queues on the master, through the CLI. */
    void createTopic(String topic) {
        QuiverCli.Result created = QuiverCli.run(cliEnv, "topic", "create", "--namesrv", namesrv.namesrvAddr(),
            "--queues", "4", topic);
        if (created.exitCode() != 0) {
            throw new IllegalStateException("cannot create " + topic + ": " + created);
        }
    }

    /** The address the name servers give as the group's master (brokerId 0), or null. */
    String masterAddr(MQClientAPIImpl api) {
        try {
            ClusterInfo info = api.getBrokerClusterInfo(5_000);
            BrokerData d = info.getBrokerAddrTable().get(brokerName);
            return d == null ? null : d.getBrokerAddrs().get(0L);
        } catch (Exception e) {
            return null;
        }
    }

    /** The broker process serving {@code addr}. */
    QuiverProcess broker(String addr) {
        return brokers.stream().filter(b -> b.brokerAddr().equals(addr)).findFirst()
            .orElseThrow(() -> new IllegalStateException("no broker at " + addr));
    }

    /** The group as a live controller answers it ({@code quiver controller status --json}), or null. */
    JsonNode group() {
        QuiverCli.Result r = QuiverCli.run(cliEnv, "controller", "status", "--controller", controllerAddrs, "--json");
        if (r.exitCode() != 0) {
            return null;
        }
        try {
            for (JsonNode g : json.readTree(r.out()).path("groups")) {
                if (g.path("brokerName").asText().equals(brokerName)) {
                    return g;
                }
            }
            return null;
        } catch (Exception e) {
            return null;
        }
    }

    /** Size of the group's in-sync set as the controllers hold it (0 when unknown). */
    int inSyncSize() {
        JsonNode g = group();
        return g == null ? 0 : g.path("syncStateSet").size();
    }

    @Override
    public void close() {
        for (QuiverProcess b : brokers) {
            b.close();
        }
        for (QuiverProcess c : controllers) {
            c.close();
        }
        namesrv.close();
    }
}
