package io.quiver.acl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.quiver.protocol.header.RequestHeaders;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: the ACL admin requests' changes to plain_acl.yml keep what they do not touch and refuse bad files. */
class AclFileEditTest {
    @TempDir
    Path dir;

    private static RequestHeaders.AclAccountEdit edit(String ak, String sk, Boolean admin, String defaultTopic,
                                                      List<String> topics) {
        return new RequestHeaders.AclAccountEdit(ak, sk, null, admin, defaultTopic, null, topics, null);
    }

    @Test
    void accountsAreCreatedChangedAndDeletedAndTheRestOfTheFileStays() throws Exception {
        Path f = dir.resolve("plain_acl.yml");
        Files.writeString(f, """
            globalWhiteRemoteAddresses:
              - 10.1.*.*
            accounts:
              - accessKey: keeper01
                secretKey: keeper-secret
                whiteRemoteAddress: 192.168.0.*
                defaultTopicPerm: SUB
            """);
        AclFile acl = new AclFile(f);
        acl.reloadIfChanged();
        long v0 = acl.version().counter();

        acl.edit(AclEdits.upsertAccount(edit("newcomer", "newcomer-secret", false, "DENY", List.of("Orders=PUB"))));
        assertThat(acl.rules().accounts()).containsKeys("keeper01", "newcomer");
        assertThat(acl.rules().accounts().get("newcomer").permOf("Orders")).isEqualTo(Perm.PUB);
        assertThat(acl.version().counter()).isEqualTo(v0 + 1);
        assertThat(acl.reloadIfChanged()).as("its own write is not read again").isFalse();

        // a change of one field leaves the others (the secret, the white address) as they were
        acl.edit(AclEdits.upsertAccount(edit("keeper01", null, true, null, null)));
        Account keeper = acl.rules().accounts().get("keeper01");
        assertThat(keeper.admin()).isTrue();
        assertThat(keeper.secretKey()).isEqualTo("keeper-secret");
        assertThat(keeper.permOf("Anything")).isEqualTo(Perm.SUB);
        assertThat(Files.readString(f)).contains("192.168.0.*").contains("10.1.*.*");

        acl.edit(AclEdits.setGlobalWhiteAddresses(List.of("10.2.*.*")));
        assertThat(Files.readString(f)).contains("10.2.*.*").doesNotContain("10.1.*.*");

        acl.edit(AclEdits.deleteAccount("newcomer"));
        assertThat(acl.rules().accounts()).containsOnlyKeys("keeper01");

        // reread from disk: the same rules
        AclFile again = new AclFile(f);
        again.reloadIfChanged();
        assertThat(again.rules().accounts()).containsOnlyKeys("keeper01");
        assertThat(again.rules().accounts().get("keeper01").admin()).isTrue();
    }

    @Test
    void aChangeThatLeavesAnUnusableFileIsRefusedAndNothingIsWritten() throws Exception {
        Path f = dir.resolve("plain_acl.yml");
        Files.writeString(f, "accounts:\n  - accessKey: keeper01\n    secretKey: keeper-secret\n");
        AclFile acl = new AclFile(f);
        acl.reloadIfChanged();
        String before = Files.readString(f);
        assertThatThrownBy(() -> acl.edit(AclEdits.upsertAccount(edit("keeper01", null, null, "EVERYTHING", null))))
            .isInstanceOf(AclRules.Invalid.class).hasMessageContaining("EVERYTHING");
        assertThatThrownBy(() -> acl.edit(AclEdits.upsertAccount(edit("newcomer", null, null, null, null))))
            .hasMessageContaining("needs a secretKey");
        assertThatThrownBy(() -> acl.edit(AclEdits.upsertAccount(edit("newcomer", "short", null, null, null))))
            .hasMessageContaining("secretKey").hasMessageNotContaining("short");
        assertThatThrownBy(() -> acl.edit(AclEdits.deleteAccount("nobody00")))
            .hasMessageContaining("no account has accessKey nobody00");
        assertThatThrownBy(() -> acl.edit(AclEdits.setGlobalWhiteAddresses(List.of("not an address"))))
            .isInstanceOf(AclRules.Invalid.class);
        assertThat(Files.readString(f)).isEqualTo(before);
        assertThat(acl.rules().accounts().get("keeper01").secretKey()).isEqualTo("keeper-secret");
    }

    @Test
    void aMissingFileIsCreatedByTheFirstAccount() throws Exception {
        Path f = dir.resolve("config").resolve("plain_acl.yml");
        AclFile acl = new AclFile(f);
        acl.reloadIfChanged();
        acl.edit(AclEdits.upsertAccount(edit("firstone", "first-secret", true, null, null)));
        assertThat(Files.exists(f)).isTrue();
        assertThat(acl.rules().accounts().get("firstone").admin()).isTrue();
    }
}
