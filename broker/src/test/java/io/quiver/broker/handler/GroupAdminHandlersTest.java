package io.quiver.broker.handler;

import static io.quiver.broker.testing.HandlerHarness.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.broker.metadata.ConsumerOffsetTable;
import io.quiver.broker.metadata.SubscriptionGroupTable;
import io.quiver.broker.testing.HandlerHarness;
import io.quiver.protocol.ProtocolException;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.ResponseCode;
import io.quiver.protocol.body.SubscriptionGroupConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Unit tier: GroupAdminHandlers creates or updates a group from its JSON config once the group table is
 * written, refuses it at the group limit, deletes a group (and its offsets only when removeOffset or
 * cleanOffset is true), and lists every group.
 */
@Timeout(10)
class GroupAdminHandlersTest {
    @TempDir
    Path dir;
    final HandlerHarness h = new HandlerHarness();
    final List<Runnable> pendingWrites = new ArrayList<>();
    SubscriptionGroupTable groups;
    ConsumerOffsetTable offsets;
    GroupAdminHandlers handlers;

    @BeforeEach
    void setUp() {
        useGroupLimit(100);
    }

    void useGroupLimit(int limit) {
        groups = new SubscriptionGroupTable(dir, limit);
        offsets = new ConsumerOffsetTable(dir, 100);
        handlers = new GroupAdminHandlers(groups, offsets);
    }

    @AfterEach
    void tearDown() {
        h.close();
    }

    static RemotingCommand create(String json) {
        return request(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP).body(json.getBytes(StandardCharsets.UTF_8));
    }

    static RemotingCommand delete(String group, Object... extra) {
        RemotingCommand r = request(RequestCode.DELETE_SUBSCRIPTIONGROUP, "groupName", group);
        for (int i = 0; i < extra.length; i += 2) {
            r.putExt((String) extra[i], extra[i + 1]);
        }
        return r;
    }

    @Test
    void aGroupIsCreatedFromItsConfigOnceWritten() {
        groups.writeOn(pendingWrites::add);
        RemotingCommand req = create("{\"groupName\":\"G1\",\"consumeBroadcastEnable\":false,\"retryMaxTimes\":3,"
            + "\"retryQueueNums\":1,\"unknownField\":1}");

        h.start(handlers::createGroup, req);
        assertThat(h.nextReply()).as("no answer before the write").isNull();
        SubscriptionGroupConfig c = groups.get("G1");
        assertThat(c).isNotNull();
        assertThat(c.consumeBroadcastEnable).isFalse();
        assertThat(c.retryMaxTimes).isEqualTo(3);
        assertThat(c.consumeEnable).as("defaults for fields not sent").isTrue();

        pendingWrites.remove(0).run();
        RemotingCommand resp = h.nextReply();
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(resp.opaque()).isEqualTo(req.opaque());
        SubscriptionGroupTable onDisk = new SubscriptionGroupTable(dir, 1_000);
        onDisk.load();
        assertThat(onDisk.get("G1")).as("a restarted broker loads it").isNotNull();
    }

    @Test
    void aGroupNameThatIsNotValidIsRefused() {
        RemotingCommand resp = h.call(handlers::createGroup, create("{\"groupName\":\"../x\"}"));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("'.'");
        assertThat(groups.size()).isZero();
    }

    @Test
    void aConfigWithoutAGroupNameIsRefused() {
        RemotingCommand resp = h.call(handlers::createGroup, create("{\"retryMaxTimes\":3}"));
        assertThat(resp.code()).isEqualTo(ResponseCode.SYSTEM_ERROR);
        assertThat(resp.remark()).contains("no groupName");
        assertThat(groups.size()).isZero();
    }

    @Test
    void aRequestWithoutABodyIsAProtocolErrorNamingTheType() {
        assertThatThrownBy(() -> h.start(handlers::createGroup, request(RequestCode.UPDATE_AND_CREATE_SUBSCRIPTIONGROUP)))
            .isInstanceOf(ProtocolException.class).hasMessageContaining("SubscriptionGroupConfig");
    }

