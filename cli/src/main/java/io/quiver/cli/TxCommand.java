package io.quiver.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.RequestCode;
import io.quiver.protocol.body.Json;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code quiver tx ...}: transactional messages. */
@Command(name = "tx", mixinStandardHelpOptions = true, description = "Transactional messages.",
    subcommands = {TxCommand.ListPending.class})
final class TxCommand extends CommandGroup {

    @Command(name = "list", mixinStandardHelpOptions = true,
        description = {"List undecided (pending) half messages on every broker, oldest first, with their topic,",
            "producer group, age and number of check-backs, and each broker's transaction counters.",
            "Exit code: 0 on success, 1 if a broker could not be asked."})
    static final class ListPending implements Callable<Integer> {
        @Option(names = "--namesrv", required = true, paramLabel = "ADDRS", description = "name servers host:port;host:port")
        String namesrv;

        @Option(names = "--limit", paramLabel = "N", description = "most pending transactions per broker (default ${DEFAULT-VALUE})")
        int limit = 100;

        @Option(names = "--json", description = "print one JSON document per broker instead of a table")
        boolean json;

        @Override
        public Integer call() {
            int status = 0;
            try (AdminClient admin = new AdminClient(namesrv)) {
                for (String[] broker : admin.masterBrokers()) {
                    try {
                        RemotingCommand req = RemotingCommand.request(RequestCode.QUIVER_LIST_PENDING_TRANSACTIONS)
                            .putExt("limit", limit);
                        byte[] body = admin.call(broker[1], req).body();
                        if (json) {
                            System.out.println(new String(body, java.nio.charset.StandardCharsets.UTF_8));
                        } else {
                            print(broker, Json.mapper().readTree(body));
                        }
                    } catch (IllegalStateException | IOException e) {
                        System.err.println("quiver: broker " + broker[0] + " at " + broker[1] + ": " + e.getMessage());
                        status = 1;
                    }
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                System.err.println("quiver: " + e.getMessage());
                return 1;
            }
            return status;
        }

        private static void print(String[] broker, JsonNode doc) {
            JsonNode c = doc.get("counters");
            System.out.printf("broker %s (%s): pending %d, committed %d, rolled back %d, checked %d, discarded %d%n",
                broker[0], broker[1], c.get("pending").asLong(), c.get("committed").asLong(),
                c.get("rolledBack").asLong(), c.get("checked").asLong(), c.get("discarded").asLong());
            JsonNode pending = doc.get("pending");
            if (pending.isEmpty()) {
                return;
            }
            System.out.printf("  %-10s %-24s %-20s %-34s %10s %6s%n", "HALF", "TOPIC", "PRODUCER GROUP", "MSG ID", "AGE (s)",
                "CHECKS");
            for (JsonNode p : pending) {
                System.out.printf("  %-10d %-24s %-20s %-34s %10.1f %6d%n", p.get("halfOffset").asLong(),
                    p.get("topic").asText(), p.get("producerGroup").asText(), p.get("msgId").asText(),
                    p.get("ageMillis").asLong() / 1000.0, p.get("checks").asInt());
            }
        }
    }
}
