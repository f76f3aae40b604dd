// The engine's own cgroup: not the cgroup of whoever started it (conmon's, a containerd shim's).
package jbox.engine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.CgroupResources;
import jbox.cgroup.ContainerCgroup;

/**
 * Moves the engine into PARENT/NAME (engine.cgroup), in every hierarchy, before it serves: a
 * starter's cgroup may be limited, frozen or killed with its pod, and the engine outlives it. At
 * exit the engine moves itself back to each hierarchy's root and removes its cgroup (and PARENT
 * once no other engine uses it), so an engine that ends leaves no cgroup; a SIGKILLed one leaves
 * its cgroup, which the next engine on that socket reuses and `jbox engine stop` removes.
 * Best effort: a host without usable cgroups still gets an engine, with a line in its log.
 */
public final class EngineCgroup {
    private final CgroupHost host;
    private final ContainerCgroup own;
    private final PrintStream log;

    private EngineCgroup(CgroupHost host, ContainerCgroup own, PrintStream log) {
        this.host = host;
        this.own = own;
        this.log = log;
    }

    /** Joins PARENT/NAME; returns what undoes it at exit (nothing to undo when joining failed). */
    public static Runnable join(String parent, String name, PrintStream log) {
        try {
            CgroupHost host = CgroupHost.detect();
            ContainerCgroup own = ContainerCgroup.open(host, parent, name).orElse(null);
            if (own == null) {
                own = ContainerCgroup.create(host, parent, name, CgroupResources.none());
            }
            own.add(ProcessHandle.current().pid());
            return new EngineCgroup(host, own, log)::leave;
        } catch (JboxException | RuntimeException e) {
            log.println("jbox engine: staying in the starter's cgroup: " + e.getMessage());
            return () -> { };
        }
    }

    /** The engine's process leaves its cgroup for the hierarchies' roots, and the cgroup goes. */
    private void leave() {
        try {
            String pid = Long.toString(ProcessHandle.current().pid());
            for (Path root : roots()) {
                Files.writeString(root.resolve("cgroup.procs"), pid);
            }
            own.remove();
        } catch (IOException | JboxException | RuntimeException e) {
            log.println("jbox engine: cannot remove its cgroup " + own.relativePath() + ": " + e.getMessage());
        }
    }

    private List<Path> roots() {
        if (host.version() == CgroupHost.Version.V2) {
            return List.of(host.root());
        }
        List<Path> roots = new ArrayList<>();
        own.v1Dirs().keySet().forEach(h -> roots.add(host.root().resolve(h)));
        return roots;
    }

    /** Removes the cgroup a killed engine left (none: nothing to do); the engine that used it is gone. */
    public static void removeLeftover(String parent, String name) throws JboxException {
        Optional<ContainerCgroup> left = ContainerCgroup.open(CgroupHost.detect(), parent, name);
        if (left.isPresent()) {
            left.get().remove();
        }
    }
}
