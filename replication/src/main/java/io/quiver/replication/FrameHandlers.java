package io.quiver.replication;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.MessageToByteEncoder;
import io.netty.handler.codec.MessageToMessageDecoder;
import java.util.List;

/** Netty adapters of {@link Frames}: a bounded length-prefixed decoder and the encoder. */
final class FrameHandlers {
    private FrameHandlers() {}

    static void install(ChannelPipeline p) {
        p.addLast("frame-length", new LengthFieldBasedFrameDecoder(Frames.MAX_FRAME_BYTES, 0, 4, 0, 4));
        p.addLast("frame-decoder", new Decoder());
        p.addLast("frame-encoder", ENCODER);
    }

    private static final Encoder ENCODER = new Encoder();

    @ChannelHandler.Sharable
    private static final class Encoder extends MessageToByteEncoder<Frame> {
        @Override
        protected void encode(ChannelHandlerContext ctx, Frame f, ByteBuf out) {
            Frames.encode(f, out);
        }
    }

    private static final class Decoder extends MessageToMessageDecoder<ByteBuf> {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            out.add(Frames.decode(in));
        }
    }
}
