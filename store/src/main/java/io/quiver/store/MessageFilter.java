package io.quiver.store;

import java.nio.ByteBuffer;

/** Decides which queue entries a reader receives: first by tag hash, then (optionally) by the record. */
public interface MessageFilter {
    MessageFilter ALL = new MessageFilter() {
        @Override
        public boolean matchesTagsCode(long tagsCode) {
            return true;
        }
    };

    boolean matchesTagsCode(long tagsCode);

    /** A second check on the full record, for filters that need properties; true by default. */
    default boolean matchesRecord(ByteBuffer record) {
        return true;
    }
}
