package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.controller.ControllerConfig;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tier: the configuration files in deploy/ are what the servers accept, and agree with each other. */
class DeployFilesTest {
    private static final Path DEPLOY = Path.of("..", "deploy");

    @Test
    void everyHostsFilesParseAndNameTheSameControllers() {
        String controllerAddr = null;
        for (int h = 1; h <= 3; h++) {
            Path host = DEPLOY.resolve("host" + h);
            ControllerConfig c = ControllerConfig.parse(ServerOptions.readProperties(host.resolve("controller.conf")));
            assertThat(c.selfId()).isEqualTo("n" + h);
            assertThat(c.peers()).hasSize(3);
            Map<String, String> kv = ServerOptions.readProperties(host.resolve("broker-a.conf"));
            BrokerConfig b = new BrokerConfig();
            assertThat(b.apply(kv)).as("host%d broker-a.conf has no unknown keys", h).isEmpty();
            assertThat(b.enableControllerMode).isTrue();
            assertThat(b.controllerAddr.split(";")).hasSize(3)
                .allSatisfy(a -> assertThat(a).endsWith(":" + c.listenPort()));
            if (controllerAddr != null) {
                assertThat(b.controllerAddr).isEqualTo(controllerAddr);
            }
            controllerAddr = b.controllerAddr;
        }
    }
}
