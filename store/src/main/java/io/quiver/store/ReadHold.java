package io.quiver.store;

import java.util.Arrays;

/**
 * The segments one reader keeps mapped while it uses views of them (a pull reply on its way to the
 * socket, a look at one record). {@link #release()} gives them back; it is idempotent. Owned by one reader
 * thread at a time; handed with the views it protects to whoever writes them out.
 */
public final class ReadHold {
    /** A hold that holds nothing (results without views). */
    public static final ReadHold NONE = new ReadHold();

    private MappedSegment[] held = new MappedSegment[2];
    private int count;
    private boolean released;

    /** Retains {@code seg} unless already held; false if the segment is gone (deleted and released). */
    boolean hold(MappedSegment seg) {
        for (int i = count - 1; i >= 0; i--) {
            if (held[i] == seg) {
                return true;
            }
        }
        if (this == NONE || !seg.retain()) {
            return false;
        }
        if (count == held.length) {
            held = Arrays.copyOf(held, count * 2);
        }
        held[count++] = seg;
        return true;
    }

    /** Gives every held segment back; later calls do nothing. */
    public void release() {
        if (released) {
            return;
        }
        released = true;
        for (int i = 0; i < count; i++) {
            held[i].release();
            held[i] = null;
        }
        count = 0;
    }

    /** Segments held now; for tests. */
    int size() {
        return count;
    }
}
