package io.quiver.broker.transaction;

import io.quiver.broker.config.BrokerConfig;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.remoting.RequestContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** END_TRANSACTION (usually oneway) and Quiver's pending-transaction listing for {@code quiver tx list}. */
public final class TransactionHandlers {
    /** Most pending transactions one listing returns. */
    public static final int MAX_LISTED = 10_000;

    private final TransactionService transactions;
    private final BrokerConfig config;

    public TransactionHandlers(TransactionService transactions, BrokerConfig config) {
        this.transactions = transactions;
        this.config = config;
    }

    public void endTransaction(RequestContext ctx, RemotingCommand req) {
        RequestHeaders.EndTransaction h = RequestHeaders.EndTransaction.decode(req);
        transactions.end(h, ctx.executor()).whenComplete((outcome, e) -> {
            if (e != null) {
                ctx.reply(ResponseCode.SYSTEM_ERROR, "recording the transaction decision failed: " + e);
                return;
            }
            switch (outcome) {
                case NOT_FOUND -> ctx.reply(ResponseCode.SYSTEM_ERROR,
                    "Find prepared transaction message failed: no half message at commit-log offset " + h.commitLogOffset());
                case MISMATCH -> ctx.reply(ResponseCode.SYSTEM_ERROR, "the half message at commit-log offset "
                    + h.commitLogOffset() + " does not match producer group " + h.producerGroup() + " and queue offset "
                    + h.tranStateTableOffset());
                case STORE_FAILED -> ctx.reply(ResponseCode.SYSTEM_ERROR, "the decision could not be stored; retry");
                default -> ctx.reply(ResponseCode.SUCCESS, outcome == TransactionService.Outcome.ALREADY_DECIDED
                    ? "already decided; nothing changed" : null);
            }
        });
    }

    public void listPending(RequestContext ctx, RemotingCommand req) {
        int limit = Math.min(MAX_LISTED, RequestHeaders.ListPending.decode(req).limit());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("brokerName", config.brokerName);
        body.put("counters", transactions.counters());
        body.put("pending", transactions.pending(limit));
        ctx.reply(ctx.response(ResponseCode.SUCCESS, null).body(Json.encode(body)));
    }
}
