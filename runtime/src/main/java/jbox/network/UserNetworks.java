package jbox.network;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Predicate;
import jbox.JboxException;
import jbox.io.FileModes;
import jbox.io.LockFile;
import jbox.spec.NetworkMode;

/**
 * Networks made with `jbox network create NAME --subnet CIDR`: one small file each,
 * data.root/networks/NAME.properties (subnet=CIDR), changed under data.root/networks/.lock. Each
 * has its own bridge jbn-NAME (made on first use, like the default one, with its own MASQUERADE
 * rule and its own lease file ipam-jbn-NAME) and is kept apart from every other jbox bridge.
 */
public final class UserNetworks {
    static final String BRIDGE_PREFIX = "jbn-";

    /** One network's definition. */
    public record Definition(String name, Ipv4Subnet subnet) {
        public String bridge() {
            return BRIDGE_PREFIX + name;
        }
    }

    private final Path dir;
    private final BridgeSettings defaults;

    /** {@code defaults}: the default bridge (its subnet is taken; its MTU and state.root are shared). */
    public UserNetworks(Path dataRoot, BridgeSettings defaults) {
        this.dir = dataRoot.resolve("networks");
        this.defaults = defaults;
    }

    /**
     * Records a network. Its subnet must not overlap the default bridge, another network, or
     * (unless {@code force}) a route of the host: a bridge there would capture that LAN's traffic.
     */
    public Definition create(String name, String cidr, boolean force) throws JboxException {
        if (!NetworkMode.isNetworkName(name)) {
            throw new JboxException("invalid network name " + name + ": use 1-11 lowercase letters, digits, '_', '-' (not bridge, none or host)");
        }
        Ipv4Subnet subnet = Ipv4Subnet.parse(cidr);
        try (LockFile ch = lock()) {
            Path file = file(name);
            if (Files.exists(file)) {
                throw new JboxException("network " + name + " already exists");
            }
            if (subnet.overlaps(defaults.subnet())) {
                throw new JboxException("subnet " + subnet + " overlaps the default bridge " + defaults.name() + " (" + defaults.subnet() + ")");
            }
            for (Definition d : list()) {
                if (subnet.overlaps(d.subnet())) {
                    throw new JboxException("subnet " + subnet + " overlaps network " + d.name() + " (" + d.subnet() + ")");
                }
            }
            HostRoutes.Route route = force ? null : HostRoutes.overlapping(subnet);
            if (route != null) {
                throw new JboxException("subnet " + subnet + " overlaps the host's route to " + route.destination()
                        + " on " + route.device() + " (use --force if that is intended)");
            }
            Path tmp = dir.resolve("." + name + ".tmp");
            FileModes.write(tmp, ("# jbox network " + name + "\nsubnet=" + subnet + "\n")
                    .getBytes(StandardCharsets.UTF_8), FileModes.PRIVATE_FILE);
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return new Definition(name, subnet);
        } catch (IOException e) {
            throw new JboxException("cannot create network " + name + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    public List<Definition> list() throws JboxException {
        List<Definition> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.properties")) {
            for (Path p : ds) {
                String f = p.getFileName().toString();
                out.add(get(f.substring(0, f.length() - ".properties".length())));
            }
        } catch (IOException e) {
            throw new JboxException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    public Definition get(String name) throws JboxException {
        Path file = file(name);
        Properties p = new Properties();
        try {
            p.load(new StringReader(Files.readString(file)));
        } catch (NoSuchFileException e) {
            throw new JboxException("network " + name + " does not exist (see: jbox network ls)");
        } catch (IOException e) {
            throw new JboxException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return new Definition(name, Ipv4Subnet.parse(p.getProperty("subnet", "")));
        } catch (JboxException e) {
            throw new JboxException("network " + name + " (" + file + "): " + e.getMessage(), e);
        }
    }

    /** The bridge a container on this network attaches to. */
    public BridgeSettings settings(Definition d) {
        return new BridgeSettings(d.bridge(), d.subnet(), defaults.mtu(), defaults.stateRoot(), defaults.name());
    }

    /**
     * Removes a network no live container uses: its bridge, its rules, its lease and lock files,
     * its definition. Returns one line per removed thing.
     */
    public List<String> remove(String name, Predicate<String> live) throws JboxException {
        Definition d = get(name);
        BridgeSettings b = settings(d);
        List<String> removed = new ArrayList<>();
        try (LockFile ch = lock()) {
            Ipam ipam = b.ipam();
            for (Ipam.Lease l : ipam.leases()) {
                if (live.test(l.id())) {
                    throw new JboxException("network " + name + " is in use by container " + l.id().substring(0, 12));
                }
            }
            ipam.reclaim(live, ContainerNetwork::removeLeftovers);
            if (Links.names().contains(b.name())) {
                Command.Result r = Command.run(List.of("ip", "link", "del", b.name()), null);
                if (!r.ok()) {
                    throw new JboxException("cannot remove bridge " + b.name() + " of network " + name + ": " + r.firstError());
                }
                removed.add("bridge " + b.name());
            }
            int rules = PortRules.removeTagged(b.ruleComment());
            if (rules > 0) {
                removed.add(rules + " iptables rules tagged " + b.ruleComment());
            }
            Files.deleteIfExists(ipam.file());
            Files.deleteIfExists(b.stateRoot().resolve("ipam-" + b.name() + ".lock"));
            Files.deleteIfExists(b.stateRoot().resolve("bridge-" + b.name() + ".lock"));
            Files.deleteIfExists(NetworkHosts.lockFile(b.stateRoot(), b.name()));
            Files.delete(file(name));
            removed.add("network " + name + " (" + d.subnet() + ")");
            return removed;
        } catch (IOException e) {
            throw new JboxException("cannot remove network " + name + ": " + e.getMessage(), e);
        }
    }

    private Path file(String name) throws JboxException {
        if (!NetworkMode.isNetworkName(name)) {
            throw new JboxException("invalid network name " + name);
        }
        return dir.resolve(name + ".properties");
    }

    /** The directory's lock: creations check overlaps against a list nobody changes meanwhile. */
    private LockFile lock() throws IOException {
        return LockFile.acquire(dir.resolve(".lock"));
    }
}
