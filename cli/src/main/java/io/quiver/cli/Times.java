package io.quiver.cli;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Times as people type and read them: local date-times, or epoch milliseconds. */
final class Times {
    private static final DateTimeFormatter OUT = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");

    private Times() {}

    /** Epoch ms, an ISO local date-time such as {@code 2026-11-22T10:00} (this machine's zone), or an instant. */
    static long parse(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException ignored) {
            // not epoch millis
        }
        try {
            return LocalDateTime.parse(s).atZone(ZoneId.systemDefault()).toInstant().toEpochMilli();
        } catch (DateTimeParseException notLocal) {
            try {
                return Instant.parse(s).toEpochMilli();
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException("'" + s + "' is neither epoch milliseconds nor a time like "
                    + "2026-11-22T10:00 (local) or 2026-11-22T09:00:00Z");
            }
        }
    }

    /** A local date-time, or "-" for 0 (never). */
    static String format(long epochMillis) {
        return epochMillis <= 0 ? "-" : LocalDateTime.ofInstant(Instant.ofEpochMilli(epochMillis), ZoneId.systemDefault())
            .format(OUT);
    }
}
