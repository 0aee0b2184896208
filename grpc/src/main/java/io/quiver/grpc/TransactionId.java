package io.quiver.grpc;

/**
 * The transaction id a gRPC producer gets for a half message and gives back to end it: it names where the half
 * message is (commit-log offset and queue offset in the half topic) so the broker finds it without a table here,
 * across restarts of either side; the broker still checks both against the half message it finds.
 */
record TransactionId(long commitLogOffset, long tranStateTableOffset, String messageId) {
    private static final String PREFIX = "q1:";

    String encode() {
        return PREFIX + commitLogOffset + ":" + tranStateTableOffset + ":" + messageId;
    }

    /** Parses an id; throws IllegalArgumentException saying what is wrong. */
    static TransactionId decode(String s) {
        if (s == null || !s.startsWith(PREFIX) || s.length() > 512) {
            throw new IllegalArgumentException("'" + (s == null ? "" : s) + "' is not a transaction id of this broker");
        }
        String[] f = s.substring(PREFIX.length()).split(":", 3);
        if (f.length < 3) {
            throw new IllegalArgumentException("'" + s + "' is not a transaction id of this broker");
        }
        try {
            return new TransactionId(Long.parseLong(f[0]), Long.parseLong(f[1]), f[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a transaction id of this broker");
        }
    }
}
