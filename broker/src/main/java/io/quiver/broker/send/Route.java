package io.quiver.broker.send;

import io.quiver.protocol.message.MessageDraft;
import java.util.List;

/** What the routing step decided for one send: store these drafts, or refuse. */
public sealed interface Route {
    /**
     * Store {@code drafts} in one append.
     *
     * @param queueId       the queue reported to the producer (of the topic it sent to)
     * @param transactionId the half message's id for a transactional send, else null
     */
    record Store(List<MessageDraft> drafts, int queueId, boolean waitDurable, String transactionId,
                 java.util.concurrent.CompletableFuture<Void> topicWritten) implements Route {
        /** Nothing new to wait for besides the records. */
        public Store(List<MessageDraft> drafts, int queueId, boolean waitDurable, String transactionId) {
            this(drafts, queueId, waitDurable, transactionId, java.util.concurrent.CompletableFuture.completedFuture(null));
        }

        /** The same decision, also waiting for a topic created by this send to be on disk. */
        Store afterTopicWritten(java.util.concurrent.CompletableFuture<Void> written) {
            return new Store(drafts, queueId, waitDurable, transactionId, written);
        }
    }

    record Refused(Refusal refusal) implements Route {}

    static Route refuse(int code, String remark) {
        return new Refused(new Refusal(code, remark));
    }
}
