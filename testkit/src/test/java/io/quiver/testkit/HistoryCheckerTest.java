package io.quiver.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.testkit.HistoryChecker.Acked;
import io.quiver.testkit.HistoryChecker.Read;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tier: the history checker finds each kind of anomaly, and only it. */
class HistoryCheckerTest {
    private static final Set<String> SENT = Set.of("a", "b", "c", "d");

    @Test
    void aSoundHistoryHasNoFindingsEvenWithUnacknowledgedMessagesRead() {
        var r = HistoryChecker.check(List.of(new Acked("a", "q/0", 0, 1, 1), new Acked("b", "q/0", 1, 1, 2)), SENT,
            List.of(new Read("a", "q/0", 0), new Read("b", "q/0", 1), new Read("c", "q/1", 0)));
        assertThat(r.sound()).as(r.summary()).isTrue();
    }

    @Test
    void eachAnomalyIsReportedUnderItsName() {
        var acked = List.of(new Acked("a", "q/0", 0, 1, 1), new Acked("b", "q/0", 1, 1, 2),
            new Acked("c", "q/0", 2, 2, 1), new Acked("d", "q/1", 5, 3, 2), new Acked("e", "q/1", 4, 3, 3));
        var read = List.of(new Read("b", "q/0", 1), new Read("c", "q/0", 3), new Read("d", "q/1", 5),
            new Read("d", "q/1", 6), new Read("e", "q/1", 4), new Read("x", "q/1", 7), new Read("f", "q/0", 8),
            new Read("f", "q/0", 9));
        var r = HistoryChecker.check(acked, Set.of("a", "b", "c", "d", "e", "f"), read);
        assertThat(r.sound()).isFalse();
        assertThat(r.lost()).singleElement().asString().startsWith("a acknowledged at q/0@0");
        assertThat(r.moved()).singleElement().asString().startsWith("c acknowledged at q/0@2 was read at [q/0@3]");
        assertThat(r.duplicated()).as("never acknowledged, stored twice").singleElement().asString()
            .startsWith("f was read 2 times");
        assertThat(r.retried()).as("acknowledged where read once, and stored once more by a retry").singleElement()
            .asString().startsWith("d was read 2 times");
        assertThat(r.phantom()).singleElement().asString().startsWith("x was read");
        assertThat(r.reordered()).singleElement().asString().startsWith("e (sent after d) is at q/1@4");
        assertThat(r.summary()).contains("lost 1, moved 1, duplicated 1, phantom 1, reordered 1; stored twice by a "
            + "producer's retry 1");
    }

    @Test
    void aProducersRetryOfAStoredAttemptIsAtLeastOnceNotAFault() {
        var r = HistoryChecker.check(List.of(new Acked("a", "q/1", 255, 1, 1)), Set.of("a"),
            List.of(new Read("a", "q/0", 253), new Read("a", "q/1", 255)));
        assertThat(r.sound()).as(r.summary()).isTrue();
        assertThat(r.retried()).hasSize(1);
    }

    @Test
    void aFailedSendWhoseAttemptsWereStoredInTurnIsAtLeastOnceNotAFault() {
        var r = HistoryChecker.check(List.of(), Set.of("a"),
            List.of(new Read("a", "q/0", 591), new Read("a", "q/1", 660)));
        assertThat(r.sound()).as(r.summary()).isTrue();
        assertThat(r.retried()).singleElement().asString().endsWith("never acknowledged");
        var four = HistoryChecker.check(List.of(), Set.of("a"), List.of(new Read("a", "q/0", 1), new Read("a", "q/1", 1),
            new Read("a", "q/2", 1), new Read("a", "q/3", 1)));
        assertThat(four.duplicated()).as("more copies than attempts").hasSize(1);
    }
}
