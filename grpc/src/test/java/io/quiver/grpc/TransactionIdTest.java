package io.quiver.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class TransactionIdTest {
    @Test
    void anIdNamesItsHalfMessageAndSurvivesItsRoundTrip() {
        TransactionId id = new TransactionId(123_456, 7, "0102FC00000001");
        assertThat(TransactionId.decode(id.encode())).isEqualTo(id);
    }

    @Test
    void foreignIdsAreRefused() {
        assertThatThrownBy(() -> TransactionId.decode("7F0000011F9A00000000000000000001")).hasMessageContaining("not a transaction id");
        assertThatThrownBy(() -> TransactionId.decode("q1:x:1:m")).hasMessageContaining("not a transaction id");
        assertThatThrownBy(() -> TransactionId.decode("q1:1")).hasMessageContaining("not a transaction id");
        assertThatThrownBy(() -> TransactionId.decode(null)).hasMessageContaining("not a transaction id");
    }
}
