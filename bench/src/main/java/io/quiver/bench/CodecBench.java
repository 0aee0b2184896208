package io.quiver.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.SerializeType;
import io.quiver.protocol.header.SendMessageRequestHeader;
import io.quiver.protocol.message.MessageDraft;
import io.quiver.protocol.message.MessageRecord;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The wire format's hot paths: decoding a SEND_MESSAGE_V2 frame as a producer sends it (header in JSON or
 * RocketMQ binary) and its typed header, encoding a send response frame, and laying out one stored record.
 * Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBench {
    @Param({"JSON", "ROCKETMQ"})
    public String serializeType;

    private ByteBuf sendFrame;
    private RemotingCommand response;
    private ByteBuf out;
    private MessageDraft draft;
    private ByteBuffer record;
    private int recordSize;

    @Setup
    public void setUp() {
        RemotingCommand req = RemotingCommand.request(RequestCode.SEND_MESSAGE_V2);
        new SendMessageRequestHeader("PG_orders", "OrderCreated", "TBW102", 8, 3, 0, System.currentTimeMillis(), 0,
            "TAGS\u0001TagA\u0002KEYS\u0001order-42\u0002UNIQ_KEY\u00017F0000010E6F18B4AAC2123456780000\u0002WAIT\u0001true\u0002",
            0, false, null, false, "broker-a").encodeV2(req);
        req.serializeType(SerializeType.valueOf(serializeType));
        req.body(new byte[1024]);
        ByteBuf full = PooledByteBufAllocator.DEFAULT.buffer();
        RemotingCommandCodec.encodeFrameHeader(req, full);
        full.skipBytes(4); // the length word is consumed by the frame decoder
        sendFrame = full;
        response = RemotingCommand.responseTo(req, 0, null).putExt("msgId", "7F00000100002A9F0000000000ABCDEF")
            .putExt("queueId", 3).putExt("queueOffset", 123456L).putExt("MSG_REGION", "DefaultRegion")
            .putExt("TRACE_ON", "true");
        out = PooledByteBufAllocator.DEFAULT.buffer(512);
        draft = new MessageDraft();
        draft.topic("OrderCreated");
        draft.queueId(3);
        draft.bornTimestamp(System.currentTimeMillis());
        draft.body(new byte[1024], 0, 1024);
        draft.properties("TAGS\u0001TagA\u0002KEYS\u0001order-42\u0002");
        recordSize = MessageRecord.sizeOf(4, 4, 1024, draft.topicBytes().length, draft.propertyBytes().length);
        record = ByteBuffer.allocateDirect(recordSize);
    }

    @TearDown
    public void tearDown() {
        sendFrame.release();
        out.release();
    }

    /** Frame plus typed header decode of one send request, as the broker does for every send. */
    @Benchmark
    public SendMessageRequestHeader decodeSendRequest() {
        sendFrame.readerIndex(4);
        RemotingCommand cmd = RemotingCommandCodec.decode(sendFrame);
        return SendMessageRequestHeader.decode(cmd);
    }

    /** Encoding one send response frame. */
    @Benchmark
    public int encodeSendResponse() {
        out.clear();
        RemotingCommandCodec.encodeFrameHeader(response, out);
        return out.writerIndex();
    }

    /** Laying out one 1 KiB message record as it is appended to the commit log. */
    @Benchmark
    public int encodeRecord() {
        record.clear();
        MessageRecord.write(record, draft, recordSize, 0, 42L, 4096L, System.currentTimeMillis());
        return record.position();
    }
}
