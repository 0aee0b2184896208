package io.quiver.remoting;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.quiver.protocol.RemotingCommand;

/**
 * On an in-process connection a command is handed over as an object, not as bytes. A body lent from the
 * store ({@link RemotingCommand#bodyBuf()}) is returned to its lender once "written", while the receiver
 * may still be reading it, so it is copied to the heap here and the lent buffer released at once.
 */
@ChannelHandler.Sharable
final class LocalBodyCopier extends ChannelOutboundHandlerAdapter {
    static final LocalBodyCopier INSTANCE = new LocalBodyCopier();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (msg instanceof RemotingCommand cmd && cmd.bodyBuf() != null) {
            ByteBuf lent = cmd.bodyBuf();
            try {
                byte[] copy = new byte[lent.readableBytes()];
                lent.getBytes(lent.readerIndex(), copy);
                cmd.bodyBuf(null);
                cmd.body(copy);
            } finally {
                lent.release();
            }
        }
        ctx.write(msg, promise);
    }
}
