package io.quiver.it;

import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos tier (mvn -Pchaos verify): the frame fuzzer of {@link FrameFuzzIT} with 1 000 000 frames
 * ({@code -Dfuzz.frames} and {@code -Dfuzz.seed} still apply), against its own Quiver with the same limits.
 */
@Tag("chaos")
@Timeout(3_600)
class FrameFuzzChaosIT extends FrameFuzzIT {
    /** The same limits as {@link FrameFuzzIT}: QuiverIT looks this method up on the test class itself. */
    protected static Map<String, String> brokerConf() {
        return FrameFuzzIT.brokerConf();
    }

    @Override
    protected long defaultFrames() {
        return 1_000_000;
    }
}
