package jbox.security;

import static jbox.security.TestProfiles.X86_64;
import static jbox.security.TestProfiles.errno;
import static jbox.security.TestProfiles.nr;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the shipped default profile decides for the calls that matter, as the kernel would run it. */
class DefaultProfileTest {
    private static final int ALLOW = SeccompAction.RET_ALLOW;
    private static final int EPERM = errno(1);
    private static final int ENOSYS = errno(38);

    private static final long SIGCHLD = 17;
    private static final long CLONE_NEWNS = 0x00020000;
    private static final long CLONE_NEWUSER = 0x10000000;
    private static final long CLONE_NEWNET = 0x40000000;
    /** What pthread_create passes: VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID. */
    private static final long THREAD_FLAGS = 0x3d0f00;

    private static SeccompProgram program;
    private static BpfInterpreter filter;

    @BeforeAll
    static void compile() throws JboxException {
        program = SeccompProfiles.loadDefault();
        filter = new BpfInterpreter(program);
    }

    private static int call(String name, long... args) {
        return filter.run(X86_64, nr(name), args);
    }

    @Test
    void everyNameInTheProfileIsAKnownSystemCall() {
        assertEquals(List.of(), program.unknownSyscalls());
    }

    @Test
    void ordinaryProgramsRun() {
        for (String name : List.of("read", "write", "openat", "close", "mmap", "exit_group", "execve", "execveat", "fork",
                "vfork", "wait4", "futex", "rseq", "getrandom", "statx", "openat2", "epoll_pwait", "socket", "chroot")) {
            assertEquals(ALLOW, call(name), name);
        }
    }

    @Test
    void vsockSocketsAreRefusedAndOtherFamiliesAllowed() {
        long afVsock = 40;
        for (String name : List.of("socket", "socketpair")) {
            assertEquals(EPERM, call(name, afVsock, 1, 0), name + "(AF_VSOCK)");
            // The kernel reads the family as an int: junk in the high half must not slip past.
            assertEquals(EPERM, call(name, 0x1_0000_0000L | afVsock, 1, 0), name + "(AF_VSOCK with high bits)");
            for (long family : List.of(1L, 2L, 10L, 16L, 17L, 38L, 41L)) { // unix, inet, inet6, netlink, packet, alg, 41
                assertEquals(ALLOW, call(name, family, 1, 0), name + "(" + family + ")");
            }
        }
    }

    @Test
    void callsThatReachOutsideTheContainerAreRefusedWithEperm() {
        for (String name : List.of("mount", "umount2", "pivot_root", "reboot", "kexec_load", "kexec_file_load",
                "init_module", "finit_module", "delete_module", "swapon", "swapoff", "settimeofday", "clock_settime",
                "clock_adjtime", "adjtimex", "keyctl", "add_key", "request_key", "bpf", "perf_event_open",
                "open_by_handle_at", "name_to_handle_at", "ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
                "userfaultfd", "lookup_dcookie", "quotactl", "acct", "iopl", "ioperm", "create_module", "vhangup",
                "nfsservctl", "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
                "setns", "syslog", "unshare", "io_uring_setup")) {
            assertEquals(EPERM, call(name), name);
        }
    }

    @Test
    void cloneIsAllowedWithoutNamespaceFlagsOnly() {
        assertEquals(ALLOW, call("clone", SIGCHLD));
        assertEquals(ALLOW, call("clone", THREAD_FLAGS));
        assertEquals(EPERM, call("clone", CLONE_NEWUSER | SIGCHLD));
        assertEquals(EPERM, call("clone", CLONE_NEWNS | SIGCHLD));
        assertEquals(EPERM, call("clone", CLONE_NEWNET));
        // Flags are arg 0 on x86_64; a namespace bit elsewhere is not a flag.
        assertEquals(ALLOW, call("clone", SIGCHLD, CLONE_NEWUSER));
    }

    @Test
    void clone3FailsWithEnosysSoLibcFallsBackToClone() {
        assertEquals(ENOSYS, call("clone3"));
    }

    @Test
    void otherArchitecturesKillTheProcess() {
        assertEquals(SeccompAction.RET_KILL_PROCESS, filter.run(SeccompData.AUDIT_ARCH_I386, 3));
        assertEquals(SeccompAction.RET_KILL_PROCESS, filter.run(SeccompData.AUDIT_ARCH_I386, nr("read")));
    }

    @Test
    void x32CallsAndMinusOneGetEnosys() {
        assertEquals(ENOSYS, filter.run(X86_64, SeccompData.X32_SYSCALL_BIT | nr("read")));
        assertEquals(ENOSYS, filter.run(X86_64, SeccompData.X32_SYSCALL_BIT | nr("mount")));
        assertEquals(ENOSYS, filter.run(X86_64, -1));
    }

    @Test
    void personalityOnlyTakesTheHarmlessValues() {
        for (long ok : new long[] {0, 0x8, 0x20000, 0x20008, 0xffffffffL}) {
            assertEquals(ALLOW, call("personality", ok), Long.toHexString(ok));
        }
        // ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC, and the query value with high bits set.
        for (long refused : new long[] {0x0040000, 0x0400000, 0x1, 0xffffffffffffffffL, 0x1_0000_0000L}) {
            assertEquals(EPERM, call("personality", refused), Long.toHexString(refused));
        }
    }

    @Test
    void callsNewerThanTheTableGetEnosysSoLibcFallsBack() {
        int highest = SyscallTable.x86_64().highest();
        assertEquals(SeccompAction.errno(SeccompAction.ENOSYS).returnValue(), filter.run(X86_64, highest + 1));
        assertEquals(SeccompAction.errno(SeccompAction.ENOSYS).returnValue(), filter.run(X86_64, 1000));
        assertEquals(EPERM, filter.run(X86_64, SyscallTable.x86_64().number("kexec_load")));
    }

    @Test
    void theProgramFitsTheKernelWithRoomToSpare() {
        assertTrue(program.instructionCount() < 1024, program.instructionCount() + " instructions");
    }
}
