package io.quiver.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import java.util.List;

/**
 * Writes a command as one frame. A {@link RemotingCommand#bodyBuf()} body is passed on as its own
 * buffer after the header, so stored records reach the socket without being copied on the heap; the
 * pipeline releases it once written.
 */
@ChannelHandler.Sharable
final class FrameEncoder extends MessageToMessageEncoder<RemotingCommand> {
    static final FrameEncoder INSTANCE = new FrameEncoder();

    @Override
    protected void encode(ChannelHandlerContext ctx, RemotingCommand cmd, List<Object> out) {
        int estimate = 256 + (cmd.body() == null ? 0 : cmd.body().length);
        ByteBuf header = ctx.alloc().ioBuffer(estimate);
        try {
            RemotingCommandCodec.encodeFrameHeader(cmd, header);
        } catch (RuntimeException e) {
            header.release();
            if (cmd.bodyBuf() != null) {
                cmd.bodyBuf().release();
            }
            throw e;
        }
        out.add(header);
        if (cmd.bodyBuf() != null) {
            out.add(cmd.bodyBuf());
            cmd.bodyBuf(null);
        }
    }
}
