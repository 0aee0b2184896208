package io.quiver.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quiver broker config get|set} and {@code quiver broker drain}: operating one running broker. */
final class BrokerAdminCommands {
    private BrokerAdminCommands() {}

    /** Which broker: {@code --broker} as host:port or a broker name; may be left out when there is only one. */
    static final class Target {
        @Option(names = "--broker", paramLabel = "ADDR|NAME",
            description = "the broker, as host:port or by name (may be left out if the cluster has one broker)")
        String broker;

        String resolve(AdminClient c) {
            if (broker != null && broker.contains(":")) {
                return broker;
            }
            List<String[]> masters = c.masterBrokers();
            if (broker == null) {
                if (masters.size() == 1) {
                    return masters.get(0)[1];
                }
                throw new IllegalArgumentException(masters.isEmpty() ? "no broker is registered with the name servers"
                    : "the cluster has " + masters.size() + " brokers; choose one with --broker (quiver cluster lists them)");
            }
            return masters.stream().filter(m -> m[0].equals(broker)).map(m -> m[1]).findFirst()
                .orElseThrow(() -> Failure.notFound("no broker named " + broker + " (quiver cluster lists them)"));
        }
    }

    @Command(name = "config", mixinStandardHelpOptions = true, description = "Read or change a running broker's settings.",
        subcommands = {ConfigGet.class, ConfigSet.class})
    static final class Config extends CommandGroup {
    }

    static Map<String, String> config(AdminClient c, String addr) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(new String(c.call(addr, RemotingCommand.request(RequestCode.GET_BROKER_CONFIG)).body(),
            StandardCharsets.UTF_8)));
        Map<String, String> out = new TreeMap<>();
        p.forEach((k, v) -> out.put(k.toString(), v.toString()));
        return out;
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Print a broker's current settings (all, or the KEYs named).", Exit.HELP})
    static final class ConfigGet implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Mixin
        Target target;

        @Parameters(paramLabel = "KEY", arity = "0..*", description = "settings to show")
        List<String> keys;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    Map<String, String> all = config(c, target.resolve(c));
                    Map<String, String> shown = new TreeMap<>();
                    if (keys == null || keys.isEmpty()) {
                        shown.putAll(all);
                    } else {
                        for (String k : keys) {
                            if (!all.containsKey(k)) {
                                throw Failure.notFound("the broker has no setting " + k + " (quiver config table lists them)");
                            }
                            shown.put(k, all.get(k));
                        }
                    }
                    if (admin.json) {
                        System.out.println(Json.encodeToString(shown));
                    } else {
                        shown.forEach((k, v) -> System.out.println(k + "=" + v));
                    }
                }
                return Exit.OK;
            });
        }
    }

    @Command(name = "set", mixinStandardHelpOptions = true,
        description = {"Change settings of a running broker (mqadmin updateBrokerConfig). Settings that are safe to change live take effect at once and are kept across restarts; others are refused with the reason.", Exit.HELP})
    static final class ConfigSet implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Mixin
        Target target;

        @Parameters(paramLabel = "KEY=VALUE", arity = "1..*")
        List<String> assignments;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                StringBuilder body = new StringBuilder();
                for (String a : assignments) {
                    int eq = a.indexOf('=');
                    if (eq <= 0) {
                        throw new IllegalArgumentException("'" + a + "' is not KEY=VALUE");
                    }
                    body.append(a, 0, eq).append('=').append(a.substring(eq + 1)).append('\n');
                }
                try (AdminClient c = admin.connect()) {
                    String addr = target.resolve(c);
                    RemotingCommand resp = c.callAny(addr, RemotingCommand.request(RequestCode.UPDATE_BROKER_CONFIG)
                        .body(body.toString().getBytes(StandardCharsets.UTF_8)));
                    if (resp.code() != ResponseCode.SUCCESS) {
                        throw new Failure(Exit.FAILED, "the broker refused: " + resp.remark());
                    }
                    if (admin.json) {
                        System.out.println(Json.mapper().createObjectNode().put("broker", addr).put("updated", assignments.size())
                            .put("note", resp.remark()));
                    } else {
                        System.out.println("updated " + String.join(", ", assignments) + " on " + addr
                            + (resp.remark() == null ? "" : ": " + resp.remark()));
                    }
                }
                return Exit.OK;
            });
        }
    }

    @Command(name = "drain", mixinStandardHelpOptions = true,
        description = {"Take a broker out of service without failing a send, then stop it: its topics lose write permission at the name servers, producers move their sends to other brokers, and once no send has arrived for drainQuietMillis (or after drainMaxWaitMillis) the broker flushes, unregisters and exits. The RocketMQ recipe 'wipeWritePerm, wait, stop' in one command. Progress is shown while it runs.", Exit.HELP})
    static final class Drain implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Mixin
        Target target;

        @Option(names = "--timeout", paramLabel = "SECONDS", description = "give up waiting after this long (default ${DEFAULT-VALUE})")
        int timeoutSeconds = 300;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    String addr = target.resolve(c);
                    RemotingCommand resp = c.call(addr, RemotingCommand.request(RequestCode.QUIVER_DRAIN));
                    if (!admin.json) {
                        System.out.println(addr + ": " + resp.remark());
                    }
                    long deadline = System.currentTimeMillis() + timeoutSeconds * 1000L;
                    String last = null;
                    while (System.currentTimeMillis() < deadline) {
                        Map<String, String> rt = ClusterCommand.runtime(c, addr);
                        if (rt.isEmpty()) {
                            if (admin.json) {
                                ObjectNode o = Json.mapper().createObjectNode().put("broker", addr).put("state", "STOPPED");
                                System.out.println(o);
                            } else {
                                System.out.println(addr + ": drained and stopped");
                            }
                            return Exit.OK;
                        }
                        String state = rt.getOrDefault("drainState", "?");
                        if (!admin.json && !state.equals(last)) {
                            System.out.println(addr + ": " + state);
                            last = state;
                        }
                        Thread.sleep(500);
                    }
                    throw new Failure(Exit.FAILED, addr + " was still running after " + timeoutSeconds + " s");
                }
            });
        }
    }
}
