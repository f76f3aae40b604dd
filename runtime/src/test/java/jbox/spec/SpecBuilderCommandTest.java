package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;

/** The command and working directory: flag, then image, then an error or "/". */
class SpecBuilderCommandTest {
    final SpecFixture f = new SpecFixture();

    @Test
    void theImageCommandIsTheDefault() throws JboxException {
        f.imageCmd = List.of("sh", "-l");
        assertEquals(List.of("sh", "-l"), f.build().process().args());
    }

    @Test
    void aGivenCommandReplacesTheImageCommand() throws JboxException {
        f.imageCmd = List.of("sh", "-l");
        f.command = List.of("echo", "hi");
        assertEquals(List.of("echo", "hi"), f.build().process().args());
    }

    @Test
    void theEntrypointIsPrependedToEitherCommand() throws JboxException {
        f.imageEntrypoint = List.of("/init", "--");
        f.imageCmd = List.of("serve");
        assertEquals(List.of("/init", "--", "serve"), f.build().process().args());
        f.command = List.of("debug", "-v");
        assertEquals(List.of("/init", "--", "debug", "-v"), f.build().process().args());
    }

    @Test
    void entrypointFlagReplacesTheImagesAndDropsItsCommandAsDocker() throws JboxException {
        f.imageEntrypoint = List.of("/init", "--");
        f.imageCmd = List.of("serve");
        f.entrypoint = "/bin/echo";
        assertEquals(List.of("/bin/echo"), f.build().process().args(), "the image's CMD goes with its entrypoint");
        f.command = List.of("a", "b");
        assertEquals(List.of("/bin/echo", "a", "b"), f.build().process().args());
        f.entrypoint = "";
        assertEquals(List.of("a", "b"), f.build().process().args(), "'' clears it: the command alone");
        f.command = List.of();
        JboxException e = assertThrows(JboxException.class, f::build);
        assertEquals("no command given: --entrypoint '' clears the image's entrypoint and its default command", e.getMessage());
    }

    @Test
    void anEntrypointAloneIsEnough() throws JboxException {
        f.imageEntrypoint = List.of("/app");
        f.imageCmd = List.of();
        assertEquals(List.of("/app"), f.build().process().args());
    }

    @Test
    void noCommandAnywhereIsAnErrorNamingTheImage() {
        f.imageCmd = List.of();
        JboxException e = assertThrows(JboxException.class, f::build);
        assertTrue(e.getMessage().contains("no command") && e.getMessage().contains("busybox"), e.getMessage());
    }

    @Test
    void anEmptyGivenCommandFallsBackToTheImage() throws JboxException {
        f.imageCmd = List.of("sh");
        f.command = List.of();
        assertEquals(List.of("sh"), f.build().process().args());
    }

    @Test
    void workingDirectoryFromFlagThenImageThenRoot() throws JboxException {
        assertEquals("/", f.build().process().cwd());
        f.imageWorkdir = "/srv";
        assertEquals("/srv", f.build().process().cwd());
        f.workdir = "/tmp";
        assertEquals("/tmp", f.build().process().cwd());
    }

    @Test
    void aRelativeWorkingDirectoryIsRefused() {
        f.workdir = "tmp";
        JboxException e = assertThrows(JboxException.class, f::build);
        assertTrue(e.getMessage().contains("tmp"), e.getMessage());
    }

    @Test
    void rootAndLayersComeFromTheInputs() throws JboxException {
        ContainerSpec spec = f.build();
        assertEquals("/c/merged", spec.root().path());
        assertEquals("/images/busybox/rootfs", spec.annotations().get(ContainerSpec.ANNOTATION_LOWER));
        assertEquals("/c/upper", spec.annotations().get(ContainerSpec.ANNOTATION_UPPER));
        assertEquals("/c/work", spec.annotations().get(ContainerSpec.ANNOTATION_WORK));
        assertEquals("busybox", spec.annotations().get("dev.jbox.image"));
        assertEquals(ContainerSpec.OCI_VERSION, spec.ociVersion());
    }
}
