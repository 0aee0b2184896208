package io.quiver.acl;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Unit tier: a changed file takes effect; a broken one keeps the rules in force. */
class AclFileTest {
    @TempDir
    Path dir;

    @Test
    void aChangedFileIsReadAgainAndABrokenOneKeepsTheOldRules() throws Exception {
        Path p = dir.resolve("plain_acl.yml");
        AclFile f = new AclFile(p);
        assertThat(f.reloadIfChanged()).as("missing: no account").isTrue();
        assertThat(f.rules().accounts()).isEmpty();
        Files.writeString(p, "accounts:\n  - accessKey: account1\n    secretKey: secret11\n");
        assertThat(f.reloadIfChanged()).isTrue();
        assertThat(f.rules().accounts()).containsOnlyKeys("account1");
        assertThat(f.reloadIfChanged()).as("unchanged").isFalse();

        Files.writeString(p, "accounts:\n  - accessKey: account1\n    secretKey: [ broken\n");
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 2_000));
        assertThat(f.reloadIfChanged()).isFalse();
        assertThat(f.rules().accounts()).as("the old rules stay").containsOnlyKeys("account1");

        Files.writeString(p, "accounts:\n  - accessKey: account2\n    secretKey: secret22\n");
        Files.setLastModifiedTime(p, FileTime.fromMillis(Files.getLastModifiedTime(p).toMillis() + 4_000));
        assertThat(f.reloadIfChanged()).isTrue();
        assertThat(f.rules().accounts()).containsOnlyKeys("account2");
    }
}
