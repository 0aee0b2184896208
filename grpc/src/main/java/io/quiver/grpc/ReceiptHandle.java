package io.quiver.grpc;

/**
 * The receipt handle a gRPC consumer gets with each message and gives back to acknowledge it or change its
 * invisible time. It has RocketMQ's layout, space-separated: the pop's start offset, pop time (ms), invisible time
 * (ms), revive queue, topic kind ({@code 0} the topic itself, {@code 1} the group's POP retry topic), broker name,
 * queue id, queue offset and commit-log offset. The first eight fields are the broker's POP receipt
 * ({@code extraInfo}); the SDKs treat the whole as opaque.
 */
record ReceiptHandle(long startOffset, long popTime, long invisibleMillis, int reviveQueue, boolean retry,
                     String brokerName, int queueId, long queueOffset, long commitLogOffset) {
    /** Longest handle accepted back: a real one is under 100 characters. */
    static final int MAX_LENGTH = 512;

    String encode() {
        return startOffset + " " + popTime + " " + invisibleMillis + " " + reviveQueue + " " + (retry ? 1 : 0) + " "
            + brokerName + " " + queueId + " " + queueOffset + " " + commitLogOffset;
    }

    /** The broker's POP receipt within this handle. */
    String extraInfo() {
        return startOffset + " " + popTime + " " + invisibleMillis + " " + reviveQueue + " " + (retry ? 1 : 0) + " "
            + brokerName + " " + queueId + " " + queueOffset;
    }

    /**
     * The same message after a change of invisible time answered with {@code popTime} and {@code invisibleMillis}:
     * the broker holds it under a checkpoint of its own, which starts at its offset.
     */
    ReceiptHandle renewed(long newPopTime, long newInvisibleMillis) {
        return new ReceiptHandle(queueOffset, newPopTime, newInvisibleMillis, reviveQueue, retry, brokerName, queueId,
            queueOffset, commitLogOffset);
    }

    /** Parses a handle; throws IllegalArgumentException saying what is wrong with it. */
    static ReceiptHandle decode(String s) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException("the receipt handle is empty");
        }
        if (s.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("the receipt handle is longer than " + MAX_LENGTH + " characters");
        }
        String[] f = s.trim().split(" ");
        if (f.length < 8) {
            throw new IllegalArgumentException("'" + s + "' is not a receipt handle of this broker: it has " + f.length
                + " fields, not 8 or 9");
        }
        try {
            return new ReceiptHandle(Long.parseLong(f[0]), Long.parseLong(f[1]), Long.parseLong(f[2]),
                Integer.parseInt(f[3]), "1".equals(f[4]), f[5], Integer.parseInt(f[6]), Long.parseLong(f[7]),
                f.length > 8 ? Long.parseLong(f[8]) : -1);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a receipt handle of this broker: a numeric field is "
                + "not a number");
        }
    }
}
