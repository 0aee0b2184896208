package io.quiver.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.quiver.protocol.RemotingCommandCodec;

/**
 * Splits the byte stream into frames bounded by {@code maxFrameBytes} and decodes each into a
 * {@link io.quiver.protocol.RemotingCommand}. A negative or oversized length, or a header that does not
 * decode, raises an exception that {@link Dispatcher} answers by closing the connection: after a bad
 * frame the stream cannot be re-synchronised.
 */
final class FrameDecoder extends LengthFieldBasedFrameDecoder {
    FrameDecoder(int maxFrameBytes) {
        super(maxFrameBytes, 0, 4, 0, 4);
    }

    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        ByteBuf frame = (ByteBuf) super.decode(ctx, in);
        if (frame == null) {
            return null;
        }
        try {
            return RemotingCommandCodec.decode(frame);
        } finally {
            frame.release();
        }
    }
}
