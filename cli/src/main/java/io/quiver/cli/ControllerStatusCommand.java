package io.quiver.cli;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.ControllerGroupView;
import io.quiver.protocol.body.ControllerMetadata;
import io.quiver.remoting.RemotingClient;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quiver controller status}: the controllers' leader and every broker group's master, epoch and in-sync set. */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show the controllers (who leads) and, for each broker group, its master, epoch, in-sync set and "
        + "replicas, as the first controller that answers knows them.", Exit.HELP})
final class ControllerStatusCommand implements Callable<Integer> {
    @Option(names = "--controller", paramLabel = "ADDRS", required = true,
        description = "controllers host:port;host:port (their listenPort)")
    String controllers;

    @Option(names = "--json", description = "print JSON (the controller's answer) instead of a table")
    boolean json;

    @Override
    public Integer call() {
        return Failure.run(() -> {
            String problems = "";
            try (RemotingClient client = new RemotingClient("quiver-cli", io.quiver.remoting.tls.ServerTls.clientContext(
                io.quiver.remoting.tls.TlsSettings.from(System::getProperty)))) {
                for (String addr : controllers.split(";")) {
                    if (addr.isBlank()) {
                        continue;
                    }
                    RemotingCommand resp;
                    try {
                        resp = client.invoke(addr.trim(), RemotingCommand.request(RequestCode.CONTROLLER_GET_METADATA_INFO),
                            AdminClient.TIMEOUT_MILLIS).get(AdminClient.TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
                    } catch (Exception e) {
                        problems += "\n  " + addr.trim() + ": cannot reach it (" + e.getMessage() + ")";
                        continue;
                    }
                    if (resp.code() != ResponseCode.SUCCESS) {
                        problems += "\n  " + addr.trim() + ": code " + resp.code() + " " + resp.remark();
                        continue;
                    }
                    print(addr.trim(), io.quiver.protocol.body.Json.decode(resp.body(), ControllerMetadata.class),
                        resp.body());
                    return Exit.OK;
                }
            }
            throw new Failure(Exit.FAILED, "no controller answered:" + problems);
        });
    }

    private void print(String addr, ControllerMetadata m, byte[] raw) {
        if (json) {
            System.out.println(new String(raw, java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        System.out.printf("controller %s (%s): leader %s; peers %s%n", m.selfId, addr,
            m.leaderId == null ? "none (no quorum?)" : m.leaderId + (m.leader ? " (this one)" : ""), m.peers);
        Table t = new Table("CLUSTER", "BROKER", "MASTER", "EPOCH", "IN-SYNC", "REPLICAS");
        for (ControllerGroupView g : m.groups) {
            StringBuilder replicas = new StringBuilder();
            for (Map.Entry<Long, String> r : g.replicas.entrySet()) {
                replicas.append(replicas.length() == 0 ? "" : " ").append(r.getKey()).append('=').append(r.getValue());
            }
            t.row(g.clusterName, g.brokerName, g.masterBrokerId < 0 ? "none" : g.masterBrokerId + " " + g.masterAddress,
                g.masterEpoch, g.syncStateSet.toString().replace(" ", ""), replicas);
        }
        t.print(System.out);
    }
}
