package io.quiver.broker.delay;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.broker.config.DelayLevels;
import io.quiver.broker.testing.StoredMessages;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.TopicNames;
import io.quiver.store.DutyCycle;
import io.quiver.store.PutResult;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: ScheduleService, driven by hand on a real store with a fake clock, holds a delay-level message
 * until its due time, then delivers it exactly once to its real topic and queue without the DELAY property,
 * and a restarted service resumes from its progress markers without delivering anything twice.
 */
@Timeout(20)
class ScheduleServiceTest extends ServiceOnStoreTest<ScheduleService> {

    /**
     * A service recovered from the store (beforeStart) and marked running without its thread. doWork() delivers
     * only while the DutyCycle is running (its per-level loop checks isRunning(), which only start() sets), so
     * the flag is set by reflection instead of starting the thread: the test drives every cycle itself.
     */
    ScheduleService service() throws Exception {
        ScheduleService s = new ScheduleService(config, store, HOST, DelayLevels.parse("1s 5s"), now::get);
        s.beforeStart();
        Field running = DutyCycle.class.getDeclaredField("running");
        running.setAccessible(true);
        running.setBoolean(s, true);
        services.add(s);
        return s;
    }

    static MessageDraft draft(String topic, int queueId, String body, Map<String, String> props) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        MessageDraft d = new MessageDraft().topic(topic).queueId(queueId).bornTimestamp(T0 - 1).storeHost(HOST)
            .storePort(10911);
        d.body(b, 0, b.length);
        d.properties(MessageProperties.encode(props));
        d.tagsCode(MessageDraft.tagsCodeOf(props));
        return d;
    }

    /** Diverts a message for {@code TopicA/queueId} to {@code level} and stores it; returns the put result. */
    PutResult schedule(ScheduleService s, int queueId, String body, int level) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put(MessageProperties.TAGS, "TagA");
        props.put(MessageProperties.UNIQ_KEY, "U-" + body);
        props.put(MessageProperties.DELAY, Integer.toString(level));
        MessageDraft d = draft(TOPIC, queueId, body, props);
        s.toSchedule(d, props, level);
        PutResult r = store.put(List.of(d), true).join();
        assertThat(r.isStored()).isTrue();
        return r;
    }

    List<DecodedMessage> read(String topic, int queueId) {
        return StoredMessages.read(store, topic, queueId);
    }

    static String body(DecodedMessage m) {
        return StoredMessages.text(m);
    }

    @Test
    void toScheduleReaddressesTheDraftToTheLevelsQueueKeepingTheRealAddress() throws Exception {
        ScheduleService s = service();
        Map<String, String> props = new LinkedHashMap<>(Map.of(MessageProperties.TAGS, "TagA"));
        MessageDraft d = draft(TOPIC, 3, "m", props);

        s.toSchedule(d, props, 2);

        assertThat(d.topic()).isEqualTo(TopicNames.SCHEDULE_TOPIC);
        assertThat(d.queueId()).isEqualTo(1);
        assertThat(d.deliverDelayMillis()).isEqualTo(5_000);
        assertThat(d.tagsCode()).isZero();
        assertThat(MessageProperties.parse(d.properties())).containsEntry(MessageProperties.REAL_TOPIC, TOPIC)
            .containsEntry(MessageProperties.REAL_QID, "3").containsEntry(MessageProperties.DELAY, "2")
            .containsEntry(MessageProperties.TAGS, "TagA");
    }

    @Test
    void aLevelAboveTheTableIsClampedToTheLastLevel() throws Exception {
        ScheduleService s = service();
        Map<String, String> props = new LinkedHashMap<>();
        MessageDraft d = draft(TOPIC, 0, "m", props);
        s.toSchedule(d, props, 9);
        assertThat(d.queueId()).isEqualTo(1);
        assertThat(d.deliverDelayMillis()).isEqualTo(5_000);
        assertThat(MessageProperties.parse(d.properties())).containsEntry(MessageProperties.DELAY, "2");
    }

    @Test
    void theStoredScheduleEntryIsDueAtItsStoreTimePlusTheLevelsDelay() throws Exception {
        ScheduleService s = service();
        now.set(T0 + 123);
        schedule(s, 2, "m1", 2);
        assertThat(store.tagsCodeAt(TopicNames.SCHEDULE_TOPIC, 1, 0)).isEqualTo(T0 + 123 + 5_000);
        assertThat(s.pending()).isEqualTo(1);
    }

    @Test
    void aDelayedMessageIsDeliveredOnlyOnceDueAndThenExactlyOnce() throws Exception {
        ScheduleService s = service();
        schedule(s, 2, "m1", 2);

        s.doWork();
        now.set(T0 + 4_999);
        s.doWork();
        assertThat(read(TOPIC, 2)).as("nothing before the due time").isEmpty();
        assertThat(s.pending()).isEqualTo(1);

        now.set(T0 + 5_000);
        s.doWork();
        List<DecodedMessage> delivered = read(TOPIC, 2);
        assertThat(delivered).singleElement().satisfies(m -> {
            assertThat(body(m)).isEqualTo("m1");
            assertThat(m.topic).isEqualTo(TOPIC);
            assertThat(m.queueId).isEqualTo(2);
            assertThat(m.propertyMap()).doesNotContainKey(MessageProperties.DELAY)
                .containsEntry(MessageProperties.TAGS, "TagA").containsEntry(MessageProperties.UNIQ_KEY, "U-m1")
                .containsEntry(MessageProperties.WAIT, "false");
        });
        assertThat(store.tagsCodeAt(TOPIC, 2, 0)).as("the delivered entry carries its tag hash")
            .isEqualTo((long) "TagA".hashCode());
        assertThat(s.pending()).isZero();
        assertThat(read(ScheduleService.PROGRESS_TOPIC, 1)).singleElement()
            .satisfies(marker -> assertThat(body(marker)).isEqualTo("0"));

        now.set(T0 + 60_000);
        s.doWork();
        s.doWork();
        assertThat(read(TOPIC, 2)).as("delivered once only").hasSize(1);
    }

    @Test
    void eachLevelDeliversWhatIsDueInStoreOrder() throws Exception {
        ScheduleService s = service();
        schedule(s, 0, "a", 1);            // due T0 + 1000
        now.set(T0 + 500);
        schedule(s, 0, "b", 1);            // due T0 + 1500
        schedule(s, 1, "slow", 2);         // due T0 + 5500
        now.set(T0 + 2_000);
        schedule(s, 0, "c", 1);            // due T0 + 3000

        now.set(T0 + 1_500);
        s.doWork();
        assertThat(read(TOPIC, 0)).extracting(ScheduleServiceTest::body).containsExactly("a", "b");
        assertThat(read(TOPIC, 1)).isEmpty();
        assertThat(s.pending()).isEqualTo(2);

        now.set(T0 + 5_500);
        s.doWork();
        assertThat(read(TOPIC, 0)).extracting(ScheduleServiceTest::body).containsExactly("a", "b", "c");
        assertThat(read(TOPIC, 1)).extracting(ScheduleServiceTest::body).containsExactly("slow");
        assertThat(s.pending()).isZero();
    }

    @Test
    void manyDueMessagesAreDeliveredInBatchesEachWithItsProgressMarker() throws Exception {
        ScheduleService s = service();
        for (int i = 0; i < 70; i++) {
            schedule(s, 0, "m" + i, 1);
        }
        now.set(T0 + 1_000);
        s.doWork();
        assertThat(read(TOPIC, 0)).hasSize(70);
        assertThat(read(ScheduleService.PROGRESS_TOPIC, 0)).extracting(ScheduleServiceTest::body)
            .containsExactly(Integer.toString(ScheduleService.MAX_BATCH - 1), "69");
    }

    @Test
    void aRestartedServiceResumesFromItsMarkersAndDeliversNothingTwice() throws Exception {
        ScheduleService first = service();
        schedule(first, 0, "early", 1);    // due T0 + 1000
        now.set(T0 + 3_000);
        schedule(first, 0, "late", 1);     // due T0 + 4000
        first.doWork();
        assertThat(read(TOPIC, 0)).extracting(ScheduleServiceTest::body).containsExactly("early");
        first.close();

        ScheduleService second = service();
        assertThat(second.pending()).as("only the undelivered message is pending after the restart").isEqualTo(1);
        second.doWork();
        assertThat(read(TOPIC, 0)).extracting(ScheduleServiceTest::body).containsExactly("early");

        now.set(T0 + 4_000);
        second.doWork();
        assertThat(read(TOPIC, 0)).extracting(ScheduleServiceTest::body).containsExactly("early", "late");

        ScheduleService third = service();
        assertThat(third.pending()).isZero();
        now.set(T0 + 100_000);
        third.doWork();
        assertThat(read(TOPIC, 0)).as("nothing delivered twice across restarts").hasSize(2);
    }
}
