package io.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tier: ports handed to test servers are free, never handed twice, and outside the kernel's own range. */
class FreePortsTest {
    @Test
    void portsAreDistinctBindableAndBelowTheEphemeralRange() throws Exception {
        Path range = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
        int ephemeralLow = Files.exists(range) ? Integer.parseInt(Files.readAllLines(range).get(0).trim().split("\\s+")[0]) : 0;
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            int port = FreePorts.next();
            assertThat(seen.add(port)).as("port %d handed out once", port).isTrue();
            if (ephemeralLow - FreePorts.LOWEST > 1_000) {
                assertThat(port).isBetween(FreePorts.LOWEST, ephemeralLow - 1);
            }
            try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
                assertThat(s.getLocalPort()).isEqualTo(port);
            }
        }
    }

    @Test
    void aTakenPortIsSkipped() throws Exception {
        int port = FreePorts.next();
        try (ServerSocket taken = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
            int next = FreePorts.next();
            assertThat(next).isNotEqualTo(port + 1);
        } catch (java.net.BindException raced) {
            // someone else holds port + 1 already: it is skipped all the same
            assertThat(FreePorts.next()).isNotEqualTo(port + 1);
        }
    }
}
