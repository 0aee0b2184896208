package io.quiver.protocol.message;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/** Message bodies as the producer gave them: a body the client compressed (zlib, sysFlag bit 0) inflated. */
public final class Bodies {
    /** Most bytes a body is inflated to where no smaller bound applies (a 4 MiB body of zeros is far less). */
    public static final int MAX_INFLATED_BYTES = 64 * 1024 * 1024;

    private Bodies() {
    }

    /**
     * The body of {@code m}, inflated when its compressed flag is set, never more than {@code maxBytes}; a
     * body that is not zlib after all is returned as stored.
     */
    public static byte[] uncompressed(DecodedMessage m, int maxBytes) {
        if (m.body == null) {
            return new byte[0];
        }
        if ((m.sysFlag & MessageSysFlag.COMPRESSED) == 0) {
            return m.body;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(m.body);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, m.body.length * 4));
            byte[] chunk = new byte[8192];
            while (!inflater.finished() && out.size() < maxBytes) {
                int n = inflater.inflate(chunk, 0, Math.min(chunk.length, maxBytes - out.size()));
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
                out.write(chunk, 0, n);
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            return m.body;
        } finally {
            inflater.end();
        }
    }
}
