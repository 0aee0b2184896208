package io.quiver.broker.send;

import io.quiver.protocol.message.MessageDraft;
import io.quiver.store.PutResult;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Appends drafts to the store in one atomic append (the store's {@code put}); the result is completed on
 * {@code completeOn}. An interface so handlers can be tested without a store.
 */
@FunctionalInterface
public interface MessageAppender {
    CompletableFuture<PutResult> append(List<MessageDraft> drafts, boolean waitDurable, Executor completeOn);
}
