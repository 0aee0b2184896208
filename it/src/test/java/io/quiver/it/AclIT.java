package io.quiver.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quiver.testkit.QuiverCli;
import io.quiver.testkit.QuiverProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.rocketmq.acl.common.AclClientRPCHook;
import org.apache.rocketmq.acl.common.SessionCredentials;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.rebalance.AllocateMessageQueueAveragely;
import org.apache.rocketmq.client.exception.MQBrokerException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.TopicConfig;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.RPCHook;
import org.apache.rocketmq.tools.admin.DefaultMQAdminExt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Integration tier, ACL on: the official 4.9.8 clients sign their requests with {@code AclClientRPCHook}, as an
 * application of a RocketMQ cluster with ACL does, against {@code quiver standalone} with {@code aclEnable=true} and a
 * plain_acl.yml of three accounts.
 */
@Timeout(180)
class AclIT {
    static final String TOPIC = "AclOrders";
    static final String ACCOUNTS = """
        globalWhiteRemoteAddresses:
        accounts:
          - accessKey: producer1
            secretKey: producer-secret
            defaultTopicPerm: DENY
            defaultGroupPerm: DENY
            topicPerms:
              - AclOrders=%s
          - accessKey: consumer1
            secretKey: consumer-secret
            defaultTopicPerm: SUB
            defaultGroupPerm: SUB
          - accessKey: rocketmq2
            secretKey: admin-secret
            admin: true
        """;
    private static QuiverProcess quiver;
    private static Path aclFile;

    @BeforeAll
    static void start() throws Exception {
        Path dir = Files.createTempDirectory("quiver-it-acl-");
        aclFile = dir.resolve("plain_acl.yml");
        Files.writeString(aclFile, ACCOUNTS.formatted("PUB"));
        quiver = new QuiverProcess(dir, Map.of("aclEnable", "true", "aclFile", aclFile.toString(),
            // the broker's own requests to the name server, which checks signatures too
            "innerClientAuthenticationCredentials", "{\"accessKey\":\"rocketmq2\",\"secretKey\":\"admin-secret\"}",
            "mappedFileSizeCommitLog", Integer.toString(64 * 1024 * 1024))).start();
    }

    @AfterAll
    static void stop() {
        if (quiver != null) {
            quiver.close();
        }
    }

    static RPCHook as(String accessKey, String secretKey) {
        return new AclClientRPCHook(new SessionCredentials(accessKey, secretKey));
    }

    static DefaultMQProducer producer(RPCHook hook, String group) throws Exception {
        DefaultMQProducer p = hook == null ? new DefaultMQProducer(group) : new DefaultMQProducer(group, hook);
        p.setNamesrvAddr(quiver.namesrvAddr());
        p.setInstanceName(group);
        p.setRetryTimesWhenSendFailed(0);
        p.start();
        return p;
    }

    static DefaultMQAdminExt admin(RPCHook hook, String name) throws Exception {
        DefaultMQAdminExt a = new DefaultMQAdminExt(hook);
        a.setNamesrvAddr(quiver.namesrvAddr());
        a.setInstanceName(name);
        a.start();
        return a;
    }

