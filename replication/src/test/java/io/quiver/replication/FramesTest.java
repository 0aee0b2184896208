package io.quiver.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.quiver.store.EpochHistory;
import io.quiver.store.LogChunk;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Unit tier: every shipping-protocol frame survives encoding and decoding, arrives whole through a stream
 * split at random points, and a truncated, oversized or inconsistent frame is refused with an error that
 * names what is wrong (the connection then closes and the replica resumes from its own end).
 */
class FramesTest {
    private static final List<Frame> SAMPLES = List.of(
        new Frame.Hello(Frame.VERSION, "DefaultCluster", "broker-a", 2, 1 << 30, 4 << 20, 123_456, false,
            List.of(new EpochHistory.Entry(1, 0, -5), new EpochHistory.Entry(3, 4096, 77))),
        new Frame.Hello(Frame.VERSION, "DefaultCluster", "broker-a", 1, 1 << 30, 4 << 20, 0, true, List.of()),
        new Frame.Welcome(4096, 0, 1 << 20),
        new Frame.Welcome(2048, 0, 1 << 20, 2048, List.of(new EpochHistory.Entry(4, 1024, Long.MIN_VALUE))),
        new Frame.Refused("the replica belongs to broker b"),
        new Frame.Entries(new LogChunk(LogChunk.Kind.ENTRIES, 100, 110, ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}))),
        new Frame.Entries(new LogChunk(LogChunk.Kind.GAP, 200, 300, ByteBuffer.allocate(0))),
        new Frame.Ack(987_654_321L),
        new Frame.Heartbeat(55, 1_700_000_000_000L));

    private static ByteBuf encode(Frame f) {
        ByteBuf b = Unpooled.buffer();
        Frames.encode(f, b);
        return b;
    }

    private static void assertSame(Frame actual, Frame expected) {
        if (expected instanceof Frame.Entries e) {
            LogChunk a = ((Frame.Entries) actual).chunk();
            assertThat(a.kind()).isEqualTo(e.chunk().kind());
            assertThat(a.from()).isEqualTo(e.chunk().from());
            assertThat(a.next()).isEqualTo(e.chunk().next());
            assertThat(a.bytes()).isEqualTo(e.chunk().bytes());
        } else {
            assertThat(actual).isEqualTo(expected);
        }
    }

    @Test
    void everyFrameRoundTrips() {
        for (Frame f : SAMPLES) {
            ByteBuf b = encode(f);
            assertThat(b.readInt()).isEqualTo(b.readableBytes());
            assertSame(Frames.decode(b), f);
        }
    }

    @Test
    void framesArriveWholeWhateverTheStreamIsSplitInto() {
        Random rnd = new Random(7);
        for (int round = 0; round < 200; round++) {
            ByteBuf stream = Unpooled.buffer();
            for (Frame f : SAMPLES) {
                stream.writeBytes(encode(f));
            }
            EmbeddedChannel ch = new EmbeddedChannel();
            FrameHandlers.install(ch.pipeline());
            while (stream.isReadable()) {
                int n = Math.min(stream.readableBytes(), 1 + rnd.nextInt(20));
                ch.writeInbound(stream.readRetainedSlice(n));
            }
            for (Frame f : SAMPLES) {
                assertSame(ch.readInbound(), f);
            }
            assertThat((Object) ch.readInbound()).isNull();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void badFramesAreRefusedWithTheReason() {
        ByteBuf ack = encode(new Frame.Ack(5));
        ack.readInt();
        ByteBuf truncated = ack.slice(ack.readerIndex(), ack.readableBytes() - 3);
        assertThatThrownBy(() -> Frames.decode(truncated)).isInstanceOf(ReplicationException.class)
            .hasMessageContaining("truncated");
        ByteBuf unknown = Unpooled.buffer().writeByte(99);
        assertThatThrownBy(() -> Frames.decode(unknown)).hasMessageContaining("unknown frame type 99");
        ByteBuf extra = Unpooled.buffer().writeByte(Frames.ACK).writeLong(1).writeByte(0);
        assertThatThrownBy(() -> Frames.decode(extra)).hasMessageContaining("1 bytes too many");
        ByteBuf lying = Unpooled.buffer().writeByte(Frames.ENTRIES).writeLong(0).writeLong(10).writeInt(50).writeBytes(new byte[10]);
        assertThatThrownBy(() -> Frames.decode(lying)).hasMessageContaining("entries length 50");
        ByteBuf backwards = Unpooled.buffer().writeByte(Frames.ENTRIES).writeLong(100).writeLong(50).writeInt(2).writeBytes(new byte[2]);
        assertThatThrownBy(() -> Frames.decode(backwards)).hasMessageContaining("cannot hold 2 bytes");
        ByteBuf emptyGap = Unpooled.buffer().writeByte(Frames.GAP).writeLong(7).writeLong(7);
        assertThatThrownBy(() -> Frames.decode(emptyGap)).hasMessageContaining("empty or negative");
        ByteBuf longName = Unpooled.buffer().writeByte(Frames.HELLO).writeInt(Frame.VERSION).writeShort(300)
            .writeBytes(new byte[300]);
        assertThatThrownBy(() -> Frames.decode(longName)).hasMessageContaining("cluster has length 300");
        ByteBuf manyTerms = Unpooled.buffer().writeByte(Frames.WELCOME).writeLong(0).writeLong(0).writeLong(0).writeLong(-1)
            .writeInt(EpochHistory.MAX_ENTRIES + 1);
        assertThatThrownBy(() -> Frames.decode(manyTerms)).hasMessageContaining("term count 1001");
        ByteBuf disordered = Unpooled.buffer().writeByte(Frames.WELCOME).writeLong(0).writeLong(0).writeLong(0).writeLong(-1)
            .writeInt(2).writeLong(5).writeLong(0).writeLong(1).writeLong(4).writeLong(10).writeLong(2);
        assertThatThrownBy(() -> Frames.decode(disordered)).hasMessageContaining("terms out of order");
        // a replica of another protocol version is answered by its version alone, whatever follows it
        ByteBuf oldHello = Unpooled.buffer().writeByte(Frames.HELLO).writeInt(1).writeShort(1).writeByte('C');
        assertThat(((Frame.Hello) Frames.decode(oldHello)).version()).isEqualTo(1);

        EmbeddedChannel ch = new EmbeddedChannel();
        FrameHandlers.install(ch.pipeline());
        ByteBuf huge = Unpooled.buffer().writeInt(Frames.MAX_FRAME_BYTES + 1).writeByte(Frames.ACK);
        assertThatThrownBy(() -> ch.writeInbound(huge)).isInstanceOf(DecoderException.class);
        ch.finishAndReleaseAll();
    }
}
