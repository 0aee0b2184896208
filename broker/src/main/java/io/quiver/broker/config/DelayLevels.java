package io.quiver.broker.config;

/**
 * The delay-level table ({@code messageDelayLevel}, fact sheet §8.1): level {@code n} (1-based) waits
 * {@code millis(n)}. Levels above the table are clamped to the last; level 0 or below means no delay.
 */
public final class DelayLevels {
    public static final String DEFAULT = "1s 5s 10s 30s 1m 2m 3m 4m 5m 6m 7m 8m 9m 10m 20m 30m 1h 2h";

    private final long[] millis;

    private DelayLevels(long[] millis) {
        this.millis = millis;
    }

    /** Parses e.g. {@code "1s 5s 10s 1m 2h 1d"}; throws {@link IllegalArgumentException} naming the bad word. */
    public static DelayLevels parse(String table) {
        String[] words = table.trim().split("\\s+");
        long[] ms = new long[words.length];
        for (int i = 0; i < words.length; i++) {
            String w = words[i];
            if (w.length() < 2) {
                throw new IllegalArgumentException("delay level '" + w + "' needs a number and a unit (s, m, h, d)");
            }
            long unit = switch (w.charAt(w.length() - 1)) {
                case 's' -> 1_000L;
                case 'm' -> 60_000L;
                case 'h' -> 3_600_000L;
                case 'd' -> 86_400_000L;
                default -> throw new IllegalArgumentException("delay level '" + w + "' has an unknown unit; use s, m, h or d");
            };
            try {
                ms[i] = Long.parseLong(w.substring(0, w.length() - 1)) * unit;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("delay level '" + w + "' is not a number with a unit", e);
            }
        }
        return new DelayLevels(ms);
    }

    public int maxLevel() {
        return millis.length;
    }

    /** The level to use for a requested level (clamped to 1..max). */
    public int clamp(int level) {
        return Math.max(1, Math.min(level, millis.length));
    }

    public long millis(int level) {
        return millis[clamp(level) - 1];
    }
}
