package jbox.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;

/**
 * The addresses handed out on one bridge: a text file state.root/ipam-BRIDGE.leases (one
 * "ADDRESS CONTAINER-ID" line per lease, plus where the next search starts), replaced atomically
 * (temp + rename) while state.root/ipam-BRIDGE.lock is held, so concurrent `jbox run`s never get
 * the same address. Addresses are handed out round-robin: a released one comes back only after
 * the rest of the subnet was used, so no peer's ARP cache still points it at a dead container.
 * A lease whose container has no live owner is reclaimed when the subnet runs out, and by prune.
 */
public final class Ipam {
    /** One address held by one container (full 64-hex id). */
    public record Lease(String address, String id) {
    }

    /** Removes what a dead container left holding its address, before the address is reused. */
    public interface Reclaimer {
        void reclaim(List<Lease> stale) throws JboxException;
    }

    static final String SUFFIX = ".leases";

    private final Path file;
    private final Path lockFile;

    Ipam(Path file, Path lockFile) {
        this.file = file;
        this.lockFile = lockFile;
    }

    /** The lease file of a bridge under state.root. */
    public static Ipam forBridge(Path stateRoot, String bridge) {
        String base = "ipam-".concat(bridge);
        return new Ipam(stateRoot.resolve(base.concat(SUFFIX)), stateRoot.resolve(base.concat(".lock")));
    }

    /** The bridge this lease file is for (ipam-BRIDGE.leases). */
    String bridgeName() {
        String n = file.getFileName().toString();
        return n.substring("ipam-".length(), n.length() - SUFFIX.length());
    }

