package io.quiver.acl;

import io.quiver.protocol.acl.AclSignature;
import io.quiver.protocol.message.TopicNames;
import java.util.Map;

/**
 * One account of plain_acl.yml. Group permissions are kept under the group's retry topic ({@code %RETRY%group}), as
 * RocketMQ keeps them, so a request that names a retry topic is judged by its group's permission.
 *
 * @param topicPerms by topic name
 * @param groupPerms by retry-topic name
 */
public record Account(String accessKey, String secretKey, AddressPattern whiteRemoteAddress, boolean admin,
                      int defaultTopicPerm, int defaultGroupPerm, Map<String, Integer> topicPerms,
                      Map<String, Integer> groupPerms, AclSignature.Signer signer) {

    public Account(String accessKey, String secretKey, AddressPattern whiteRemoteAddress, boolean admin,
                   int defaultTopicPerm, int defaultGroupPerm, Map<String, Integer> topicPerms,
                   Map<String, Integer> groupPerms) {
        this(accessKey, secretKey, whiteRemoteAddress, admin, defaultTopicPerm, defaultGroupPerm, topicPerms, groupPerms,
            AclSignature.Signer.of(secretKey));
    }

    /** What this account may do with {@code resource}: a topic, or a group's retry topic. */
    public int permOf(String resource) {
        if (TopicNames.isRetry(resource)) {
            Integer p = groupPerms.get(resource);
            return p != null ? p : defaultGroupPerm;
        }
        Integer p = topicPerms.get(resource);
        return p != null ? p : defaultTopicPerm;
    }

    @Override
    public String toString() { // never the secret
        return "Account[" + accessKey + (admin ? ", admin" : "") + "]";
    }
}
