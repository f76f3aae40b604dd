package jbox.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.JboxException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --mount as docker reads it, and the -v or --tmpfs argument each form becomes. */
class MountFlagTest {
    @TempDir
    Path tmp;

    private MountFlag parse(String v) throws JboxException {
        return MountFlag.parse(v, tmp);
    }

    @Test
    void aBindIsTheMatchingVolumeFlagWithDockersAliases() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("src"));
        for (String v : List.of("type=bind,source=" + src + ",target=/data",
                "type=bind,src=" + src + ",dst=/data", "TYPE=BIND,Src=" + src + ",destination=/data,readonly=false",
                "type=bind,src=./src,target=/data", "type=bind,source=src,target=/data,bind-propagation=rprivate",
                "type=bind,src=" + src + ",target=/data,consistency=cached")) {
            MountFlag f = parse(v);
            assertEquals(src + ":/data:rw", f.asVolume(), v);
            assertEquals(new VolumeFlag(src.toString(), "/data", false, VolumeFlag.Ownership.DEFAULT),
                    VolumeFlag.parse(f.asVolume()), v + ": idmapped as -v is, by default");
        }
        for (String ro : List.of("readonly", "ro", "ro=true", "readonly=1", "readonly=True")) {
            assertEquals(src + ":/d:ro", parse("type=bind,src=" + src + ",dst=/d," + ro).asVolume(), ro);
        }
    }

    @Test
    void aVolumeIsDockersDefaultTypeAndANamedVolumeFlag() throws Exception {
        assertEquals("cache:/var/cache:rw", parse("source=cache,target=/var/cache").asVolume());
        MountFlag f = parse("type=volume,src=cache,dst=/v,ro");
        assertEquals("cache:/v:ro", f.asVolume());
        assertTrue(VolumeFlag.parse(f.asVolume()).named());
    }

    @Test
    void aTmpfsIsTheMatchingTmpfsFlagWithDockersOptions() throws Exception {
        assertEquals("/scratch:nosuid,nodev,noexec", parse("type=tmpfs,target=/scratch").asTmpfs());
        assertEquals("/s:nosuid,nodev,noexec,ro,size=8388608,mode=1770",
                parse("type=tmpfs,dst=/s,tmpfs-size=8388608,tmpfs-mode=1770,readonly").asTmpfs());
        assertEquals("/s:nosuid,nodev,noexec,size=67108864", parse("type=tmpfs,dst=/s,tmpfs-size=64m").asTmpfs());
        String flag = parse("type=tmpfs,dst=/s,tmpfs-size=1k,tmpfs-mode=700").asTmpfs();
        assertEquals(List.of("nosuid", "nodev", "noexec", "size=1024", "mode=700"),
                SpecBuilder.tmpfsOptions(flag, flag.substring(flag.indexOf(':') + 1)), "what --tmpfs accepts");
    }

    @Test
    void aQuotedFieldMayHoldAComma() throws Exception {
        Path src = Files.createDirectories(tmp.resolve("a,b"));
        assertEquals(src + ":/d:rw", parse("type=bind,\"source=" + src + "\",target=/d").asVolume());
        assertEquals(List.of("a", "b\"c,d", "e"), MountFlag.fields("a,\"b\"\"c,d\",e", "x: "));
    }

    @Test
    void mistakesAreOneLineNamingTheFlag() throws Exception {
        Files.createDirectories(tmp.resolve("src"));
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("type=nfs,src=x,dst=/d", "unknown type \"nfs\" (bind, volume, tmpfs)");
        cases.put("type=npipe,src=x,dst=/d", "type npipe is not supported (bind, volume, tmpfs)");
        cases.put("type=bind,src=src", "a target is needed (target=/PATH in the container)");
        cases.put("type=bind,src=src,dst=d", "the target d is not an absolute path");
        cases.put("type=bind,src=src,dst=/", "the target cannot be /");
        cases.put("type=bind,src=src,dst=/d,color=red", "unknown key \"color\"");
        cases.put("type=bind,src=src,dst=/d,bogus", "\"bogus\" is not a KEY=VALUE pair");
        cases.put("type=bind,src=src,dst=/d,", "an empty field");
        cases.put("type=bind,src=missing,dst=/d", "bind source path does not exist: " + tmp.resolve("missing"));
        cases.put("type=bind,dst=/d", "type=bind needs a source (source=HOST-PATH)");
        cases.put("type=bind,src=src,dst=/d,ro=maybe", "ro=maybe is not true or false");
        cases.put("type=bind,src=src,dst=/d,bind-propagation=rshared",
                "bind-propagation=rshared is not supported: the container's mounts are private (rprivate, docker's default)");
        cases.put("type=bind,src=src,dst=/d,bind-propagation=sideways", "unknown bind-propagation \"sideways\" (rprivate, private)");
        cases.put("type=bind,src=src,dst=/d,tmpfs-size=1", "tmpfs-size is for type=tmpfs");
        cases.put("type=volume,dst=/d", "type=volume needs a source (a volume NAME): jbox has no anonymous volumes");
        cases.put("type=volume,src=/abs,dst=/d", "volume name /abs is not letters, digits, _ . - (for a host path: type=bind)");
        cases.put("type=volume,src=v,dst=/d,volume-nocopy", "volume-nocopy is not supported by jbox");
        cases.put("type=volume,src=v,dst=/d,bind-propagation=rprivate", "bind-propagation is for type=bind");
        cases.put("type=tmpfs,src=x,dst=/d", "type=tmpfs takes no source");
        cases.put("type=tmpfs,dst=/d,tmpfs-size=lots", "tmpfs-size lots is not a size in bytes (e.g. 67108864 or 64m)");
        cases.put("type=tmpfs,dst=/d,tmpfs-mode=999", "tmpfs-mode 999 is not an octal mode (e.g. 1770)");
        cases.put("type=tmpfs,dst=/d,tmpfs-mode=17777", "tmpfs-mode 17777 is not an octal mode (e.g. 1770)");
        cases.put("type=tmpfs,dst=/a:b", "a path with ':' cannot be mounted by jbox");
        cases.put("type=bind,\"src=src,dst=/d", "a quote is not closed");
        for (Map.Entry<String, String> c : cases.entrySet()) {
            JboxException e = assertThrows(JboxException.class, () -> parse(c.getKey()), c.getKey());
            assertEquals("invalid --mount " + c.getKey() + ": " + c.getValue(), e.getMessage());
            assertEquals(JboxException.FAILED, e.exitCode(), "jbox's own error: 125");
        }
    }
}
