package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** --cpu-time is the container's: an annotation jbox enforces on the cgroup, which it therefore gets. */
class SpecBuilderCpuTimeTest {
    private static RunOptions.Sandboxing cpuTime(String t, boolean sandbox) {
        return new RunOptions.Sandboxing(List.of(), List.of(), List.of(), false, List.of(), List.of(), List.of(),
                null, null, null, null, null, t, null, sandbox);
    }

    private static ContainerSpec build(RunOptions.Sandboxing sb) throws JboxException {
        SpecFixture f = new SpecFixture();
        RunOptions o = new RunOptions("busybox", List.of(), null, null, List.of(), null, null, "none", null, false,
                sb, null, false, false, false, List.of());
        return SpecBuilder.build(o, f.inputs());
    }

    @Test
    void cpuTimeBecomesAnAnnotationAndACgroup() throws JboxException {
        ContainerSpec spec = build(cpuTime("1s", false));
        assertEquals("1", spec.annotations().get(ContainerSpec.ANNOTATION_CPU_TIME));
        assertEquals("/jbox/" + SpecFixture.ID, spec.linux().cgroupsPath());
        // RLIMIT_CPU stays as a per-process backstop
        assertEquals(List.of(new ContainerSpec.Rlimit("RLIMIT_CPU", 2, 1)), spec.process().rlimits());
    }

    @Test
    void theSandboxsCpuTimeIsTheContainers() throws JboxException {
        assertEquals("300", build(cpuTime(null, true)).annotations().get(ContainerSpec.ANNOTATION_CPU_TIME));
    }

    @Test
    void noCpuTimeNoAnnotation() throws JboxException {
        ContainerSpec spec = build(RunOptions.Sandboxing.NONE);
        assertNull(spec.annotations().get(ContainerSpec.ANNOTATION_CPU_TIME));
        assertNull(spec.linux().cgroupsPath());
    }
}
