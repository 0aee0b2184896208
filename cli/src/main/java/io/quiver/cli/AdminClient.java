package io.quiver.cli;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.BrokerData;
import io.quiver.protocol.body.ClusterInfo;
import io.quiver.protocol.body.Json;
import io.quiver.remoting.RemotingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The CLI's connection to a running cluster: name-server lookups and calls to brokers. */
final class AdminClient implements AutoCloseable {
    static final long TIMEOUT_MILLIS = 10_000;

    private final RemotingClient client = new RemotingClient("quiver-cli");
    private final List<String> namesrvs = new ArrayList<>();

    AdminClient(String namesrvAddrs) {
        for (String a : namesrvAddrs.split(";")) {
            if (!a.isBlank()) {
                namesrvs.add(a.trim());
            }
        }
        if (namesrvs.isEmpty()) {
            throw new IllegalArgumentException("--namesrv needs at least one host:port");
        }
    }

    /** Calls {@code addr}; throws with a message a person can act on if it cannot be reached or fails. */
    RemotingCommand call(String addr, RemotingCommand req) {
        try {
            RemotingCommand resp = client.invoke(addr, req, TIMEOUT_MILLIS).get(TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
            if (resp.code() != ResponseCode.SUCCESS) {
                throw new IllegalStateException(addr + " answered code " + resp.code() + ": " + resp.remark());
            }
            return resp;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot reach " + addr + " (" + c.getMessage()
                + "); is Quiver running there and is the address right?", e);
        }
    }

    /** The master broker of every broker group the name servers know, as {@code name=addr}. */
    List<String[]> masterBrokers() {
        IllegalStateException last = null;
        for (String ns : namesrvs) {
            try {
                RemotingCommand resp = call(ns, RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO));
                ClusterInfo info = Json.decode(resp.body(), ClusterInfo.class);
                List<String[]> out = new ArrayList<>();
                for (BrokerData bd : info.brokerAddrTable.values()) {
                    String addr = bd.brokerAddrs.get(0L);
                    if (addr != null) {
                        out.add(new String[] {bd.brokerName, addr});
                    }
                }
                return out;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    @Override
    public void close() {
        client.close();
    }
}
