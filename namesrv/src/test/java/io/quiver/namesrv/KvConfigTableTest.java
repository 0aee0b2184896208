package io.quiver.namesrv;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The name server's KV table is bounded in entries and characters, refuses with a reason, and counts across restarts. */
@Timeout(30)
class KvConfigTableTest {
    @TempDir
    Path dir;

    @Test
    void entriesBeyondTheLimitAreRefusedAndReplacingOrDeletingMakesRoom() {
        KvConfigTable kv = new KvConfigTable(dir.resolve("kv.json"));
        for (int i = 0; i < KvConfigTable.MAX_ENTRIES; i++) {
            assertThat(kv.put("ns", "k" + i, "v")).isNull();
        }
        assertThat(kv.put("ns", "one-more", "v")).contains("limit (" + KvConfigTable.MAX_ENTRIES + ")");
        assertThat(kv.get("ns", "one-more")).isNull();
        assertThat(kv.put("ns", "k0", "replaced")).as("replacing adds no entry").isNull();
        assertThat(kv.get("ns", "k0")).isEqualTo("replaced");
        kv.delete("ns", "k1");
        assertThat(kv.put("ns", "one-more", "v")).isNull();

        KvConfigTable reloaded = new KvConfigTable(dir.resolve("kv.json"));
        reloaded.load();
        assertThat(reloaded.put("other", "x", "y")).as("the count survives a restart").contains("limit");
    }

    @Test
    void valuesBeyondTheCharacterLimitAreRefused() {
        KvConfigTable kv = new KvConfigTable(null);
        String big = "x".repeat((int) (KvConfigTable.MAX_CHARS / 2));
        assertThat(kv.put("ns", "a", big)).isNull();
        assertThat(kv.put("ns", "b", big)).contains("characters");
        assertThat(kv.get("ns", "b")).isNull();
        assertThat(kv.put("ns", "a", "small")).as("shrinking a value frees room").isNull();
        assertThat(kv.put("ns", "b", big)).isNull();
    }
}
