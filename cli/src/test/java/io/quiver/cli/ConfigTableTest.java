package io.quiver.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: the README's configuration table is exactly what `quiver config table` generates from the code. */
@Timeout(10)
class ConfigTableTest {
    @Test
    void readmeTableMatchesTheSettingsInCode() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        int begin = readme.indexOf("<!-- config-table:begin");
        int end = readme.indexOf("<!-- config-table:end -->");
        assertThat(begin).as("README has the config-table markers").isPositive();
        String table = readme.substring(readme.indexOf('\n', begin) + 1, end);
        assertThat(table).as("run `quiver config table` and paste its output into the README").isEqualTo(
            ConfigCommand.markdown());
    }
}
