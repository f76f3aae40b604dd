package jbox.process;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jbox.spec.ContainerSpec;

/** Hand-built ContainerSpecs for PlanBuilder tests: an image dir as lowerdir, nothing mounted. */
final class TestSpecs {
    final Path image;
    final Path merged;
    final Path upper;
    final Path work;
    List<String> namespaces = new ArrayList<>(List.of("pid", "uts", "ipc", "mount", "cgroup", "network", "user"));
    List<ContainerSpec.Mount> mounts = new ArrayList<>();
    ContainerSpec.User user = new ContainerSpec.User(0, 0, null);
    List<String> args = List.of("sh");
    List<String> env = List.of("PATH=/bin");
    String cwd = "/";
    String hostname = "abcdef012345";
    boolean overlay = true;
    Map<String, String> annotations = new LinkedHashMap<>();
    List<String> readonlyPaths;

    TestSpecs(Path tmp) throws IOException {
        image = Files.createDirectories(tmp.resolve("image"));
        Files.createDirectories(image.resolve("etc"));
        merged = tmp.resolve("merged");
        upper = tmp.resolve("upper");
        work = tmp.resolve("work");
    }

    TestSpecs mount(String destination, String type, String source, String... options) {
        mounts.add(new ContainerSpec.Mount(destination, type, source, List.of(options)));
        return this;
    }

    ContainerSpec build() {
        Map<String, String> ann = new LinkedHashMap<>(annotations);
        if (overlay) {
            ann.put(ContainerSpec.ANNOTATION_LOWER, image.toString());
            ann.put(ContainerSpec.ANNOTATION_UPPER, upper.toString());
            ann.put(ContainerSpec.ANNOTATION_WORK, work.toString());
        }
        List<ContainerSpec.Namespace> ns = namespaces.stream().map(t -> new ContainerSpec.Namespace(t, null)).toList();
        return new ContainerSpec(ContainerSpec.OCI_VERSION,
                new ContainerSpec.Process(false, user, args, env, cwd),
                new ContainerSpec.Root(overlay ? merged.toString() : image.toString(), false),
                hostname, mounts, new ContainerSpec.Linux(ns, null, null, null, null, null, null, readonlyPaths), ann);
    }
}
