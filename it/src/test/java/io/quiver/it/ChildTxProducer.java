package io.quiver.it;

import org.apache.rocketmq.client.producer.LocalTransactionState;
import org.apache.rocketmq.client.producer.TransactionListener;
import org.apache.rocketmq.client.producer.TransactionMQProducer;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.common.message.MessageExt;

/**
 * A transactional producer in its own JVM that sends one half message, leaves it undecided and waits to
 * be killed. Args: namesrv group topic body. Prints SENT when the half is stored.
 */
public final class ChildTxProducer {
    public static void main(String[] args) throws Exception {
        TransactionMQProducer p = new TransactionMQProducer(args[1]);
        p.setNamesrvAddr(args[0]);
        p.setInstanceName("child-tx-" + ProcessHandle.current().pid());
        p.setTransactionListener(new TransactionListener() {
            @Override
            public LocalTransactionState executeLocalTransaction(Message msg, Object arg) {
                return LocalTransactionState.UNKNOW;
            }

            @Override
            public LocalTransactionState checkLocalTransaction(MessageExt msg) {
                return LocalTransactionState.UNKNOW;
            }
        });
        p.start();
        p.sendMessageInTransaction(new Message(args[2], args[3].getBytes()), null);
        System.out.println("SENT");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
