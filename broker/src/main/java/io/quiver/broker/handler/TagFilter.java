package io.quiver.broker.handler;

import io.quiver.protocol.body.SubscriptionData;
import io.quiver.store.MessageFilter;
import java.util.Set;

/** Broker-side tag filtering (fact sheet §6.4): a queue entry matches if its tag hash is in the code set. */
final class TagFilter implements MessageFilter {
    private final Set<Integer> codes;

    private TagFilter(Set<Integer> codes) {
        this.codes = codes;
    }

    static MessageFilter of(SubscriptionData s) {
        if (s == null || s.matchesAll()) {
            return MessageFilter.ALL;
        }
        return new TagFilter(Set.copyOf(s.codeSet));
    }

    @Override
    public boolean matchesTagsCode(long tagsCode) {
        return codes.contains((int) tagsCode);
    }
}
