package io.quiver.examples.orders;

import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.client.producer.TransactionSendResult;
import org.apache.rocketmq.spring.core.RocketMQTemplate;
import org.apache.rocketmq.spring.support.RocketMQHeaders;
import org.springframework.messaging.support.MessageBuilder;
import org.springframework.stereotype.Service;

/** Publishes the service's events with RocketMQTemplate, one method per kind of send. */
@Service
public class OrderEvents {
    public static final String ORDERS = "orders";
    public static final String SHIPMENTS = "shipments";
    public static final String PAYMENTS = "payments";
    public static final String REMINDERS = "reminders";
    /** Delay level 1: one second with the default delay levels. */
    public static final int ONE_SECOND = 1;

    private final RocketMQTemplate template;

    public OrderEvents(RocketMQTemplate template) {
        this.template = template;
    }

    /** "orders:created", acknowledged once stored. */
    public SendResult created(String orderId) {
        return template.syncSend(ORDERS + ":created", MessageBuilder.withPayload("created " + orderId)
            .setHeader(RocketMQHeaders.KEYS, orderId).build());
    }

    /** "orders:updated", without waiting; {@code callback} hears the outcome. */
    public void updated(String orderId, SendCallback callback) {
        template.asyncSend(ORDERS + ":updated", MessageBuilder.withPayload("updated " + orderId)
            .setHeader(RocketMQHeaders.KEYS, orderId).build(), callback);
    }

    /** A shipment step; all steps of one order go to one queue, so they are consumed in order. */
    public SendResult shipmentStep(String orderId, int step) {
        return template.syncSendOrderly(SHIPMENTS, orderId + ":" + step, orderId);
    }

    /** A reminder delivered one second later. */
    public SendResult remindLater(String orderId) {
        return template.syncSend(REMINDERS, MessageBuilder.withPayload("remind " + orderId).build(), 10_000, ONE_SECOND);
    }

    /** A payment published only if the local transaction ({@link PaymentTransactions}) commits it. */
    public TransactionSendResult payment(String orderId, String outcome) {
        return template.sendMessageInTransaction(PAYMENTS, MessageBuilder.withPayload(outcome + " " + orderId)
            .setHeader(RocketMQHeaders.KEYS, orderId).build(), outcome);
    }
}
