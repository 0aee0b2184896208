package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicList;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.header.RequestHeaders;
import io.quiver.protocol.message.PermName;
import io.quiver.protocol.message.TopicNames;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quiver topic create|list|describe|delete}. */
@Command(name = "topic", mixinStandardHelpOptions = true, description = "Create, list, inspect and delete topics.",
    subcommands = {TopicCommand.Create.class, TopicCommand.ListTopics.class, TopicCommand.Describe.class,
        TopicCommand.Delete.class})
final class TopicCommand extends CommandGroup {

    /** "rw", "r", "w" or RocketMQ's number (6, 4, 2). */
    static int parsePerm(String p) {
        return switch (p.toLowerCase(java.util.Locale.ROOT)) {
            case "rw", "6" -> PermName.READ_WRITE;
            case "r", "4" -> PermName.READ;
            case "w", "2" -> PermName.WRITE;
            default -> throw new IllegalArgumentException("--perm is rw, r or w (or 6, 4, 2), not " + p);
        };
    }

    static String perm(int perm) {
        return (PermName.isReadable(perm) ? "r" : "") + (PermName.isWriteable(perm) ? "w" : "");
    }

    @Command(name = "create", mixinStandardHelpOptions = true,
        description = {"Create a topic (or change its queues and permission) on every master broker of the cluster, or on one broker with --broker.", Exit.HELP})
    static final class Create implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC", description = "topic name")
        String topic;

        @Option(names = "--queues", paramLabel = "N", description = "queues per broker (default ${DEFAULT-VALUE})")
        int queues = 8;

        @Option(names = "--perm", paramLabel = "PERM", description = "rw, r or w (default ${DEFAULT-VALUE})")
        String perm = "rw";

        @Option(names = "--order", description = "mark the topic as ordered")
        boolean order;

