package io.quiver.store;

import io.quiver.protocol.message.MessageDraft;
import java.util.Map;

/**
 * The consume-queue tag code of a stored record, derived from the record alone: what crash recovery writes
 * when it re-indexes a record. The appending path uses the code its draft carries; this rule must give the
 * same value (a tag hash, or for delayed and timer records the time they fall due, which only the broker
 * knows how to compute).
 */
@FunctionalInterface
public interface TagsCodeRule {
    /** The hash of the {@code TAGS} property, 0 without tags. */
    TagsCodeRule TAGS_HASH = (topic, properties, storeTimestamp) -> MessageDraft.tagsCodeOf(properties);

    long tagsCode(String topic, Map<String, String> properties, long storeTimestamp);
}
