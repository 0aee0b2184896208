package io.quiver.protocol.header;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.quiver.protocol.LanguageCode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RemotingCommandCodec;
import io.quiver.protocol.SerializeType;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.apache.rocketmq.common.MQVersion;
import org.apache.rocketmq.remoting.CommandCustomHeader;

/**
 * Golden frames made at test time by the official Apache RocketMQ 4.9.8 classes (test dependencies
 * {@code rocketmq-common} and {@code rocketmq-remoting} 4.9.8), and the bridge that feeds them to Quiver's codec.
 *
 * <p>The bytes are produced the way the 4.9.8 client puts a request on the wire: its Netty encoder calls
 * {@code RemotingCommand.fastEncodeHeader(ByteBuf)} and then appends the body. A command is encoded only once
 * (encoding fills its ext fields), so every call here builds a fresh command. The 4.9.8 client sets the
 * remoting version property to its own version before creating any command; this class does the same, so the
 * frames carry version 409 like a real 4.9.8 client's.
 */
final class OfficialFrames {
    /** What a 4.9.8 client announces in every request. */
    static final int CLIENT_VERSION = 409;

    static {
        System.setProperty(org.apache.rocketmq.remoting.protocol.RemotingCommand.REMOTING_VERSION_KEY,
            Integer.toString(MQVersion.CURRENT_VERSION));
    }

    private OfficialFrames() {}

    /** The exact bytes (length word included) the official 4.9.8 client writes for this request. */
    static byte[] officialBytes(int code, CommandCustomHeader header, SerializeType type,
                                Consumer<org.apache.rocketmq.remoting.protocol.RemotingCommand> prepare) {
        org.apache.rocketmq.remoting.protocol.RemotingCommand cmd =
            org.apache.rocketmq.remoting.protocol.RemotingCommand.createRequestCommand(code, header);
        prepare.accept(cmd);
        cmd.setSerializeTypeCurrentRPC(type == SerializeType.ROCKETMQ
            ? org.apache.rocketmq.remoting.protocol.SerializeType.ROCKETMQ
            : org.apache.rocketmq.remoting.protocol.SerializeType.JSON);
        ByteBuf out = Unpooled.buffer();
        try {
            cmd.fastEncodeHeader(out);
            if (cmd.getBody() != null) {
                out.writeBytes(cmd.getBody());
            }
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /**
     * Encodes the request with the official 4.9.8 classes in {@code type}, decodes the bytes with Quiver's codec
     * and checks the command-level fields (code, opaque, flag, version, language) came through.
     */
    static RemotingCommand viaOfficialClient(int code, CommandCustomHeader header, SerializeType type,
                                             Consumer<org.apache.rocketmq.remoting.protocol.RemotingCommand> prepare) {
        int[] opaqueAndFlag = new int[2];
        byte[] frame = officialBytes(code, header, type, c -> {
            prepare.accept(c);
            opaqueAndFlag[0] = c.getOpaque();
            opaqueAndFlag[1] = c.getFlag();
        });
        RemotingCommand c = decodeFrame(frame, type);
        assertThat(c.code()).as("code").isEqualTo(code);
        assertThat(c.opaque()).as("opaque").isEqualTo(opaqueAndFlag[0]);
        assertThat(c.flag()).as("flag").isEqualTo(opaqueAndFlag[1]);
        assertThat(c.version()).as("version").isEqualTo(CLIENT_VERSION);
        assertThat(c.language()).as("language").isEqualTo(LanguageCode.JAVA);
        assertThat(c.isResponse()).as("is response").isFalse();
        return c;
    }

    static RemotingCommand viaOfficialClient(int code, CommandCustomHeader header, SerializeType type) {
        return viaOfficialClient(code, header, type, c -> { });
    }

    /** Decodes a whole frame with Quiver's codec, checking the length word and the serialize type byte first. */
    static RemotingCommand decodeFrame(byte[] frame, SerializeType expectedType) {
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        assertThat(b.readInt()).as("frame length word").isEqualTo(frame.length - 4);
        assertThat(frame[4] & 0xFF).as("serialize type byte").isEqualTo(expectedType.code() & 0xFF);
        RemotingCommand c = RemotingCommandCodec.decode(b);
        assertThat(c.serializeType()).isEqualTo(expectedType);
        return c;
    }

    /** The whole frame (length word included) Quiver's encoder writes for {@code cmd}. */
    static byte[] quiverBytes(RemotingCommand cmd) {
        ByteBuf out = Unpooled.buffer();
        try {
            RemotingCommandCodec.encodeFrameHeader(cmd, out);
            return ByteBufUtil.getBytes(out);
        } finally {
            out.release();
        }
    }

    /** Reads a frame written by Quiver with the official 4.9.8 decoder, as a 4.9.8 peer would. */
    static org.apache.rocketmq.remoting.protocol.RemotingCommand officialDecode(byte[] frame) throws Exception {
        // The official frame decoder strips the length word before the command decoder sees the bytes.
        return org.apache.rocketmq.remoting.protocol.RemotingCommand.decode(
            ByteBuffer.wrap(frame, 4, frame.length - 4).slice());
    }

    static byte[] bytes(String hex) {
        return ByteBufUtil.decodeHexDump(hex);
    }
}
