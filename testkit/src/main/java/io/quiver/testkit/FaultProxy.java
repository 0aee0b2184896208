package io.quiver.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay on loopback that injects network faults between a client and {@code targetPort}, per direction:
 * {@link Mode#PASS} relays, {@link Mode#DROP} reads and discards (the peer sees silence, the sender sees its
 * writes succeed), {@link Mode#BLOCK} stops reading (the sender's buffers fill); {@link #cut()} closes every
 * connection and refuses new ones until {@link #heal()}. A delay can be added to each direction. At most
 * {@link #MAX_CONNECTIONS} connections at once; two threads each.
 */
public final class FaultProxy implements AutoCloseable {
    /** What one direction does with the bytes it reads. */
    public enum Mode { PASS, DROP, BLOCK }

    /** Connections relayed at once, at most; more are closed on arrival. */
    public static final int MAX_CONNECTIONS = 64;

    private final ServerSocket server;
    private final int targetPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Mode toTarget = Mode.PASS;
    private volatile Mode toClient = Mode.PASS;
    private volatile long delayMillis;
    private volatile boolean cut;

    public FaultProxy(int targetPort) {
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        this.targetPort = targetPort;
        Thread acceptor = new Thread(this::accept, "fault-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Client-to-target and target-to-client behaviour from now on (for connections old and new). */
    public FaultProxy modes(Mode toTarget, Mode toClient) {
        this.toTarget = toTarget;
        this.toClient = toClient;
        return this;
    }

    /** Every chunk relayed waits this long first (both directions). */
    public FaultProxy delay(long millis) {
        this.delayMillis = millis;
        return this;
    }

    /** Closes every connection and refuses new ones: a partition that the peers notice. */
    public void cut() {
        cut = true;
        closeAll();
    }

    /** Back to relaying everything at once. */
    public void heal() {
        cut = false;
        toTarget = Mode.PASS;
        toClient = Mode.PASS;
        delayMillis = 0;
    }

    private void accept() {
        while (!server.isClosed()) {
            Socket in;
            try {
                in = server.accept();
            } catch (IOException e) {
                return;
            }
            if (cut || sockets.size() >= 2 * MAX_CONNECTIONS) {
                quietClose(in);
                continue;
            }
            try {
                Socket out = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(in);
                sockets.add(out);
                relay(in, out, true);
                relay(out, in, false);
            } catch (IOException e) {
                quietClose(in); // the target is down: the client sees its connection refused-then-closed
            }
        }
    }

    private void relay(Socket from, Socket to, boolean towardTarget) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try (InputStream is = from.getInputStream(); OutputStream os = to.getOutputStream()) {
                while (true) {
                    while ((towardTarget ? toTarget : toClient) == Mode.BLOCK && !cut) {
                        Thread.sleep(10);
                    }
                    int n = is.read(buf);
                    if (n < 0 || cut) {
                        break;
                    }
                    long d = delayMillis;
                    if (d > 0) {
                        Thread.sleep(d);
                    }
                    if ((towardTarget ? toTarget : toClient) == Mode.PASS) {
                        os.write(buf, 0, n);
                        os.flush();
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the connection ended
            } finally {
                quietClose(from);
                quietClose(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "fault-proxy-relay");
        t.setDaemon(true);
        t.start();
    }

    private void closeAll() {
        for (Socket s : sockets) {
            quietClose(s);
        }
        sockets.clear();
    }

    private static void quietClose(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut = true;
        quietClose0();
        closeAll();
    }

    private void quietClose0() {
        try {
            server.close();
        } catch (IOException ignored) {
            // already closed
        }
    }
}
