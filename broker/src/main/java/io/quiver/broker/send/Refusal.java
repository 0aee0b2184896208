package io.quiver.broker.send;

/** A request turned away: the RocketMQ response code and a remark a person can act on. */
public record Refusal(int code, String remark) {
}
