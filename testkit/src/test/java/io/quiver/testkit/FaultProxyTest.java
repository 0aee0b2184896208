package io.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier (loopback): the proxy relays, drops one direction, and cuts. */
@Timeout(30)
class FaultProxyTest {
    /** An echo server: every byte comes back. */
    private static ServerSocket echo() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try {
                    Socket c = s.accept();
                    Thread r = new Thread(() -> {
                        try (InputStream in = c.getInputStream(); OutputStream out = c.getOutputStream()) {
                            in.transferTo(out);
                        } catch (IOException ignored) {
                            // closed
                        }
                    });
                    r.setDaemon(true);
                    r.start();
                } catch (IOException e) {
                    return;
                }
            }
        });
        t.setDaemon(true);
        t.start();
        return s;
    }

    private static int roundTrip(Socket s, int b) throws IOException {
        s.getOutputStream().write(b);
        s.getOutputStream().flush();
        return s.getInputStream().read();
    }

    @Test
    void relaysDropsOneDirectionAndCuts() throws Exception {
        try (ServerSocket target = echo(); FaultProxy proxy = new FaultProxy(target.getLocalPort());
             Socket s = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
            s.setSoTimeout(1_000);
            assertThat(roundTrip(s, 7)).isEqualTo(7);

            proxy.modes(FaultProxy.Mode.PASS, FaultProxy.Mode.DROP);
            assertThatThrownBy(() -> roundTrip(s, 8)).as("the answer is dropped").isInstanceOf(SocketTimeoutException.class);
            proxy.heal();
            assertThat(roundTrip(s, 9)).isEqualTo(9);

            proxy.cut();
            assertThat(s.getInputStream().read()).as("the connection was closed").isEqualTo(-1);
            try (Socket again = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                again.setSoTimeout(1_000);
                assertThat(again.getInputStream().read()).as("new connections are refused while cut").isEqualTo(-1);
            }
            proxy.heal();
            try (Socket healed = new Socket(InetAddress.getLoopbackAddress(), proxy.port())) {
                healed.setSoTimeout(1_000);
                assertThat(roundTrip(healed, 10)).isEqualTo(10);
            }
        }
    }
}
