package jbox.process;

import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.security.Capabilities;
import jbox.security.Rlimits;
import jbox.security.SeccompFilters;
import jbox.security.SeccompProfile;
import jbox.security.SeccompProgram;
import jbox.spec.ContainerSpec;

/**
 * The last steps before execve, in the only order that works: rlimits (raising needs privilege),
 * the bounding set (dropping needs CAP_SETPCAP), the user switch (SETID keeps the permitted set),
 * the final capability sets, no_new_privs, and the seccomp filter last, so that none of the
 * earlier syscalls has to be allowed by it. A process without no_new_privs (OCI configs may ask
 * for that) gets its filter before the bounding set instead, while it still has CAP_SYS_ADMIN.
 */
public final class ProcessSecurity {
    private ProcessSecurity() {
    }

    /** seccomp(2)'s SECCOMP_FILTER_FLAG_NEW_LISTENER: the filter's notifications go to the shim. */
    static final long NEW_LISTENER = 1L << 3;

    /**
     * {@code monitored}: a shim stays to answer the filter's notifications (EPERMs are counted);
     * otherwise the filter answers by itself. {@code beforeIdentity} runs right before the rlimits
     * and the user switch (create's wait for start, startContainer hooks).
     */
    public static void addSteps(Plan plan, ContainerSpec.Process p, SeccompProfile seccomp, boolean monitored,
            Runnable beforeIdentity) throws JboxException {
        if (beforeIdentity != null) {
            beforeIdentity.run();
        }
        if (p.user().umask() != null) {
            plan.add(Protocol.OP_UMASK, "set umask " + Integer.toOctalString(p.user().umask()), (long) p.user().umask());
        }
        for (ContainerSpec.Rlimit r : p.rlimits() == null ? List.<ContainerSpec.Rlimit>of() : p.rlimits()) {
            plan.add(Protocol.OP_SETRLIMIT, "setrlimit " + r.type() + " soft " + shown(r.soft()) + " hard " + shown(r.hard()),
                    (long) Rlimits.number(r.type()), r.soft(), r.hard());
        }
        if (seccomp != null && !p.noNewPrivileges()) {
            // Without no_new_privs the kernel installs a filter only for a process with CAP_SYS_ADMIN:
            // so before the capabilities go (as runc), and the filter must allow what follows.
            addSeccomp(plan, seccomp, monitored);
        }
        ContainerSpec.CapabilitySets caps = p.capabilities();
        if (caps != null) {
            plan.add(Protocol.OP_CAP_BOUNDING, "drop capabilities from the bounding set",
                    Capabilities.mask(caps.bounding()));
        }
        ContainerSpec.User u = p.user();
        List<Object> ids = new ArrayList<>(List.of(u.gid(), u.uid()));
        if (u.additionalGids() != null) {
            ids.addAll(u.additionalGids());
        }
        plan.add(Protocol.OP_SETID, "switch to user " + u.uid() + ":" + u.gid(), ids.toArray());
        if (caps != null) {
            long inheritable = Capabilities.mask(caps.inheritable());
            long permitted = Capabilities.mask(caps.permitted());
            // The kernel raises an ambient capability only if it is permitted and inheritable; runc
            // raises each and ignores the refusals (with a warning), so `runc spec`'s config, whose
            // ambient set has no inheritable behind it, runs. The same result: the rest is left out.
            plan.add(Protocol.OP_CAPS, "set capabilities " + String.join(",", caps.effective()),
                    Capabilities.mask(caps.effective()), permitted, inheritable,
                    Capabilities.mask(caps.ambient()) & inheritable & permitted);
        }
        if (p.noNewPrivileges()) {
            plan.add(Protocol.OP_NO_NEW_PRIVS, "set no_new_privs");
        }
        if (seccomp != null && p.noNewPrivileges()) {
            addSeccomp(plan, seccomp, monitored);
        }
    }

    private static void addSeccomp(Plan plan, SeccompProfile seccomp, boolean monitored) throws JboxException {
        SeccompProgram program = monitored ? SeccompFilters.compiled(seccomp) : SeccompFilters.compiledAsIs(seccomp);
        plan.add(Protocol.OP_SECCOMP, "install the seccomp filter from " + seccomp.source()
                + " (" + program.instructionCount() + " instructions)", program.bpf(), monitored ? NEW_LISTENER : 0L);
    }

    private static String shown(long v) {
        return v == Rlimits.UNLIMITED ? "unlimited" : Long.toString(v);
    }
}