    @Test
    void aCreationAtTheGroupLimitIsRefusedButAnUpdateIsNot() {
        useGroupLimit(1);
        assertThat(h.call(handlers::createGroup, create("{\"groupName\":\"G1\"}")).code()).isEqualTo(ResponseCode.SUCCESS);

        RemotingCommand resp = h.call(handlers::createGroup, create("{\"groupName\":\"G2\"}"));
        assertThat(resp.code()).isEqualTo(ResponseCode.NO_PERMISSION);
        assertThat(resp.remark()).contains("[LIMIT]", "G2", "maxSubscriptionGroupCount=1");
        assertThat(groups.get("G2")).isNull();

        assertThat(h.call(handlers::createGroup, create("{\"groupName\":\"G1\",\"retryMaxTimes\":5}")).code())
            .isEqualTo(ResponseCode.SUCCESS);
        assertThat(groups.get("G1").retryMaxTimes).isEqualTo(5);
    }

    @Test
    void deleteWithRemoveOffsetRemovesTheGroupsOffsetsToo() {
        groups.put(new SubscriptionGroupConfig("G1"));
        offsets.commit("G1", "TopicA", 0, 5);
        offsets.commit("G1", "TopicB", 1, 6);
        offsets.commit("G2", "TopicA", 0, 7);

        RemotingCommand resp = h.call(handlers::deleteGroup, delete("G1", "removeOffset", true));

        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(groups.get("G1")).isNull();
        assertThat(offsets.topicsOf("G1")).isEmpty();
        assertThat(offsets.get("G2", "TopicA", 0)).isEqualTo(7);
    }

    @Test
    void deleteWithCleanOffsetRemovesTheGroupsOffsetsToo() {
        groups.put(new SubscriptionGroupConfig("G1"));
        offsets.commit("G1", "TopicA", 0, 5);
        assertThat(h.call(handlers::deleteGroup, delete("G1", "cleanOffset", true)).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(offsets.topicsOf("G1")).isEmpty();
    }

    @Test
    void deleteWithoutRemoveOffsetKeepsTheOffsets() {
        groups.put(new SubscriptionGroupConfig("G1"));
        offsets.commit("G1", "TopicA", 0, 5);

        assertThat(h.call(handlers::deleteGroup, delete("G1")).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(groups.get("G1")).isNull();
        assertThat(offsets.get("G1", "TopicA", 0)).isEqualTo(5);

        assertThat(h.call(handlers::deleteGroup, delete("G1", "removeOffset", false)).code())
            .as("deleting a missing group succeeds").isEqualTo(ResponseCode.SUCCESS);
        assertThat(offsets.get("G1", "TopicA", 0)).isEqualTo(5);
    }

    /** Deleting a group is answered only once the table without it is on disk, as creating one is. */
    @Test
    void aDeletionIsAnsweredOnlyAfterTheTableIsWritten() {
        groups.put(new SubscriptionGroupConfig("G1"));
        groups.writeOn(pendingWrites::add);

        RemotingCommand resp = h.callAcrossWrite(handlers::deleteGroup, delete("G1"), () -> pendingWrites.remove(0).run());
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void allGroupConfigListsEveryGroup() {
        groups.put(new SubscriptionGroupConfig("G1"));
        groups.put(new SubscriptionGroupConfig("G2"));
        RemotingCommand resp = h.call(handlers::allGroupConfig, request(RequestCode.GET_ALL_SUBSCRIPTIONGROUP_CONFIG));
        assertThat(resp.code()).isEqualTo(ResponseCode.SUCCESS);
        JsonNode table = HandlerHarness.bodyJson(resp).get("subscriptionGroupTable");
        assertThat(table.has("G1")).isTrue();
        assertThat(table.has("G2")).isTrue();
        assertThat(table.get("G1").get("groupName").asText()).isEqualTo("G1");
        assertThat(HandlerHarness.bodyJson(resp).get("dataVersion").get("counter").asLong()).isEqualTo(2);
    }
}
