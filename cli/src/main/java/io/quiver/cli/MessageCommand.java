package io.quiver.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.body.TopicRouteData;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageId;
import io.quiver.protocol.message.MessageProperties;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code quiver message get|search}: find stored messages by id, key, unique key or time. */
@Command(name = "message", mixinStandardHelpOptions = true, description = "Find stored messages, and what happened to them.",
    subcommands = {MessageCommand.Get.class, MessageCommand.Search.class, TraceCommand.class})
final class MessageCommand extends CommandGroup {
    /** The group the CLI's by-time reads use; it never commits an offset. */
    static final String READ_GROUP = "TOOLS_CONSUMER";
    /** Pull flag: the request carries its own subscription. */
    static final int FLAG_SUBSCRIPTION = 0x4;
    static final int COMPRESSED_FLAG = 0x1;


    /** The records of a response body, back to back. */
    static List<DecodedMessage> records(byte[] body) {
        List<DecodedMessage> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(body == null ? new byte[0] : body);
        int pos = 0;
        while (pos + 4 <= b.limit()) {
            DecodedMessage m = MessageRecord.decode(b, pos);
            out.add(m);
            pos += m.totalSize;
        }
        return out;
    }

    static byte[] body(DecodedMessage m) {
        return io.quiver.protocol.message.Bodies.uncompressed(m, io.quiver.protocol.message.Bodies.MAX_INFLATED_BYTES);
    }

