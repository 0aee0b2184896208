package io.quiver.broker.send;

/**
 * How one send ended, before it is put on a wire: a remoting response code and remark, and for a stored message
 * where it went.
 *
 * @param commitLogOffsets where each stored record starts (empty when nothing was stored)
 * @param queueId          the queue reported to the producer
 * @param queueOffset      the first record's queue offset
 * @param transactionId    the half message's id for a transactional send, else null
 */
public record SendOutcome(int code, String remark, long[] commitLogOffsets, int queueId, long queueOffset,
                          String transactionId) {
    public static SendOutcome refused(int code, String remark) {
        return new SendOutcome(code, remark, new long[0], -1, -1, null);
    }
}
