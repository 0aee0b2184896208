package io.quiver.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code quiver} command: one entry point for running and operating Quiver. */
@Command(name = "quiver", mixinStandardHelpOptions = true, version = "quiver 0.1.0",
    description = "A message broker that speaks Apache RocketMQ's protocol.",
    subcommands = {StandaloneCommand.class, NameServerCommand.class, BrokerCommand.class, TopicCommand.class,
        GroupCommand.class, MessageCommand.class, ClusterCommand.class, TxCommand.class, DlqCommand.class,
        StoreCommand.class, ConfigCommand.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        int code = new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}
