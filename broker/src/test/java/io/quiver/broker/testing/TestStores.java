package io.quiver.broker.testing;

import io.quiver.store.Clock;
import io.quiver.store.MessageStore;
import io.quiver.store.StoreConfig;
import java.nio.file.Path;

/** A real message store sized for unit tests (64 KiB messages, 256 KiB segments, a small index), started. */
public final class TestStores {
    private TestStores() {}

    public static MessageStore started(Path dir, Clock clock) {
        MessageStore s = new MessageStore(StoreConfig.defaults(dir).withMaxMessageBytes(64 * 1024)
            .withSegmentBytes(256 * 1024).withIndexSize(1_000, 4_000), clock);
        s.start();
        return s;
    }
}
