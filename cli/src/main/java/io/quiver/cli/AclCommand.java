package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.BrokerData;
import io.quiver.protocol.body.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code quiver acl ...}: the ACL accounts of the brokers (RocketMQ's plain_acl.yml), through the admin requests mqadmin
 * uses. Each broker keeps its own file, so changes go to every broker of the cluster (masters and replicas) unless
 * {@code --broker} names one. With ACL on, sign as an admin account: {@code --access-key} (or $QUIVER_ACCESS_KEY) and
 * $QUIVER_SECRET_KEY.
 */
@Command(name = "acl", mixinStandardHelpOptions = true, description = "ACL accounts of the brokers (plain_acl.yml).",
    subcommands = {AclCommand.ListAccounts.class, AclCommand.Update.class, AclCommand.Delete.class,
        AclCommand.WhiteList.class, AclCommand.Version.class})
final class AclCommand extends CommandGroup {

    /** Where a change goes: one broker, or every broker of the cluster. */
    static final class Target {
        @Option(names = "--broker", paramLabel = "HOST:PORT", description = "only this broker (default: every broker)")
        String broker;

        /** {@code {name, addr}} of the brokers to ask, by name then brokerId. */
        List<String[]> brokers(AdminClient c) {
            List<String[]> out = new ArrayList<>();
            if (broker != null) {
                out.add(new String[] {broker, broker});
                return out;
            }
            for (BrokerData bd : new TreeMap<>(c.clusterInfo().brokerAddrTable).values()) {
                new TreeMap<>(bd.brokerAddrs).forEach((id, addr) -> out.add(new String[] {bd.brokerName
                    + (id == 0 ? "" : " (replica " + id + ")"), addr}));
            }
            if (out.isEmpty()) {
                throw new Failure(Exit.FAILED, "the name servers know no broker");
            }
            return out;
        }
    }

    /** Sends {@code req} (built anew for each) to every target broker and prints one line each. */
    static int toEach(AdminOptions admin, Target target, String done, java.util.function.Supplier<RemotingCommand> req) {
        return Failure.run(() -> {
            try (AdminClient c = admin.connect()) {
                for (String[] b : target.brokers(c)) {
                    c.call(b[1], req.get());
                    System.out.println(b[0] + " " + b[1] + ": " + done);
                }
            }
            return Exit.OK;
        });
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List a broker's accounts and global white list (never their secret keys).", Exit.HELP})
    static final class ListAccounts implements Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--broker", paramLabel = "HOST:PORT", description = "this broker (default: the first master)")
        String broker;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    String addr = broker;
                    if (addr == null) {
                        List<String[]> masters = c.masterBrokers();
                        if (masters.isEmpty()) {
                            throw new Failure(Exit.FAILED, "the name servers know no broker");
                        }
                        addr = masters.get(0)[1];
                    }
                    JsonNode doc = Json.mapper().readTree(c.call(addr,
                        RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_ACL_CONFIG)).body());
                    ArrayNode accounts = Json.mapper().createArrayNode();
                    Table t = new Table("ACCESS KEY", "ADMIN", "WHITE ADDRESS", "TOPICS", "GROUPS");
                    for (JsonNode a : doc.path("plainAccessConfigs")) {
                        ObjectNode o = ((ObjectNode) a.deepCopy());
                        o.remove("secretKey");
                        accounts.add(o);
                        t.row(a.path("accessKey").asText(), a.path("admin").asBoolean(),
                            a.path("whiteRemoteAddress").asText("-"),
                            perms(a.path("defaultTopicPerm").asText("DENY"), a.path("topicPerms")),
                            perms(a.path("defaultGroupPerm").asText("DENY"), a.path("groupPerms")));
                    }
                    if (admin.json) {
                        ObjectNode o = Json.mapper().createObjectNode();
                        o.set("globalWhiteAddrs", doc.path("globalWhiteAddrs"));
                        o.set("accounts", accounts);
                        System.out.println(o);
                    } else {
                        List<String> white = new ArrayList<>();
                        doc.path("globalWhiteAddrs").forEach(n -> white.add(n.asText()));
                        System.out.println("global white list: " + (white.isEmpty() ? "(none)" : String.join(", ", white)));
                        t.print(System.out);
                    }
                }
                return Exit.OK;
            });
        }

        private static String perms(String dflt, JsonNode list) {
            List<String> p = new ArrayList<>();
            list.forEach(n -> p.add(n.asText()));
            return "default " + dflt + (p.isEmpty() ? "" : "; " + String.join(", ", p));
        }
    }

    @Command(name = "update", mixinStandardHelpOptions = true,
        description = {"Create an account, or change the settings given of an existing one. The new account's secret "
            + "is read from $QUIVER_ACL_SECRET (never from the command line).", Exit.HELP})
    static final class Update implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "ACCESS_KEY")
        String accessKey;

        @Option(names = "--admin", paramLabel = "true|false", description = "an admin account (topic, group, ACL and "
            + "configuration changes)")
        Boolean isAdmin;

        @Option(names = "--white-address", paramLabel = "PATTERN", description = "the only addresses it may come from")
        String white;

        @Option(names = "--default-topic-perm", paramLabel = "PERM", description = "PUB, SUB, PUB|SUB or DENY")
        String defaultTopicPerm;

        @Option(names = "--default-group-perm", paramLabel = "PERM", description = "PUB, SUB, PUB|SUB or DENY")
        String defaultGroupPerm;

        @Option(names = "--topic-perm", paramLabel = "TOPIC=PERM", description = "repeatable; replaces the list")
        List<String> topicPerms;

        @Option(names = "--group-perm", paramLabel = "GROUP=PERM", description = "repeatable; replaces the list")
        List<String> groupPerms;

        @Override
        public Integer call() {
            String secret = System.getenv("QUIVER_ACL_SECRET");
            return toEach(admin, target, "account " + accessKey + " updated", () -> {
                RemotingCommand r = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_ACL_CONFIG)
                    .putExt("accessKey", accessKey);
                if (secret != null && !secret.isBlank()) {
                    r.putExt("secretKey", secret);
                }
                if (isAdmin != null) {
                    r.putExt("admin", isAdmin.toString());
                }
                if (white != null) {
                    r.putExt("whiteRemoteAddress", white);
                }
                if (defaultTopicPerm != null) {
                    r.putExt("defaultTopicPerm", defaultTopicPerm);
                }
                if (defaultGroupPerm != null) {
                    r.putExt("defaultGroupPerm", defaultGroupPerm);
                }
                if (topicPerms != null) {
                    r.putExt("topicPerms", String.join(",", topicPerms));
                }
                if (groupPerms != null) {
                    r.putExt("groupPerms", String.join(",", groupPerms));
                }
                return r;
            });
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true, description = {"Delete an account.", Exit.HELP})
    static final class Delete implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Mixin
        Target target;

        @Parameters(index = "0", paramLabel = "ACCESS_KEY")
        String accessKey;

        @Override
        public Integer call() {
            return toEach(admin, target, "account " + accessKey + " deleted",
                () -> RemotingCommand.request(RequestCode.DELETE_ACL_CONFIG).putExt("accessKey", accessKey));
        }
    }

    @Command(name = "white-list", mixinStandardHelpOptions = true,
        description = {"Replace the global white list (addresses whose requests need no signature); none clears it.",
            Exit.HELP})
    static final class WhiteList implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Mixin
        Target target;

        @Parameters(paramLabel = "PATTERN", arity = "0..*", description = "e.g. 10.0.*.* or 192.168.1.{1,2,3}")
        List<String> patterns = new ArrayList<>();

        @Override
        public Integer call() {
            return toEach(admin, target, "global white list set to " + (patterns.isEmpty() ? "(none)" : patterns),
                () -> RemotingCommand.request(RequestCode.UPDATE_GLOBAL_WHITE_ADDRS_CONFIG)
                    .putExt("globalWhiteAddrs", String.join(",", patterns)));
        }
    }

    @Command(name = "version", mixinStandardHelpOptions = true,
        description = {"How many times each broker's accounts changed, and when last.", Exit.HELP})
    static final class Version implements Callable<Integer> {
        @Mixin
        AdminOptions admin;
        @Mixin
        Target target;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    Table t = new Table("BROKER", "ADDRESS", "CHANGES", "LAST CHANGE");
                    ArrayNode arr = Json.mapper().createArrayNode();
                    for (String[] b : target.brokers(c)) {
                        RemotingCommand r = c.call(b[1], RemotingCommand.request(RequestCode.GET_BROKER_CLUSTER_ACL_INFO));
                        JsonNode v = Json.mapper().readTree(r.ext("version"));
                        long at = v.path("timestamp").asLong();
                        t.row(b[0], b[1], v.path("counter").asLong(), java.time.Instant.ofEpochMilli(at).toString());
                        arr.add(Json.mapper().createObjectNode().put("broker", b[0]).put("address", b[1])
                            .put("changes", v.path("counter").asLong()).put("lastChange", at));
                    }
                    if (admin.json) {
                        System.out.println(arr);
                    } else {
                        t.print(System.out);
                    }
                }
                return Exit.OK;
            });
        }
    }
}
