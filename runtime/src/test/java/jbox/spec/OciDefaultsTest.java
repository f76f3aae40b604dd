package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What `jbox spec` writes is a valid config that reads back as written. */
class OciDefaultsTest {
    @TempDir
    Path dir;

    ContainerSpec readBack(ContainerSpec written) throws JboxException {
        ContainerSpec read = new OciBundle(dir).read(OciConfig.json(written));
        assertEquals(dir.resolve("rootfs").toString(), read.root().path());
        return read;
    }

    static ContainerSpec withRoot(ContainerSpec s, String root) {
        return new ContainerSpec(s.ociVersion(), s.process(), new ContainerSpec.Root(root, s.root().readonly()),
                s.hostname(), s.mounts(), s.linux(), s.annotations(), s.hooks());
    }

    @Test
    void theDefaultConfigReadsBackEqual() throws JboxException {
        ContainerSpec spec = OciDefaults.spec(null);
        assertEquals(withRoot(spec, dir.resolve("rootfs").toString()), readBack(spec));
        assertTrue(spec.linux().has("cgroup") && !spec.linux().has("user"));
    }

    @Test
    void theRootlessConfigMapsRootOntoTheConfiguredRange() throws JboxException {
        ContainerSpec spec = OciDefaults.spec(new OciDefaults.IdRange(100000, 200000, 65536));
        ContainerSpec read = readBack(spec);
        assertTrue(read.linux().has("user"));
        assertEquals(List.of(new ContainerSpec.IdMapping(0, 100000, 65536)), read.linux().uidMappings());
        assertEquals(List.of(new ContainerSpec.IdMapping(0, 200000, 65536)), read.linux().gidMappings());
    }
}
