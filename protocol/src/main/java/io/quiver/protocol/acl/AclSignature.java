package io.quiver.protocol.acl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The request signatures of RocketMQ's ACL 1.0, as the official clients compute them: the remoting clients'
 * {@code AclClientRPCHook} and the gRPC SDKs' {@code authorization} header. The wire facts are in
 * {@code docs/research/acl.md}.
 *
 * <p>Remoting: the header fields {@code AccessKey} (and {@code SecurityToken}) are added to the request's fields before
 * signing, so they are signed too; every field but {@code Signature} is taken in the order of its name, the values (not
 * the names) joined without separators as UTF-8, then the body; the signature is the Base64 of their HMAC-SHA1 under
 * the secret key. gRPC: the HMAC-SHA1 of the {@code x-mq-date-time} header's value, in upper-case hex.
 */
public final class AclSignature {
    public static final String ACCESS_KEY = "AccessKey";
    public static final String SIGNATURE = "Signature";
    public static final String SECURITY_TOKEN = "SecurityToken";
    /** A field clients up to 4.9.3 added after signing; it is left out of their requests' content only. */
    public static final String UNIQUE_KEY_QUERY = "_UNIQUE_KEY_QUERY";
    /** The version number of client 4.9.3, the last whose {@link #UNIQUE_KEY_QUERY} is not signed. */
    public static final int V4_9_3 = 399;
    private static final String HMAC_SHA1 = "HmacSHA1";

    private AclSignature() {}

    /** The signed content of a remoting request with header fields {@code fields}, from a client of {@code version}. */
    public static byte[] content(Map<String, String> fields, byte[] body, int version) {
        byte[] head = values(fields, version);
        if (body == null || body.length == 0) {
            return head;
        }
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** The signed field values, in the order of their names, as UTF-8. */
    private static byte[] values(Map<String, String> fields, int version) {
        StringBuilder values = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(fields).entrySet()) {
            if (SIGNATURE.equals(e.getKey()) || UNIQUE_KEY_QUERY.equals(e.getKey()) && version <= V4_9_3) {
                continue;
            }
            if (e.getValue() != null) {
                values.append(e.getValue());
            }
        }
        return values.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A remoting signature: Base64 of the HMAC-SHA1 of {@code content} under {@code secretKey}. */
    public static String sign(byte[] content, String secretKey) {
        return Base64.getEncoder().encodeToString(hmac(content, secretKey));
    }

    /** A gRPC signature: the HMAC-SHA1 of the {@code x-mq-date-time} value under {@code secretKey}, upper-case hex. */
    public static String signGrpc(String dateTime, String secretKey) {
        return HexFormat.of().withUpperCase().formatHex(hmac(dateTime.getBytes(StandardCharsets.UTF_8), secretKey));
    }

    private static byte[] hmac(byte[] content, String secretKey) {
        try {
            Mac mac = Mac.getInstance(HMAC_SHA1);
            mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
            return mac.doFinal(content);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    }

    /**
     * Signs with one secret key many times: the key is set up once (an HMAC's key schedule is most of the cost of
     * signing a small request), each signature works on a copy. Thread-safe.
     */
    public static final class Signer {
        private final Mac prototype;

        private Signer(Mac prototype) {
            this.prototype = prototype;
        }

        public static Signer of(String secretKey) {
            try {
                Mac mac = Mac.getInstance(HMAC_SHA1);
                mac.init(new SecretKeySpec(secretKey.getBytes(StandardCharsets.UTF_8), HMAC_SHA1));
                return new Signer(mac);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
            }
        }

        private Mac mac() {
            try {
                return (Mac) prototype.clone();
            } catch (CloneNotSupportedException e) {
                throw new IllegalStateException("this JVM's HmacSHA1 cannot be copied", e);
            }
        }

        /** The remoting signature of a request with header fields {@code fields} and {@code body}; see {@link #content}. */
        public String sign(Map<String, String> fields, byte[] body, int version) {
            Mac mac = mac();
            mac.update(values(fields, version));
            if (body != null) {
                mac.update(body);
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        }

        /** Signs {@code req} as {@code accessKey}: adds its AccessKey field, then the Signature over every field and the body. */
        public void signRequest(io.quiver.protocol.RemotingCommand req, String accessKey) {
            req.putExt(ACCESS_KEY, accessKey);
            req.putExt(SIGNATURE, sign(req.extFields(), req.body(), req.version()));
        }

        /** The gRPC signature of {@code dateTime}; see {@link #signGrpc}. */
        public String signGrpc(String dateTime) {
            return HexFormat.of().withUpperCase().formatHex(mac().doFinal(dateTime.getBytes(StandardCharsets.UTF_8)));
        }
    }

    /** Whether two signatures are equal, in time that does not depend on where they differ. */
    public static boolean same(String expected, String given) {
        if (expected == null || given == null) {
            return false;
        }
        return java.security.MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
            given.getBytes(StandardCharsets.UTF_8));
    }
}
