package io.quiver.broker.delay;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.broker.testing.TestStores;
import io.quiver.store.DutyCycle;
import io.quiver.store.MessageStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** Shared by the delay-level and timer service tests: a real store on a fake clock, and the services to close. */
abstract class ServiceOnStoreTest<S extends DutyCycle> {
    /** A multiple of the timer's 100 ms bucket width. */
    static final long T0 = 1_700_000_000_000L;
    static final byte[] HOST = {10, 0, 0, 7};
    static final String TOPIC = "TopicA";

    @TempDir
    Path dir;
    final AtomicLong now = new AtomicLong(T0);
    final BrokerConfig config = new BrokerConfig();
    MessageStore store;
    final List<S> services = new ArrayList<>();

    @BeforeEach
    void openStore() {
        store = TestStores.started(dir.resolve("store"), now::get);
    }

    @AfterEach
    void closeStore() {
        services.forEach(DutyCycle::close);
        store.close();
    }
}
