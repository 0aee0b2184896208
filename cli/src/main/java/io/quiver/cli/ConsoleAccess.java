package io.quiver.cli;

import io.quiver.acl.Account;
import io.quiver.acl.AclFile;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;

/**
 * Who may use the console, and as whom it then talks to the cluster. Without credentials: read-only, and only from
 * the console's own host (loopback) under a local name (Host localhost, 127.0.0.1 or [::1], so a page of another site
 * cannot read it through a DNS name it points at this host). With HTTP Basic credentials (an access key and its secret key): they must be an
 * admin account of the ACL file ({@code plain_acl.yml}); then everything, from any host, and the console signs its
 * requests to the cluster as that account (so brokers with ACL check them as well).
 */
final class ConsoleAccess {
    /** What a request may do: {@code status} 0 when allowed, else the HTTP status and the reason. */
    record Decision(int status, String reason, boolean canWrite, String accessKey, String secretKey) {
        boolean allowed() {
            return status == 0;
        }

        static Decision refuse(int status, String reason) {
            return new Decision(status, reason, false, null, null);
        }
    }

    private final AclFile accounts;

    /** {@code accounts}: the ACL file whose admin accounts may sign in, or null when there is none. */
    ConsoleAccess(AclFile accounts) {
        this.accounts = accounts;
    }

    String accountsPath() {
        return accounts == null ? null : accounts.path().toString();
    }

    /** Whether {@code host} (the Host header) names this machine's loopback, as a browser on it sends it. */
    static boolean localHostHeader(String host) {
        if (host == null) {
            return false;
        }
        String h = host.trim().toLowerCase(java.util.Locale.ROOT);
        if (h.startsWith("[")) {
            return h.startsWith("[::1]");
        }
        int colon = h.indexOf(':');
        String name = colon < 0 ? h : h.substring(0, colon);
        return name.equals("localhost") || name.equals("127.0.0.1");
    }

    Decision decide(InetAddress remote, String host, String authorization, boolean write) {
        String[] creds = basic(authorization);
        if (authorization != null && creds == null) {
            return Decision.refuse(401, "the Authorization header is not HTTP Basic credentials (access key:secret key)");
        }
        if (creds == null) {
            if (remote == null || !remote.isLoopbackAddress() || !localHostHeader(host)) {
                return Decision.refuse(401, "from another host the console needs an admin account: sign in with the "
                    + "access key and secret key of an admin account of plain_acl.yml");
            }
            if (write) {
                return Decision.refuse(401, "changes need an admin account: sign in with the access key and secret key "
                    + "of an admin account of plain_acl.yml");
            }
            return new Decision(0, null, false, null, null);
        }
        if (accounts == null) {
            return Decision.refuse(401, "this console has no accounts to check credentials against (start it with "
                + "--acl-file, or give the broker a plain_acl.yml)");
        }
        accounts.reloadIfChanged();
        Account a = accounts.rules().accounts().get(creds[0]);
        if (a == null || !MessageDigest.isEqual(a.secretKey().getBytes(StandardCharsets.UTF_8),
            creds[1].getBytes(StandardCharsets.UTF_8))) {
            return Decision.refuse(401, "unknown access key or wrong secret key");
        }
        if (!a.admin()) {
            return Decision.refuse(403, "account " + creds[0] + " is not an admin account (admin: true in "
                + accounts.path() + ")");
        }
        return new Decision(0, null, true, creds[0], creds[1]);
    }

    /** {@code {accessKey, secretKey}} of an HTTP Basic header, or null. */
    static String[] basic(String header) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6) || header.length() > 2048) {
            return null;
        }
        try {
            String s = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
            int colon = s.indexOf(':');
            return colon <= 0 ? null : new String[] {s.substring(0, colon), s.substring(colon + 1)};
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
