package io.quiver.broker.send;

import io.quiver.protocol.message.MessageDraft;
import java.util.Map;

/**
 * Where a send may be stored instead of its own topic: a transaction's half queue, a delay level's
 * schedule queue, or the timer queue. Each readdresses a draft built for its real topic and queue, keeping
 * the real address in its properties ({@code props} is the draft's parsed properties and is consumed).
 */
public interface Diversions {
    void toHalf(MessageDraft d, Map<String, String> props);

    void toSchedule(MessageDraft d, Map<String, String> props, int level);

    void toTimer(MessageDraft d, Map<String, String> props, long deliverAtMillis);

    /** False when the bound on pending timer messages is reached. */
    boolean timerHasRoom();

    /** The bound on pending timer messages, for the refusal's remark. */
    int maxPendingTimers();
}
