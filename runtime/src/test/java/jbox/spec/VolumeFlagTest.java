package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -v as docker and podman read it, and what each form becomes in the spec. */
class VolumeFlagTest {
    @TempDir
    Path tmp;

    @Test
    void optionsAsPodmanTakesThem() throws JboxException {
        VolumeFlag f = VolumeFlag.parse("/src:/dst:ro,z");
        assertEquals(new VolumeFlag("/src", "/dst", true, VolumeFlag.Ownership.DEFAULT), f);
        assertEquals(VolumeFlag.Ownership.CHOWN, VolumeFlag.parse("/s:/d:U,Z").ownership());
        assertEquals(VolumeFlag.Ownership.IDMAP, VolumeFlag.parse("/s:/d:idmap").ownership());
        assertEquals(VolumeFlag.Ownership.NOIDMAP, VolumeFlag.parse("/s:/d:rw,noidmap").ownership());
        assertTrue(VolumeFlag.parse("data:/d").named());
        assertFalse(VolumeFlag.parse("/data:/d").named());
    }

    @Test
    void mistakesAreNamed() {
        for (String bad : List.of("/s", "/s:d", "/s:/d:rx", "/s:/d:U,idmap", "dir/sub:/d", ":/d", "/a:/b:ro:x")) {
            JboxException e = assertThrows(JboxException.class, () -> VolumeFlag.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("invalid volume " + bad + ": "), e.getMessage());
        }
    }

    @Test
    void aHostPathIsIdmappedInAUserNamespaceUnlessToldOtherwise() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        SpecFixture fx = new SpecFixture();
        RunOptions.Sandboxing sb = RunOptions.Sandboxing.NONE.withVolumes(List.of(src + ":/a", src + ":/b:ro,noidmap",
                src + ":/c:U"));
        List<ContainerSpec.Mount> m = SpecBuilder.userMounts(sb, null, true);
        assertEquals(List.of("rbind", "nosuid", "nodev", "ridmap"), m.get(0).options());
        assertEquals(List.of("rbind", "ro", "nosuid", "nodev"), m.get(1).options());
        assertEquals(List.of("rbind", "nosuid", "nodev"), m.get(2).options(), ":U is chowned instead");
        assertEquals(List.of("rbind", "nosuid", "nodev"), SpecBuilder.userMounts(sb.withVolumes(List.of(src + ":/a")),
                null, false).get(0).options(), "--userns host: nothing to map");
        assertTrue(fx.build().mounts().stream().noneMatch(x -> x.options().contains("ridmap")));
    }
}
