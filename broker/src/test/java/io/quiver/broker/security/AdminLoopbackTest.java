package io.quiver.broker.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.Broker;
import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.remoting.RemotingClient;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: with ACL off and {@code adminRequestsLoopbackOnly=true}, requests that change the broker are served from
 * its own host only; reads, and everything from loopback, are served as before.
 */
@Timeout(60)
class AdminLoopbackTest {
    @TempDir
    Path dir;

    static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static RemotingCommand createTopic(String name) {
        return RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC).putExt("topic", name)
            .putExt("defaultTopic", "TBW102").putExt("readQueueNums", "4").putExt("writeQueueNums", "4")
            .putExt("perm", "6").putExt("topicFilterType", "SINGLE_TAG");
    }

    @Test
    void changesAreServedFromThisHostOnly() throws Exception {
        BrokerConfig c = new BrokerConfig();
        c.bindAddress = "0.0.0.0";
        c.listenPort = freePort();
        c.haListenPort = freePort();
        c.grpcServerPort = -1;
        c.namesrvAddr = "";
        c.metricsExporterType = "DISABLE";
        c.storePathRootDir = dir.resolve("store");
        c.mappedFileSizeCommitLog = 16 * 1024 * 1024;
        c.adminRequestsLoopbackOnly = true;
        String outside = c.brokerIP1;
        Assumptions.assumeTrue(outside != null && !outside.startsWith("127."), "no address but loopback here");
        Broker broker = new Broker(c);
        broker.start();
        try (RemotingClient client = new RemotingClient("admin-test")) {
            RemotingCommand far = client.invoke(outside + ":" + c.listenPort, createTopic("FromAfar"), 5_000)
                .get(10, TimeUnit.SECONDS);
            assertThat(far.code()).isEqualTo(ResponseCode.NO_PERMISSION);
            assertThat(far.remark()).contains("adminRequestsLoopbackOnly=true");
            RemotingCommand read = client.invoke(outside + ":" + c.listenPort,
                RemotingCommand.request(RequestCode.GET_BROKER_RUNTIME_INFO), 5_000).get(10, TimeUnit.SECONDS);
            assertThat(read.code()).as("reads are served from anywhere").isEqualTo(ResponseCode.SUCCESS);
            RemotingCommand near = client.invoke("127.0.0.1:" + c.listenPort, createTopic("FromHere"), 5_000)
                .get(10, TimeUnit.SECONDS);
            assertThat(near.code()).as(near.remark()).isEqualTo(ResponseCode.SUCCESS);
        } finally {
            broker.close(false);
        }
    }
}
