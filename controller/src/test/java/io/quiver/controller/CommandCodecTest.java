package io.quiver.controller;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Unit tier: controller commands and results survive their bytes; damaged bytes are refused with the reason. */
class CommandCodecTest {
    private static final List<ControllerCommand> SAMPLES = List.of(
        new ControllerCommand.Register("DefaultCluster", "broker-a", "10.0.0.1:10911", -1),
        new ControllerCommand.Register("C", "b", "h:1", 3),
        new ControllerCommand.Elect("C", "b", Map.of(0L, 10L, 2L, 1L << 40), true),
        new ControllerCommand.Elect("C", "b", Map.of(), false),
        new ControllerCommand.AlterInSync("C", "b", 1, 7, Set.of(1L, 2L)));

    @Test
    void commandsAndResultsRoundTrip() {
        for (ControllerCommand c : SAMPLES) {
            assertThat(CommandCodec.decode(CommandCodec.encode(c))).isEqualTo(c);
        }
        GroupState g = new GroupState("C", "b", Map.of(0L, "h0:1", 1L, "h1:1"), 1, 4, Set.of(0L, 1L), 9);
        for (ControllerState.Result r : List.of(new ControllerState.Result(g, null, 1),
            new ControllerState.Result(null, "unknown broker group C/x", -1), new ControllerState.Result(g, "no", -1))) {
            assertThat(CommandCodec.decodeResult(CommandCodec.encode(r))).isEqualTo(r);
        }
    }

    @Test
    void aSnapshotHoldsEveryGroup() {
        List<GroupState> groups = List.of(
            new GroupState("C", "a", Map.of(0L, "h0:1"), 0, 1, Set.of(0L), 1),
            new GroupState("C", "b", Map.of(), GroupState.NO_MASTER, 0, Set.of(), 0));
        assertThat(CommandCodec.decodeSnapshot(CommandCodec.encodeSnapshot(groups))).isEqualTo(groups);
        byte[] b = CommandCodec.encodeSnapshot(groups);
        assertThatThrownBy(() -> CommandCodec.decodeSnapshot(Arrays.copyOf(b, b.length - 1))).hasMessageContaining("truncated");
    }

    @Test
    void damagedCommandsAreRefusedWithTheReasonNeverMisread() {
        byte[] good = CommandCodec.encode(SAMPLES.get(2));
        assertThatThrownBy(() -> CommandCodec.decode(Arrays.copyOf(good, good.length - 3))).hasMessageContaining("truncated");
        byte[] longer = Arrays.copyOf(good, good.length + 2);
        assertThatThrownBy(() -> CommandCodec.decode(longer)).hasMessageContaining("2 bytes too many");
        byte[] unknown = good.clone();
        unknown[0] = 9;
        assertThatThrownBy(() -> CommandCodec.decode(unknown)).hasMessageContaining("unknown controller command type 9");
        // the count of alive brokers follows the two names: make it huge
        byte[] huge = good.clone();
        int countAt = 1 + 2 + "C".length() + 2 + "b".length();
        huge[countAt] = 0x7F;
        assertThatThrownBy(() -> CommandCodec.decode(huge)).hasMessageContaining("count").hasMessageContaining("out of range");
        ControllerCommand twice = new ControllerCommand.AlterInSync("C", "b", 1, 1, Set.of(1L, 2L));
        byte[] dup = CommandCodec.encode(twice);
        dup[dup.length - 1] = 1; // the second id (2) becomes 1 again
        assertThatThrownBy(() -> CommandCodec.decode(dup)).hasMessageContaining("broker 1 twice");
        Random rnd = new Random(5);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = CommandCodec.encode(SAMPLES.get(rnd.nextInt(SAMPLES.size())));
            b[rnd.nextInt(b.length)] ^= (byte) (1 + rnd.nextInt(255));
            try {
                ControllerCommand c = CommandCodec.decode(b);
                assertThat(CommandCodec.decode(CommandCodec.encode(c))).as("what decodes is a well-formed command")
                    .isEqualTo(c);
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            }
        }
    }
}
