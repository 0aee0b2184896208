package io.quiver.protocol.body;

import java.util.LinkedHashSet;
import java.util.Set;

/** A consumer's subscription to one topic (fact sheet §4.1). */
public final class SubscriptionData {
    public static final String SUB_ALL = "*";

    public boolean classFilterMode;
    public String topic;
    public String subString;
    public Set<String> tagsSet = new LinkedHashSet<>();
    public Set<Integer> codeSet = new LinkedHashSet<>();
    public long subVersion;
    public String expressionType = "TAG";

    public boolean matchesAll() {
        return subString == null || subString.isBlank() || SUB_ALL.equals(subString.trim());
    }

    /** Builds a TAG subscription from its expression ({@code *} or tags joined by two pipe characters). */
    public static SubscriptionData ofTags(String topic, String expression, long subVersion) {
        SubscriptionData s = new SubscriptionData();
        s.topic = topic;
        s.subVersion = subVersion;
        s.subString = expression == null || expression.isBlank() ? SUB_ALL : expression.trim();
        if (!s.matchesAll()) {
            for (String tag : s.subString.split("\\|\\|")) {
                String t = tag.trim();
                if (!t.isEmpty()) {
                    s.tagsSet.add(t);
                    s.codeSet.add(t.hashCode());
                }
            }
        }
        return s;
    }
}
