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
    final String brokerName;
    private final ObjectMapper json = new ObjectMapper();

    ControllerCluster(Path root, String brokerName, int replicas, Map<String, String> brokerConf) {
        this.brokerName = brokerName;
        namesrv = QuiverProcess.namesrv(root.resolve("ns"));
        List<String> peers = new ArrayList<>();
        List<String> listen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            peers.add("n" + i + "-127.0.0.1:" + FreePorts.next());
            listen.add("127.0.0.1:" + FreePorts.next());
        }
        controllerAddrs = String.join(";", listen);
        for (int i = 0; i < 3; i++) {
            controllers.add(QuiverProcess.controller(root.resolve("c" + i), Map.of("controllerPeers",
                String.join(";", peers), "controllerSelfId", "n" + i,
                "listenPort", listen.get(i).substring(listen.get(i).indexOf(':') + 1))));
        }
        for (int i = 0; i < replicas; i++) {
            Map<String, String> conf = new HashMap<>(Map.of("brokerClusterName", CLUSTER, "brokerName", brokerName,
                "enableControllerMode", "true", "controllerAddr", controllerAddrs));
            conf.putAll(brokerConf);
            brokers.add(QuiverProcess.broker(root.resolve("b" + i), namesrv.namesrvAddr(), conf));
        }
    }

    ControllerCluster start() {
        namesrv.start();
        controllers.forEach(QuiverProcess::start);
        brokers.forEach(QuiverProcess::start);
        return this;
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
        QuiverCli.Result r = QuiverCli.run("controller", "status", "--controller", controllerAddrs, "--json");
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
