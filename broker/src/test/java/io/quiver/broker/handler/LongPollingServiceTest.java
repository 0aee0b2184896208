package io.quiver.broker.handler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Unit tier: LongPollingService holds parked pulls per queue and hands them back (on the resume executor)
 * when their queue gets a message (free to park again) or, checked every TICK_MILLIS of its clock, once
 * their deadline passed (not to park again); it bounds the parked pulls and answers all of them at stop.
 */
@Timeout(10)
class LongPollingServiceTest {
    final AtomicLong clock = new AtomicLong(10_000);

    /** A parked pull that records each resume's {@code mayParkAgain}. */
    static final class Pull implements LongPollingService.Parked {
        final long deadline;
        final List<Boolean> resumes = new ArrayList<>();

        Pull(long deadline) {
            this.deadline = deadline;
        }

        @Override
        public long deadlineMillis() {
            return deadline;
        }

        @Override
        public void resume(boolean mayParkAgain) {
            resumes.add(mayParkAgain);
        }
    }

    LongPollingService service(Executor resumeOn) {
        return new LongPollingService(clock::get, resumeOn);
    }

    @Test
    void anArrivalResumesEveryPullOfThatQueueAndOnlyThat() {
        LongPollingService s = service(Runnable::run);
        Pull a1 = new Pull(99_000);
        Pull a2 = new Pull(99_000);
        Pull b = new Pull(99_000);
        assertThat(s.park("T", 0, 5, a1, () -> 5)).isTrue();
        assertThat(s.park("T", 0, 5, a2, () -> 5)).isTrue();
        assertThat(s.park("T", 1, 5, b, () -> 5)).isTrue();
        assertThat(s.parkedCount()).isEqualTo(3);

        assertThat(s.doWork()).as("nothing arrived, nothing expired").isZero();
        s.notifyArrival("T", 0);
        assertThat(s.doWork()).isEqualTo(2);

        assertThat(a1.resumes).containsExactly(true);
        assertThat(a2.resumes).containsExactly(true);
        assertThat(b.resumes).isEmpty();
        assertThat(s.parkedCount()).isEqualTo(1);
        assertThat(s.doWork()).as("each arrival resumes once").isZero();
    }

    @Test
    void aPullWaitingForConfirmationResumesWhenTheConfirmedPositionMovesOnlyOnce() {
        LongPollingService s = service(Runnable::run);
        Pull waiting = new Pull(99_000);
        Pull other = new Pull(99_000);
        s.awaitConfirmation("T", 0); // the pull saw a stored record consumers may not read yet
        s.park("T", 0, 5, waiting, () -> 5);
        s.park("T", 1, 5, other, () -> 5);
        s.confirmed();
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(waiting.resumes).containsExactly(true);
        assertThat(other.resumes).as("its queue waited for nothing").isEmpty();
        s.confirmed();
        assertThat(s.doWork()).as("asked once per wait").isZero();
    }

    @Test
    void aWaitOnAWholeTopicWakesOnAnyQueueAndOnAnArrivalItJustMissed() {
        LongPollingService s = service(Runnable::run);
        Pull pop = new Pull(99_000);
        long seen = s.topicArrivals("T");
        s.parkOnTopic("T", seen, pop);
        s.notifyArrival("T", 3);
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(pop.resumes).containsExactly(true);

        Pull late = new Pull(99_000);
        long before = s.topicArrivals("T");
        s.notifyArrival("T", 1); // stored after the pop looked, before it parked
        s.parkOnTopic("T", before, late);
        assertThat(s.doWork()).as("woken at once").isEqualTo(1);
        assertThat(late.resumes).containsExactly(true);
    }

    @Test
    void anArrivalOnAQueueWithoutParkedPullsDoesNothing() {
        LongPollingService s = service(Runnable::run);
        Pull p = new Pull(99_000);
        s.park("T", 0, 0, p, () -> 0);
        s.notifyArrival("Other", 0);
        s.notifyArrival("T", 1);
        assertThat(s.doWork()).isZero();
        assertThat(p.resumes).isEmpty();
    }

    @Test
    void aPullWhoseQueueAlreadyMovedOnIsResumedWithoutAnArrival() {
        LongPollingService s = service(Runnable::run);
        Pull p = new Pull(99_000);
        assertThat(s.park("T", 0, 5, p, () -> 6)).isTrue();
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(p.resumes).containsExactly(true);
    }

    @Test
    void resumesRunOnTheResumeExecutor() {
        List<Runnable> pool = new ArrayList<>();
        LongPollingService s = service(pool::add);
        Pull p = new Pull(99_000);
        s.park("T", 0, 0, p, () -> 0);
        s.notifyArrival("T", 0);
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(p.resumes).as("not on the long-poll thread").isEmpty();
        assertThat(pool).hasSize(1);
        pool.get(0).run();
        assertThat(p.resumes).containsExactly(true);
    }

    @Test
    void aFullResumeExecutorResumesOnTheCallingThread() {
        LongPollingService s = service(r -> {
            throw new RejectedExecutionException("pull pool full");
        });
        Pull p = new Pull(99_000);
        s.park("T", 0, 0, p, () -> 0);
        s.notifyArrival("T", 0);
        s.doWork();
        assertThat(p.resumes).containsExactly(true);
    }

    @Test
    void aFailingResumeDoesNotStopTheOthers() {
        LongPollingService s = service(Runnable::run);
        LongPollingService.Parked failing = new LongPollingService.Parked() {
            @Override
            public long deadlineMillis() {
                return 99_000;
            }

            @Override
            public void resume(boolean mayParkAgain) {
                throw new IllegalStateException("boom");
            }
        };
        Pull p = new Pull(99_000);
        s.park("T", 0, 0, failing, () -> 0);
        s.park("T", 0, 0, p, () -> 0);
        s.notifyArrival("T", 0);
        assertThat(s.doWork()).isEqualTo(2);
        assertThat(p.resumes).containsExactly(true);
        assertThat(s.parkedCount()).isZero();
    }

