package io.quiver.controller;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The bytes of controller commands in the replicated log and of their results, in one place: a type byte, then
 * the fields big-endian, strings as modified UTF-8 ({@link DataOutputStream#writeUTF}). Decoding checks every count
 * against {@link ControllerState}'s bounds and throws {@link IllegalArgumentException} naming what is wrong.
 */
public final class CommandCodec {
    private static final byte REGISTER = 1;
    private static final byte ELECT = 2;
    private static final byte ALTER_IN_SYNC = 3;

    private CommandCodec() {}

    public static byte[] encode(ControllerCommand c) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            if (c instanceof ControllerCommand.Register r) {
                out.writeByte(REGISTER);
                group(out, c);
                out.writeUTF(r.address());
                out.writeLong(r.preferredId());
            } else if (c instanceof ControllerCommand.Elect e) {
                out.writeByte(ELECT);
                group(out, c);
                out.writeInt(e.alive().size());
                for (Map.Entry<Long, Long> a : new java.util.TreeMap<>(e.alive()).entrySet()) {
                    out.writeLong(a.getKey());
                    out.writeLong(a.getValue());
                }
                out.writeBoolean(e.allowUnclean());
            } else {
                ControllerCommand.AlterInSync a = (ControllerCommand.AlterInSync) c;
                out.writeByte(ALTER_IN_SYNC);
                group(out, c);
                out.writeLong(a.masterId());
                out.writeLong(a.masterEpoch());
                ids(out, a.inSync());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ControllerCommand decode(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            byte type = in.readByte();
            String cluster = in.readUTF();
            String broker = in.readUTF();
            ControllerCommand c = switch (type) {
                case REGISTER -> new ControllerCommand.Register(cluster, broker, in.readUTF(), in.readLong());
                case ELECT -> {
                    int n = count(in.readInt(), "alive brokers");
                    Map<Long, Long> alive = new HashMap<>();
                    for (int i = 0; i < n; i++) {
                        long id = in.readLong();
                        if (alive.put(id, in.readLong()) != null) {
                            throw new IllegalArgumentException("the alive brokers list broker " + id + " twice");
                        }
                    }
                    yield new ControllerCommand.Elect(cluster, broker, alive, in.readBoolean());
                }
                case ALTER_IN_SYNC -> new ControllerCommand.AlterInSync(cluster, broker, in.readLong(), in.readLong(),
                    readIds(in));
                default -> throw new IllegalArgumentException("unknown controller command type " + type);
            };
            if (in.available() > 0) {
                throw new IllegalArgumentException("controller command has " + in.available() + " bytes too many");
            }
            return c;
        } catch (IOException e) {
            throw new IllegalArgumentException("controller command is truncated", e);
        }
    }

    /** A result: accepted flag, refusal, assigned id, and the group afterwards (if any). */
    public static byte[] encode(ControllerState.Result r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeBoolean(r.refusal() != null);
            if (r.refusal() != null) {
                out.writeUTF(r.refusal());
            }
            out.writeLong(r.assignedId());
            out.writeBoolean(r.group() != null);
            if (r.group() != null) {
                writeGroup(out, r.group());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static ControllerState.Result decodeResult(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            String refusal = in.readBoolean() ? in.readUTF() : null;
            long assigned = in.readLong();
            GroupState g = in.readBoolean() ? readGroup(in) : null;
            return new ControllerState.Result(g, refusal, assigned);
        } catch (IOException e) {
            throw new IllegalArgumentException("controller result is truncated", e);
        }
    }

    /** Every group, for a snapshot of the state: a count, then each group. */
    public static byte[] encodeSnapshot(java.util.Collection<GroupState> groups) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(groups.size());
            for (GroupState g : groups) {
                writeGroup(out, g);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    public static java.util.List<GroupState> decodeSnapshot(byte[] b) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(b))) {
            int n = in.readInt();
            if (n < 0 || n > ControllerState.MAX_GROUPS) {
                throw new IllegalArgumentException("snapshot group count " + n + " is out of range");
            }
            java.util.List<GroupState> out = new java.util.ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(readGroup(in));
            }
            if (in.available() > 0) {
                throw new IllegalArgumentException("snapshot has " + in.available() + " bytes too many");
            }
            return out;
        } catch (IOException e) {
            throw new IllegalArgumentException("snapshot is truncated", e);
        }
    }

    private static void writeGroup(DataOutputStream out, GroupState g) throws IOException {
        out.writeUTF(g.cluster());
        out.writeUTF(g.brokerName());
        out.writeInt(g.replicas().size());
        for (Map.Entry<Long, String> e : g.replicas().entrySet()) {
            out.writeLong(e.getKey());
            out.writeUTF(e.getValue());
        }
        out.writeLong(g.masterId());
        out.writeLong(g.masterEpoch());
        ids(out, g.inSync());
        out.writeLong(g.inSyncEpoch());
    }

    private static GroupState readGroup(DataInputStream in) throws IOException {
        String cluster = in.readUTF();
        String broker = in.readUTF();
        int n = count(in.readInt(), "replicas");
        Map<Long, String> replicas = new HashMap<>();
        for (int i = 0; i < n; i++) {
            long id = in.readLong();
            if (replicas.put(id, in.readUTF()) != null) {
                throw new IllegalArgumentException("the replicas list broker " + id + " twice");
            }
        }
        return new GroupState(cluster, broker, replicas, in.readLong(), in.readLong(), readIds(in), in.readLong());
    }

    private static void group(DataOutputStream out, ControllerCommand c) throws IOException {
        out.writeUTF(c.cluster());
        out.writeUTF(c.brokerName());
    }

    private static void ids(DataOutputStream out, Set<Long> ids) throws IOException {
        out.writeInt(ids.size());
        for (long id : new java.util.TreeSet<>(ids)) {
            out.writeLong(id);
        }
    }

    private static Set<Long> readIds(DataInputStream in) throws IOException {
        int n = count(in.readInt(), "in-sync brokers");
        Set<Long> ids = new HashSet<>();
        for (int i = 0; i < n; i++) {
            long id = in.readLong();
            if (!ids.add(id)) {
                throw new IllegalArgumentException("the in-sync brokers list broker " + id + " twice");
            }
        }
        return ids;
    }

    private static int count(int n, String what) {
        if (n < 0 || n > ControllerState.MAX_REPLICAS) {
            throw new IllegalArgumentException(what + " count " + n + " is out of range (0.." + ControllerState.MAX_REPLICAS + ")");
        }
        return n;
    }
}
