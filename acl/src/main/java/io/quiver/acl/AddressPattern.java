package io.quiver.acl;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A white-listed remote address of plain_acl.yml, in RocketMQ's syntax: blank (nothing), {@code *} or
 * {@code *.*.*.*} (everything), one address, a comma-separated list of addresses, {@code 10.1.2.{3,4,5}} (a set in the
 * last part), {@code 10.1.*.*} (a prefix) or {@code 10.1.2.10-20} and {@code 10.1.10-20.*} (a range in the first part
 * that is not fixed). IPv6 addresses match exactly, or by a prefix ending in {@code *}.
 */
public final class AddressPattern {
    private interface Matcher {
        boolean matches(String ip);
    }

    private final String text;
    private final Matcher matcher;

    private AddressPattern(String text, Matcher matcher) {
        this.text = text;
        this.matcher = matcher;
    }

    /** Parses {@code text}; an unreadable pattern throws IllegalArgumentException saying why. */
    public static AddressPattern parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.isEmpty()) {
            return new AddressPattern(t, ip -> false);
        }
        if (t.equals("*") || t.equals("*.*.*.*") || t.equals("*:*:*:*:*:*:*:*")) {
            return new AddressPattern(t, ip -> true);
        }
        if (t.contains(",") && !t.contains("{")) {
            Set<String> all = new java.util.HashSet<>();
            for (String one : t.split(",")) {
                all.add(normal(exact(one.trim(), t)));
            }
            return new AddressPattern(t, ip -> all.contains(normal(ip)));
        }
        if (t.contains(":")) {
            if (t.endsWith("*")) {
                String prefix = t.substring(0, t.length() - 1).toUpperCase(Locale.ROOT);
                return new AddressPattern(t, ip -> ip.toUpperCase(Locale.ROOT).startsWith(prefix));
            }
            String one = normal(exact(t, t));
            return new AddressPattern(t, ip -> one.equals(normal(ip)));
        }
        String[] parts = t.split("\\.", -1);
        if (parts.length != 4) {
            throw new IllegalArgumentException("'" + t + "' is not an IPv4 pattern of four parts");
        }
        if (parts[3].startsWith("{") && parts[3].endsWith("}")) {
            String prefix = parts[0] + "." + parts[1] + "." + parts[2] + ".";
            octet(parts[0], t);
            octet(parts[1], t);
            octet(parts[2], t);
            Set<String> last = new java.util.HashSet<>();
            for (String n : parts[3].substring(1, parts[3].length() - 1).split(",")) {
                last.add(Integer.toString(octet(n.trim(), t)));
            }
            return new AddressPattern(t, ip -> ip.startsWith(prefix) && last.contains(ip.substring(prefix.length())));
        }
        List<int[]> ranges = new ArrayList<>(); // per part: low, high
        boolean open = false;
        for (int i = 0; i < 4; i++) {
            String p = parts[i];
            if (open) {
                if (!p.equals("*")) {
                    throw new IllegalArgumentException("'" + t + "': after a '*' or a range only '*' may follow");
                }
                ranges.add(new int[] {0, 255});
            } else if (p.equals("*")) {
                if (i == 0) {
                    throw new IllegalArgumentException("'" + t + "': the first part cannot be '*' (use * for every address)");
                }
                open = true;
                ranges.add(new int[] {0, 255});
            } else if (p.contains("-")) {
                if (i == 0) {
                    throw new IllegalArgumentException("'" + t + "': the first part cannot be a range");
                }
                String[] lh = p.split("-", -1);
                int lo = octet(lh[0], t);
                int hi = lh.length == 2 ? octet(lh[1], t) : -1;
                if (hi < lo) {
                    throw new IllegalArgumentException("'" + t + "': the range " + p + " is empty or malformed");
                }
                open = true;
                ranges.add(new int[] {lo, hi});
            } else {
                int v = octet(p, t);
                ranges.add(new int[] {v, v});
            }
        }
        return new AddressPattern(t, ip -> {
            String[] q = ip.split("\\.", -1);
            if (q.length != 4) {
                return false;
            }
            for (int i = 0; i < 4; i++) {
                int v;
                try {
                    v = Integer.parseInt(q[i]);
                } catch (NumberFormatException e) {
                    return false;
                }
                if (v < ranges.get(i)[0] || v > ranges.get(i)[1]) {
                    return false;
                }
            }
            return true;
        });
    }

    private static int octet(String s, String pattern) {
        try {
            int v = Integer.parseInt(s);
            if (v >= 0 && v <= 255) {
                return v;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("'" + pattern + "': '" + s + "' is not a number from 0 to 255");
    }

    private static String exact(String address, String pattern) {
        if (address.isEmpty() || address.contains("*") || address.contains("-") && !address.contains(":")) {
            throw new IllegalArgumentException("'" + pattern + "': '" + address + "' is not a single address");
        }
        return address;
    }

    /** IPv6 in one spelling (upper case, :: expanded); IPv4 as given. */
    private static String normal(String ip) {
        if (!ip.contains(":")) {
            return ip;
        }
        try {
            return java.net.InetAddress.getByName(ip).getHostAddress().toUpperCase(Locale.ROOT);
        } catch (java.net.UnknownHostException e) {
            return ip.toUpperCase(Locale.ROOT);
        }
    }

    public boolean matches(String ip) {
        return ip != null && matcher.matches(ip);
    }

    @Override
    public String toString() {
        return text;
    }
}
