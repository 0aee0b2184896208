package io.quiver.protocol.body;

/** A version stamp of a broker's topic table; changes whenever a topic changes. */
public final class DataVersion {
    public long timestamp;
    public long counter;

    public DataVersion() {}

    public DataVersion(long timestamp, long counter) {
        this.timestamp = timestamp;
        this.counter = counter;
    }

    public DataVersion copy() {
        return new DataVersion(timestamp, counter);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DataVersion v && v.timestamp == timestamp && v.counter == counter;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(timestamp) * 31 + Long.hashCode(counter);
    }
}
