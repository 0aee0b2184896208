package io.quiver.cli;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.BrokerData;
import io.quiver.protocol.body.ClusterInfo;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.remoting.RemotingClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The CLI's connection to a running cluster: name-server lookups and calls to brokers. */
final class AdminClient implements AutoCloseable {
    static final long TIMEOUT_MILLIS = 10_000;

    /** TLS with -Dtls.enable=true (JAVA_OPTS), as RocketMQ's mqadmin; tls.client.* for mutual TLS. */
    private final RemotingClient client = new RemotingClient("quiver-cli",
        io.quiver.remoting.tls.ServerTls.clientContext(io.quiver.remoting.tls.TlsSettings.from(System::getProperty)));
    private final List<String> namesrvs = new ArrayList<>();

    /** With ACL: the account that signs every request, and its signer; null without. */
    private final String accessKey;
    private final io.quiver.protocol.acl.AclSignature.Signer signer;

    AdminClient(String namesrvAddrs) {
        this(namesrvAddrs, null, null);
    }

    /** Signs every request as {@code accessKey} ({@code AclClientRPCHook}'s signature), when it is not null. */
    AdminClient(String namesrvAddrs, String accessKey, String secretKey) {
        this.accessKey = accessKey;
        this.signer = accessKey == null ? null : io.quiver.protocol.acl.AclSignature.Signer.of(secretKey);
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
        RemotingCommand resp = callAny(addr, req);
        if (resp.code() != ResponseCode.SUCCESS) {
            throw new IllegalStateException(addr + " answered code " + resp.code() + ": " + resp.remark());
        }
        return resp;
    }

    /** Calls {@code addr} and returns whatever it answers; throws only if it cannot be reached. */
    RemotingCommand callAny(String addr, RemotingCommand req) {
        if (signer != null) {
            signer.signRequest(req, accessKey);
        }
        try {
            return client.invoke(addr, req, TIMEOUT_MILLIS).get(TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            Throwable c = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot reach " + addr + " (" + c.getMessage()
                + "); is Quiver running there and is the address right?", e);
        }
    }

    List<String> namesrvs() {
        return namesrvs;
    }

    /** Asks the name servers in turn until one answers {@code req} successfully. */
    RemotingCommand callNamesrv(java.util.function.Supplier<RemotingCommand> req) {
        IllegalStateException last = null;
        for (String ns : namesrvs) {
            try {
                return call(ns, req.get());
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    ClusterInfo clusterInfo() {
        return Json.decode(callNamesrv(() -> RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_INFO)).body(),
            ClusterInfo.class);
    }

    /** The master broker of every broker group the name servers know, as {@code {name, addr}}, by name. */
    List<String[]> masterBrokers() {
        List<String[]> out = new ArrayList<>();
        for (BrokerData bd : new java.util.TreeMap<>(clusterInfo().brokerAddrTable).values()) {
            String addr = bd.brokerAddrs.get(0L);
            if (addr != null) {
                out.add(new String[] {bd.brokerName, addr});
            }
        }
        return out;
    }

    /** The topic's route, or null if no name server knows the topic. */
    TopicRouteData route(String topic) {
        IllegalStateException last = null;
        for (String ns : namesrvs) {
            RemotingCommand resp;
            try {
                resp = callAny(ns, RemotingCommand.request(RequestCode.GET_ROUTEINFO_BY_TOPIC).putExt("topic", topic));
            } catch (IllegalStateException e) {
                last = e;
                continue;
            }
            if (resp.code() == ResponseCode.TOPIC_NOT_EXIST) {
                return null;
            }
            if (resp.code() != ResponseCode.SUCCESS) {
                last = new IllegalStateException(ns + " answered code " + resp.code() + ": " + resp.remark());
                continue;
            }
            return Json.decode(resp.body(), TopicRouteData.class);
        }
        throw last;
    }

    /** The masters ({@code {name, addr}}) that serve {@code topic}, by name; empty if the topic is unknown. */
    List<String[]> brokersOf(String topic) {
        TopicRouteData r = route(topic);
        List<String[]> out = new ArrayList<>();
        if (r != null) {
            r.brokerDatas.stream().sorted(java.util.Comparator.comparing(b -> b.brokerName)).forEach(bd -> {
                String addr = bd.brokerAddrs.get(0L);
                if (addr != null) {
                    out.add(new String[] {bd.brokerName, addr});
                }
            });
        }
        return out;
    }

    @Override
    public void close() {
        client.close();
    }
}
