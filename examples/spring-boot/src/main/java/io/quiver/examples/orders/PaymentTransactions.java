package io.quiver.examples.orders;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.spring.annotation.RocketMQTransactionListener;
import org.apache.rocketmq.spring.core.RocketMQLocalTransactionListener;
import org.apache.rocketmq.spring.core.RocketMQLocalTransactionState;
import org.apache.rocketmq.spring.support.RocketMQHeaders;
import org.springframework.messaging.Message;

/**
 * The local transaction behind a payment: "commit" and "rollback" decide at once; "later" leaves it undecided, so the
 * broker asks again (a check-back), and the answer is then commit.
 */
@RocketMQTransactionListener
public class PaymentTransactions implements RocketMQLocalTransactionListener {
    private final Set<String> checked = ConcurrentHashMap.newKeySet();

    @Override
    public RocketMQLocalTransactionState executeLocalTransaction(Message msg, Object outcome) {
        return switch (String.valueOf(outcome)) {
            case "commit" -> RocketMQLocalTransactionState.COMMIT;
            case "rollback" -> RocketMQLocalTransactionState.ROLLBACK;
            default -> RocketMQLocalTransactionState.UNKNOWN;
        };
    }

    @Override
    public RocketMQLocalTransactionState checkLocalTransaction(Message msg) {
        Object keys = msg.getHeaders().get(RocketMQHeaders.PREFIX + RocketMQHeaders.KEYS);
        checked.add(String.valueOf(keys));
        return RocketMQLocalTransactionState.COMMIT;
    }

    /** Orders whose payment the broker asked about. */
    public Set<String> checked() {
        return Set.copyOf(checked);
    }
}
