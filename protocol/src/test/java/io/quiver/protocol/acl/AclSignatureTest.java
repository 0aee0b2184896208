package io.quiver.protocol.acl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Unit tier: signatures as the official clients compute them (values worked out independently, docs/research/acl.md). */
class AclSignatureTest {
    @Test
    void aRemotingSignatureCoversTheSortedValuesWithTheAccessKeyAndNotItself() {
        Map<String, String> f = new HashMap<>();
        f.put("consumerGroup", "GID_demo");
        f.put("AccessKey", "RocketMQ");
        byte[] content = AclSignature.content(f, null, 409);
        assertThat(new String(content, StandardCharsets.UTF_8)).isEqualTo("RocketMQGID_demo");
        assertThat(AclSignature.sign(content, "12345678")).isEqualTo("GmJ0bmOjtWHY1+m0PZ66wMWRZZo=");
        f.put("Signature", "anything");
        assertThat(AclSignature.content(f, null, 409)).isEqualTo(content);
        f.remove("Signature");
        f.put("SecurityToken", "tokenXYZ");
        assertThat(AclSignature.sign(AclSignature.content(f, new byte[0], 409), "12345678"))
            .isEqualTo("2FvotiNn7RgJyqPGpqOCruTBH4o=");
    }

    @Test
    void theBodyFollowsTheValuesAndAnOldClientsUniqueKeyQueryIsLeftOut() {
        Map<String, String> f = new HashMap<>(Map.of("AccessKey", "ak", "_UNIQUE_KEY_QUERY", "true", "topic", "T"));
        assertThat(new String(AclSignature.content(f, "{}".getBytes(StandardCharsets.UTF_8), 409), StandardCharsets.UTF_8))
            .isEqualTo("aktrueT{}"); // "_" sorts between upper and lower case
        assertThat(new String(AclSignature.content(f, null, AclSignature.V4_9_3), StandardCharsets.UTF_8))
            .isEqualTo("akT");
    }

    @Test
    void aGrpcSignatureIsTheUpperCaseHexOfTheDateTimesHmac() {
        String sig = AclSignature.signGrpc("20261201T120000Z", "12345678");
        assertThat(sig).hasSize(40).matches("[0-9A-F]+");
        assertThat(AclSignature.same(sig, AclSignature.signGrpc("20261201T120000Z", "12345678"))).isTrue();
        assertThat(AclSignature.same(sig, AclSignature.signGrpc("20261201T120001Z", "12345678"))).isFalse();
        assertThat(AclSignature.same(sig, null)).isFalse();
    }

    @Test
    void aSignerGivesTheSameSignaturesAsSigningOnce() {
        Map<String, String> f = new HashMap<>(Map.of("AccessKey", "RocketMQ", "consumerGroup", "GID_demo"));
        AclSignature.Signer signer = AclSignature.Signer.of("12345678");
        assertThat(signer.sign(f, null, 409)).isEqualTo("GmJ0bmOjtWHY1+m0PZ66wMWRZZo=");
        byte[] body = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(signer.sign(f, body, 409)).isEqualTo(AclSignature.sign(AclSignature.content(f, body, 409), "12345678"));
        assertThat(signer.signGrpc("20261201T120000Z")).isEqualTo(AclSignature.signGrpc("20261201T120000Z", "12345678"));
    }
}
