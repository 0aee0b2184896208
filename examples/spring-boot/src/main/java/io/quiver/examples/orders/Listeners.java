package io.quiver.examples.orders;

import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.spring.annotation.ConsumeMode;
import org.apache.rocketmq.spring.annotation.RocketMQMessageListener;
import org.apache.rocketmq.spring.core.RocketMQListener;
import org.apache.rocketmq.spring.core.RocketMQPushConsumerLifecycleListener;
import org.springframework.stereotype.Component;

/** The service's consumers, one consumer group each. */
public final class Listeners {
    private Listeners() {
    }

    /**
     * Keeps what it consumes under {@code name} in {@link Received}. A new group reads from the start of its topics
     * (the starter's annotation has no such attribute, so the consumer is set before it starts).
     */
    abstract static class Recording implements RocketMQListener<String>, RocketMQPushConsumerLifecycleListener {
        private final Received received;
        private final String name;

        Recording(Received received, String name) {
            this.received = received;
            this.name = name;
        }

        @Override
        public void prepareStart(DefaultMQPushConsumer consumer) {
            consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        }

        @Override
        public void onMessage(String body) {
            received.add(name, body);
        }
    }

    /** Every order event, created or updated (a tag filter). */
    @Component
    @RocketMQMessageListener(topic = OrderEvents.ORDERS, consumerGroup = "order-audit",
        selectorExpression = "created || updated")
    public static class OrderAudit extends Recording {
        public OrderAudit(Received received) {
            super(received, "audit");
        }
    }

    /** Shipment steps, one queue at a time, in order. */
    @Component
    @RocketMQMessageListener(topic = OrderEvents.SHIPMENTS, consumerGroup = "shipment-tracker",
        consumeMode = ConsumeMode.ORDERLY)
    public static class ShipmentTracker extends Recording {
        public ShipmentTracker(Received received) {
            super(received, "shipments");
        }
    }

    /** Reminders, which arrive when their delay is over. */
    @Component
    @RocketMQMessageListener(topic = OrderEvents.REMINDERS, consumerGroup = "reminder-mailer")
    public static class ReminderMailer extends Recording {
        public ReminderMailer(Received received) {
            super(received, "reminders");
        }
    }

    /** Payments, visible only once their transaction committed. */
    @Component
    @RocketMQMessageListener(topic = OrderEvents.PAYMENTS, consumerGroup = "payment-ledger")
    public static class PaymentLedger extends Recording {
        public PaymentLedger(Received received) {
            super(received, "payments");
        }
    }
}
