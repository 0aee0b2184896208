package io.quiver.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.acl.AclSignature;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Unit tier: plain_acl.yml read as RocketMQ reads it, and requests signed as AclClientRPCHook signs them. */
class AccessGuardTest {
    static final String FILE = """
        globalWhiteRemoteAddresses:
          - 10.10.103.*
        accounts:
          - accessKey: producer1
            secretKey: 12345678
            whiteRemoteAddress: 192.168.0.7
            admin: false
            defaultTopicPerm: DENY
            defaultGroupPerm: SUB
            topicPerms:
              - Orders=PUB
              - Audit=PUB|SUB
            groupPerms:
              - Blocked=DENY
          - accessKey: consumer1
            secretKey: secret-of-consumer
            defaultTopicPerm: SUB
            defaultGroupPerm: SUB
          - accessKey: rocketmq2
            secretKey: admin-secret
            admin: true
        """;

    static AclRules rules(String yaml) throws AclRules.Invalid {
        return AclRules.parse(yaml.getBytes(StandardCharsets.UTF_8));
    }

    /** A request signed the way the official clients sign it. */
    static RemotingCommand signed(RemotingCommand req, String ak, String sk) {
        req.putExt(AclSignature.ACCESS_KEY, ak);
        req.putExt(AclSignature.SIGNATURE, AclSignature.sign(AclSignature.content(req.extFields(), req.body(),
            req.version()), sk));
        return req;
    }

    static RemotingCommand send(String topic) {
        return RemotingCommand.request(RequestCode.SEND_MESSAGE_V2).putExt("a", "PG").putExt("b", topic)
            .putExt("e", 0).body("hello".getBytes(StandardCharsets.UTF_8));
    }

    static RemotingCommand pull(String topic, String group) {
        return RemotingCommand.request(RequestCode.PULL_MESSAGE).putExt("topic", topic).putExt("consumerGroup", group)
            .putExt("queueId", 0).putExt("queueOffset", 0);
    }

    @Test
    void signedRequestsPassWhereTheAccountMayAndAreRefusedWithAReasonWhereItMayNot() throws Exception {
        AccessGuard guard = new AccessGuard(() -> {
            try {
                return rules(FILE);
            } catch (AclRules.Invalid e) {
                throw new AssertionError(e);
            }
        });
        String ip = "10.0.0.1";
        assertThat(guard.refusal(signed(send("Orders"), "producer1", "12345678"), ip)).isNull();
        assertThat(guard.refusal(signed(send("Audit"), "producer1", "12345678"), ip)).isNull();
        assertThat(guard.refusal(signed(send("Other"), "producer1", "12345678"), ip))
            .isEqualTo("AccessKey producer1 may not publish to topic Other (it has DENY)");
        assertThat(guard.refusal(signed(pull("Orders", "G1"), "producer1", "12345678"), ip))
            .contains("may not subscribe to topic Orders (it has PUB)");
        assertThat(guard.refusal(signed(pull("Audit", "Blocked"), "producer1", "12345678"), ip))
            .contains("may not subscribe to group Blocked (it has DENY)");
        assertThat(guard.refusal(signed(pull("Audit", "G1"), "producer1", "12345678"), ip)).isNull();
        assertThat(guard.refusal(signed(pull("Anything", "G"), "consumer1", "secret-of-consumer"), ip)).isNull();
        assertThat(guard.refusal(signed(send("Anything"), "consumer1", "secret-of-consumer"), ip))
            .contains("may not publish");

        // administration needs an admin account
        RemotingCommand create = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC).putExt("topic", "New");
        assertThat(guard.refusal(signed(create, "consumer1", "secret-of-consumer"), ip))
            .isEqualTo("request code 17 needs an admin account; AccessKey consumer1 is not one");
        RemotingCommand create2 = RemotingCommand.request(RequestCode.UPDATE_AND_CREATE_TOPIC).putExt("topic", "New");
        assertThat(guard.refusal(signed(create2, "rocketmq2", "admin-secret"), ip)).isNull();

        // what is missing or wrong, never the secret
        assertThat(guard.refusal(send("Orders"), ip)).startsWith("no AccessKey");
        assertThat(guard.refusal(signed(send("Orders"), "nobody00", "12345678"), ip))
            .isEqualTo("no account has the AccessKey nobody00");
        assertThat(guard.refusal(signed(send("Orders"), "producer1", "wrong-secret"), ip))
            .contains("Signature does not match").doesNotContain("12345678").doesNotContain("wrong-secret");
        RemotingCommand tampered = signed(send("Orders"), "producer1", "12345678").body("HELLO".getBytes(StandardCharsets.UTF_8));
        assertThat(guard.refusal(tampered, ip)).contains("Signature does not match");
        RemotingCommand unsigned = send("Orders").putExt(AclSignature.ACCESS_KEY, "producer1");
        assertThat(guard.refusal(unsigned, ip)).isEqualTo("the request of AccessKey producer1 has no Signature");

