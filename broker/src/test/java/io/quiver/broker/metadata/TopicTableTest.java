package io.quiver.broker.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.body.DataVersion;
import io.quiver.protocol.body.TopicConfig;
import io.quiver.protocol.message.PermName;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The topic table's bounds: ordinary topics up to their limit, retry and dead-letter topics counted apart (so
 * groups cannot crowd topics out), counts rebuilt on load; changes reach the file through the background write,
 * also while the periodic flush runs at the same time.
 */
@Timeout(10)
class TopicTableTest {
    @TempDir
    Path dir;

    @Test
    void ordinaryAndGroupTopicsHaveTheirOwnLimits() {
        TopicTable t = new TopicTable(dir, 3, 2);
        t.load(true, 4); // TBW102 is the first ordinary topic
        assertThat(t.createIfAbsent("A", 4, PermName.READ_WRITE)).isNotNull();
        assertThat(t.createIfAbsent("B", 4, PermName.READ_WRITE)).isNotNull();
        assertThat(t.createIfAbsent("C", 4, PermName.READ_WRITE)).as("TBW102, A, B fill it").isNull();
        assertThat(t.size()).isEqualTo(3);
        assertThat(t.createIfAbsent("%RETRY%G1", 1, PermName.READ_WRITE)).isNotNull();
        assertThat(t.createIfAbsent("%DLQ%G1", 1, PermName.READ_WRITE)).isNotNull();
        assertThat(t.createIfAbsent("%RETRY%G2", 1, PermName.READ_WRITE)).isNull();
        assertThat(t.createIfAbsent("A", 4, PermName.READ_WRITE)).as("an existing topic is always found").isNotNull();
        assertThat(t.put(new TopicConfig("A", 8, PermName.READ_WRITE))).as("replacing is not adding").isNotNull();
        t.delete("B");
        assertThat(t.createIfAbsent("C", 4, PermName.READ_WRITE)).isNotNull();
    }

    @Test
    void countsAreRebuiltFromTheFileAndChangesWaitForTheWrite() throws Exception {
        TopicTable t = new TopicTable(dir, 3, 1);
        t.load(true, 4);
        t.writeOn(queuedWrite -> { }); // writes wait for the periodic flush below
        t.createIfAbsent("A", 4, PermName.READ_WRITE);
        CompletableFuture<Void> written = t.put(new TopicConfig("%DLQ%G", 1, PermName.READ_WRITE));
        assertThat(written).isNotDone();
        t.flush();
        assertThat(written).isCompleted();

        TopicTable again = new TopicTable(dir, 3, 1);
        again.load(true, 4);
        assertThat(again.size()).isEqualTo(2);
        assertThat(again.createIfAbsent("%RETRY%G", 1, PermName.READ_WRITE)).as("the DLQ topic fills its limit").isNull();
        assertThat(again.createIfAbsent("B", 4, PermName.READ_WRITE)).isNotNull();
        assertThat(again.createIfAbsent("C", 4, PermName.READ_WRITE)).isNull();
    }

    @Test
    void changesAreJournalledOneLineEachAndFoldedIntoTheSnapshotWhenTheJournalIsLong() throws Exception {
        int[] snapshots = {0};
        Persister p = new Persister(dir.resolve("x.json"), () -> {
            snapshots[0]++;
            return java.util.Map.of("n", snapshots[0]);
        });
        java.util.List<Runnable> queued = new java.util.ArrayList<>();
        p.writeOn(queued::add);
        CompletableFuture<Void> first = p.changed("a", java.util.Map.of("v", 1), new DataVersion(1, 1));
        CompletableFuture<Void> second = p.changed("b", null, new DataVersion(2, 2));
        assertThat(queued).as("one write queued for both changes").hasSize(1);
        assertThat(first).isNotDone();
        queued.remove(0).run();
        assertThat(first).isCompleted();
        assertThat(second).isCompleted();
        assertThat(snapshots[0]).as("no snapshot for two changes").isZero();
        assertThat(Files.readAllLines(dir.resolve("x.json.journal"))).hasSize(2);
        assertThat(p.nextWrite()).as("nothing pending").isCompleted();

        p.writeOn(Runnable::run);
        for (int i = 0; i < Persister.MAX_JOURNAL_LINES; i++) {
            p.changed("k" + i, i, new DataVersion(3, 3 + i));
        }
        assertThat(snapshots[0]).as("one snapshot once the journal passed its length").isEqualTo(1);
        assertThat(p.journalLines()).isLessThan(Persister.MAX_JOURNAL_LINES);
        assertThat(Files.readString(dir.resolve("x.json"))).contains("\"n\"");
    }

    @Test
    void replayAppliesTheJournalInOrderAndDropsATornLastLine() throws Exception {
        TopicTable t = new TopicTable(dir, 10);
        t.load(true, 4);
        t.createIfAbsent("A", 4, PermName.READ_WRITE);
        t.createIfAbsent("B", 4, PermName.READ_WRITE);
        t.delete("A");
        Files.writeString(dir.resolve("topics.json.journal"), "{\"k\":\"C\",\"v\":{\"topicN",
            java.nio.file.StandardOpenOption.APPEND); // a crash in the middle of a write

        TopicTable again = new TopicTable(dir, 10);
        again.load(true, 4);
        assertThat(again.get("A")).isNull();
        assertThat(again.get("B")).isNotNull();
        assertThat(again.get("C")).isNull();
        assertThat(again.dataVersion().counter).isEqualTo(t.dataVersion().counter);
        again.createIfAbsent("D", 4, PermName.READ_WRITE); // appended after the torn line was dropped

        TopicTable third = new TopicTable(dir, 10);
        third.load(true, 4);
        assertThat(third.get("D")).isNotNull();
        assertThat(third.get("B")).isNotNull();
    }

    /**
     * Found by FrameFuzzIT ("cannot write topics.json": the temp file was renamed away under another writer):
     * the broker's periodic flush ran beside the metadata writer's, so two writes could share the temp file, or
     * an older batch of changes could be appended after a newer one. A second flush now waits for the first.
     */
    @Test
    void aSecondFlushWaitsUntilTheFirstHasWritten() throws Exception {
        java.util.concurrent.CountDownLatch inSnapshot = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        Persister p = new Persister(dir.resolve("x.json"), () -> {
            inSnapshot.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return java.util.Map.of("snapshot", true);
        });
        p.writeOn(queuedWrite -> { }); // only the explicit flushes below write
        for (int i = 0; i <= Persister.MAX_JOURNAL_LINES; i++) {
            p.changed("k" + i, i, new DataVersion(1, i)); // enough for the next write to be a whole snapshot
        }
        Thread first = new Thread(p::flush);
        first.start();
        assertThat(inSnapshot.await(5, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Void> later = p.changed("late", 1, new DataVersion(2, 1));
        Thread second = new Thread(p::flush);
        second.start();
        second.join(300);
        assertThat(second.isAlive()).as("the second flush waits while the first writes").isTrue();
        assertThat(later).isNotDone();

        release.countDown();
        first.join(5_000);
        second.join(5_000);
        assertThat(later).isCompleted();
        assertThat(Files.readAllLines(dir.resolve("x.json.journal"))).as("the late change, after the snapshot")
            .singleElement().asString().contains("\"late\"");
        assertThat(Files.exists(dir.resolve("x.json.tmp"))).isFalse();
    }
}
