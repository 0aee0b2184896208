package io.quiver.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.body.Json;
import io.quiver.protocol.message.DecodedMessage;
import io.quiver.protocol.message.MessageRecord;
import io.quiver.remoting.RequestHandler;
import io.quiver.remoting.TestContexts;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a handler method on a decoded request over a Netty EmbeddedChannel (via {@link TestContexts}) and
 * reads back what it wrote: the one response, or nothing yet. Also decodes reply bodies (JSON, records).
 */
public final class HandlerHarness implements AutoCloseable {
    /** The client's address as the handler sees it. */
    public static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    public static final InetSocketAddress BROKER = new InetSocketAddress("127.0.0.1", 10911);

    /** An EmbeddedChannel with IPv4 peer and local addresses, as RequestContext expects. */
    public static final class IpChannel extends EmbeddedChannel {
        @Override
        public SocketAddress remoteAddress() {
            return CLIENT;
        }

        @Override
        protected SocketAddress remoteAddress0() {
            return CLIENT;
        }

        @Override
        public SocketAddress localAddress() {
            return BROKER;
        }

        @Override
        protected SocketAddress localAddress0() {
            return BROKER;
        }
    }

    public final IpChannel channel = new IpChannel();

    /** A two-way request with the given code and ext fields given as alternating names and values. */
    /** A clustering consumer of {@code group} subscribed to every tag of {@code topics}, as a heartbeat carries it. */
    public static io.quiver.protocol.body.HeartbeatData.ConsumerData consumer(String group, long subVersion,
                                                                               String... topics) {
        io.quiver.protocol.body.HeartbeatData.ConsumerData d = new io.quiver.protocol.body.HeartbeatData.ConsumerData();
        d.groupName = group;
        d.consumeType = "CONSUME_PASSIVELY";
        d.messageModel = "CLUSTERING";
        d.consumeFromWhere = "CONSUME_FROM_LAST_OFFSET";
        for (String t : topics) {
            d.subscriptionDataSet.add(io.quiver.protocol.body.SubscriptionData.ofTags(t, "*", subVersion));
        }
        return d;
    }

    public static RemotingCommand request(int code, Object... fields) {
        if (fields.length % 2 != 0) {
            throw new IllegalArgumentException("fields are name, value pairs");
        }
        RemotingCommand c = RemotingCommand.request(code);
        for (int i = 0; i < fields.length; i += 2) {
            c.putExt((String) fields[i], fields[i + 1]);
        }
        return c;
    }

    /** Hands {@code req} to the handler without reading anything back. */
    public void start(RequestHandler handler, RemotingCommand req) {
        try {
            handler.handle(TestContexts.of(channel, req), req);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the channel's pending tasks and returns the next response written, or null if there is none. */
    public RemotingCommand nextReply() {
        channel.runPendingTasks();
        RemotingCommand resp = channel.readOutbound();
        return resp;
    }

    /** Handles {@code req} and returns the one response it wrote, checking that it answers this request. */
    public RemotingCommand call(RequestHandler handler, RemotingCommand req) {
        start(handler, req);
        RemotingCommand resp = nextReply();
        assertThat(resp).as("a response was written").isNotNull();
        assertThat((Object) channel.readOutbound()).as("only one response").isNull();
        assertThat(resp.isResponse()).isTrue();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        return resp;
    }

    /**
     * Hands {@code req} to the handler, checks that nothing is answered until {@code write} (the pending
     * table write) has run, and returns the answer written after it.
     */
    public RemotingCommand callAcrossWrite(RequestHandler handler, RemotingCommand req, Runnable write) {
        start(handler, req);
        assertThat(nextReply()).as("no answer before the write").isNull();
        write.run();
        RemotingCommand resp = nextReply();
        assertThat(resp).as("an answer after the write").isNotNull();
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        return resp;
    }

    /** The response's body bytes, whether it was set as an array or as zero-copy views; null if none. */
    public static byte[] body(RemotingCommand resp) {
        ByteBuf buf = resp.bodyBuf();
        if (buf != null) {
            byte[] b = new byte[buf.readableBytes()];
            buf.getBytes(buf.readerIndex(), b);
            return b;
        }
        return resp.body();
    }

    public static String bodyText(RemotingCommand resp) {
        byte[] b = body(resp);
        return b == null ? null : new String(b, StandardCharsets.UTF_8);
    }

    public static <T> T bodyAs(RemotingCommand resp, Class<T> type) {
        return Json.decode(body(resp), type);
    }

    /** The body parsed as a JSON tree. */
    public static com.fasterxml.jackson.databind.JsonNode bodyJson(RemotingCommand resp) {
        try {
            return Json.mapper().readTree(body(resp));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("the body is not JSON: " + bodyText(resp), e);
        }
    }

    /** The records a pull, view or query reply carries end to end, decoded. */
    public static List<DecodedMessage> records(RemotingCommand resp) {
        byte[] b = body(resp);
        List<DecodedMessage> out = new ArrayList<>();
        ByteBuffer buf = ByteBuffer.wrap(b == null ? new byte[0] : b);
        int at = 0;
        while (at < buf.limit()) {
            DecodedMessage m = MessageRecord.decode(buf, at);
            out.add(m);
            at += m.totalSize;
        }
        return out;
    }

    public static String bodyOf(DecodedMessage m) {
        return new String(m.body, StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        channel.finishAndReleaseAll();
    }
}
