package io.quiver.acl;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.acl.AclSignature;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Unit tier: auth headers missing, oversized, of the wrong shape, and bodies that are not what their code expects.
 * The guard never throws, always refuses what is not correctly signed, keeps its remark short, and never shows a
 * secret.
 */
class AccessGuardFuzzTest {
    static final int[] CODES = {RequestCode.SEND_MESSAGE, RequestCode.SEND_MESSAGE_V2, RequestCode.PULL_MESSAGE,
        RequestCode.HEART_BEAT, RequestCode.LOCK_BATCH_MQ, RequestCode.UPDATE_AND_CREATE_TOPIC, RequestCode.POP_MESSAGE,
        RequestCode.UNREGISTER_CLIENT, 12345};

    static String junk(Random r, int max) {
        int n = r.nextInt(max + 1);
        StringBuilder b = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            b.append((char) (r.nextInt(4) == 0 ? r.nextInt(0x20) : 0x20 + r.nextInt(0x2000)));
        }
        return b.toString();
    }

    @Test
    void malformedAuthHeadersAreRefusedWithAShortReasonAndNeverThrow() throws Exception {
        AclRules rules = AccessGuardTest.rules(AccessGuardTest.FILE);
        AccessGuard guard = new AccessGuard(() -> rules);
        Random r = new Random(18);
        for (int i = 0; i < 3_000; i++) {
            RemotingCommand req = RemotingCommand.request(CODES[r.nextInt(CODES.length)]);
            switch (r.nextInt(5)) {
                case 0 -> req.putExt(AclSignature.ACCESS_KEY, junk(r, 40));
                case 1 -> req.putExt(AclSignature.ACCESS_KEY, "x".repeat(100_000));
                case 2 -> req.putExt(AclSignature.ACCESS_KEY, "producer1").putExt(AclSignature.SIGNATURE, junk(r, 200));
                case 3 -> req.putExt(AclSignature.ACCESS_KEY, "consumer1").putExt(AclSignature.SIGNATURE, "");
                default -> { } // no AccessKey at all
            }
            if (r.nextBoolean()) {
                req.putExt("topic", junk(r, 30)).putExt("consumerGroup", junk(r, 30)).putExt("b", junk(r, 30));
            }
            if (r.nextBoolean()) {
                byte[] body = new byte[r.nextInt(2_000)];
                r.nextBytes(body);
                req.body(r.nextBoolean() ? body : "{\"consumerDataSet\":[{\"groupName\":7}]}".getBytes());
            }
            String why = guard.refusal(req, "10.0.0." + r.nextInt(256));
            assertThat(why).as("request %d", i).isNotNull().hasSizeLessThan(400)
                .doesNotContain("12345678", "secret-of-consumer", "admin-secret");
            String grpc = guard.grpcDecision(r.nextBoolean() ? junk(r, 300) : "MQv2-HMAC-SHA1 Credential=" + junk(r, 50)
                + ", Signature=" + junk(r, 50), r.nextBoolean() ? null : junk(r, 20), "10.0.0.1").refusal();
            assertThat(grpc).isNotNull().hasSizeLessThan(400);
        }
    }
}
