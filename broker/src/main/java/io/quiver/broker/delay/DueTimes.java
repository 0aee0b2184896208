package io.quiver.broker.delay;

import io.quiver.broker.config.DelayLevels;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.TopicNames;
import io.quiver.store.TagsCodeRule;
import java.util.Map;

/**
 * The consume-queue tag code of a stored record as the broker assigns it, recomputed from the record for
 * crash recovery: a delay-level record is due at its store time plus its level's delay, a timer record at
 * its {@code TIMER_OUT_MS}, any other record carries its tag hash. Stateless; any thread.
 */
public final class DueTimes implements TagsCodeRule {
    /** The property holding a timer record's delivery time (ms since the epoch). */
    public static final String TIMER_OUT_MS = "TIMER_OUT_MS";

    private final DelayLevels levels;

    public DueTimes(DelayLevels levels) {
        this.levels = levels;
    }

    @Override
    public long tagsCode(String topic, Map<String, String> properties, long storeTimestamp) {
        if (TopicNames.SCHEDULE_TOPIC.equals(topic)) {
            return storeTimestamp + levels.millis(levels.clamp((int) parse(properties.get(MessageProperties.DELAY), 1)));
        }
        if (TopicNames.TIMER_TOPIC.equals(topic)) {
            return parse(properties.get(TIMER_OUT_MS), storeTimestamp);
        }
        return MessageDraft.tagsCodeOf(properties);
    }

    private static long parse(String v, long otherwise) {
        try {
            return v == null ? otherwise : Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            return otherwise;
        }
    }
}
