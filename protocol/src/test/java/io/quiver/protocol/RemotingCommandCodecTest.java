package io.quiver.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: frame and header codec against official bytes, round trips, and malformed input. */
@Timeout(10)
class RemotingCommandCodecTest {

    private static RemotingCommand decodeFrame(byte[] frame) {
        ByteBuf b = Unpooled.wrappedBuffer(frame);
        int len = b.readInt();
        assertThat(len).isEqualTo(frame.length - 4);
        return RemotingCommandCodec.decode(b);
    }

    private static String encodeHex(RemotingCommand c) {
        ByteBuf out = Unpooled.buffer();
        RemotingCommandCodec.encodeFrameHeader(c, out);
        return ByteBufUtil.hexDump(out);
    }

    @Test
    void decodesOfficialJsonRequest() {
        RemotingCommand c = decodeFrame(GoldenFrames.bytes(GoldenFrames.JSON_REQ));
        assertThat(c.code()).isEqualTo(105);
        assertThat(c.opaque()).isEqualTo(7);
        assertThat(c.remark()).isEqualTo("r");
        assertThat(c.ext("topic")).isEqualTo("T");
        assertThat(c.isResponse()).isFalse();
        assertThat(c.serializeType()).isEqualTo(SerializeType.JSON);
        assertThat(c.language()).isEqualTo(LanguageCode.JAVA);
    }

    @Test
    void decodesOfficialBinaryRequest() {
        RemotingCommand c = decodeFrame(GoldenFrames.bytes(GoldenFrames.BIN_REQ));
        assertThat(c.code()).isEqualTo(105);
        assertThat(c.opaque()).isEqualTo(7);
        assertThat(c.remark()).isEqualTo("r");
        assertThat(c.extFields()).isEqualTo(Map.of("topic", "T"));
        assertThat(c.serializeType()).isEqualTo(SerializeType.ROCKETMQ);
    }

    @Test
    void decodesOfficialResponseWithBodyAndOnewayRequest() {
        RemotingCommand r = decodeFrame(GoldenFrames.bytes(GoldenFrames.JSON_RESP));
        assertThat(r.isResponse()).isTrue();
        assertThat(r.opaque()).isEqualTo(42);
        assertThat(r.ext("offset")).isEqualTo("12345");
        assertThat(new String(r.body(), StandardCharsets.UTF_8)).isEqualTo("body");
        RemotingCommand o = decodeFrame(GoldenFrames.bytes(GoldenFrames.JSON_ONEWAY));
        assertThat(o.isOneway()).isTrue();
        assertThat(o.ext("consumerGroup")).isEqualTo("G");
    }

    @Test
    void encodesExactlyTheOfficialBytes() {
        RemotingCommand req = new RemotingCommand().code(105).opaque(7).remark("r").version(0).putExt("topic", "T");
        assertThat(encodeHex(req)).isEqualTo(GoldenFrames.JSON_REQ);
        req.serializeType(SerializeType.ROCKETMQ);
        assertThat(encodeHex(req)).isEqualTo(GoldenFrames.BIN_REQ);
        RemotingCommand resp = new RemotingCommand().code(0).opaque(42).flag(1).version(0).putExt("offset", "12345")
            .body("body".getBytes(StandardCharsets.UTF_8));
        assertThat(encodeHex(resp)).isEqualTo(GoldenFrames.JSON_RESP);
        RemotingCommand oneway = new RemotingCommand().code(15).opaque(9).version(0).markOneway()
            .putExt("consumerGroup", "G");
        assertThat(encodeHex(oneway)).isEqualTo(GoldenFrames.JSON_ONEWAY);
    }

    @Test
    void roundTripsBothSerializationsWithManyFieldsAndUnicode() {
        for (SerializeType t : SerializeType.values()) {
            RemotingCommand c = new RemotingCommand().code(310).opaque(-5).flag(2).remark("héllo \u0001 世界")
                .serializeType(t).language(LanguageCode.GO).version(441)
                .putExt("a", "PG").putExt("b", "Topic").putExt("i", "TAGS\u0001A\u0002KEYS\u0001k1 k2")
                .body(new byte[] {1, 2, 3});
            ByteBuf out = Unpooled.buffer();
            RemotingCommandCodec.encodeFrameHeader(c, out);
            out.readInt();
            RemotingCommand d = RemotingCommandCodec.decode(out);
            assertThat(d.code()).isEqualTo(310);
            assertThat(d.opaque()).isEqualTo(-5);
            assertThat(d.isOneway()).isTrue();
            assertThat(d.remark()).isEqualTo("héllo \u0001 世界");
            assertThat(d.language()).isEqualTo(LanguageCode.GO);
            assertThat(d.version()).isEqualTo(441);
            assertThat(d.extFields()).containsEntry("i", "TAGS\u0001A\u0002KEYS\u0001k1 k2").hasSize(3);
            assertThat(d.body()).containsExactly(1, 2, 3);
            assertThat(d.serializeType()).isEqualTo(t);
        }
    }

    @Test
    void jsonReaderIsLenientLikeFastjsonPeers() {
        String json = "{\"code\":\"34\",\"language\":3,\"opaque\":1,\"flag\":0,\"unknown\":{\"x\":[1,2]},"
            + "\"extFields\":{\"n\":5,\"b\":true,\"nul\":null,\"obj\":{\"k\":1}}}";
        RemotingCommand c = RemotingCommandCodec.decode(frameWithoutLength(0, json.getBytes(StandardCharsets.UTF_8)));
        assertThat(c.code()).isEqualTo(34);
        assertThat(c.language()).isEqualTo(LanguageCode.PYTHON);
        assertThat(c.extFields()).containsEntry("n", "5").containsEntry("b", "true").doesNotContainKeys("nul", "obj");
    }

    private static ByteBuf frameWithoutLength(int type, byte[] header) {
        ByteBuf b = Unpooled.buffer();
        b.writeInt((type << 24) | header.length);
        b.writeBytes(header);
        return b;
    }

    @Test
    void malformedHeadersAreProtocolErrorsThatSayWhatIsWrong() {
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(7, new byte[2])))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("serialize type 7");
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(0, "[1,2]".getBytes())))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("not an object");
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(0, "{\"opaque\":1}".getBytes())))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("\"code\"");
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(0, "{\"code\":\"x\"}".getBytes())))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("not an integer");
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(0, "{\"code\":1,".getBytes())))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("not valid JSON");
        ByteBuf tooLong = Unpooled.buffer().writeInt(500).writeInt(0);
        assertThatThrownBy(() -> RemotingCommandCodec.decode(tooLong))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("exceeds");
        byte[] truncatedBinary = {0, 105, 0, 1};
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(1, truncatedBinary)))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("truncated");
        ByteBuf badRemark = Unpooled.buffer().writeShort(105).writeByte(0).writeShort(0).writeInt(1).writeInt(0)
            .writeInt(1_000_000);
        assertThatThrownBy(() -> RemotingCommandCodec.decode(frameWithoutLength(1, ByteBufUtil.getBytes(badRemark))))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("remark length");
    }
}
