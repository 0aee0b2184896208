package io.quiver.it5;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.FreePorts;
import io.quiver.testkit.QuiverProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.rocketmq.client.impl.MQClientAPIImpl;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.remoting.protocol.header.controller.GetMetaDataResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier: what the 5.1.4 client's admin calls (those behind mqadmin {@code getControllerMetaData}) read
 * from a Quiver controller: its Raft group, leader and peers.
 */
@Timeout(120)
class ControllerAdmin5IT {
    @Test
    void getControllerMetaDataNamesTheLeaderAndThePeers() throws Exception {
        Path root = Files.createTempDirectory("quiver-controller-admin-");
        String raft = "n0-127.0.0.1:" + FreePorts.next();
        int listen = FreePorts.next();
        try (QuiverProcess controller = QuiverProcess.controller(root.resolve("c0"), Map.of("controllerPeers", raft,
            "controllerSelfId", "n0", "listenPort", Integer.toString(listen))).start()) {
            DefaultMQProducer p = new DefaultMQProducer("PG_controller_admin");
            p.setNamesrvAddr("127.0.0.1:" + FreePorts.next()); // no name server is needed for this
            p.setInstanceName("controller-admin-" + System.nanoTime());
            p.start();
            try {
                MQClientAPIImpl api = p.getDefaultMQProducerImpl().getMqClientFactory().getMQClientAPIImpl();
                await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
                    api.getControllerMetaData("127.0.0.1:" + listen).isLeader());
                GetMetaDataResponseHeader meta = api.getControllerMetaData("127.0.0.1:" + listen);
                assertThat(meta.getControllerLeaderId()).isEqualTo("n0");
                assertThat(meta.getPeers()).isEqualTo(raft);
                assertThat(meta.getGroup()).isNotBlank();
            } finally {
                p.shutdown();
            }
        }
    }
}