    /** The body as text if it is valid UTF-8, else null. */
    static String text(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    static String preview(byte[] body, int max) {
        String t = text(body);
        if (t == null) {
            return "(" + body.length + " bytes, binary)";
        }
        t = t.replaceAll("\\p{Cntrl}", " ");
        return t.length() <= max ? t : t.substring(0, max - 1) + "…";
    }

    static ObjectNode json(DecodedMessage m) {
        byte[] body = body(m);
        Map<String, String> props = m.propertyMap();
        ObjectNode o = Json.mapper().createObjectNode().put("msgId", m.offsetMsgId())
            .put("uniqKey", props.get(MessageProperties.UNIQ_KEY)).put("topic", m.topic).put("queueId", m.queueId)
            .put("queueOffset", m.queueOffset).put("commitLogOffset", m.physicalOffset)
            .put("bornTimestamp", m.bornTimestamp).put("storeTimestamp", m.storeTimestamp)
            .put("reconsumeTimes", m.reconsumeTimes).put("bodyLength", body.length);
        String t = text(body);
        if (t != null) {
            o.put("body", t);
        } else {
            o.put("bodyBase64", java.util.Base64.getEncoder().encodeToString(body));
        }
        ObjectNode p = o.putObject("properties");
        props.forEach(p::put);
        return o;
    }

    static void printDetail(DecodedMessage m) {
        byte[] body = body(m);
        Map<String, String> props = m.propertyMap();
        System.out.printf("message id:     %s%n", m.offsetMsgId());
        System.out.printf("unique key:     %s%n", props.getOrDefault(MessageProperties.UNIQ_KEY, "-"));
        System.out.printf("topic / queue:  %s / %d at offset %d%n", m.topic, m.queueId, m.queueOffset);
        System.out.printf("tags / keys:    %s / %s%n", props.getOrDefault(MessageProperties.TAGS, "-"),
            props.getOrDefault(MessageProperties.KEYS, "-"));
        System.out.printf("born / stored:  %s / %s%n", Times.format(m.bornTimestamp), Times.format(m.storeTimestamp));
        System.out.printf("reconsumed:     %d times%n", m.reconsumeTimes);
        System.out.printf("properties:     %s%n", props);
        String t = text(body);
        System.out.printf("body (%d bytes%s):%n%s%n", body.length, (m.sysFlag & COMPRESSED_FLAG) != 0 ? ", was compressed" : "",
            t != null ? t : java.util.Base64.getEncoder().encodeToString(body) + "   (binary, shown as base64)");
    }

    static void printList(List<DecodedMessage> found) {
        Table t = new Table("MSG ID", "QUEUE", "OFFSET", "STORED", "TAGS", "KEYS", "BODY");
        for (DecodedMessage m : found) {
            Map<String, String> p = m.propertyMap();
            t.row(m.offsetMsgId(), m.queueId, m.queueOffset, Times.format(m.storeTimestamp), p.get(MessageProperties.TAGS),
                p.get(MessageProperties.KEYS), preview(body(m), 40));
        }
        t.print(System.out);
    }

    /** QUERY_MESSAGE on every broker of the topic's route. */
    static List<DecodedMessage> query(AdminClient c, String topic, String key, boolean unique, int max, long begin, long end) {
        List<DecodedMessage> out = new ArrayList<>();
        for (String[] b : c.brokersOf(topic)) {
            RemotingCommand req = RemotingCommand.request(RequestCode.QUERY_MESSAGE).putExt("topic", topic).putExt("key", key)
                .putExt("maxNum", max).putExt("beginTimestamp", begin).putExt("endTimestamp", end);
            if (unique) {
                req.putExt("_UNIQUE_KEY_QUERY", "true");
            }
            RemotingCommand resp = c.callAny(b[1], req);
            if (resp.code() == ResponseCode.SUCCESS) {
                out.addAll(records(resp.body()));
            } else if (resp.code() != ResponseCode.QUERY_NOT_FOUND) {
                throw new Failure(Exit.FAILED, b[1] + " answered code " + resp.code() + ": " + resp.remark());
            }
        }
        out.sort(Comparator.comparingLong((DecodedMessage m) -> m.storeTimestamp).thenComparing(m -> m.offsetMsgId()));
        return out;
    }

    @Command(name = "get", mixinStandardHelpOptions = true,
        description = {"Show one message with its properties and body, by the message id a send returned (an offset id) or, with --topic, by its unique key (the client-side id; mqadmin queryMsgByUniqueKey).", Exit.HELP})
    static final class Get implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Parameters(index = "0", paramLabel = "ID", description = "offset message id or unique key")
        String id;

        @Option(names = "--topic", paramLabel = "TOPIC", description = "the message's topic: look the id up as a unique key")
        String topic;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                try (AdminClient c = admin.connect()) {
                    DecodedMessage m = find(c, id, topic);
                    if (m == null) {
                        throw Failure.notFound("no message with id " + id + (topic == null
                            ? " (for a unique key, also give --topic)" : " in topic " + topic));
                    }
                    if (admin.json) {
                        System.out.println(json(m));
                    } else {
                        printDetail(m);
                    }
                }
                return Exit.OK;
            });
        }

        /** The message with offset id {@code id}, or with unique key {@code id} in {@code topic} (when given); or null. */
        static DecodedMessage find(AdminClient c, String id, String topic) {
            if (topic != null) {
                List<DecodedMessage> found = query(c, topic, id, true, 32, 0, Long.MAX_VALUE);
                if (!found.isEmpty()) {
                    return found.get(found.size() - 1);
                }
            }
            return byOffsetId(c, id);
        }

        private static DecodedMessage byOffsetId(AdminClient c, String id) {
            MessageId.Decoded d;
            try {
                d = MessageId.decode(id);
            } catch (IllegalArgumentException e) {
                return null;
            }
            String addr = d.address().getAddress().getHostAddress() + ":" + d.address().getPort();
            RemotingCommand resp;
            try {
                resp = c.callAny(addr, RemotingCommand.request(RequestCode.VIEW_MESSAGE_BY_ID)
                    .putExt("offset", d.commitLogOffset()));
            } catch (IllegalStateException unreachable) {
                return null; // not an offset id of a live broker (perhaps a unique key)
            }
            if (resp.code() != ResponseCode.SUCCESS) {
                return null;
            }
            List<DecodedMessage> r = records(resp.body());
            return r.isEmpty() ? null : r.get(0);
        }
    }

    /** How a search selects messages: by key, or by store time. */
    static final class By {
        @Option(names = "--key", paramLabel = "KEY", required = true, description = "a word of the message's KEYS")
        String key;

        @Option(names = "--since", paramLabel = "TIME", required = true,
            description = "messages stored at or after TIME (epoch ms, or 2026-11-22T10:00 local time)")
        String since;
    }

    @Command(name = "search", mixinStandardHelpOptions = true,
        description = {"List a topic's messages by key (mqadmin queryMsgByKey) or by store time (from --since, optionally up to --until), oldest first.", Exit.HELP})
    static final class Search implements java.util.concurrent.Callable<Integer> {
        @Mixin
        AdminOptions admin;

        @Option(names = "--topic", paramLabel = "TOPIC", required = true)
        String topic;

        @ArgGroup(exclusive = true, multiplicity = "1")
        By by;

        @Option(names = "--until", paramLabel = "TIME", description = "stored before TIME (with --key or --since)")
        String until;

        @Option(names = "--limit", paramLabel = "N", description = "most messages shown (default ${DEFAULT-VALUE})")
        int limit = 32;

        @Override
        public Integer call() {
            return Failure.run(() -> {
                if (limit < 1 || limit > 1000) {
                    throw new IllegalArgumentException("--limit is between 1 and 1000");
                }
                long end = until == null ? Long.MAX_VALUE : Times.parse(until);
                try (AdminClient c = admin.connect()) {
                    TopicRouteData route = c.route(topic);
                    if (route == null) {
                        throw Failure.noTopic(topic);
                    }
                    List<DecodedMessage> found;
                    if (by.key != null) {
                        long begin = 0;
                        found = query(c, topic, by.key, false, limit, begin, end);
                    } else {
                        found = byTime(c, topic, route, Times.parse(by.since), end, limit);
                    }
                    if (found.size() > limit) {
                        found = found.subList(0, limit);
                    }
                    if (admin.json) {
                        ArrayNode arr = Json.mapper().createArrayNode();
                        found.forEach(m -> arr.add(json(m)));
                        System.out.println(arr);
                    } else if (found.isEmpty()) {
                        System.out.println("(no messages found)");
                    } else {
                        printList(found);
                    }
                    return found.isEmpty() ? Exit.NOT_FOUND : Exit.OK;
                }
            });
        }

        /** Per queue: the first offset stored at or after {@code since}, then read forward up to {@code limit}. */
        static List<DecodedMessage> byTime(AdminClient c, String topic, TopicRouteData route, long since, long end,
                                           int limit) {
            List<DecodedMessage> out = new ArrayList<>();
            for (String[] b : c.brokersOf(topic)) {
                int queues = route.queueDatas.stream().filter(q -> q.brokerName.equals(b[0])).mapToInt(q -> q.readQueueNums)
                    .findFirst().orElse(0);
                for (int q = 0; q < queues; q++) {
                    long offset = Long.parseLong(c.call(b[1], RemotingCommand.request(
                        RequestCode.SEARCH_OFFSET_BY_TIMESTAMP).putExt("topic", topic).putExt("queueId", q)
                        .putExt("timestamp", since)).extFields().get("offset"));
                    RemotingCommand pull = RemotingCommand.request(RequestCode.PULL_MESSAGE)
                        .putExt("consumerGroup", READ_GROUP).putExt("topic", topic).putExt("queueId", q)
                        .putExt("queueOffset", offset).putExt("maxMsgNums", limit).putExt("maxMsgBytes", 1024 * 1024)
                        .putExt("sysFlag", FLAG_SUBSCRIPTION)
                        .putExt("commitOffset", 0L).putExt("suspendTimeoutMillis", 0L).putExt("subscription", "*")
                        .putExt("subVersion", 0L).putExt("expressionType", "TAG");
                    RemotingCommand resp = c.callAny(b[1], pull);
                    if (resp.code() == ResponseCode.SUCCESS) {
                        for (DecodedMessage m : records(resp.body())) {
                            if (m.storeTimestamp >= since && m.storeTimestamp < end) {
                                out.add(m);
                            }
                        }
                    } else if (resp.code() != ResponseCode.PULL_NOT_FOUND && resp.code() != ResponseCode.PULL_OFFSET_MOVED
                        && resp.code() != ResponseCode.PULL_RETRY_IMMEDIATELY) {
                        throw new Failure(Exit.FAILED, b[1] + " answered code " + resp.code() + ": " + resp.remark());
                    }
                }
            }
            out.sort(Comparator.comparingLong((DecodedMessage m) -> m.storeTimestamp).thenComparing(m -> m.offsetMsgId()));
            return out;
        }
    }
}
