package io.quiver.it;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;

/**
 * Chaos tier (mvn -Pchaos verify): the crash loop of {@link CrashRecoveryIT} with 100 SIGKILL cycles at
 * random moments. Zero acknowledged messages may be lost, and {@code quiver store verify} must find no damage.
 */
@Tag("chaos")
@Timeout(1_800)
class CrashLoopChaosIT extends CrashRecoveryIT {
    @Override
    protected int cycles() {
        return Integer.getInteger("quiver.crash.cycles", 100);
    }
}
