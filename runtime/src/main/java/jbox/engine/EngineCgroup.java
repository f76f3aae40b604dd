// The engine's own cgroup: not the cgroup of whoever started it (conmon's, a containerd shim's).
package jbox.engine;

import java.io.PrintStream;
import jbox.JboxException;
import jbox.cgroup.CgroupHost;
import jbox.cgroup.CgroupResources;
import jbox.cgroup.ContainerCgroup;

/**
 * Moves the engine into PARENT/NAME (engine.cgroup), in every hierarchy, before it serves: a
 * starter's cgroup may be limited, frozen or killed with its pod, and the engine outlives it.
 * Best effort: a host without usable cgroups still gets an engine, with a line in its log.
 */
public final class EngineCgroup {
    private EngineCgroup() {
    }

    public static void join(String parent, String name, PrintStream log) {
        try {
            CgroupHost host = CgroupHost.detect();
            ContainerCgroup own = ContainerCgroup.open(host, parent, name).orElse(null);
            if (own == null) {
                own = ContainerCgroup.create(host, parent, name, CgroupResources.none());
            }
            own.add(ProcessHandle.current().pid());
        } catch (JboxException | RuntimeException e) {
            log.println("jbox engine: staying in the starter's cgroup: " + e.getMessage());
        }
    }
}
