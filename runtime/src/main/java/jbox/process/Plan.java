package jbox.process;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import jbox.JboxException;
import jbox.Operation;

/**
 * What the container init does between clone() and execve(): an ordered list of small steps the
 * shim executes without knowing why. Each step keeps a human description ("mount proc on /proc")
 * so a failure reported as (step index, errno) becomes one precise line.
 */
public final class Plan {
    /**
     * A string argument known only after clone (the state JSON a hook reads, with the init's pid):
     * set before the plan is encoded and sent.
     */
    public static final class Later {
        private volatile String value = "";

        public void set(String v) {
            value = v;
        }

        @Override
        public String toString() {
            return value;
        }
    }

    /** One step: op from Protocol, args are String, Long, byte[] or Later, {@code what} names it for errors. */
    public record Step(int op, List<Object> args, String what) {
        /** What kind of call the step makes, for an error's hint; null for steps that have no hints. */
        public Operation operation() {
            switch (op & ~Protocol.OPTIONAL_STEP) {
                case Protocol.OP_MOUNT:
                    long flags = args.size() > 3 && args.get(3) instanceof Long l ? l : 0;
                    boolean bind = (flags & MountOptions.MS_BIND) != 0 && (flags & MountOptions.MS_REMOUNT) == 0;
                    return bind ? Operation.BIND_MOUNT : Operation.MOUNT;
                case Protocol.OP_MOUNT_SETATTR:
                    return Operation.MOUNT_SETATTR;
                case Protocol.OP_MOVE_MOUNT:
                    return Operation.IDMAP_MOUNT;
                default:
                    return null;
            }
        }
    }

    /** A host tree the shim idmaps with the container's user namespace (MSG_IDMAP), for an OP_MOVE_MOUNT. */
    public record Idmap(String source, boolean recursive) {
        /** MSG_IDMAP's payload: u32 at-flags, the path NUL-terminated. */
        public byte[] encode() {
            byte[] path = source.getBytes(StandardCharsets.UTF_8);
            ByteBuffer b = ByteBuffer.allocate(4 + path.length + 1).order(ByteOrder.LITTLE_ENDIAN);
            b.putInt(recursive ? (int) MountOptions.AT_RECURSIVE : 0).put(path).put((byte) 0);
            return b.array();
        }
    }

    private final List<Step> steps = new ArrayList<>();
    private final List<Idmap> idmaps = new ArrayList<>();

    /** What the shim must idmap before the plan runs, in OP_MOVE_MOUNT's index order. */
    public List<Idmap> idmaps() {
        return Collections.unmodifiableList(idmaps);
    }

    /**
     * An idmapped bind mount of host {@code source} (with what is mounted below it if recursive) on
     * {@code target}: the shim makes it with the container's user namespace, the init attaches it.
     */
    public Plan idmappedBind(String source, boolean recursive, String target, String what) throws JboxException {
        if (idmaps.size() >= Protocol.MAX_MOUNT_FDS) {
            throw new JboxException("too many idmapped mounts: at most " + Protocol.MAX_MOUNT_FDS
                    + " (use :noidmap on some volumes)");
        }
        idmaps.add(new Idmap(source, recursive));
        return add(Protocol.OP_MOVE_MOUNT, what, (long) (idmaps.size() - 1), target);
    }

    public List<Step> steps() {
        return Collections.unmodifiableList(steps);
    }

    public Step step(long index) {
        return index >= 0 && index < steps.size() ? steps.get((int) index) : null;
    }

    public Plan add(int op, String what, Object... args) {
        for (Object a : args) {
            if (!(a instanceof String) && !(a instanceof Long) && !(a instanceof byte[]) && !(a instanceof Later)) {
                throw new IllegalArgumentException("plan arguments are strings, longs or bytes, not " + a);
            }
        }
        steps.add(new Step(op, List.of(args), what));
        return this;
    }

    public Plan mount(String source, String target, String type, long flags, String data, String what) {
        return add(Protocol.OP_MOUNT, what, source, target, type, flags, data);
    }

    /**
     * mount_setattr(AT_RECURSIVE): the MOUNT_ATTR_* {@code attrs} on {@code target} and every mount
     * below it. A remount with MS_RDONLY changes only the top mount of a recursive bind; the
     * mounts it carried along (/sys/fs/cgroup/* under /sys) would stay writable.
     */
    public Plan setAttrsRecursively(int optional, String target, long attrs, String what) {
        return add(Protocol.OP_MOUNT_SETATTR | optional, what, target, MountOptions.AT_RECURSIVE, attrs, 0L);
    }

    public Plan mkdir(String path, long mode, String what) {
        return add(Protocol.OP_MKDIR, what, path, mode);
    }

    /** mkdir, and a directory this step creates (never an existing one) is chowned to uid:gid. */
    public Plan mkdirOwned(String path, long mode, long uid, long gid, String what) {
        return add(Protocol.OP_MKDIR, what, path, mode, uid, gid);
    }

    public Plan mkfile(String path, long mode, String what) {
        return add(Protocol.OP_MKFILE, what, path, mode);
    }

    public Plan symlink(String target, String linkPath, String what) {
        return add(Protocol.OP_SYMLINK, what, target, linkPath);
    }

    public Plan exec(List<String> argv, List<String> env, String what) {
        Object[] args = new Object[1 + argv.size() + env.size()];
        args[0] = (long) argv.size();
        int i = 1;
        for (String a : argv) {
            args[i++] = a;
        }
        for (String e : env) {
            args[i++] = e;
        }
        return add(Protocol.OP_EXEC, what, args);
    }

    /** The wire form (protocol.h): u32 count, then per step u32 op, u32 argc, args. */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        writeU32(out, b, steps.size());
        for (Step s : steps) {
            writeU32(out, b, s.op());
            writeU32(out, b, s.args().size());
            for (Object a : s.args()) {
                if (a instanceof byte[]) {
                    byte[] raw = (byte[]) a;
                    writeU32(out, b, raw.length);
                    out.write(raw, 0, raw.length);
                } else if (a instanceof Long) {
                    writeU32(out, b, 8);
                    b.clear();
                    b.putLong((Long) a);
                    out.write(b.array(), 0, 8);
                } else {
                    byte[] bytes = a.toString().getBytes(StandardCharsets.UTF_8);
                    writeU32(out, b, bytes.length + 1);
                    out.write(bytes, 0, bytes.length);
                    out.write(0);
                }
            }
        }
        return out.toByteArray();
    }

    private static void writeU32(ByteArrayOutputStream out, ByteBuffer b, long v) {
        b.clear();
        b.putInt((int) v);
        out.write(b.array(), 0, 4);
    }
}
