package io.quiver.broker.testing;

import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.store.MessageFilter;
import io.quiver.store.MessageReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reading back what a test stored: every message of a queue, decoded, and a message's body as text. */
public final class StoredMessages {
    private StoredMessages() {}

    /** The first 1 000 messages of a queue, in queue order. */
    public static List<DecodedMessage> read(MessageReader store, String topic, int queueId) {
        List<DecodedMessage> out = new ArrayList<>();
        for (ByteBuffer b : store.getCopies(topic, queueId, 0, 1000, 0, MessageFilter.ALL).records()) {
            out.add(MessageRecord.decode(b, 0));
        }
        return out;
    }

    public static String text(DecodedMessage m) {
        return new String(m.body, StandardCharsets.UTF_8);
    }
}
