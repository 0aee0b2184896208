package io.quiver.protocol.message;

/** Topic and broker permission bits (fact sheet §10.2). */
public final class PermName {
    private PermName() {}

    public static final int INHERIT = 0x1;
    public static final int WRITE = 0x2;
    public static final int READ = 0x4;
    public static final int PRIORITY = 0x8;
    public static final int READ_WRITE = READ | WRITE;

    public static boolean isReadable(int perm) {
        return (perm & READ) != 0;
    }

    public static boolean isWriteable(int perm) {
        return (perm & WRITE) != 0;
    }

    public static boolean isInherited(int perm) {
        return (perm & INHERIT) != 0;
    }

    /** Renders like mqadmin does, e.g. {@code RW-} for 6. */
    public static String describe(int perm) {
        return (isReadable(perm) ? "R" : "-") + (isWriteable(perm) ? "W" : "-") + (isInherited(perm) ? "X" : "-");
    }
}
