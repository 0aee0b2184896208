package io.quiver.broker.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.broker.testing.StoredMessages;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.TopicNames;
import io.quiver.store.PutResult;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: TimerService, driven by hand on a real store with a fake clock, parses the requested delivery
 * time, indexes stored timers, delivers only due ones to their real topic and queue exactly once, and after
 * a restart (with or without its own state files) rebuilds only the undelivered timers from the store.
 */
@Timeout(20)
class TimerServiceTest extends ServiceOnStoreTest<TimerService> {

    /** A timer service on {@code dataDir}, recovered from the store (beforeStart) but without its thread. */
    TimerService service(Path dataDir) {
        TimerService t = new TimerService(config, store, HOST, dataDir, now::get);
        t.beforeStart();
        services.add(t);
        return t;
    }

    TimerService service() {
        return service(dir.resolve("data"));
    }

    /**
     * Diverts a message for {@code TopicA/queueId} to the timer queue and stores it, then tells the service
     * of the stored offset as the broker's arrival listener does; returns the timer queue offset.
     */
    long timer(TimerService t, int queueId, String body, long dueMillis) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.TAGS, "TagT");
        props.put(MessageProperties.UNIQ_KEY, "U-" + body);
        props.put("TIMER_DELIVER_MS", Long.toString(dueMillis));
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(TOPIC).queueId(queueId).bornTimestamp(T0).storeHost(HOST)
            .storePort(10911);
        d.body(b, 0, b.length);
        t.toTimer(d, props, dueMillis);
        PutResult r = store.put(List.of(d), true).join();
        assertThat(r.isStored()).isTrue();
        long offset = r.firstQueueOffset();
        t.stored(offset, store.tagsCodeAt(TopicNames.TIMER_TOPIC, 0, offset));
        return offset;
    }

    List<DecodedMessage> read(String topic, int queueId) {
        return StoredMessages.read(store, topic, queueId);
    }

    static String body(DecodedMessage m) {
        return StoredMessages.text(m);
    }

    // ------------------------------------------------------------------ requested delivery time

    @Test
    void delaySecondsComeFirstThenDelayMillisThenTheAbsoluteTime() {
        Map<String, String> all = Map.of("TIMER_DELAY_SEC", "3", "TIMER_DELAY_MS", "700", "TIMER_DELIVER_MS", "42");
        assertThat(TimerService.requestedDeliveryMillis(all, T0)).isEqualTo(T0 + 3_000);
        assertThat(TimerService.requestedDeliveryMillis(Map.of("TIMER_DELAY_MS", " 700 ", "TIMER_DELIVER_MS", "42"), T0))
            .isEqualTo(T0 + 700);
        assertThat(TimerService.requestedDeliveryMillis(Map.of("TIMER_DELIVER_MS", "42"), T0)).isEqualTo(42);
        assertThat(TimerService.requestedDeliveryMillis(Map.of("TAGS", "x"), T0)).isNull();
    }

    @Test
    void aMalformedTimerPropertyIsIllegal() {
        assertThatThrownBy(() -> TimerService.requestedDeliveryMillis(Map.of("TIMER_DELAY_SEC", "soon"), T0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a number").hasMessageContaining("soon");
        assertThatThrownBy(() -> TimerService.requestedDeliveryMillis(Map.of("TIMER_DELAY_MS", "1.5"), T0))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1.5");
        assertThatThrownBy(() -> TimerService.requestedDeliveryMillis(Map.of("TIMER_DELIVER_MS", ""), T0))
            .isInstanceOf(IllegalArgumentException.class);
    }

    // ------------------------------------------------------------------ diversion and bookkeeping

    @Test
    void toTimerReaddressesTheDraftToTheTimerQueueWithItsDueTimeAsTagCode() {
        TimerService t = service();
        Map<String, String> props = new LinkedHashMap<>(Map.of(MessageProperties.TAGS, "TagT"));
        MessageDraft d = new MessageDraft().topic(TOPIC).queueId(3);
        t.toTimer(d, props, T0 + 7_000);
        assertThat(d.topic()).isEqualTo(TopicNames.TIMER_TOPIC);
        assertThat(d.queueId()).isZero();
        assertThat(d.tagsCode()).isEqualTo(T0 + 7_000);
        assertThat(MessageProperties.parse(d.properties())).containsEntry(MessageProperties.REAL_TOPIC, TOPIC)
            .containsEntry(MessageProperties.REAL_QID, "3").containsEntry(DueTimes.TIMER_OUT_MS, Long.toString(T0 + 7_000))
            .containsEntry(MessageProperties.TAGS, "TagT");
        assertThat(t.pending()).as("nothing pending before it is stored").isZero();
    }

    @Test
    void storedTimersArePendingAndRoomIsBoundedByMaxPendingTimers() {
        TimerService t = service();
        timer(t, 0, "a", T0 + 1_000);
        timer(t, 0, "b", T0 + 2_000);
        assertThat(t.pending()).isEqualTo(2);
        assertThat(t.hasRoom()).isTrue();

        for (int i = t.pending(); i < TimerService.MAX_PENDING_TIMERS - 1; i++) {
            t.stored(1_000_000 + i, T0 + 3_600_000);
        }
        assertThat(t.hasRoom()).isTrue();
        t.stored(999, T0 + 3_600_000);
        assertThat(t.pending()).isEqualTo(TimerService.MAX_PENDING_TIMERS);
        assertThat(t.hasRoom()).isFalse();
    }

    // ------------------------------------------------------------------ delivery

    @Test
    void onlyDueTimersAreDeliveredAndEachExactlyOnce() {
        TimerService t = service();
        now.set(T0 + 10);
        long first = timer(t, 1, "soon", T0 + 1_000);
        timer(t, 2, "later", T0 + 5_000);

        assertThat(t.doWork()).isZero();
        now.set(T0 + 900);
        assertThat(t.doWork()).isZero();
        assertThat(read(TOPIC, 1)).isEmpty();

        now.set(T0 + 1_000);
        assertThat(t.doWork()).isEqualTo(1);
        assertThat(read(TOPIC, 1)).singleElement().satisfies(m -> {
            assertThat(body(m)).isEqualTo("soon");
            assertThat(m.queueId).isEqualTo(1);
            assertThat(m.propertyMap()).doesNotContainKeys(MessageProperties.REAL_TOPIC, MessageProperties.REAL_QID)
                .containsEntry(MessageProperties.TAGS, "TagT").containsEntry(MessageProperties.UNIQ_KEY, "U-soon")
                .containsEntry("TIMER_ENQUEUE_MS", Long.toString(T0 + 10))
                .containsEntry("TIMER_DEQUEUE_MS", Long.toString(T0 + 1_000));
        });
        assertThat(store.tagsCodeAt(TOPIC, 1, 0)).isEqualTo((long) "TagT".hashCode());
        assertThat(read(TOPIC, 2)).as("the later timer waits").isEmpty();
        assertThat(t.pending()).isEqualTo(1);
        assertThat(read(TimerService.MARKER_TOPIC, 0)).singleElement()
            .satisfies(marker -> assertThat(body(marker)).isEqualTo(first + ","));

        now.set(T0 + 4_999);
        assertThat(t.doWork()).isZero();
        now.set(T0 + 5_000);
        assertThat(t.doWork()).isEqualTo(1);
        now.set(T0 + 60_000);
        assertThat(t.doWork()).isZero();
        assertThat(read(TOPIC, 1)).hasSize(1);
        assertThat(read(TOPIC, 2)).extracting(TimerServiceTest::body).containsExactly("later");
        assertThat(t.pending()).isZero();
    }

    @Test
    void aTimerAnnouncedTwiceIsStillDeliveredOnce() {
        TimerService t = service();
        long off = timer(t, 0, "twice", T0 + 1_000);
        now.set(T0 + 1_000);
        t.doWork();
        t.stored(off, T0 + 1_000); // e.g. a replayed arrival
        t.doWork();
        assertThat(read(TOPIC, 0)).hasSize(1);
    }

    @Test
    void aRestartReloadsOnlyUndeliveredTimers() {
        TimerService first = service();
        timer(first, 0, "a", T0 + 1_000);
        timer(first, 0, "b", T0 + 5_000);
        now.set(T0 + 1_000);
        first.doWork();
        first.close(); // persists progress

        TimerService second = service();
        assertThat(second.pending()).isEqualTo(1);
        second.doWork();
        assertThat(read(TOPIC, 0)).extracting(TimerServiceTest::body).containsExactly("a");
        now.set(T0 + 5_000);
        second.doWork();
        assertThat(read(TOPIC, 0)).extracting(TimerServiceTest::body).containsExactly("a", "b");
    }

    @Test
    void withoutItsStateFilesARestartedServiceReplaysTheDeliveryMarkers() {
        TimerService first = service();
        timer(first, 0, "a", T0 + 1_000);
        timer(first, 0, "b", T0 + 5_000);
        now.set(T0 + 1_000);
        first.doWork();

        // as after a crash that lost the delivered-flag files and timer.json: only the store remains
        TimerService second = service(dir.resolve("fresh"));
        assertThat(second.pending()).isEqualTo(1);
        now.set(T0 + 10_000);
        second.doWork();
        second.doWork();
        assertThat(read(TOPIC, 0)).extracting(TimerServiceTest::body).containsExactly("a", "b");
    }
}
