package io.quiver.broker.trace;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Unit tier: the clients' trace records read into events, and the event codec. */
@Tag("unit")
class ClientTraceTest {
    private static final String F = "\u0001";
    private static final String R = "\u0002";

    private static String rec(String... fields) {
        return String.join(F, fields) + R;
    }

    @Test
    void eachRecordTypeOfTheOfficialClientsBecomesAnEventOfThatMessageOnly() {
        String body = rec("Pub", "1000", "DefaultRegion", "PG", "T", "M1", "TagA", "k1", "10.0.0.1:10911", "6", "13", "0",
            "OFFSETID", "true")
            + rec("Pub", "1001", "DefaultRegion", "PG", "T", "M2", "null", "null", "10.0.0.1:10911", "6", "2", "0", "X", "true")
            + rec("SubBefore", "2000", "DefaultRegion", "CG", "REQ1", "M1", "1", "k1")
            + rec("SubAfter", "REQ1", "M1", "40", "false", "k1", "4", "2040", "CG")
            + rec("SubAfter", "REQ2", "M1", "7", "true", "k1", "0") // a CLOUD client: no time, no group
            + rec("EndTransaction", "3000", "DefaultRegion", "PG", "T", "M1", "null", "k1", "10.0.0.1:10911", "1", "TX1",
            "COMMIT_MESSAGE", "true")
            + rec("Pub", "oops", "DefaultRegion", "PG", "T", "M1", "", "", "", "", "", "", "", "") // damaged: skipped
            + rec("Recall", "4000", "M1"); // a later client's type: skipped

        List<TraceEvent> es = ClientTrace.eventsOf(body, "M1", "10.0.0.9:5555", 9999);

        assertThat(es).extracting(TraceEvent::kind).containsExactly(TraceEvent.Kind.CLIENT_SENT,
            TraceEvent.Kind.CLIENT_CONSUME_BEGIN, TraceEvent.Kind.CLIENT_CONSUME_END, TraceEvent.Kind.CLIENT_CONSUME_END,
            TraceEvent.Kind.CLIENT_TRANSACTION_END);
        assertThat(es.get(0)).extracting(TraceEvent::time, TraceEvent::group, TraceEvent::topic, TraceEvent::value,
            TraceEvent::client).containsExactly(1000L, "PG", "T", 13L, "10.0.0.9:5555");
        assertThat(es.get(0).detail()).contains("offset id OFFSETID");
        assertThat(es.get(1).value()).isEqualTo(1);
        assertThat(es.get(2)).extracting(TraceEvent::time, TraceEvent::group, TraceEvent::detail)
            .containsExactly(2040L, "CG", "consumed: failed");
        assertThat(es.get(3)).extracting(TraceEvent::time, TraceEvent::detail).containsExactly(9999L, "consumed: success");
        assertThat(es.get(4).detail()).isEqualTo("COMMIT_MESSAGE (answering a check)");
    }

    @Test
    void eventsSurviveTheirBinaryFormAndGarbageIsNoEvent() {
        TraceEvent e = new TraceEvent(TraceEvent.Kind.POPPED, 123, "M", "T", 3, 44, "G", "1.2.3.4:5", 60_000, null);
        assertThat(TraceEvent.decode(e.encode())).isEqualTo(e);
        assertThat(TraceEvent.decode(new byte[0])).isNull();
        assertThat(TraceEvent.decode(new byte[] {1, (byte) 200, 0})).isNull();
        byte[] cut = e.encode();
        assertThat(TraceEvent.decode(java.util.Arrays.copyOf(cut, cut.length - 3))).isNull();
    }
}
