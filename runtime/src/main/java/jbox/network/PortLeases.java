package jbox.network;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.io.LockFile;
import jbox.spec.PortMapping;

/**
 * Which container publishes which host port: state.root/ports.leases, one "CONTAINER-ID MAPPING"
 * line each, replaced by temp + rename under state.root/ports.lock. Host ports are shared by every
 * bridge and network of the namespace, so there is one file, not one per bridge; checking and
 * claiming under the lock is what keeps two concurrent runs from publishing the same port.
 */
public final class PortLeases {
    public record Lease(String id, PortMapping port) {
    }

    private final Path file;
    private final Path lockFile;

    PortLeases(Path stateRoot) {
        this.file = stateRoot.resolve("ports.leases");
        this.lockFile = stateRoot.resolve("ports.lock");
    }

    public static PortLeases of(Path stateRoot) {
        return new PortLeases(stateRoot);
    }

    /**
     * Records {@code ports} for container {@code id}, or refuses when a live container has one of
     * them. Leases of containers {@code live} says are gone are dropped first, with their rules.
     * A host port 0 gets a free one (free on the host, leased to nobody); returns the ports as
     * recorded, with the chosen host ports.
     */
    List<PortMapping> claim(String id, List<PortMapping> ports, Predicate<String> live) throws JboxException {
        synchronized (PortLeases.class) {
            try (LockFile ignored = lock()) {
                List<Lease> all = read();
                List<Lease> stale = new ArrayList<>();
                for (Lease l : all) {
                    if (l.id().equals(id)) {
                        continue;
                    }
                    for (PortMapping p : ports) {
                        if (l.port().conflicts(p)) {
                            if (live.test(l.id())) {
                                throw new JboxException("port " + p.key() + " is already published by container "
                                        + l.id().substring(0, 12));
                            }
                            stale.add(l);
                        }
                    }
                }
                if (!stale.isEmpty()) {
                    List<String> dead = stale.stream().map(Lease::id).distinct().toList();
                    PortRules.removeContainers(prefix -> dead.stream().anyMatch(d -> d.startsWith(prefix)));
                    all.removeIf(l -> dead.contains(l.id()));
                }
                List<PortMapping> chosen = new ArrayList<>();
                for (PortMapping p : ports) {
                    if (p.hostPort() == 0) {
                        // under the lock: no other jbox claims it meanwhile; the leases are the record `jbox port` reads
                        chosen.add(HostPorts.pickFree(p, q -> all.stream().anyMatch(l -> l.port().conflicts(q))
                                || chosen.stream().anyMatch(c -> c.conflicts(q))));
                    } else {
                        if (all.stream().noneMatch(l -> l.id().equals(id) && l.port().equals(p))) {
                            HostPorts.checkFree(p); // under the lock: no other jbox claims it meanwhile
                        }
                        chosen.add(p);
                    }
                }
                for (PortMapping p : chosen) {
                    all.add(new Lease(id, p));
                }
                write(all);
                return chosen;
            }
        }
    }

    /**
     * Adds the rules of ports {@link #claim}ed for container {@code id}, under the lock: the
     * loopback guard and route_localnet they share with other containers change only under it.
     */
    void addRules(String id, String bridge, String address, List<PortMapping> ports) throws JboxException {
        synchronized (PortLeases.class) {
            try (LockFile ignored = lock()) {
                PortRules.add(id, bridge, address, ports);
            }
        }
    }

    /** Deletes the rules of containers {@code dead} accepts (by id prefix), under the lock; returns how many. */
    int removeRules(Predicate<String> dead) throws JboxException {
        synchronized (PortLeases.class) {
            try (LockFile ignored = lock()) {
                return PortRules.removeContainers(dead);
            }
        }
    }

    /** Whether ports were ever published here (the file, once made, stays). */
    boolean everUsed() {
        return Files.exists(file);
    }

    /** Deletes the container's rules, then forgets its ports: a port is free only once nothing forwards it. */
    public void unpublish(String id) throws JboxException {
        release(id, true);
    }

    /** Forgets the container's ports (its rules are already gone). */
    public void release(String id) throws JboxException {
        release(id, false);
    }

    private void release(String id, boolean withRules) throws JboxException {
        if (!Files.exists(file)) {
            return;
        }
        synchronized (PortLeases.class) {
            try (LockFile ignored = lock()) {
                if (withRules) {
                    PortRules.removeContainers(prefix -> id.startsWith(prefix));
                }
                List<Lease> all = read();
                if (all.removeIf(l -> l.id().equals(id))) {
                    write(all);
                }
            }
        }
    }

    /** Drops the leases of containers that are not {@code live}; returns them. */
    List<Lease> reclaim(Predicate<String> live) throws JboxException {
        if (!Files.exists(file)) {
            return List.of();
        }
        synchronized (PortLeases.class) {
            try (LockFile ignored = lock()) {
                List<Lease> all = read();
                List<Lease> stale = all.stream().filter(l -> !live.test(l.id())).toList();
                if (!stale.isEmpty()) {
                    all.removeAll(stale);
                    write(all);
                }
                return stale;
            }
        }
    }

    /** The ports a container publishes (for inspect), without taking the lock: the file is replaced atomically. */
    public List<PortMapping> of(String id) throws JboxException {
        List<PortMapping> out = new ArrayList<>();
        for (Lease l : read()) {
            if (l.id().equals(id)) {
                out.add(l.port());
            }
        }
        return out;
    }

    private List<Lease> read() throws JboxException {
        List<Lease> out = new ArrayList<>();
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            String[] f = line.trim().split(" ");
            if (f.length != 2 || !f[0].matches("[0-9a-f]{64}")) {
                if (!line.isBlank()) {
                    throw new JboxException("cannot read " + file + ": bad line " + line);
                }
                continue;
            }
            out.add(new Lease(f[0], PortMapping.parse(f[1])));
        }
        return out;
    }

    private void write(List<Lease> all) throws JboxException {
        StringBuilder sb = new StringBuilder();
        for (Lease l : all) {
            sb.append(l.id()).append(' ').append(l.port()).append('\n');
        }
        Path tmp = file.resolveSibling("ports.leases.tmp");
        try {
            FileModes.write(tmp, sb.toString().getBytes(StandardCharsets.UTF_8), FileModes.PRIVATE_FILE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new JboxException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The lock file's lock; closing releases it. */
    /** Callers also hold PortLeases.class: FileLock is per process, and tests run threads in one JVM. */
    private LockFile lock() throws JboxException {
        try {
            return LockFile.acquire(lockFile);
        } catch (IOException e) {
            throw new JboxException("cannot lock " + lockFile + ": " + IoReason.of(e), e);
        }
    }
}
