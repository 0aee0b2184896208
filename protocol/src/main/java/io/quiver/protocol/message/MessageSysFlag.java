package io.quiver.protocol.message;

/** Bits of the message {@code sysFlag} (fact sheet §10.2). */
public final class MessageSysFlag {
    private MessageSysFlag() {}

    public static final int COMPRESSED = 0x1;
    public static final int MULTI_TAGS = 0x2;
    public static final int TRANSACTION_NOT_TYPE = 0;
    public static final int TRANSACTION_PREPARED_TYPE = 0x4;
    public static final int TRANSACTION_COMMIT_TYPE = 0x8;
    public static final int TRANSACTION_ROLLBACK_TYPE = 0xC;
    public static final int TRANSACTION_MASK = 0xC;
    public static final int BORNHOST_V6 = 0x10;
    public static final int STOREHOST_V6 = 0x20;

    public static int transactionType(int sysFlag) {
        return sysFlag & TRANSACTION_MASK;
    }

    public static int withTransactionType(int sysFlag, int type) {
        return (sysFlag & ~TRANSACTION_MASK) | type;
    }
}