        @Option(names = "--broker", paramLabel = "ADDR", description = "only this broker (host:port)")
        String broker;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                String problem = TopicNames.validate(topic);
                if (problem != null) {
                    throw new IllegalArgumentException("invalid topic name: " + problem);
                }
                if (queues < 1 || queues > 1024) {
                    throw new IllegalArgumentException("--queues is between 1 and 1024");
                }
                int p = parsePerm(perm);
                try (AdminClient c = admin.connect()) {
                    List<String[]> targets = broker != null ? List.<String[]>of(new String[] {broker, broker})
                        : c.masterBrokers();
                    if (targets.isEmpty()) {
                        throw new Failure(Exit.FAILED, "no broker is registered with " + admin.namesrv
                            + "; start one, or name it with --broker");
                    }
                    ArrayNode done = Json.mapper().createArrayNode();
                    for (String[] b : targets) {
                        RemotingCommand req = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC);
                        new RequestHeaders.CreateTopic(topic, TopicNames.AUTO_CREATE_TEMPLATE, queues, queues, p,
                            "SINGLE_TAG", 0, order, null).encode(req);
                        c.call(b[1], req);
                        done.add(b[0]);
                        if (!admin.json) {
                            System.out.printf("created topic %s with %d queues (%s) on %s (%s)%n", topic, queues,
                                perm(p), b[0], b[1]);
                        }
                    }
                    if (admin.json) {
                        ObjectNode o = Json.mapper().createObjectNode().put("topic", topic).put("queues", queues)
                            .put("perm", p);
                        o.set("brokers", done);
                        System.out.println(o);
                    }
                }
                return Exit.OK;
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List the topics the name servers know. Retry, dead-letter and system topics only with --all.", Exit.HELP})
    static final class ListTopics implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--all", description = "include retry (%%RETRY%%), dead-letter (%%DLQ%%) and system topics")
        boolean all;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    List<String> names = names(c, all);
                    if (admin.json) {
                        System.out.println(Json.encodeToString(names));
                    } else {
                        names.forEach(System.out::println);
                    }
                }
                return Exit.OK;
            });
        }

        /** The topics the name servers know, sorted; retry, dead-letter and system topics only with {@code all}. */
        static List<String> names(AdminClient c, boolean all) {
            TopicList list = Json.decode(c.callNamesrv(() ->
                RemotingCommand.request(RequestCode.GET_ALL_TOPIC_LIST_FROM_NAMESERVER)).body(), TopicList.class);
            return list.topicList.stream().filter(t -> all || isUserTopic(t)).sorted().toList();
        }

        static boolean isUserTopic(String t) {
            return !TopicNames.isRetry(t) && !TopicNames.isDlq(t) && !TopicNames.isSystem(t)
                && !t.equals(TopicNames.AUTO_CREATE_TEMPLATE) && !t.startsWith("rmq_sys_")
                && !t.equals(TopicNames.SCHEDULE_TOPIC) && !t.equals(TopicNames.TRANS_CHECK_MAX_TIME_TOPIC)
                && !t.equals(TopicNames.SELF_TEST_TOPIC) && !t.equals(TopicNames.OFFSET_MOVED_EVENT);
        }
    }

    @Command(name = "describe", mixinStandardHelpOptions = true,
        description = {"Show a topic's brokers and queues: permission, oldest and next offset, messages held and when the newest was stored.", Exit.HELP})
    static final class Describe implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    ObjectNode o = describeJson(c, topic);
                    if (admin.json) {
                        System.out.println(o);
                        return Exit.OK;
                    }
                    Table t = new Table("BROKER", "QUEUE", "PERM", "MIN OFFSET", "MAX OFFSET", "MESSAGES", "LAST STORED");
                    for (JsonNode q : o.path("queues")) {
                        long min = q.path("minOffset").asLong();
                        long max = q.path("maxOffset").asLong();
                        t.row(q.path("broker").asText(), q.path("queueId").asInt(), perm(q.path("perm").asInt()), min, max,
                            max - min, Times.format(q.path("lastStored").asLong()));
                    }
                    System.out.printf("topic %s: %d brokers, %d queues, %d messages held%n", topic,
                        o.path("brokers").asInt(), o.path("queues").size(), o.path("messages").asLong());
                    t.print(System.out);
                }
                return Exit.OK;
            });
        }

        /** The topic's queues on every broker: permission, oldest and next offset, newest store time; not found fails. */
        static ObjectNode describeJson(AdminClient c, String topic) throws java.io.IOException {
            TopicRouteData route = c.route(topic);
            if (route == null) {
                throw Failure.noTopic(topic);
            }
            ArrayNode queues = Json.mapper().createArrayNode();
            long total = 0;
            long stored = 0;
            for (String[] b : c.brokersOf(topic)) {
                int perm = route.queueDatas.stream().filter(q -> q.brokerName.equals(b[0]))
                    .mapToInt(q -> q.perm).findFirst().orElse(0);
                RemotingCommand resp = c.call(b[1], RemotingCommand.request(RequestCode.GET_TOPIC_STATS_INFO)
                    .putExt("topic", topic));
                JsonNode table = Json.mapper().readTree(resp.body()).get("offsetTable");
                for (QueueRow q : QueueRow.parse(table)) {
                    long min = q.value().get("minOffset").asLong();
                    long max = q.value().get("maxOffset").asLong();
                    total += max - min;
                    stored += max;
                    queues.add(Json.mapper().createObjectNode().put("broker", b[0]).put("queueId", q.queueId())
                        .put("perm", perm).put("minOffset", min).put("maxOffset", max)
                        .put("lastStored", q.value().get("lastUpdateTimestamp").asLong()));
                }
            }
            ObjectNode o = Json.mapper().createObjectNode().put("topic", topic).put("messages", total)
                .put("stored", stored).put("brokers", route.brokerDatas.size());
            o.set("queues", queues);
            return o;
        }
    }

    @Command(name = "delete", mixinStandardHelpOptions = true,
        description = {"Delete a topic from its brokers and from the name servers. Its messages become unreachable and its consumer offsets are dropped.", Exit.HELP})
    static final class Delete implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "TOPIC")
        String topic;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    List<String[]> brokers = c.brokersOf(topic);
                    if (brokers.isEmpty()) {
                        throw Failure.noTopic(topic);
                    }
                    for (String[] b : brokers) {
                        c.call(b[1], RemotingCommand.request(RequestCode.DELETE_TOPIC_IN_BROKER).putExt("topic", topic));
                    }
                    for (String ns : c.namesrvs()) {
                        RemotingCommand resp = c.callAny(ns, RemotingCommand.request(RequestCode.DELETE_TOPIC_IN_NAMESRV)
                            .putExt("topic", topic));
                        if (resp.code() != ResponseCode.SUCCESS && resp.code() != ResponseCode.TOPIC_NOT_EXIST) {
                            throw new Failure(Exit.FAILED, ns + " answered code " + resp.code() + ": " + resp.remark());
                        }
                    }
                    if (admin.json) {
                        System.out.println(Json.mapper().createObjectNode().put("deleted", topic).put("brokers", brokers.size()));
                    } else {
                        System.out.printf("deleted topic %s from %d broker(s) and %d name server(s)%n", topic,
                            brokers.size(), c.namesrvs().size());
                    }
                }
                return Exit.OK;
            });
        }
    }
}
