package io.quiver.remoting;

import static org.assertj.core.api.Assertions.assertThat;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.ResponseCode;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Unit tier: a guard's refusal is answered with NO_PERMISSION before the handler; in-process requests pass. */
@Timeout(30)
class RequestGuardTest {
    @Test
    void aRefusedRequestNeverReachesItsHandlerAndInProcessRequestsAreNotAsked() throws Exception {
        AtomicInteger handled = new AtomicInteger();
        AtomicInteger asked = new AtomicInteger();
        RemotingServer server = new RemotingServer("guarded", "127.0.0.1", 0, 1 << 20);
        server.register(7, (ctx, req) -> {
            handled.incrementAndGet();
            ctx.reply(ResponseCode.SUCCESS, null);
        }, null);
        server.guard((req, from) -> {
            asked.incrementAndGet();
            assertThat(from.getAddress().isLoopbackAddress()).isTrue();
            return "yes".equals(req.ext("let-in")) ? null : "no let-in field";
        });
        server.start();
        RemotingClient client = new RemotingClient("client");
        LocalConnector local = new LocalConnector("local", server.listenLocally("guarded-local"), Map.of(), 1, ch -> { });
        try {
            String addr = "127.0.0.1:" + server.port();
            RemotingCommand no = client.invoke(addr, RemotingCommand.request(7), 5_000).get(5, TimeUnit.SECONDS);
            assertThat(no.code()).isEqualTo(ResponseCode.NO_PERMISSION);
            assertThat(no.remark()).isEqualTo("no let-in field");
            assertThat(handled.get()).isZero();
            RemotingCommand yes = client.invoke(addr, RemotingCommand.request(7).putExt("let-in", "yes"), 5_000)
                .get(5, TimeUnit.SECONDS);
            assertThat(yes.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(handled.get()).isEqualTo(1);
            assertThat(asked.get()).isEqualTo(2);

            var ch = local.connect(new InetSocketAddress("10.0.0.9", 1234)).get(5, TimeUnit.SECONDS);
            RemotingCommand inProcess = LocalConnector.invoke(ch, RemotingCommand.request(7), 5_000).get(5, TimeUnit.SECONDS);
            assertThat(inProcess.code()).isEqualTo(ResponseCode.SUCCESS);
            assertThat(asked.get()).as("in-process requests are not asked about").isEqualTo(2);
        } finally {
            local.close();
            client.close();
            server.close();
        }
    }
}
