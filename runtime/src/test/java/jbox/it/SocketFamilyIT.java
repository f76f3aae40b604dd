package jbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * AF_VSOCK is not namespaced: a vsock socket reaches the hypervisor whatever the container's
 * network. The default filter refuses the family, also under --sandbox ("no network").
 */
class SocketFamilyIT {
    @BeforeAll
    static void setUp() throws Exception {
        Jbox.setUp();
    }

    @AfterEach
    void cleanUp() throws Exception {
        Jbox.cleanUp();
    }

    private static String vsock(String... options) throws Exception {
        String[] cmd = new String[options.length + 6];
        cmd[0] = "run";
        cmd[1] = "--rm";
        System.arraycopy(options, 0, cmd, 2, options.length);
        System.arraycopy(new String[] {Jbox.PROBE_IMAGE, "/bin/jbox-probe", "try", "vsock-socket"}, 0, cmd, 2 + options.length, 4);
        Jbox.Result r = Jbox.run(cmd);
        assertEquals(0, r.code(), r.all());
        return r.out().trim();
    }

    @Test
    void theDefaultFilterRefusesVsockSockets() throws Exception {
        assertEquals("vsock-socket EPERM", vsock());
    }

    @Test
    void theSandboxRefusesVsockSockets() throws Exception {
        assertEquals("vsock-socket EPERM", vsock("--sandbox"));
    }

    @Test
    void withoutTheFilterTheKernelAnswersItself() throws Exception {
        // The refusal above is the filter's: unconfined, the kernel gives its own answer
        // ("ok" where a vsock transport is loaded, EAFNOSUPPORT where none is).
        assertNotEquals("vsock-socket EPERM", vsock("--security-opt", "seccomp=unconfined"));
    }
}
