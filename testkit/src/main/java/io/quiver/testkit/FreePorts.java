package io.quiver.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Free TCP ports on the loopback address, for servers started by tests.
 *
 * <p>A port is free only when it is checked; a server started later may find it taken. Ports the kernel hands
 * out on its own (port 0, and the local end of every outgoing connection) come from its ephemeral range, so a
 * port picked there can be taken by any connection made meanwhile: a broker process then fails to listen. So
 * ports are picked below that range, where only someone who names a port can take it, each at most once per
 * JVM, starting at a random point so that two test JVMs rarely try the same ones.
 */
public final class FreePorts {
    /** The lowest port handed out. */
    static final int LOWEST = 10_000;

    private static final int BELOW = ephemeralLow();
    private static final AtomicInteger NEXT = new AtomicInteger(
        BELOW - LOWEST > 1_000 ? LOWEST + ThreadLocalRandom.current().nextInt(BELOW - LOWEST) : 0);

    private FreePorts() {}

    public static int next() {
        if (NEXT.get() == 0) {
            return kernelPicked();
        }
        for (int tries = 0; tries < BELOW - LOWEST; tries++) {
            int port = NEXT.getAndUpdate(p -> p + 1 >= BELOW ? LOWEST : p + 1);
            if (isFree(port)) {
                return port;
            }
        }
        return kernelPicked();
    }

    private static boolean isFree(int port) {
        try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int kernelPicked() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first port of the kernel's ephemeral range (Linux), or 0 when unknown (then the kernel picks). */
    private static int ephemeralLow() {
        try {
            // readAllLines: a /proc file reports size 0, and a read sized by it returns a fragment
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0).trim();
            return Integer.parseInt(range.split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