    /** The broker's NO_PERMISSION remark behind a failed send (the producer wraps it after its attempts). */
    static String refusal(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MQBrokerException b) {
                assertThat(b.getResponseCode()).as(b.getErrorMessage()).isEqualTo(16);
                return b.getErrorMessage();
            }
        }
        throw new AssertionError("no refusal by the broker, but: " + t, t);
    }

    static Message message(String body) {
        return new Message(TOPIC, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void accountsMaySendConsumeAndAdministerWhatTheFileAllowsAndNothingElse() throws Exception {
        DefaultMQAdminExt operator = admin(as("consumer1", "consumer-secret"), "acl-operator");
        DefaultMQAdminExt root = admin(as("rocketmq2", "admin-secret"), "acl-root");
        try {
            assertThatThrownBy(() -> operator.createAndUpdateTopicConfig(quiver.brokerAddr(),
                new TopicConfig(TOPIC, 4, 4, 6)))
                .isInstanceOfSatisfying(MQClientException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(16);
                    assertThat(e.getErrorMessage()).contains("needs an admin account");
                });
            root.createAndUpdateTopicConfig(quiver.brokerAddr(), new TopicConfig(TOPIC, 4, 4, 6));
        } finally {
            operator.shutdown();
            root.shutdown();
        }

        DefaultMQProducer allowed = producer(as("producer1", "producer-secret"), "PG_acl_ok");
        DefaultMQProducer wrongSecret = producer(as("producer1", "not-the-secret"), "PG_acl_bad");
        DefaultMQProducer unsigned = producer(null, "PG_acl_none");
        DefaultMQProducer subscriber = producer(as("consumer1", "consumer-secret"), "PG_acl_sub");
        try {
            for (int i = 0; i < 5; i++) {
                assertThat(allowed.send(message("m" + i)).getSendStatus()).isEqualTo(SendStatus.SEND_OK);
            }
            @SuppressWarnings("deprecation")
            var wrongApi = wrongSecret.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            assertThatThrownBy(() -> wrongApi.getTopicRouteInfoFromNameServer(TOPIC, 3_000))
                .isInstanceOfSatisfying(MQClientException.class, e -> assertThat(e.getErrorMessage())
                    .contains("Signature does not match").doesNotContain("producer-secret"));
            // and the broker checks on its own: a request sent straight to it with the wrong secret
            assertThatThrownBy(() -> wrongApi.getTopicStatsInfo(quiver.brokerAddr(), TOPIC, 3_000))
                .hasMessageContaining("Signature does not match");
            // the name server checks signatures too: an unsigned client gets no route, so it cannot send
            assertThatThrownBy(() -> unsigned.send(message("x"))).isInstanceOf(MQClientException.class)
                .hasMessageContaining("No route info");
            @SuppressWarnings("deprecation")
            var unsignedApi = unsigned.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            assertThatThrownBy(() -> unsignedApi.getTopicRouteInfoFromNameServer(TOPIC, 3_000))
                .isInstanceOfSatisfying(MQClientException.class, e -> {
                    assertThat(e.getResponseCode()).isEqualTo(16);
                    assertThat(e.getErrorMessage()).contains("no AccessKey");
                });
            @SuppressWarnings("deprecation")
            var signedApi = subscriber.getDefaultMQProducerImpl().getmQClientFactory().getMQClientAPIImpl();
            assertThat(signedApi.getTopicRouteInfoFromNameServer(TOPIC, 3_000).getBrokerDatas()).hasSize(1);
            assertThat(refusal(() -> subscriber.send(message("x")))).contains("may not publish to topic AclOrders");
        } finally {
            wrongSecret.shutdown();
            unsigned.shutdown();
            subscriber.shutdown();
        }

        Set<String> got = ConcurrentHashMap.newKeySet();
        DefaultMQPushConsumer consumer = new DefaultMQPushConsumer("CG_acl", as("consumer1", "consumer-secret"),
            new AllocateMessageQueueAveragely());
        consumer.setNamesrvAddr(quiver.namesrvAddr());
        consumer.setInstanceName("acl-consumer");
        consumer.setConsumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET);
        consumer.subscribe(TOPIC, "*");
        consumer.registerMessageListener((MessageListenerConcurrently) (msgs, ctx) -> {
            msgs.forEach(m -> got.add(new String(m.getBody(), StandardCharsets.UTF_8)));
            return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
        });
        consumer.start();
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> got.size() == 5);
            assertThat(got).containsExactlyInAnyOrder("m0", "m1", "m2", "m3", "m4");
        } finally {
            consumer.shutdown();
        }

        // the file changes: producer1 loses PUB on the topic, and its next sends are refused
        Files.writeString(aclFile, ACCOUNTS.formatted("SUB"));
        Files.setLastModifiedTime(aclFile, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 1_000));
        try {
            await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                .untilAsserted(() -> assertThat(refusal(() -> allowed.send(message("late"))))
                    .contains("may not publish to topic AclOrders (it has SUB)"));
        } finally {
            allowed.shutdown();
        }
    }

    /** A topic of its own for the pull and white-list test. */
    static final String PULL_TOPIC = "AclPullOrders";

    /** A topic of its own for the admin test, so that the other test's counts stay its own. */
    static final String ADMIN_TOPIC = "AclAdminOrders";

    static Message adminTopicMessage(String body) {
        return new Message(ADMIN_TOPIC, body.getBytes(StandardCharsets.UTF_8));
    }

    /** The failure code behind a refused admin call. */
    static int refusedWith(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        Throwable t = org.assertj.core.api.Assertions.catchThrowable(call);
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof MQBrokerException b) {
                return b.getResponseCode();
            }
            if (c instanceof MQClientException m && m.getResponseCode() > 0) {
                return m.getResponseCode(); // the admin client's wrapping of a refusal
            }
        }
        throw new AssertionError("not refused by the broker, but: " + t, t);
    }

    @Test
    void adminAccountsEditTheAccountsThroughDefaultMQAdminExtAndTheChangesAreInForceAtOnce() throws Exception {
        DefaultMQAdminExt root = admin(as("rocketmq2", "admin-secret"), "acl-admin-root");
        DefaultMQAdminExt operator = admin(as("consumer1", "consumer-secret"), "acl-admin-operator");
        String addr = quiver.brokerAddr();
        try {
            org.apache.rocketmq.common.protocol.body.ClusterAclVersionInfo before =
                root.examineBrokerClusterAclVersionInfo(addr);
            assertThat(before.getBrokerName()).isNotBlank();
            assertThat(before.getAllAclConfigDataVersion()).containsKey(aclFile.toString());

            org.apache.rocketmq.common.PlainAccessConfig p2 = new org.apache.rocketmq.common.PlainAccessConfig();
            p2.setAccessKey("producer2");
            p2.setSecretKey("producer2-secret");
            p2.setDefaultTopicPerm("DENY");
            p2.setDefaultGroupPerm("DENY");
            p2.setTopicPerms(java.util.List.of(ADMIN_TOPIC + "=PUB"));
            assertThat(refusedWith(() -> operator.createAndUpdatePlainAccessConfig(addr, p2)))
                .as("only admin accounts edit the accounts").isEqualTo(16);
            root.createAndUpdatePlainAccessConfig(addr, p2);
            assertThat(Files.readString(aclFile)).contains("producer2").contains(ADMIN_TOPIC + "=PUB");
            root.createAndUpdateTopicConfig(addr, new TopicConfig(ADMIN_TOPIC, 4, 4, 6));
            org.apache.rocketmq.common.protocol.body.ClusterAclVersionInfo after =
                root.examineBrokerClusterAclVersionInfo(addr);
            assertThat(after.getAclConfigDataVersion().getCounter().get())
                .isGreaterThan(before.getAclConfigDataVersion().getCounter().get());

            DefaultMQProducer p = producer(as("producer2", "producer2-secret"), "PG_acl_admin_p2");
            try {
                assertThat(p.send(adminTopicMessage("by producer2")).getSendStatus()).isEqualTo(SendStatus.SEND_OK);

                org.apache.rocketmq.common.PlainAccessConfig bad = new org.apache.rocketmq.common.PlainAccessConfig();
                bad.setAccessKey("producer2");
                bad.setDefaultTopicPerm("EVERYTHING");
                String fileBefore = Files.readString(aclFile);
                assertThat(refusedWith(() -> root.createAndUpdatePlainAccessConfig(addr, bad))).isEqualTo(209);
                assertThat(Files.readString(aclFile)).as("a refused change writes nothing").isEqualTo(fileBefore);
                assertThat(p.send(adminTopicMessage("still allowed")).getSendStatus()).isEqualTo(SendStatus.SEND_OK);

                root.updateGlobalWhiteAddrConfig(addr, "10.10.*.*");
                assertThat(Files.readString(aclFile)).contains("10.10.*.*");
                root.updateGlobalWhiteAddrConfig(addr, "");

                root.deletePlainAccessConfig(addr, "producer2");
                assertThat(Files.readString(aclFile)).doesNotContain("producer2");
                assertThat(refusal(() -> p.send(adminTopicMessage("after delete")))).contains("producer2");
                assertThat(refusedWith(() -> root.deletePlainAccessConfig(addr, "producer2"))).isEqualTo(210);
            } finally {
                p.shutdown();
            }
        } finally {
            operator.shutdown();
            root.shutdown();
        }
    }

    @Test
    void quiverAclVerbsEditTheAccountsWhenSignedByAnAdminAccount() throws Exception {
        String ns = quiver.namesrvAddr();
        Map<String, String> root = Map.of("QUIVER_ACCESS_KEY", "rocketmq2", "QUIVER_SECRET_KEY", "admin-secret",
            "QUIVER_ACL_SECRET", "cli-user-secret");
        QuiverCli.Result unsigned = QuiverCli.run("acl", "list", "--namesrv", ns);
        assertThat(unsigned.exitCode()).as(unsigned.toString()).isNotZero();
        assertThat(unsigned.err()).contains("AccessKey");

        QuiverCli.Result created = QuiverCli.run(root, "acl", "update", "cliuser01", "--namesrv", ns,
            "--default-topic-perm", "SUB", "--topic-perm", "AclOrders=PUB", "--topic-perm", "Other=DENY");
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).contains("account cliuser01 updated");
        assertThat(Files.readString(aclFile)).contains("cliuser01").contains("cli-user-secret").contains("Other=DENY");

        QuiverCli.Result listed = QuiverCli.run(root, "acl", "list", "--namesrv", ns, "--json");
        assertThat(listed.exitCode()).as(listed.toString()).isZero();
        assertThat(listed.out()).contains("\"cliuser01\"").contains("AclOrders=PUB").doesNotContain("secret");
        QuiverCli.Result table = QuiverCli.run(root, "acl", "list", "--namesrv", ns);
        assertThat(table.out()).contains("cliuser01").contains("default SUB; AclOrders=PUB, Other=DENY");

        QuiverCli.Result version = QuiverCli.run(root, "acl", "version", "--namesrv", ns, "--json");
        assertThat(version.exitCode()).as(version.toString()).isZero();
        assertThat(version.out()).contains("\"changes\"");

        QuiverCli.Result bad = QuiverCli.run(root, "acl", "update", "cliuser01", "--namesrv", ns,
            "--default-group-perm", "SOMETIMES");
        assertThat(bad.exitCode()).isNotZero();
        assertThat(bad.err()).contains("209").contains("SOMETIMES");

        QuiverCli.Result deleted = QuiverCli.run(root, "acl", "delete", "cliuser01", "--namesrv", ns);
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(Files.readString(aclFile)).doesNotContain("cliuser01");
    }

    @Test
    void aStandaloneWithAclButNoAccountForItsBrokerRefusesToStartAndSaysWhatToSet() throws Exception {
        Path dir = Files.createTempDirectory("quiver-it-acl-nocreds-");
        QuiverProcess p = new QuiverProcess(dir, Map.of("aclEnable", "true", "aclFile", aclFile.toString()));
        try {
            assertThatThrownBy(p::start).isInstanceOf(IllegalStateException.class);
            assertThat(String.join("\n", p.output())).contains("innerClientAuthenticationCredentials");
        } finally {
            p.close();
        }
    }

    @Test
    @SuppressWarnings("deprecation")
    void adminRequestsPullsAndTheWhiteListFollowTheAccounts() throws Exception {
        DefaultMQAdminExt root = admin(as("rocketmq2", "admin-secret"), "acl-more-root");
        DefaultMQAdminExt operator = admin(as("consumer1", "consumer-secret"), "acl-more-operator");
        String addr = quiver.brokerAddr();
        String scratch = "AclScratch";
        try {
            root.createAndUpdateTopicConfig(addr, new TopicConfig(scratch, 4, 4, 6));
            java.util.Properties live = new java.util.Properties();
            live.setProperty("longPollingEnable", "true");
            // what a non-admin account may not do, and an admin account may
            assertThat(refusedWith(() -> operator.updateBrokerConfig(addr, live))).isEqualTo(16);
            root.updateBrokerConfig(addr, live);
            assertThat(refusedWith(() -> operator.resetOffsetByTimestamp(scratch, "CG_acl", 0L, true))).isEqualTo(16);
            Throwable reset = org.assertj.core.api.Assertions.catchThrowable(
                () -> root.resetOffsetByTimestamp(scratch, "CG_acl", 0L, true));
            if (reset != null) { // no consumer online may be reported; a refusal may not
                assertThat(refusedWith(() -> { throw reset; })).isNotEqualTo(16);
            }
            assertThat(refusedWith(() -> operator.deleteTopicInBroker(Set.of(addr), scratch))).isEqualTo(16);
            root.deleteTopicInBroker(Set.of(addr), scratch);

            // pulls: SUB on the topic and the group (producer1 may publish whatever the other tests left it)
            org.apache.rocketmq.common.PlainAccessConfig p1 = new org.apache.rocketmq.common.PlainAccessConfig();
            p1.setAccessKey("producer1");
            p1.setSecretKey("producer-secret");
            p1.setTopicPerms(java.util.List.of(TOPIC + "=PUB", PULL_TOPIC + "=PUB"));
            root.createAndUpdatePlainAccessConfig(addr, p1);
            try (var seed = new AutoCloseableProducer(producer(as("producer1", "producer-secret"), "PG_acl_more"))) {
                root.createAndUpdateTopicConfig(addr, new TopicConfig(PULL_TOPIC, 4, 4, 6));
                var sent = seed.p().send(new Message(PULL_TOPIC, "pull-me".getBytes(StandardCharsets.UTF_8)));
                assertThat(sent.getSendStatus()).isEqualTo(SendStatus.SEND_OK);
                var q = sent.getMessageQueue();
                var reader = new org.apache.rocketmq.client.consumer.DefaultMQPullConsumer("CG_acl_pull",
                    as("consumer1", "consumer-secret"));
                reader.setNamesrvAddr(quiver.namesrvAddr());
                reader.setInstanceName("acl-pull-reader");
                reader.start();
                var noGroup = new org.apache.rocketmq.client.consumer.DefaultMQPullConsumer("CG_acl_pull_denied",
                    as("producer1", "producer-secret"));
                noGroup.setNamesrvAddr(quiver.namesrvAddr());
                noGroup.setInstanceName("acl-pull-denied");
                noGroup.start();
                try {
                    var got = reader.pull(q, "*", sent.getQueueOffset(), 8);
                    assertThat(got.getMsgFoundList()).isNotEmpty();
                    assertThat(new String(got.getMsgFoundList().get(0).getBody(), StandardCharsets.UTF_8))
                        .isEqualTo("pull-me");
                    assertThat(refusal(() -> noGroup.pull(q, "*", sent.getQueueOffset(), 8)))
                        .contains("producer1");
                } finally {
                    noGroup.shutdown();
                    reader.shutdown();
                }
            }

            // the global white list: an unsigned client from a listed address passes (name server and broker)
            @SuppressWarnings("deprecation")
            String brokerHost = root.examineTopicRouteInfo(PULL_TOPIC).getBrokerDatas().get(0).getBrokerAddrs().get(0L)
                .split(":")[0];
            root.updateGlobalWhiteAddrConfig(addr, "127.0.0.1," + brokerHost);
            try {
                DefaultMQProducer unsigned = producer(null, "PG_acl_white");
                try {
                    await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() ->
                        unsigned.send(new Message(PULL_TOPIC, "white-listed".getBytes(StandardCharsets.UTF_8)))
                            .getSendStatus() == SendStatus.SEND_OK);
                } finally {
                    unsigned.shutdown();
                }
            } finally {
                root.updateGlobalWhiteAddrConfig(addr, "");
            }
        } finally {
            operator.shutdown();
            root.shutdown();
        }
    }

    /** A started producer that shuts down at the end of a try block. */
    record AutoCloseableProducer(DefaultMQProducer p) implements AutoCloseable {
        @Override
        public void close() {
            p.shutdown();
        }
    }
}
