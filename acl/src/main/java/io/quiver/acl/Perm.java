package io.quiver.acl;

import java.util.Locale;

/**
 * Permissions of plain_acl.yml as bits, with RocketMQ's values: DENY 1, ANY 2, PUB 4, SUB 8. An owned permission with
 * DENY allows nothing; a needed ANY is met by PUB or SUB.
 */
public final class Perm {
    public static final int DENY = 1;
    public static final int ANY = 2;
    public static final int PUB = 4;
    public static final int SUB = 8;

    private Perm() {}

    /**
     * A permission as the file spells it: PUB, SUB, PUB|SUB, SUB|PUB or DENY (case and spaces aside); null for anything
     * else, which the caller reports (RocketMQ silently reads it as DENY).
     */
    public static Integer parse(String text) {
        if (text == null) {
            return null;
        }
        return switch (text.replace(" ", "").toUpperCase(Locale.ROOT)) {
            case "PUB" -> PUB;
            case "SUB" -> SUB;
            case "PUB|SUB", "SUB|PUB" -> PUB | SUB;
            case "DENY" -> DENY;
            default -> null;
        };
    }

    public static boolean allows(int owned, int needed) {
        if ((owned & DENY) != 0) {
            return false;
        }
        if (needed == ANY) {
            return (owned & (PUB | SUB)) != 0;
        }
        return (owned & needed) == needed;
    }

    public static String name(int perm) {
        if ((perm & DENY) != 0) {
            return "DENY";
        }
        if (perm == ANY) {
            return "ANY";
        }
        return (perm & PUB) != 0 && (perm & SUB) != 0 ? "PUB|SUB" : (perm & PUB) != 0 ? "PUB" : (perm & SUB) != 0 ? "SUB"
            : "DENY";
    }
}
