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
        if (!AclSignature.same(a.signer().sign(req.extFields(), req.body(), req.version()), given)) {
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
            String no = refusal(a, n.resource(), n.perm());
            if (no != null) {
                return no;
            }
        }
        return null;
    }

    /**
     * The outcome of a gRPC call's authentication: a refusal, or the account whose permissions apply (null: every
     * permission, for an admin account or a white-listed address).
     */
    public record GrpcDecision(String refusal, Account account) {
        static GrpcDecision refuse(String why) {
            return new GrpcDecision(why, null);
        }
    }

    static final GrpcDecision EVERYTHING = new GrpcDecision(null, null);

    /**
     * Authenticates a gRPC call with these headers from {@code remoteIp}. The SDKs send
     * {@code authorization: MQv2-HMAC-SHA1 Credential=<AccessKey>, SignedHeaders=x-mq-date-time, Signature=<hex>}, the
     * HMAC-SHA1 of the {@code x-mq-date-time} value; each call is then checked with {@link #refusal(Account, String, int)}.
     */
    public GrpcDecision grpcDecision(String authorization, String dateTime, String remoteIp) {
        AclRules r = rules.get();
        if (globallyWhite(r, remoteIp)) {
            return EVERYTHING;
        }
        if (authorization == null || authorization.isBlank()) {
            return GrpcDecision.refuse("no authorization header: ACL is on; give the SDK an account's keys (a credential "
                + "provider)");
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
            return GrpcDecision.refuse("the authorization header names no Credential");
        }
        Account a = r.accounts().get(ak);
        if (a == null) {
            return GrpcDecision.refuse("no account has the AccessKey " + printable(ak));
        }
        if (a.whiteRemoteAddress().matches(remoteIp)) {
            return EVERYTHING;
        }
        if (signature == null || signature.isEmpty()) {
            return GrpcDecision.refuse("the authorization header of AccessKey " + ak + " has no Signature");
        }
        if (dateTime == null || dateTime.isEmpty()) {
            return GrpcDecision.refuse("no x-mq-date-time header, which the signature of AccessKey " + ak + " covers");
        }
        if (!AclSignature.same(a.signer().signGrpc(dateTime),
            signature.toUpperCase(java.util.Locale.ROOT))) {
            return GrpcDecision.refuse("the Signature does not match for AccessKey " + ak + " (a wrong secret key)");
        }
        return a.admin() ? EVERYTHING : new GrpcDecision(null, a);
    }

    /**
     * Why {@code a} may not have {@code perm} ({@link Perm#PUB}, {@link Perm#SUB} or {@link Perm#ANY}) on a topic, or on
     * a group named by its retry topic; null when it may (always for a null account).
     */
    public static String refusal(Account a, String resource, int perm) {
        if (a == null || a.admin()) {
            return null;
        }
        int owned = a.permOf(resource);
        if (Perm.allows(owned, perm)) {
            return null;
        }
        boolean group = io.quiver.protocol.message.TopicNames.isRetry(resource);
        String name = group ? "group " + resource.substring(io.quiver.protocol.message.TopicNames.RETRY_PREFIX.length())
            : "topic " + resource;
        String verb = perm == Perm.PUB ? "publish to " : perm == Perm.SUB ? "subscribe to " : "use ";
        return "AccessKey " + a.accessKey() + " may not " + verb + name + " (it has " + Perm.name(owned) + ")";
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
