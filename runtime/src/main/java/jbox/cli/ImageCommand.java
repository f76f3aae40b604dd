package jbox.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.cgroup.CgroupResources;
import jbox.config.Config;
import jbox.config.HostRoots;
import jbox.image.DefaultImageBuilder;
import jbox.image.IdShift;
import jbox.image.ImageExporter;
import jbox.image.ImageImporter;
import jbox.image.ImageMeta;
import jbox.image.ImageStore;
import jbox.image.ImportLimits;
import jbox.image.TerminalProgress;
import jbox.image.ZstdLibrary;
import jbox.io.IoReason;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** `jbox image build-default | import | export | ls | rm`: the image store under data.root/images. */
@Command(name = "image", description = "Manage images.", mixinStandardHelpOptions = true,
        subcommands = {ImageCommand.BuildDefault.class, ImageCommand.Import.class, ImageCommand.Export.class,
                ImageCommand.Ls.class, ImageCommand.Rm.class, ImageCommand.Tag.class, ImageCommand.History.class,
                ImageCommand.Prune.class, ImageCommand.Inspect.class})
public final class ImageCommand extends RequestCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(out()); // as --help shows it (HelpLayout)
    }

    static ImageStore store(Config c) throws JboxException {
        return new ImageStore(HostRoots.images(c));
    }

    /** What one import may unpack: an archive from elsewhere may be a decompression bomb. */
    static ImportLimits limits(Config c) throws JboxException {
        long bytes = CgroupResources.parseBytes(c.get("image.max_bytes"));
        long entries = c.getLong("image.max_entries");
        if (bytes <= 0 || entries <= 0) {
            throw new JboxException("config keys image.max_bytes and image.max_entries must be positive");
        }
        return new ImportLimits(bytes, entries);
    }

    /**
     * Where zstd's native decoder is unpacked if an import meets zstd: a 0700 directory made in
     * state.root for that load and removed after it, never /tmp (ZstdLibrary). Set before every import and pull.
     */
    static void zstdDirectory(Config c) throws JboxException {
        ZstdLibrary.useDirectory(HostRoots.stateRoot(c));
    }

    /** Image files are owned by the host ids that container root maps to, so root inside owns them. */
    static IdShift shift(Config c) throws JboxException {
        if (!c.getBoolean("userns.enabled")) {
            return IdShift.NONE;
        }
        return new IdShift(c.getLong("userns.uid.base"), c.getLong("userns.gid.base"), c.getLong("userns.size"));
    }

    @Command(name = "build-default", description = "Build the default busybox image from the host's busybox-static.",
            mixinStandardHelpOptions = true)
    static final class BuildDefault extends RequestCommand implements Callable<Integer> {
        @Option(names = "--name", description = "Image name (default: from the config, busybox).")
        String name;

        @Option(names = "--replace", description = "Replace the image if it exists.")
        boolean replace;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            String n = name != null ? name : c.get("image.default");
            Path busybox = Path.of(c.get("image.default.busybox"));
            if (!Files.isExecutable(busybox)) {
                throw new JboxException("busybox not found at " + busybox + " (install it: apt-get install busybox-static)");
            }
            ImageStore store = store(c);
            if (store.exists(n)) {
                if (!replace) {
                    out().println(n + " already exists");
                    return 0;
                }
                store.remove(n);
            }
            ImageMeta m = new DefaultImageBuilder().build(store, n, busybox, shift(c));
            out().println("built " + m.name() + " from " + busybox);
            return 0;
        }
    }

    @Command(name = "import", description = {"Import an image: a root filesystem tarball (.tar, .tar.gz, .tar.xz, .tar.zst),",
            "an OCI image layout (directory or tar) or a docker-archive (docker/podman save); recognised by content."},
            mixinStandardHelpOptions = true)
    static final class Import extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "SOURCE")
        Path file;

        @Option(names = "--ref", paramLabel = "REF",
                description = "Which image of an archive holding several: its ref name (OCI) or tag (docker-archive).")
        String ref;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            Path source = request.resolve(file); // the caller's path: relative to its working directory
            if (!Files.isRegularFile(source) && !Files.isDirectory(source)) {
                throw new JboxException("cannot import " + file + ": no such file or directory");
            }
            zstdDirectory(c);
            ImageMeta m = new ImageImporter(limits(c)).importImage(store(c), name, source, ref, shift(c),
                    new TerminalProgress("importing " + name, request.err(), request.terminals().console()));
            out().println("imported " + m.name() + " from " + file);
            return 0;
        }
    }

    @Command(name = "export", description = {"Write an image as an OCI image layout: a directory, or an oci-archive tar",
            "(with --format oci-archive or a DEST ending in .tar). skopeo and podman read both."},
            mixinStandardHelpOptions = true)
    static final class Export extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "NAME")
        String name;

        @Parameters(index = "1", paramLabel = "DEST")
        Path dest;

        @Option(names = "--format", paramLabel = "FORMAT", description = "oci (a directory) or oci-archive (a tar file).")
        String format;

        @Option(names = "--ref", paramLabel = "REF",
                description = "The ref name recorded in index.json (default: NAME:TAG, e.g. busybox:latest).")
        String ref;

        @Override
        public Integer call() throws JboxException {
            boolean archive;
            if (format == null) {
                archive = dest.getFileName() != null && dest.getFileName().toString().endsWith(".tar");
            } else if (format.equals("oci") || format.equals("oci-archive")) {
                archive = format.equals("oci-archive");
            } else {
                throw new JboxException("invalid --format " + format + ": expected oci or oci-archive");
            }
            ImageExporter.Exported e = new ImageExporter().export(store(config()), name, request.resolve(dest), ref, archive);
            out().println("exported " + name + " to " + dest + " as " + e.ref() + " (" + e.manifestDigest() + ")");
            return 0;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List images (REPOSITORY, TAG, IMAGE ID, CREATED, SIZE, COMMAND).",
            mixinStandardHelpOptions = true)
    static final class Ls extends RequestCommand implements Callable<Integer> {
        static final String DEFAULT_TABLE = "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.Command}}";

        @Option(names = {"-q", "--quiet"}, description = "Only the image IDs.")
        boolean quiet;

        @Option(names = "--no-trunc", description = "Full IDs and commands.")
        boolean noTrunc;

        @Option(names = "--format", paramLabel = "FORMAT", description = "table (default), json, or a Go template: '{{.Repository}}:{{.Tag}}'.")
        String format;

        @Override
        public Integer call() throws JboxException {
            ImageStore store = store(config());
            Instant now = Instant.now();
            ObjectMapper json = new ObjectMapper();
            List<ObjectNode> rows = new ArrayList<>();
            for (ImageMeta m : store.list()) {
                String id = imageId(m);
                String[] repoTag = repoTag(m.name());
                List<String> command = new ArrayList<>(m.entrypoint());
                command.addAll(m.cmd());
                String c = String.join(" ", command);
                if (!noTrunc && c.length() > 30) {
                    c = c.substring(0, 29) + "…";
                }
                ObjectNode row = json.createObjectNode();
                row.put("Repository", repoTag[0]).put("Tag", repoTag[1])
                        .put("ID", noTrunc ? id : shortId(id)).put("Id", id)
                        .put("CreatedAt", m.created()).put("CreatedSince", HumanTime.ago(HumanTime.parse(m.created()), now))
                        .put("Size", humanSize(size(store, m))).put("Command", "\"" + c + "\"").put("Name", m.name());
                rows.add(row);
            }
            if (quiet) {
                rows.forEach(r -> out().println(r.get("ID").asText()));
                return 0;
            }
            String f = format == null || format.equals("table") ? DEFAULT_TABLE : format;
            if (f.equals("json")) {
                ArrayNode a = json.createArrayNode();
                rows.forEach(a::add);
                out().println(a.toPrettyString());
                return 0;
            }
            out().print(Table.render(f, rows, field -> switch (field) {
                case "ID" -> "IMAGE ID";
                case "CreatedSince" -> "CREATED";
                case "CreatedAt" -> "CREATED AT";
                default -> field.toUpperCase(Locale.ROOT);
            }));
            return 0;
        }
    }

    @Command(name = "tag", description = "Give an image another name: jbox image tag SOURCE TARGET.", mixinStandardHelpOptions = true)
    static final class Tag extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "SOURCE")
        String source;

        @Parameters(index = "1", paramLabel = "TARGET")
        String target;

        @Override
        public Integer call() throws JboxException {
            store(config()).tag(source, target);
            return 0;
        }
    }

    @Command(name = "history", description = "Show how an image was built (from its config's history).", mixinStandardHelpOptions = true)
    static final class History extends RequestCommand implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "IMAGE")
        String name;

        @Option(names = "--no-trunc", description = "Show whole commands.")
        boolean noTrunc;

        @Option(names = {"-q", "--quiet"}, description = "Only the image IDs.")
        boolean quiet;

        @Override
        public Integer call() throws JboxException {
            ImageStore store = store(config());
            ImageMeta m = store.get(name);
            JsonNode config = configOf(store, m);
            Instant now = Instant.now();
            List<String[]> rows = new ArrayList<>();
            JsonNode history = config == null ? null : config.get("history");
            if (history == null || !history.isArray() || history.isEmpty()) {
                // built by jbox from a rootfs: one step, what it came from
                rows.add(new String[] {m.created(), m.source(), humanSize(size(store, m)), ""});
            } else {
                for (int i = history.size() - 1; i >= 0; i--) { // newest first, as docker
                    JsonNode h = history.get(i);
                    rows.add(new String[] {h.path("created").asText(""), h.path("created_by").asText(""),
                        h.path("empty_layer").asBoolean(false) ? "0B" : "-", h.path("comment").asText("")});
                }
            }
            String id = imageId(m);
            if (quiet) {
                for (int i = 0; i < rows.size(); i++) {
                    out().println(i == 0 ? (noTrunc ? id : shortId(id)) : "<missing>");
                }
                return 0;
            }
            ObjectMapper json = new ObjectMapper();
            List<ObjectNode> table = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                String[] r = rows.get(i);
                String by = r[1].replace("\t", " ").replace("\n", " ");
                if (!noTrunc && by.length() > 45) {
                    by = by.substring(0, 44) + "…";
                }
                table.add(json.createObjectNode().put("ID", i == 0 ? (noTrunc ? id : shortId(id)) : "<missing>")
                        .put("CreatedSince", HumanTime.ago(HumanTime.parse(r[0]), now)).put("CreatedBy", by)
                        .put("Size", r[2]).put("Comment", r[3]));
            }
            out().print(Table.render("table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}", table,
                    f -> switch (f) {
                        case "ID" -> "IMAGE";
                        case "CreatedSince" -> "CREATED";
                        case "CreatedBy" -> "CREATED BY";
                        default -> f.toUpperCase(Locale.ROOT);
                    }));
            return 0;
        }
    }

    @Command(name = "prune", description = {"Remove images: jbox keeps no dangling (untagged) images, so this removes",
        "nothing unless -a is given; -a removes every image no container (running or stopped) uses."},
            mixinStandardHelpOptions = true)
    static final class Prune extends RequestCommand implements Callable<Integer> {
        @Option(names = {"-a", "--all"}, description = "Remove every image no container uses.")
        boolean all;

        @Option(names = {"-f", "--force"}, description = "Accepted for docker's habit: jbox never asks.")
        boolean force;

        @Override
        public Integer call() throws JboxException {
            Config c = config();
            ImageStore store = store(c);
            if (!all) {
                out().println("nothing to remove: jbox keeps no dangling images (jbox image prune -a removes the unused ones)");
                return 0;
            }
            Set<String> used = new HashSet<>();
            for (ContainerRecord r : StateStore.ofRun(c.stateRoot()).list()) {
                if (r.image() != null) {
                    used.add(r.image());
                }
            }
            for (ImageMeta m : store.list()) {
                if (used.stream().noneMatch(u -> PsCommand.sameImage(u, m.name()))) {
                    // ImageStore.remove: the one door, whatever the store keeps underneath
                    store.remove(m.name());
                    out().println("deleted: " + m.name());
                }
            }
            return 0;
        }
    }

    @Command(name = "inspect", description = "Show images as JSON (docker's shape: Id, RepoTags, Created, Config, RootFS, Size).",
            mixinStandardHelpOptions = true)
    static final class Inspect extends RequestCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<String> names;

        @Option(names = {"-f", "--format"}, paramLabel = "TEMPLATE", description = "A Go template per image: '{{.Id}}', '{{json .Config}}'.")
        String format;

        @Override
        public Integer call() throws JboxException {
            ImageStore store = store(config());
            GoTemplate template = format == null ? null : GoTemplate.parse(format);
            ArrayNode all = new ObjectMapper().createArrayNode();
            int status = EachRef.run(request, names, n -> {
                JsonNode node = inspect(store, store.get(n));
                if (template != null) {
                    out().println(template.render(node));
                } else {
                    all.add(node);
                }
            });
            if (template == null) {
                InspectCommand.print(out(), all);
            }
            return status;
        }
    }

    /** docker's image id: the config's digest; for an image built from a rootfs, a digest of where and when it was made. */
    static String imageId(ImageMeta m) {
        if (!m.configDigest().isEmpty()) {
            return m.configDigest();
        }
        try {
            byte[] d = MessageDigest.getInstance("SHA-256")
                    .digest((m.source() + "\n" + m.created()).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e); // every JDK has SHA-256
        }
    }

    static String shortId(String id) {
        String hex = id.startsWith("sha256:") ? id.substring(7) : id;
        return hex.substring(0, Math.min(12, hex.length()));
    }

    /** "alpine:3.19" → alpine, 3.19; "busybox" → busybox, latest; a registry's port is not a tag. */
    static String[] repoTag(String name) {
        int colon = name.lastIndexOf(':');
        if (colon > name.lastIndexOf('/')) {
            return new String[] {name.substring(0, colon), name.substring(colon + 1)};
        }
        return new String[] {name, "latest"};
    }

    /** Bytes of the image's layers' files, each inode once (du's rule; images share layers). */
    static long size(ImageStore store, ImageMeta m) throws JboxException {
        Set<Object> seen = new HashSet<>();
        long[] total = {0};
        for (Path root : store.layers(m).layers()) {
            walkSize(root, seen, total);
        }
        return total[0];
    }

    private static void walkSize(Path root, Set<Object> seen, long[] total) throws JboxException {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path f, BasicFileAttributes a) {
                    if (a.isRegularFile() && seen.add(a.fileKey())) {
                        total[0] += a.size();
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path f, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new JboxException("cannot measure " + root + ": " + IoReason.of(e), e);
        }
    }

    /** go-units' HumanSize: decimal units, 3 significant digits ("7.8MB", "4.26kB", "0B"). */
    static String humanSize(long bytes) {
        String[] units = {"B", "kB", "MB", "GB", "TB", "PB"};
        double v = bytes;
        int u = 0;
        while (v >= 1000 && u < units.length - 1) {
            v /= 1000;
            u++;
        }
        BigDecimal d = new BigDecimal(v).round(new MathContext(3)).stripTrailingZeros();
        return d.toPlainString() + units[u];
    }

    static JsonNode configOf(ImageStore store, ImageMeta m) throws JboxException {
        byte[] b = store.configFile(m);
        if (b == null) {
            return null;
        }
        try {
            return new ObjectMapper().readTree(b);
        } catch (IOException e) {
            throw new JboxException("cannot parse the config of image " + m.name() + ": " + IoReason.of(e), e);
        }
    }

    /** One image in docker's shape. */
    static ObjectNode inspect(ImageStore store, ImageMeta m) throws JboxException {
        ObjectMapper json = new ObjectMapper();
        JsonNode kept = configOf(store, m);
        ObjectNode o = json.createObjectNode();
        o.put("Id", imageId(m));
        String[] rt = repoTag(m.name());
        o.putArray("RepoTags").add(rt[0] + ":" + rt[1]);
        ArrayNode digests = o.putArray("RepoDigests");
        if (!m.digest().isEmpty()) {
            digests.add(rt[0] + "@" + m.digest());
        }
        o.put("Created", kept != null && kept.hasNonNull("created") ? kept.get("created").asText() : m.created());
        o.put("Author", kept == null ? "" : kept.path("author").asText(""));
        ObjectNode c = o.putObject("Config");
        c.put("User", m.user());
        ArrayNode env = c.putArray("Env");
        m.env().forEach(env::add);
        ArrayNode cmd = c.putArray("Cmd");
        m.cmd().forEach(cmd::add);
        if (m.entrypoint().isEmpty()) {
            c.putNull("Entrypoint");
        } else {
            ArrayNode ep = c.putArray("Entrypoint");
            m.entrypoint().forEach(ep::add);
        }
        c.put("WorkingDir", m.workingDir());
        JsonNode labels = kept == null ? null : kept.path("config").get("Labels");
        c.set("Labels", labels == null ? json.createObjectNode() : labels);
        o.put("Architecture", kept == null ? arch() : kept.path("architecture").asText(arch()));
        o.put("Os", "linux");
        o.put("Size", size(store, m));
        ObjectNode rootfs = o.putObject("RootFS");
        rootfs.put("Type", "layers");
        ArrayNode layers = rootfs.putArray("Layers");
        if (kept != null) {
            kept.path("rootfs").path("diff_ids").forEach(layers::add);
        }
        o.put("Source", m.source()); // jbox's own: where it was imported from
        return o;
    }

    /** The host's architecture in Go's words, for an image built here. */
    private static String arch() {
        String a = System.getProperty("os.arch");
        return switch (a) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64" -> "arm64";
            default -> a;
        };
    }

    @Command(name = "rm", description = "Remove images no container uses.", mixinStandardHelpOptions = true)
    static final class Rm extends RequestCommand implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "NAME")
        List<String> names;

        @Option(names = {"-f", "--force"}, description = "Remove the containers made from it first (running ones are killed).")
        boolean force;

        /** As docker rmi: an image that cannot go (missing, in use) is one error line; the others still go. */
        @Override
        public Integer call() throws JboxException {
            ImageStore store = store(config());
            return EachRef.run(request, names, n -> {
                ImageUsers.clear(config(), n, force, out());
                store.remove(n);
                out().println(n);
            });
        }
    }
}
