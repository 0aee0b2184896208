package io.quiver.examples.orders;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * An order service that talks to Quiver through Apache's rocketmq-spring-boot-starter, unchanged: it publishes
 * order events (sync, async, per-order ordered, delayed, and payments in a transaction) and consumes them.
 * Run `./quiver standalone`, create the topics (`quiver topic create orders`, shipments, payments, reminders), then
 * `mvn spring-boot:run`.
 */
@SpringBootApplication
public class OrdersApplication {
    public static void main(String[] args) {
        SpringApplication.run(OrdersApplication.class, args);
    }
}
