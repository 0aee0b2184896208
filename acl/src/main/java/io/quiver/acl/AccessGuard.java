package io.quiver.acl;

import io.quiver.protocol.RemotingCommand;
import io.quiver.protocol.acl.AclSignature;
import java.util.function.Supplier;

/**
 * Decides whether a remoting request may be served under the current rules, in RocketMQ's order: an address on the
 * global white list passes; otherwise the request must name a known account ({@code AccessKey}); an address on that
 * account's white list passes; otherwise its {@code Signature} must match; then an admin account may do anything, and
 * any other account needs what {@link Needs} lists. A refusal says what is missing or wrong, never a secret.
 */
public final class AccessGuard {
    private final Supplier<AclRules> rules;

    /** @param rules the rules in force, asked per request (a reloaded file takes effect at once) */
    public AccessGuard(Supplier<AclRules> rules) {
        this.rules = rules;
    }

    /** Null when {@code req} from {@code remoteIp} may be served; otherwise why not. */
    public String refusal(RemotingCommand req, String remoteIp) {
        AclRules r = rules.get();
        if (globallyWhite(r, remoteIp)) {
            return null;
        }
        String ak = req.ext(AclSignature.ACCESS_KEY);
        if (ak == null || ak.isEmpty()) {
            return "no AccessKey: ACL is on, sign requests with an account of the broker's ACL file (AclClientRPCHook)";
        }
        Account a = r.accounts().get(ak);
        if (a == null) {
            return "no account has the AccessKey " + printable(ak);
        }
        if (a.whiteRemoteAddress().matches(remoteIp)) {
            return null;
        }
        String given = req.ext(AclSignature.SIGNATURE);
        if (given == null || given.isEmpty()) {
            return "the request of AccessKey " + ak + " has no Signature";
        }
        byte[] content = AclSignature.content(req.extFields(), req.body(), req.version());
        if (!AclSignature.same(AclSignature.sign(content, a.secretKey()), given)) {
            return "the Signature does not match for AccessKey " + ak + " (a wrong secret key, or a request changed after signing)";
        }
        if (a.admin()) {
            return null;
        }
        Needs needs = Needs.of(req);
        if (needs.admin()) {
            return "request code " + req.code() + " needs an admin account; AccessKey " + ak + " is not one";
        }
        for (Needs.Need n : needs.resources()) {
            int owned = a.permOf(n.resource());
            if (!Perm.allows(owned, n.perm())) {
                boolean group = io.quiver.protocol.message.TopicNames.isRetry(n.resource());
                String name = group ? "group " + n.resource().substring(io.quiver.protocol.message.TopicNames.RETRY_PREFIX
                    .length()) : "topic " + n.resource();
                return "AccessKey " + ak + " may not " + (n.perm() == Perm.PUB ? "publish to " : "subscribe to ") + name
                    + " (it has " + Perm.name(owned) + ")";
            }
        }
        return null;
    }

    /**
     * Null when a gRPC call with these headers from {@code remoteIp} may be served; otherwise why not. The SDKs send
     * {@code authorization: MQv2-HMAC-SHA1 Credential=<AccessKey>, SignedHeaders=x-mq-date-time, Signature=<hex>}, the
     * HMAC-SHA1 of the {@code x-mq-date-time} value. Until permissions per topic and group are checked for gRPC calls,
     * only admin accounts (and white-listed addresses) may make them.
     */
    public String grpcRefusal(String authorization, String dateTime, String remoteIp) {
        AclRules r = rules.get();
        if (globallyWhite(r, remoteIp)) {
            return null;
        }
        if (authorization == null || authorization.isBlank()) {
            return "no authorization header: ACL is on; give the SDK an account's keys (a credential provider)";
        }
        String ak = null;
        String signature = null;
        int space = authorization.indexOf(' ');
        for (String part : authorization.substring(space + 1).split(",")) {
            String p = part.trim();
            if (p.startsWith("Credential=")) {
                ak = p.substring("Credential=".length()).split("/", 2)[0].trim();
            } else if (p.startsWith("Signature=")) {
                signature = p.substring("Signature=".length()).trim();
            }
        }
        if (ak == null || ak.isEmpty()) {
            return "the authorization header names no Credential";
        }
        Account a = r.accounts().get(ak);
        if (a == null) {
            return "no account has the AccessKey " + printable(ak);
        }
        if (a.whiteRemoteAddress().matches(remoteIp)) {
            return null;
        }
        if (signature == null || signature.isEmpty()) {
            return "the authorization header of AccessKey " + ak + " has no Signature";
        }
        if (dateTime == null || dateTime.isEmpty()) {
            return "no x-mq-date-time header, which the signature of AccessKey " + ak + " covers";
        }
        if (!AclSignature.same(AclSignature.signGrpc(dateTime, a.secretKey()), signature.toUpperCase(java.util.Locale.ROOT))) {
            return "the Signature does not match for AccessKey " + ak + " (a wrong secret key)";
        }
        if (!a.admin()) {
            return "AccessKey " + ak + " is not an admin account: while ACL is on, gRPC calls need one (permissions per "
                + "topic and group are not checked for gRPC calls yet)";
        }
        return null;
    }

    private static boolean globallyWhite(AclRules r, String ip) {
        for (AddressPattern p : r.globalWhiteRemoteAddresses()) {
            if (p.matches(ip)) {
                return true;
            }
        }
        return false;
    }

    /** An access key as it may be shown: at most 64 characters, control characters replaced. */
    private static String printable(String s) {
        String t = s.length() > 64 ? s.substring(0, 64) + "..." : s;
        return t.replaceAll("\\p{Cntrl}", "?");
    }
}
