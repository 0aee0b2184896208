package io.quiver.broker.failover;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.ControllerGroupView;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.header.ControllerHeaders;
import io.quiver.remoting.RemotingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A broker's requests to the controllers (controller mode). Heartbeats go to every controller, so whichever
 * leads has seen them; registrations and in-sync changes go to one controller after another until one answers
 * (any controller passes a proposal on to the leader).
 */
public final class ControllerClient implements AutoCloseable {
    /** A controller's answer other than success: its response code and remark. */
    public static final class Refused extends RuntimeException {
        final int code;

        Refused(int code, String remark) {
            super(remark == null ? "refused with code " + code : remark);
            this.code = code;
        }
    }

    /** Most controllers a broker talks to. */
    static final int MAX_CONTROLLERS = 9;

    private final List<String> addresses;
    private final long timeoutMillis;
    private final RemotingClient client;

    public ControllerClient(String controllerAddr, long timeoutMillis) {
        this(controllerAddr, timeoutMillis, null);
    }

    /** With {@code tls} (a client context; null: plain text) on every connection to the controllers. */
    /** Signs every request as {@code accessKey} (ACL on the controllers); returns this client. */
    public ControllerClient signAs(String accessKey, String secretKey) {
        client.signAs(accessKey, secretKey);
        return this;
    }

    public ControllerClient(String controllerAddr, long timeoutMillis, io.netty.handler.ssl.SslContext tls) {
        this.client = new RemotingClient("broker-controller", tls);
        List<String> list = new ArrayList<>();
        for (String a : controllerAddr.split(";")) {
            if (!a.isBlank()) {
                list.add(a.trim());
            }
        }
        if (list.isEmpty() || list.size() > MAX_CONTROLLERS) {
            throw new IllegalArgumentException("controllerAddr must list 1 to " + MAX_CONTROLLERS
                + " controllers as host:port;host:port, not '" + controllerAddr + "'");
        }
        this.addresses = List.copyOf(list);
        this.timeoutMillis = timeoutMillis;
    }

    public List<String> addresses() {
        return addresses;
    }

    /** One heartbeat to every controller; each answer (or failure) completes its own future. */
    public List<CompletableFuture<ControllerGroupView>> heartbeat(ControllerHeaders.Heartbeat h) {
        List<CompletableFuture<ControllerGroupView>> out = new ArrayList<>();
        for (String a : addresses) {
            out.add(call(a, h.encode(RemotingCommand.request(RequestCode.BROKER_HEARTBEAT))));
        }
        return out;
    }

    public CompletableFuture<ControllerGroupView> register(ControllerHeaders.Register r) {
        return firstAnswer(0, () -> r.encode(RemotingCommand.request(RequestCode.CONTROLLER_REGISTER_BROKER)));
    }

    public CompletableFuture<ControllerGroupView> alterInSync(ControllerHeaders.AlterSyncStateSet a, Set<Long> set) {
        ControllerGroupView body = new ControllerGroupView();
        body.syncStateSet = new ArrayList<>(set);
        byte[] encoded = Json.encode(body);
        return firstAnswer(0, () -> a.encode(RemotingCommand.request(RequestCode.CONTROLLER_ALTER_SYNC_STATE_SET))
            .body(encoded));
    }

    /**
     * Tries the controllers in turn from {@code index}: a controller that cannot be reached or has no quorum
     * passes the request on to the next; a refusal is final.
     */
    private CompletableFuture<ControllerGroupView> firstAnswer(int index,
                                                               java.util.function.Supplier<RemotingCommand> request) {
        return call(addresses.get(index), request.get()).handle((v, failure) -> {
            if (failure == null) {
                return CompletableFuture.completedFuture(v);
            }
            Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
            boolean passOn = !(cause instanceof Refused r) || r.code == ResponseCode.CONTROLLER_NOT_LEADER;
            if (passOn && index + 1 < addresses.size()) {
                return firstAnswer(index + 1, request);
            }
            return CompletableFuture.<ControllerGroupView>failedFuture(cause);
        }).thenCompose(f -> f);
    }

    private CompletableFuture<ControllerGroupView> call(String address, RemotingCommand request) {
        return client.invoke(address, request, timeoutMillis).thenApply(resp -> {
            if (resp.code() != ResponseCode.SUCCESS) {
                throw new Refused(resp.code(), resp.remark());
            }
            return Json.decode(resp.body(), ControllerGroupView.class);
        });
    }

    @Override
    public void close() {
        client.close();
    }
}
