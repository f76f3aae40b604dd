package jbox.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.security.SeccompAction;
import jbox.security.SeccompProfile;
import jbox.spec.ContainerSpec;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the OCI CLI adds to a plan: the wait for start, the in-container hooks, unmonitored filters. */
class PlanBuilderCreateTest {
    @TempDir
    Path tmp;
    TestSpecs s;

    @BeforeEach
    void setUp() throws IOException {
        s = new TestSpecs(tmp);
    }

    private static final PlanBuilder.Options CREATE = new PlanBuilder.Options(false, true, new Plan.Later());

    private static int indexOfOp(Plan p, int op) {
        return PlanBuilderTest.index(p, st -> st.op() == op);
    }

    @Test
    void createWaitsAfterTheMountsAndBeforeTheIdentityChanges() throws JboxException {
        s.user = new ContainerSpec.User(1000, 1000, null);
        Plan p = PlanBuilder.build(s.build(), CREATE);
        int wait = indexOfOp(p, Protocol.OP_WAIT_START);
        assertTrue(wait > indexOfOp(p, Protocol.OP_PIVOT_ROOT), PlanBuilderTest.whats(p).toString());
        assertTrue(wait > indexOfOp(p, Protocol.OP_CHDIR));
        assertTrue(wait < PlanBuilderTest.index(p, st -> st.what().equals("switch to user 1000:1000")));
        assertEquals(List.of("sh", "/bin"), p.steps().get(wait).args(), "the command and the PATH it is looked up in");
        assertEquals(-1, indexOfOp(PlanBuilder.build(s.build()), Protocol.OP_WAIT_START), "jbox run does not wait");
        s.env = List.of("HOME=/root");
        Plan noPath = PlanBuilder.build(s.build(), CREATE);
        assertEquals(List.of("sh", "/bin:/usr/bin"), noPath.steps().get(indexOfOp(noPath, Protocol.OP_WAIT_START)).args(),
                "without PATH, the default execvp searches: the shim has no default of its own");
    }

    @Test
    void hooksInsideTheContainerAreStepsThatReadTheStateSetAfterClone() throws JboxException {
        ContainerSpec base = s.build();
        ContainerSpec.Hook h = new ContainerSpec.Hook("/bin/hook", List.of("hook", "a"), List.of("K=V"), 5);
        ContainerSpec spec = new ContainerSpec(base.ociVersion(), base.process(), base.root(), base.hostname(), base.mounts(),
                base.linux(), base.annotations(), new ContainerSpec.Hooks(null, null, List.of(h), List.of(h), null, null));
        Plan.Later state = new Plan.Later();
        Plan p = PlanBuilder.build(spec, new PlanBuilder.Options(false, true, state));
        List<Plan.Step> hooks = PlanBuilderTest.ops(p, Protocol.OP_HOOK);
        assertEquals(2, hooks.size());
        int created = p.steps().indexOf(hooks.get(0));
        int started = p.steps().indexOf(hooks.get(1));
        assertTrue(created < indexOfOp(p, Protocol.OP_PIVOT_ROOT), "createContainer runs before pivot_root");
        assertTrue(started > indexOfOp(p, Protocol.OP_WAIT_START), "startContainer runs after start");
        assertEquals(List.of(5L, 2L, "/bin/hook", "hook", "a", "K=V", state), hooks.get(0).args());
        state.set("{\"id\":\"x\"}");
        String encoded = new String(p.encode(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(encoded.contains("{\"id\":\"x\"}\0"), "the state is encoded as it is when the plan is sent");
    }

    @Test
    void withoutNoNewPrivsTheFilterGoesInBeforeTheCapabilitiesAndWithoutNotifications() throws JboxException {
        ContainerSpec base = s.build();
        SeccompProfile profile = new SeccompProfile("test", SeccompAction.of(SeccompAction.Kind.ALLOW), List.of(),
                List.of(new SeccompProfile.Rule(List.of("mount"), SeccompAction.errno(SeccompAction.EPERM), List.of())));
        ContainerSpec.CapabilitySets caps = new ContainerSpec.CapabilitySets(List.of("CAP_KILL"), List.of("CAP_KILL"),
                List.of(), List.of("CAP_KILL"), List.of());
        for (boolean nnp : List.of(false, true)) {
            ContainerSpec.Process proc = new ContainerSpec.Process(false, base.process().user(), base.process().args(),
                    base.process().env(), "/", caps, nnp, null);
            ContainerSpec.Linux l = base.linux();
            ContainerSpec spec = new ContainerSpec(base.ociVersion(), proc, base.root(), base.hostname(), base.mounts(),
                    new ContainerSpec.Linux(l.namespaces(), null, null, null, null, profile, null, null),
                    base.annotations());
            Plan p = PlanBuilder.build(spec, CREATE);
            int seccomp = indexOfOp(p, Protocol.OP_SECCOMP);
            int bounding = indexOfOp(p, Protocol.OP_CAP_BOUNDING);
            assertEquals(!nnp, seccomp < bounding, "no_new_privs " + nnp + ": " + PlanBuilderTest.whats(p));
            assertEquals(0L, p.steps().get(seccomp).args().get(1), "no listener: nobody would answer it");
        }
    }
}
