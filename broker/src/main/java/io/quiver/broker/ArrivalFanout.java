package io.quiver.broker;

import io.quiver.broker.delay.ScheduleService;
import io.quiver.broker.delay.TimerService;
import io.quiver.broker.handler.LongPollingService;
import io.quiver.protocol.message.TopicNames;
import io.quiver.store.ArrivalListener;

/**
 * The broker's one "queue advanced" listener: a delayed record wakes the delay-level service, a timer
 * record is indexed by the timer service, any other record wakes the pulls parked on its queue. Runs on
 * the store's writer thread; every branch is a cheap hand-off.
 */
final class ArrivalFanout implements ArrivalListener {
    private final LongPollingService longPolling;
    private final ScheduleService schedule;
    private final TimerService timers;

    ArrivalFanout(LongPollingService longPolling, ScheduleService schedule, TimerService timers) {
        this.longPolling = longPolling;
        this.schedule = schedule;
        this.timers = timers;
    }

    @Override
    public void arrived(String topic, int queueId, long queueOffset, long tagsCode) {
        if (TopicNames.SCHEDULE_TOPIC.equals(topic)) {
            schedule.wake();
        } else if (TopicNames.TIMER_TOPIC.equals(topic)) {
            timers.stored(queueOffset, tagsCode);
        } else {
            longPolling.notifyArrival(topic, queueId);
        }
    }
}
