package io.quiver.cli;

import io.quiver.broker.config.BrokerConfig;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code quiver config ...}: the broker settings. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Broker settings.",
    subcommands = {ConfigCommand.Table.class})
final class ConfigCommand extends CommandGroup {

    @Command(name = "table", mixinStandardHelpOptions = true,
        description = "Print every broker.conf key with its default and meaning, as the Markdown table in the README.")
    static final class Table implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.print(markdown());
            return 0;
        }
    }

    /** The configuration table, generated from {@link BrokerConfig#settings()}. */
    static String markdown() {
        StringBuilder sb = new StringBuilder("| key | default | meaning |\n|---|---|---|\n");
        for (BrokerConfig.Setting s : BrokerConfig.settings().values()) {
            sb.append("| `").append(s.key()).append("` | ").append(s.defaultValue().replace("|", "\\|")).append(" | ")
                .append(s.meaning().replace("|", "\\|")).append(" |\n");
        }
        return sb.toString();
    }
}
