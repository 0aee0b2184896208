package io.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReceiptHandleTest {
    @Test
    void aHandleSurvivesItsRoundTripAndItsFirstEightFieldsAreTheBrokersReceipt() {
        ReceiptHandle h = new ReceiptHandle(10, 1_700_000_000_000L, 30_000, 0, true, "broker-a", 3, 12, 4096);
        assertThat(ReceiptHandle.decode(h.encode())).isEqualTo(h);
        assertThat(h.encode()).isEqualTo("10 1700000000000 30000 0 1 broker-a 3 12 4096");
        assertThat(h.extraInfo()).isEqualTo("10 1700000000000 30000 0 1 broker-a 3 12");
        assertThat(ReceiptHandle.decode(h.extraInfo()).commitLogOffset()).isEqualTo(-1);
    }

    @Test
    void aRenewedHandleStartsAtItsMessageWithTheNewTimes() {
        ReceiptHandle h = new ReceiptHandle(10, 1000, 30_000, 0, false, "b", 1, 12, 77).renewed(5000, 1000);
        assertThat(h).isEqualTo(new ReceiptHandle(12, 5000, 1000, 0, false, "b", 1, 12, 77));
    }

    @Test
    void malformedHandlesAreRefusedWithAReason() {
        assertThatThrownBy(() -> ReceiptHandle.decode("")).hasMessageContaining("empty");
        assertThatThrownBy(() -> ReceiptHandle.decode("1 2 3")).hasMessageContaining("3 fields");
        assertThatThrownBy(() -> ReceiptHandle.decode("a 2 3 4 0 b 1 2")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> ReceiptHandle.decode("1 ".repeat(300))).hasMessageContaining("longer than");
    }
}