    @Test
    void expiredPullsAreResumedNotToParkAgainAtTheNextTick() {
        LongPollingService s = service(Runnable::run);
        Pull early = new Pull(10_100);
        Pull late = new Pull(10_300);
        s.park("T", 0, 0, early, () -> 0);
        s.park("T", 0, 0, late, () -> 0);

        assertThat(s.doWork()).as("a sweep at 10000: none expired").isZero();
        clock.set(10_100);
        assertThat(s.doWork()).as("less than TICK_MILLIS since the last sweep: no sweep").isZero();
        assertThat(early.resumes).isEmpty();

        clock.set(10_000 + LongPollingService.TICK_MILLIS);
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(early.resumes).containsExactly(false);
        assertThat(late.resumes).isEmpty();
        assertThat(s.parkedCount()).isEqualTo(1);

        clock.set(10_400);
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(late.resumes).containsExactly(false);
        assertThat(s.parkedCount()).isZero();
    }

    @Test
    void anArrivalAfterTheDeadlineResumesNotToParkAgain() {
        LongPollingService s = service(Runnable::run);
        Pull p = new Pull(10_050);
        s.park("T", 0, 0, p, () -> 0);
        assertThat(s.doWork()).isZero(); // sweeps at 10000
        clock.set(10_060);
        s.notifyArrival("T", 0);
        assertThat(s.doWork()).isEqualTo(1);
        assertThat(p.resumes).containsExactly(false);
    }

    @Test
    void parkingBeyondTheBoundIsRefused() {
        LongPollingService s = service(Runnable::run);
        AtomicInteger resumed = new AtomicInteger();
        LongPollingService.Parked p = new LongPollingService.Parked() {
            @Override
            public long deadlineMillis() {
                return 99_000;
            }

            @Override
            public void resume(boolean mayParkAgain) {
                resumed.incrementAndGet();
            }
        };
        for (int i = 0; i < LongPollingService.MAX_PARKED_PULLS; i++) {
            assertThat(s.park("T", i % 8, 0, p, () -> 0)).isTrue();
        }
        assertThat(s.parkedCount()).isEqualTo(LongPollingService.MAX_PARKED_PULLS);

        assertThat(s.park("T", 0, 0, p, () -> 0)).isFalse();
        assertThat(s.parkedCount()).isEqualTo(LongPollingService.MAX_PARKED_PULLS);

        s.notifyArrival("T", 0);
        int queue0 = LongPollingService.MAX_PARKED_PULLS / 8;
        assertThat(s.doWork()).as("the refused pull was not kept").isEqualTo(queue0);
        assertThat(s.park("T", 0, 0, p, () -> 0)).as("room again").isTrue();
        assertThat(resumed).hasValue(queue0);
    }

    @Test
    void stoppingAnswersEveryParkedPull() {
        List<Runnable> pool = new ArrayList<>();
        LongPollingService s = service(pool::add);
        Pull a = new Pull(99_000);
        Pull b = new Pull(99_000);
        Pull c = new Pull(99_000);
        s.park("T", 0, 0, a, () -> 0);
        s.park("T", 0, 0, b, () -> 0);
        s.park("U", 3, 0, c, () -> 0);

        s.close(); // never started: onStop runs on the closing thread

        assertThat(a.resumes).containsExactly(false);
        assertThat(b.resumes).containsExactly(false);
        assertThat(c.resumes).containsExactly(false);
        assertThat(pool).as("answered directly: the pull pool may already be gone").isEmpty();
        s.notifyArrival("T", 0);
        assertThat(s.doWork()).as("nothing is left parked").isZero();
    }

    /**
     * A pull parked while the long-poll thread is emptying and dropping its queue's list is never lost: it is
     * resumed by the next arrival (parking and dropping an empty list are atomic per queue).
     */
    @Test
    void aPullParkedWhileItsQueueIsBeingResumedIsNeverLost() throws Exception {
        for (int round = 0; round < 5; round++) {
            clock.set(0);
            LongPollingService s = service(Runnable::run);
            int n = 100_000;
            AtomicInteger[] resumed = new AtomicInteger[n];
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread longPollThread = new Thread(() -> {
                while (!done.get()) {
                    s.notifyArrival("T", 0);
                    s.doWork();
                }
            });
            longPollThread.start();
            try {
                for (int i = 0; i < n; i++) {
                    AtomicInteger count = resumed[i] = new AtomicInteger();
                    s.park("T", 0, 0, new LongPollingService.Parked() {
                        @Override
                        public long deadlineMillis() {
                            return 1_000;
                        }

                        @Override
                        public void resume(boolean mayParkAgain) {
                            count.incrementAndGet();
                        }
                    }, () -> 0);
                }
            } finally {
                done.set(true);
                longPollThread.join();
            }
            // one more arrival, then every deadline passes: each pull must have been resumed exactly once
            s.notifyArrival("T", 0);
            s.doWork();
            clock.set(10_000);
            s.doWork();
            int lost = 0;
            for (AtomicInteger c : resumed) {
                assertThat(c.get()).isLessThanOrEqualTo(1);
                lost += c.get() == 0 ? 1 : 0;
            }
            assertThat(lost).as("pulls never resumed in round " + round).isZero();
            assertThat(s.parkedCount()).isZero();
        }
    }
}
