package io.quiver.replication;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP relay for tests that breaks every connection after a random number of bytes (so frames arrive cut in
 * the middle, and whatever was in flight is dropped), as a flaky network would.
 */
final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final Random random;
    private final int maxBytesPerConnection;
    private final AtomicInteger cuts = new AtomicInteger();
    private volatile boolean cutting = true;

    CuttingProxy(int targetPort, long seed, int maxBytesPerConnection) throws IOException {
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        this.targetPort = targetPort;
        this.random = new Random(seed);
        this.maxBytesPerConnection = maxBytesPerConnection;
        Thread acceptor = new Thread(this::accept, "cutting-proxy");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    int cuts() {
        return cuts.get();
    }

    /** From now on connections are relayed whole. */
    void stopCutting() {
        cutting = false;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket in = server.accept();
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                long budget;
                synchronized (random) {
                    budget = 1 + random.nextInt(maxBytesPerConnection);
                }
                AtomicInteger left = new AtomicInteger((int) budget);
                relay(in, out, left);
                relay(out, in, left);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void relay(Socket from, Socket to, AtomicInteger left) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[8192];
            try (InputStream is = from.getInputStream(); OutputStream os = to.getOutputStream()) {
                int n;
                while ((n = is.read(buf)) > 0) {
                    if (cutting) {
                        int allowed = Math.min(n, Math.max(0, left.get()));
                        os.write(buf, 0, allowed);
                        if (left.addAndGet(-n) <= 0) {
                            cuts.incrementAndGet();
                            break; // the rest of this read is dropped and the connection cut
                        }
                    } else {
                        os.write(buf, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the other direction closed it
            } finally {
                close(from);
                close(to);
            }
        }, "cutting-proxy-relay");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
