package jbox.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.ProcFile;
import jbox.cgroup.CgroupHost;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.image.ImageException;
import jbox.image.ImageStore;
import jbox.network.BridgeHazards;
import jbox.runtime.ShimLocator;
import picocli.CommandLine.Command;

/**
 * `jbox doctor`: what this host can do for jbox, in plain words, with the fix for each gap.
 * Exit status 1 when something jbox needs is missing.
 */
@Command(name = "doctor", description = "Check what this host supports.", mixinStandardHelpOptions = true)
public final class DoctorCommand extends RequestCommand implements Callable<Integer> {
    private int failures;

    @Override
    public Integer call() throws JboxException {
        Config c = config();
        String maxUserns = read("/proc/sys/user/max_user_namespaces");
        check(!maxUserns.isEmpty() && !maxUserns.equals("0"), true, "user namespaces allowed (max_user_namespaces=" + maxUserns + ")",
                "set: sysctl -w user.max_user_namespaces=15000, or run with --userns host");
        String apparmor = read("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
        check(!apparmor.equals("1"), false, "AppArmor does not restrict user namespaces",
                "jbox runs as root, so this only matters for unprivileged users");
        check(read("/proc/filesystems").contains("\toverlay"), true, "overlayfs available",
                "load it: modprobe overlay");
        String cgroups;
        try {
            cgroups = CgroupHost.detect().toString();
        } catch (JboxException e) {
            cgroups = null;
        }
        check(cgroups != null, false, cgroups != null ? cgroups : "no usable cgroup hierarchy",
                "--memory, --pids-limit and --cpus need cgroups: mount cgroup2 on /sys/fs/cgroup");
        String subuid = read("/etc/subuid");
        long base = c.getLong("userns.uid.base");
        String owner = subuidOwner(subuid, base, c.getLong("userns.size"));
        check(owner == null || owner.equals("root"), false,
                "host ids " + base + "+" + c.getLong("userns.size") + " for container root" + (owner == null ? " (unassigned in /etc/subuid)" : " (root's in /etc/subuid)"),
                "/etc/subuid gives them to " + owner + ": choose another userns.uid.base in /etc/jbox/jbox.properties");
        try {
            ShimLocator.find(c);
            check(true, true, "shim installed, root-owned, not writable by others", "");
        } catch (JboxException e) {
            check(false, true, "shim: " + e.getMessage(), "rebuild and reinstall jbox (./install.sh)");
        }
        String path = request.env().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        check(onPath("ip", path), false, "iproute2 present", "apt-get install iproute2");
        check(onPath("iptables", path) || onPath("nft", path), false, "iptables or nftables present", "apt-get install iptables");
        bridgeChecks(c);
        String image = c.get("image.default");
        boolean built;
        try {
            built = new ImageStore(c.imagesDir()).exists(image);
        } catch (ImageException e) {
            built = false;
        }
        check(built, false, "default image " + image + " built",
                "jbox image build-default (needs busybox-static)");
        checkHostModes(c);
        return failures == 0 ? 0 : 1;
    }

    /**
     * What would let other local users reach jbox's state, layers or binaries (CVE-2021-41091):
     * each root with its owner and exact mode (jbox sets them itself when it next writes there),
     * and the installed jar and shim with their directory root-owned and writable by root alone.
     */
    private void checkHostModes(Config c) throws JboxException {
        List<HostRoots.Expected> roots = new ArrayList<>(HostRoots.expected(c));
        roots.add(HostRoots.oci(globalFlags().ociRoot(c)));
        for (HostRoots.Expected e : roots) {
            String want = Integer.toOctalString(e.mode()) + " " + e.uid() + ":" + e.gid();
            String have = ownerAndMode(e.path());
            check(have == null || have.equals(want), false, e.what() + " " + e.path() + (have == null ? " not made yet" : " " + have),
                    "others may reach what is below it: chown " + e.uid() + ":" + e.gid() + " " + e.path() + " && chmod "
                    + Integer.toOctalString(e.mode()) + " " + e.path() + " (jbox does so when it next writes there)");
        }
        String home = System.getProperty("jbox.home");
        if (home != null) {
            for (Path p : new Path[] {Path.of(home), Path.of(home, "jbox"), Path.of(home, "jbox-jvm"), Path.of(home, "jbox.jar"),
                    Path.of(home, "jbox-shim")}) {
                String have = ownerAndMode(p);
                boolean ok = have != null && have.endsWith(" 0:0") && (Integer.parseInt(have.split(" ")[0], 8) & 022) == 0;
                check(ok, false, "installed " + p + (have == null ? " missing" : " " + have + ": root's, not group/other-writable"),
                        "whoever can write it runs code as root: reinstall (./install.sh) or chown root:root and chmod go-w it");
            }
        }
    }

    /** "MODE UID:GID" in octal and numbers, or null when there is nothing at {@code p}. */
    private static String ownerAndMode(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid");
            return Integer.toOctalString((Integer) a.get("mode") & 07777) + " " + a.get("uid") + ":" + a.get("gid");
        } catch (IOException e) {
            return null;
        }
    }

    /** Host state on jbox's bridges that reopens a hole jbox closes (see BridgeHazards). */
    private void bridgeChecks(Config c) {
        try {
            var hazards = BridgeHazards.find(c.get("net.bridge.name"));
            if (hazards.isEmpty()) {
                check(true, false, "jbox bridges: route_localnet only with the loopback guard, no IPv6", "");
            }
            hazards.forEach(h -> check(false, false, h.what(), h.fix()));
        } catch (JboxException e) {
            check(false, false, "cannot check jbox's bridges: " + e.getMessage(), "see the message");
        }
    }

    private void check(boolean ok, boolean required, String what, String fix) {
        if (ok) {
            out().println("ok    " + what);
        } else {
            out().println((required ? "FAIL  " : "warn  ") + what + " — " + fix);
            if (required) {
                failures++;
            }
        }
    }

    static String subuidOwner(String subuid, long base, long size) {
        for (String line : subuid.split("\n")) {
            String[] f = line.trim().split(":");
            if (f.length != 3 || !f[1].matches("\\d+") || !f[2].matches("\\d+")) {
                continue;
            }
            long s = Long.parseLong(f[1]);
            long n = Long.parseLong(f[2]);
            if (s < base + size && base < s + n) {
                return f[0];
            }
        }
        return null;
    }

    /** {@code path}: the caller's PATH. */
    private static boolean onPath(String cmd, String path) {
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Path.of(dir, cmd))) {
                return true;
            }
        }
        return Files.isExecutable(Path.of("/usr/sbin", cmd)) || Files.isExecutable(Path.of("/sbin", cmd));
    }

    private static String read(String path) {
        try {
            return ProcFile.read(Path.of(path)).trim();
        } catch (IOException e) {
            return "";
        }
    }
}
