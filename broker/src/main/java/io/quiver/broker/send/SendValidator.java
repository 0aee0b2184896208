package io.quiver.broker.send;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;

/**
 * The checks a send passes before anything is routed or created: topic name, system topics, broker
 * permission, body size, transactional rules. Stateless; any thread.
 */
public final class SendValidator {
    private final BrokerConfig config;

    public SendValidator(BrokerConfig config) {
        this.config = config;
    }

    /** Null when the send may proceed, otherwise why not. */
    public Refusal check(SendRequest r) {
        if (config.isReplica()) {
            // As RocketMQ 4.x answers a send that reaches a slave; official producers then try another broker.
            return new Refusal(ResponseCode.SERVICE_NOT_AVAILABLE, "broker " + config.brokerName + " brokerId "
                + config.brokerId + " is a replica (brokerRole=SLAVE): send to its master");
        }
        String problem = TopicNames.validate(r.topic());
        if (problem != null) {
            return new Refusal(ResponseCode.SYSTEM_ERROR, "invalid topic: " + problem);
        }
        if (TopicNames.NOT_ALLOWED_TO_SEND.contains(r.topic())) {
            return new Refusal(ResponseCode.NO_PERMISSION, "sending to the system topic " + r.topic() + " is not allowed");
        }
        if (!PermName.isWriteable(config.brokerPermission)) {
            return new Refusal(ResponseCode.NO_PERMISSION, "the broker " + config.brokerName
                + " does not accept writes now (brokerPermission=" + config.brokerPermission + ")");
        }
        if (!r.batch() && r.body().length > config.maxMessageSize) {
            return new Refusal(ResponseCode.MESSAGE_ILLEGAL, "the message body has " + r.body().length
                + " bytes; the limit (maxMessageSize) is " + config.maxMessageSize + " bytes");
        }
        if (r.transactional() && (r.batch() || config.rejectTransactionMessage)) {
            return new Refusal(ResponseCode.NO_PERMISSION, r.batch() ? "a batch cannot be transactional"
                : "this broker refuses transactional messages (rejectTransactionMessage=true)");
        }
        return null;
    }
}