    /** Every lease file under state.root (for prune: bridges other than the configured one too). */
    public static List<Ipam> all(Path stateRoot) throws JboxException {
        List<Ipam> out = new ArrayList<>();
        if (!Files.isDirectory(stateRoot)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(stateRoot, "ipam-*" + SUFFIX)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                out.add(new Ipam(p, stateRoot.resolve(name.substring(0, name.length() - SUFFIX.length()) + ".lock")));
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + stateRoot + ": " + IoReason.of(e), e);
        }
        return out;
    }

    public Path file() {
        return file;
    }

    /**
     * Leases an address of {@code subnet} to container {@code id} (the one it has, if any).
     * When every address is taken, leases of containers {@code live} says are gone are handed to
     * {@code reclaimer} and dropped first.
     */
    public String allocate(String id, Ipv4Subnet subnet, Predicate<String> live, Reclaimer reclaimer) throws JboxException {
        synchronized (Ipam.class) {
            try (LockFile ignored = lock()) {
                Leases s = read();
                for (Lease l : s.leases) {
                    if (l.id().equals(id)) {
                        return l.address();
                    }
                }
                Integer a = pick(s, subnet);
                if (a == null) {
                    List<Lease> stale = stale(s, live);
                    if (!stale.isEmpty()) {
                        reclaimer.reclaim(stale);
                        s.leases.removeAll(stale);
                        a = pick(s, subnet);
                    }
                }
                if (a == null) {
                    throw new JboxException("no free address in " + subnet + " (" + s.leases.size() + " leases)");
                }
                String address = Ipv4Subnet.format(a);
                s.leases.add(new Lease(address, id));
                s.next = a == subnet.lastHost() ? subnet.firstHost() : a + 1;
                write(s);
                return address;
            }
        }
    }

    /** Gives back the container's address; nothing happens if it holds none. */
    public void release(String id) throws JboxException {
        if (!Files.exists(file)) {
            return;
        }
        synchronized (Ipam.class) {
            try (LockFile ignored = lock()) {
                Leases s = read();
                for (int i = 0; i < s.leases.size(); i++) {
                    if (s.leases.get(i).id().equals(id)) {
                        s.leases.remove(i);
                        write(s);
                        return;
                    }
                }
            }
        }
    }

    /** Drops every lease whose container is not {@code live}, after {@code reclaimer} saw them. */
    public List<Lease> reclaim(Predicate<String> live, Reclaimer reclaimer) throws JboxException {
        synchronized (Ipam.class) {
            try (LockFile ignored = lock()) {
                Leases s = read();
                List<Lease> stale = stale(s, live);
                if (!stale.isEmpty()) {
                    reclaimer.reclaim(stale);
                    s.leases.removeAll(stale);
                    write(s);
                }
                return stale;
            }
        }
    }

    public List<Lease> leases() throws JboxException {
        synchronized (Ipam.class) {
            try (LockFile ignored = lock()) {
                return List.copyOf(read().leases);
            }
        }
    }

    private static List<Lease> stale(Leases s, Predicate<String> live) {
        List<Lease> out = new ArrayList<>();
        for (Lease l : s.leases) {
            if (!live.test(l.id())) {
                out.add(l);
            }
        }
        return out;
    }

    /** The first free address from the round-robin position on, or null when the subnet is full. */
    private static Integer pick(Leases s, Ipv4Subnet subnet) throws JboxException {
        Set<Integer> taken = new HashSet<>();
        for (Lease l : s.leases) {
            taken.add(Ipv4Subnet.parseAddress(l.address()));
        }
        int first = subnet.firstHost();
        long count = subnet.hostCount();
        int start = s.next != null && subnet.contains(s.next) && unsignedBetween(s.next, first, subnet.lastHost()) ? s.next : first;
        long offset = Integer.toUnsignedLong(start) - Integer.toUnsignedLong(first);
        for (long i = 0; i < count; i++) {
            int a = (int) (Integer.toUnsignedLong(first) + (offset + i) % count);
            if (!taken.contains(a)) {
                return a;
            }
        }
        return null;
    }

    private static boolean unsignedBetween(int a, int lo, int hi) {
        return Integer.compareUnsigned(a, lo) >= 0 && Integer.compareUnsigned(a, hi) <= 0;
    }

    private static final class Leases {
        Integer next;
        final List<Lease> leases = new ArrayList<>();
    }

    /** Parsed by hand: this runs on every start, and regular expressions cost a JVM milliseconds to warm up. */
    private Leases read() throws JboxException {
        Leases s = new Leases();
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return s;
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + IoReason.of(e), e);
        }
        int lineNo = 0;
        for (int start = 0; start < text.length(); ) {
            int end = text.indexOf('\n', start);
            if (end < 0) {
                end = text.length();
            }
            String line = text.substring(start, end).trim();
            start = end + 1;
            lineNo++;
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            int sp = line.indexOf(' ');
            String key = sp < 0 ? line : line.substring(0, sp);
            String value = sp < 0 ? "" : line.substring(sp + 1).trim();
            if (key.equals("next")) {
                s.next = Ipv4Subnet.parseAddress(value);
            } else if (isId(value)) {
                Ipv4Subnet.parseAddress(key);
                s.leases.add(new Lease(key, value));
            } else {
                throw new JboxException("corrupt lease file " + file + " at line " + lineNo + ": " + line);
            }
        }
        return s;
    }

    static boolean isId(String s) {
        if (s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return false;
            }
        }
        return true;
    }

    private void write(Leases s) throws JboxException {
        StringBuilder sb = new StringBuilder("# jbox address leases: ADDRESS CONTAINER-ID (next: where the next search starts)\n");
        if (s.next != null) {
            sb.append("next ").append(Ipv4Subnet.format(s.next)).append('\n');
        }
        for (Lease l : s.leases) {
            sb.append(l.address()).append(' ').append(l.id()).append('\n');
        }
        Path tmp = file.resolveSibling(file.getFileName().toString().concat(".tmp"));
        try {
            FileModes.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8), FileModes.PRIVATE_FILE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JboxException("cannot write " + file + ": " + IoReason.of(e), e);
        }
    }

    /** Callers hold Ipam.class too: FileLock is per process, and tests run threads in one JVM. */
    private LockFile lock() throws JboxException {
        try {
            return LockFile.acquire(lockFile);
        } catch (IOException e) {
            throw new JboxException("cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }
}
