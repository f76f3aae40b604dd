package jbox.spec;

import java.util.List;

/**
 * What the user asked for on `jbox run`, before any defaults are applied. The CLI fills it;
 * SpecBuilder turns it into a ContainerSpec. Nulls and empty lists mean "not given".
 */
public record RunOptions(
        String image,
        List<String> command,
        String name,
        String hostname,
        List<String> env,
        String workdir,
        String user,
        String net,
        String userns,
        boolean remove,
        Sandboxing sandboxing,
        String report,
        boolean init,
        boolean detach,
        boolean tty,
        List<String> publish,
        Habits habits) {

    /**
     * docker's other run options: --entrypoint (null: the image's; "": none), --group-add,
     * -l/--label (KEY=VALUE, kept in the record), --add-host, --dns, --shm-size, --device,
     * --privileged, -P, -i. Nulls and empty lists mean "not given".
     */
    public record Habits(
            String entrypoint,
            List<String> groupAdd,
            List<String> labels,
            List<String> addHosts,
            List<String> dns,
            String shmSize,
            List<String> devices,
            boolean privileged,
            boolean publishAll,
            boolean interactive) {
        public static final Habits NONE = new Habits(null, List.of(), List.of(), List.of(), List.of(), null, List.of(),
                false, false);

        /** Without -i (which matters only for a detached container: its stdin a pipe for jbox attach). */
        public Habits(String entrypoint, List<String> groupAdd, List<String> labels, List<String> addHosts, List<String> dns,
                String shmSize, List<String> devices, boolean privileged, boolean publishAll) {
            this(entrypoint, groupAdd, labels, addHosts, dns, shmSize, devices, privileged, publishAll, false);
        }
    }

    public RunOptions {
        habits = habits == null ? Habits.NONE : habits;
    }

    public RunOptions(String image, List<String> command, String name, String hostname, List<String> env, String workdir,
            String user, String net, String userns, boolean remove, Sandboxing sandboxing, String report, boolean init,
            boolean detach, boolean tty, List<String> publish) {
        this(image, command, name, hostname, env, workdir, user, net, userns, remove, sandboxing, report, init, detach, tty,
                publish, Habits.NONE);
    }

    /** The options of the sandboxing family: privileges, filesystem, limits. */
    public record Sandboxing(
            List<String> capAdd,
            List<String> capDrop,
            List<String> securityOpts,
            boolean readOnly,
            List<String> tmpfs,
            List<String> volumes,
            List<String> ulimits,
            String memory,
            String memorySwap,
            String pidsLimit,
            String cpus,
            String cpuShares,
            String cpuTime,
            String timeout,
            boolean sandbox) {
        public static final Sandboxing NONE = new Sandboxing(List.of(), List.of(), List.of(), false, List.of(), List.of(),
                List.of(), null, null, null, null, null, null, null, false);

        /** The same with the -v list replaced (named volumes and :U resolved into host paths). */
        public Sandboxing withVolumes(List<String> v) {
            return new Sandboxing(capAdd, capDrop, securityOpts, readOnly, tmpfs, List.copyOf(v), ulimits, memory,
                    memorySwap, pidsLimit, cpus, cpuShares, cpuTime, timeout, sandbox);
        }
    }

    /** The same with the -v list replaced. */
    public RunOptions withVolumes(List<String> v) {
        Sandboxing sb = sandboxing == null ? Sandboxing.NONE : sandboxing;
        return new RunOptions(image, command, name, hostname, env, workdir, user, net, userns, remove,
                sb.withVolumes(v), report, init, detach, tty, publish, habits);
    }

    /** Options without any sandboxing flag (the defaults still apply). */
    public RunOptions(String image, List<String> command, String name, String hostname, List<String> env,
            String workdir, String user, String net, String userns, boolean remove) {
        this(image, command, name, hostname, env, workdir, user, net, userns, remove, Sandboxing.NONE, null, false, false, false, List.of());
    }
}
