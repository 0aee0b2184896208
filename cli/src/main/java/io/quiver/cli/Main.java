package io.quiver.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code quiver} command: one entry point for running and operating Quiver. */
@Command(name = "quiver", mixinStandardHelpOptions = true, version = "quiver 0.1.0",
    description = "A message broker that speaks Apache RocketMQ's protocol.",
    subcommands = {StandaloneCommand.class, NameServerCommand.class, BrokerCommand.class, ControllerCommand.class,
        TopicCommand.class,
        GroupCommand.class, MessageCommand.class, ClusterCommand.class, TxCommand.class, DlqCommand.class,
        StoreCommand.class, ConfigCommand.class, LocalClusterCommand.class, TlsCommand.class, AclCommand.class,
        ConsoleCommand.class})
public final class Main extends CommandGroup {
    public static void main(String[] args) {
        CommandLine server = serverCommand(args);
        int code = server != null ? server.execute(java.util.Arrays.copyOfRange(args, 1, args.length))
            : new CommandLine(new Main()).execute(args);
        if (code != 0) {
            System.exit(code);
        }
    }

    /**
     * The server commands, built on their own: picocli reflects over every command of a tree when it is
     * built, and a server should not pay for the admin verbs at start-up. Null for any other command.
     */
    static CommandLine serverCommand(String[] args) {
        if (args.length == 0) {
            return null;
        }
        Object cmd = switch (args[0]) {
            case "standalone" -> new StandaloneCommand();
            case "namesrv" -> new NameServerCommand();
            case "controller" -> new ControllerCommand();
            case "broker" -> args.length > 1 && (args[1].equals("config") || args[1].equals("drain")) ? null
                : new BrokerCommand();
            default -> null;
        };
        return cmd == null ? null : new CommandLine(cmd).setCommandName("quiver " + args[0]);
    }
}
