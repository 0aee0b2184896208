package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quiver dlq ...}: dead-letter queues. */
@Command(name = "dlq", mixinStandardHelpOptions = true, description = "Dead-letter queues.",
    subcommands = {DlqCommand.Redrive.class})
final class DlqCommand extends CommandGroup {

    @Command(name = "redrive", mixinStandardHelpOptions = true,
        description = {"Move a consumer group's dead letters (%DLQ%<group>) back to its retry topic, on every",
            "broker, so the group consumes them again with a fresh retry count. Each dead letter moves once.",
            "Exit code: 0 on success, 1 if a broker failed."})
    static final class Redrive implements Callable<Integer> {
        @Option(names = "--namesrv", required = true, paramLabel = "ADDRS", description = "name servers host:port;host:port")
        String namesrv;

        @Option(names = "--group", required = true, paramLabel = "GROUP", description = "the consumer group")
        String group;

        @Option(names = "--since", paramLabel = "TIME",
            description = "only dead letters stored at or after TIME (epoch ms, or 2026-11-22T10:00 local time)")
        String since;

        @Option(names = "--limit", paramLabel = "N", description = "most messages to move per broker")
        Integer limit;

        @Override
        public Integer call() {
            long sinceMillis;
            try {
                sinceMillis = since == null ? -1 : Times.parse(since);
            } catch (IllegalArgumentException e) {
                System.err.println("quiver: " + e.getMessage());
                return 2;
            }
            int status = 0;
            long total = 0;
            try (AdminClient admin = new AdminClient(namesrv)) {
                for (String[] broker : admin.masterBrokers()) {
                    try {
                        RemotingCommand req = RemotingCommand.request(RequestCode.QUIVER_DLQ_REDRIVE)
                            .putExt("group", group).putExt("since", sinceMillis >= 0 ? sinceMillis : null)
                            .putExt("limit", limit);
                        JsonNode r = Json.mapper().readTree(admin.call(broker[1], req).body());
                        total += r.get("moved").asLong();
                        System.out.printf("broker %s: moved %d dead letter(s) of %s back to %%RETRY%%%s (%d left)%n",
                            broker[0], r.get("moved").asLong(), group, group, r.get("remaining").asLong());
                    } catch (IllegalStateException | IOException e) {
                        System.err.println("quiver: broker " + broker[0] + " at " + broker[1] + ": " + e.getMessage());
                        status = 1;
                    }
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                System.err.println("quiver: " + e.getMessage());
                return 1;
            }
            System.out.printf("moved %d in all%n", total);
            return status;
        }
    }
}