        // white lists: the global one needs nothing, an account's one needs its AccessKey
        assertThat(guard.refusal(send("Other"), "10.10.103.9")).isNull();
        assertThat(guard.refusal(send("Other").putExt(AclSignature.ACCESS_KEY, "producer1"), "192.168.0.7")).isNull();
        assertThat(guard.refusal(send("Other").putExt(AclSignature.ACCESS_KEY, "producer1"), "192.168.0.8"))
            .contains("has no Signature");
    }

    @Test
    void aHeartbeatNeedsTheGroupsAndTopicsItSubscribesAndARetryTopicFollowsItsGroup() throws Exception {
        AclRules r = rules(FILE);
        AtomicReference<AclRules> now = new AtomicReference<>(r);
        AccessGuard guard = new AccessGuard(now::get);
        String body = "{\"clientID\":\"c\",\"producerDataSet\":[],\"consumerDataSet\":[{\"groupName\":\"Blocked\","
            + "\"subscriptionDataSet\":[{\"topic\":\"Orders\",\"subString\":\"*\"}]}]}";
        RemotingCommand hb = RemotingCommand.request(RequestCode.HEART_BEAT).body(body.getBytes(StandardCharsets.UTF_8));
        assertThat(guard.refusal(signed(hb, "consumer1", "secret-of-consumer"), "10.0.0.1")).isNull();
        RemotingCommand hb2 = RemotingCommand.request(RequestCode.HEART_BEAT).body(body.getBytes(StandardCharsets.UTF_8));
        assertThat(guard.refusal(signed(hb2, "producer1", "12345678"), "10.0.0.1")).contains("group Blocked");
        // a consumer sending a message back to its group's retry topic needs SUB on the group, not PUB
        assertThat(guard.refusal(signed(send("%RETRY%G1"), "producer1", "12345678"), "10.0.0.1")).isNull();
        assertThat(guard.refusal(signed(send("%RETRY%Blocked"), "producer1", "12345678"), "10.0.0.1"))
            .contains("group Blocked");
        // new rules apply to the next request
        now.set(AclRules.NONE);
        assertThat(guard.refusal(signed(pull("Anything", "G"), "consumer1", "secret-of-consumer"), "10.0.0.1"))
            .isEqualTo("no account has the AccessKey consumer1");
    }

    @Test
    void aFileThatCannotBeUsedSaysWhereAndWhy() {
        assertThatThrownBy(() -> rules("accounts:\n  - accessKey: short\n    secretKey: 12345678\n"))
            .hasMessageContaining("accounts[0]: accessKey must have at least 7 characters");
        assertThatThrownBy(() -> rules("accounts:\n  - accessKey: longenough\n    secretKey: 12345678\n"
            + "    topicPerms: [ 'T=ANY' ]\n")).hasMessageContaining("account longenough topicPerms T: 'ANY'");
        assertThatThrownBy(() -> rules("accounts:\n  - accessKey: longenough\n    secretKey: 12345678\n"
            + "    whiteRemoteAddress: 10.0.0\n")).hasMessageContaining("whiteRemoteAddress");
        assertThatThrownBy(() -> rules("accounts: [ {accessKey: : }\n")).hasMessageContaining("line");
        assertThatThrownBy(() -> rules("accounts:\n  - accessKey: longenough\n    secretKey: 12345678\n"
            + "  - accessKey: longenough\n    secretKey: 87654321\n")).hasMessageContaining("appears twice");
    }

    @Test
    void aGrpcCallIsAuthenticatedByItsSignedDateTimeAndThenJudgedByItsAccountsPermissions() throws Exception {
        AclRules r = rules(FILE);
        AccessGuard guard = new AccessGuard(() -> r);
        String dt = "20261201T153000Z";
        String admin = "MQv2-HMAC-SHA1 Credential=rocketmq2, SignedHeaders=x-mq-date-time, Signature="
            + AclSignature.signGrpc(dt, "admin-secret");
        assertThat(guard.grpcDecision(admin, dt, "10.0.0.1")).isEqualTo(new AccessGuard.GrpcDecision(null, null));
        String lowerHex = "MQv2-HMAC-SHA1 Credential=rocketmq2, SignedHeaders=x-mq-date-time, Signature="
            + AclSignature.signGrpc(dt, "admin-secret").toLowerCase(java.util.Locale.ROOT);
        assertThat(guard.grpcDecision(lowerHex, dt, "10.0.0.1").refusal()).as("hex in lower case").isNull();
        assertThat(guard.grpcDecision(admin, "20261201T153001Z", "10.0.0.1").refusal())
            .contains("Signature does not match");
        String producer = "MQv2-HMAC-SHA1 Credential=producer1, SignedHeaders=x-mq-date-time, Signature="
            + AclSignature.signGrpc(dt, "12345678");
        AccessGuard.GrpcDecision d = guard.grpcDecision(producer, dt, "10.0.0.1");
        assertThat(d.refusal()).isNull();
        assertThat(AccessGuard.refusal(d.account(), "Orders", Perm.PUB)).isNull();
        assertThat(AccessGuard.refusal(d.account(), "Orders", Perm.ANY)).isNull();
        assertThat(AccessGuard.refusal(d.account(), "Orders", Perm.SUB)).contains("may not subscribe to topic Orders");
        assertThat(AccessGuard.refusal(d.account(), "%RETRY%Blocked", Perm.SUB)).contains("group Blocked (it has DENY)");
        assertThat(AccessGuard.refusal(d.account(), "Other", Perm.ANY)).contains("may not use topic Other");
        assertThat(guard.grpcDecision(null, dt, "10.0.0.1").refusal()).startsWith("no authorization header");
        assertThat(guard.grpcDecision("MQv2-HMAC-SHA1 Signature=00", dt, "10.0.0.1").refusal()).contains("no Credential");
        assertThat(guard.grpcDecision(null, null, "10.10.103.5").refusal()).as("globally white-listed").isNull();
    }
}
