package io.quiver.protocol.body;

import java.util.LinkedHashSet;
import java.util.Set;

/** A consumer's subscription to one topic (fact sheet §4.1). */
public final class SubscriptionData {
    public static final String SUB_ALL = "*";
    public static final String TAG = "TAG";
    public static final String SQL92 = "SQL92";

    public boolean classFilterMode;
    public String topic;
    public String subString;
    public Set<String> tagsSet = new LinkedHashSet<>();
    public Set<Integer> codeSet = new LinkedHashSet<>();
    public long subVersion;
    public String expressionType = TAG;

    public boolean matchesAll() {
        return subString == null || subString.isBlank() || SUB_ALL.equals(subString.trim());
    }

    /** True for an SQL92 subscription; an absent or empty type means TAG, as for official brokers. */
    public boolean isSql92() {
        return SQL92.equalsIgnoreCase(expressionType);
    }

    /**
     * What keeps the broker from storing this subscription, phrased to follow "subscription ...", or null: it
     * needs a topic and tag sets without nulls (an SQL92 one may leave them empty). The expression is
     * {@link #expressionProblem()}'s concern.
     */
    public String shapeProblem() {
        if (topic == null || topic.isBlank()) {
            return "has no topic";
        }
        if (tagsSet == null || codeSet == null) {
            return "(topic " + topic + ") has a null " + (tagsSet == null ? "tagsSet" : "codeSet") + " (send [] for none)";
        }
        if (tagsSet.contains(null) || codeSet.contains(null)) {
            return "(topic " + topic + ") has a null entry in its " + (tagsSet.contains(null) ? "tagsSet" : "codeSet");
        }
        return null;
    }

    /**
     * Why the expression cannot be used, or null: the type must be TAG or SQL92 (any case; absent or empty
     * means TAG, as official brokers read it), and an SQL92 subscription needs an expression. Whether the SQL
     * parses is the filter's concern.
     */
    public String expressionProblem() {
        if (expressionType != null && !expressionType.isEmpty() && !TAG.equalsIgnoreCase(expressionType) && !isSql92()) {
            return "expression type '" + expressionType + "' is neither TAG nor SQL92";
        }
        if (isSql92() && (subString == null || subString.isBlank())) {
            return "the SQL92 subscription has no expression";
        }
        return null;
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
