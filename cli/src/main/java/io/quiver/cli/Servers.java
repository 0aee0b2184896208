package io.quiver.cli;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/** Runs servers until the JVM is asked to stop (Ctrl-C, SIGTERM), then closes them in reverse order. */
final class Servers {
    private final List<AutoCloseable> started = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);

    void add(AutoCloseable server) {
        started.add(server);
    }

    /** Installs the shutdown hook and blocks until shutdown completes. */
    int awaitShutdown() {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            closeAll();
            System.out.println("Quiver stopped cleanly.");
            System.out.flush();
            stopped.countDown();
        }, "quiver-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    /** After a drain asked for over the network: stop the process, which runs the shutdown hook. */
    static void exitAfterDrain() {
        Thread t = new Thread(() -> System.exit(0), "quiver-exit");
        t.setDaemon(false);
        t.start();
    }

    void closeAll() {
        List<AutoCloseable> reversed = new ArrayList<>(started);
        Collections.reverse(reversed);
        for (AutoCloseable c : reversed) {
            try {
                c.close();
            } catch (Exception e) {
                System.err.println("error while stopping: " + e);
            }
        }
        started.clear();
    }
}
