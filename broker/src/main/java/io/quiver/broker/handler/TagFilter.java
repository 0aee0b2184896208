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

    /** A bounded cache of compiled SQL92 expressions, shared by all pulls. */
    private static final java.util.Map<String, io.quiver.broker.filter.SqlFilter> SQL_CACHE =
        new java.util.concurrent.ConcurrentHashMap<>();
    static final int MAX_CACHED_SQL = 10_000;

    /** Compiles (or reuses) an SQL92 filter; throws IllegalArgumentException with the reason (also for null). */
    static io.quiver.broker.filter.SqlFilter sql(String expression) {
        if (expression == null) {
            return io.quiver.broker.filter.SqlFilter.compile(null); // refused with its reason; a cache key cannot be null
        }
        io.quiver.broker.filter.SqlFilter f = SQL_CACHE.get(expression);
        if (f == null) {
            f = io.quiver.broker.filter.SqlFilter.compile(expression);
            if (SQL_CACHE.size() >= MAX_CACHED_SQL) {
                SQL_CACHE.clear();
            }
            SQL_CACHE.put(expression, f);
        }
        return f;
    }

    /** A filter evaluating an SQL92 expression over each record's properties. */
    static MessageFilter ofSql(io.quiver.broker.filter.SqlFilter sql) {
        return new MessageFilter() {
            @Override
            public boolean matchesTagsCode(long tagsCode) {
                return true;
            }

            @Override
            public boolean matchesRecord(java.nio.ByteBuffer record) {
                return sql.matches(io.quiver.protocol.message.MessageProperties.parse(
                    io.quiver.protocol.message.MessageRecord.propertiesOf(record)));
            }
        };
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
