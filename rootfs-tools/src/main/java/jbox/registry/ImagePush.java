// `jbox push`: a stored image to a registry (OCI distribution API), as the OCI layout the image exporter writes.
package jbox.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import jbox.image.Digest;
import jbox.image.ImageException;
import jbox.image.ImageExporter;
import jbox.image.ImageName;
import jbox.image.ImageStore;
import jbox.io.FileModes;
import jbox.io.IoReason;
import jbox.rootfs.TreeDeletion;

/**
 * The store keeps an image as a root filesystem, so pushing first exports it (one gzip layer,
 * owners shifted back, reproducible: the same image exports to the same digests) into a private
 * directory under downloads/, which is removed afterwards. Each blob is skipped when the registry
 * already has it (HEAD), else uploaded in one PUT after a POST opened the upload (the spec's
 * monolithic upload); the manifest goes last, under the tag, so the image appears only complete.
 */
public final class ImagePush {

    private static final ObjectMapper JSON = new ObjectMapper();

    public record Result(String destination, Digest manifest) {
    }

    private final RegistrySettings settings;
    private final TransferDisplay display;

    public ImagePush(RegistrySettings settings, TransferDisplay display) {
        this.settings = settings;
        this.display = display;
    }

    /** @param destination [REGISTRY/]NAME[:TAG] to push to; null: the image's own name */
    public Result push(ImageStore store, String image, String destination) throws ImageException {
        store.get(image);
        ImageName dest = ImageName.parse(destination == null ? image : destination);
        if (dest.digest() != null) {
            throw new ImageException("cannot push to " + dest + ": the destination takes a tag, not a digest"
                    + " (the registry computes the digest)");
        }
        RemoteImage remote = RemoteImage.of(dest);
        RegistryClient client = new RegistryClient(remote.registry(), remote.path(), "pull,push", settings,
                new AuthFile(settings.authFile()).find(remote.registry()));
        client.connect();
        Path work = settings.downloads().resolve(".push-" + UUID.randomUUID());
        try {
            Files.createDirectories(settings.downloads(), FileModes.attribute(FileModes.PRIVATE_DIR));
            FileModes.createDirectory(work, FileModes.PRIVATE_DIR);
            Path layout = work.resolve("layout");
            display.note("exporting " + image);
            new ImageExporter().export(store, image, layout, dest.withTag(), false);
            return upload(client, remote, layout);
        } catch (IOException e) {
            throw new ImageException("cannot push " + image + " via " + work + ": " + IoReason.of(e), e);
        } finally {
            display.finish();
            try {
                TreeDeletion.delete(work);
            } catch (IOException e) {
                // left as downloads/.push-*: named in no image, safe to delete by hand
            }
        }
    }

    private Result upload(RegistryClient client, RemoteImage remote, Path layout) throws ImageException, IOException {
        JsonNode index = JSON.readTree(Files.readAllBytes(layout.resolve("index.json")));
        Manifests.Blob manifestRef = Manifests.blob(index.path("manifests").get(0), "exported index.json");
        byte[] manifest = Files.readAllBytes(blob(layout, manifestRef.digest()));
        JsonNode json = JSON.readTree(manifest);
        List<Manifests.Blob> blobs = new ArrayList<>();
        int i = 0;
        for (JsonNode l : json.path("layers")) {
            blobs.add(Manifests.blob(l, "layer " + ++i));
        }
        blobs.add(Manifests.blob(json.get("config"), "config"));
        for (Manifests.Blob b : blobs) {
            uploadBlob(client, b, blob(layout, b.digest()));
        }
        String what = "manifest " + remote;
        HttpResponse<InputStream> r = client.sendReplayable("PUT", client.repoPath("manifests/" + remote.reference()),
                Map.of("Content-Type", manifestRef.mediaType()), () -> HttpRequest.BodyPublishers.ofByteArray(manifest),
                what);
        r.body().close();
        RegistryClient.check(r, "cannot push " + what);
        String sent = r.headers().firstValue("Docker-Content-Digest").orElse(null);
        if (sent != null && !sent.equals(manifestRef.digest().toString())) {
            throw new ImageException("registry " + remote.registry() + " stored " + what + " as " + sent
                    + ", not as " + manifestRef.digest());
        }
        return new Result(remote.toString(), manifestRef.digest());
    }

    private void uploadBlob(RegistryClient client, Manifests.Blob b, Path file) throws ImageException, IOException {
        TransferDisplay.Line line = display.line(b.digest().hex().substring(0, 12), b.size());
        String what = "blob " + b.digest();
        HttpResponse<InputStream> head = client.send("HEAD", client.repoPath("blobs/" + b.digest()), Map.of(), null, what);
        head.body().close();
        if (head.statusCode() == 200) {
            line.done("already in the registry");
            return;
        }
        HttpResponse<InputStream> start = client.sendReplayable("POST", client.repoPath("blobs/uploads/"), Map.of(),
                HttpRequest.BodyPublishers::noBody, "upload of " + what);
        start.body().close();
        if (start.statusCode() != 202) {
            throw RegistryClient.error(start, "cannot start the upload of " + what);
        }
        String location = start.headers().firstValue("Location")
                .orElseThrow(() -> new ImageException("registry answered the upload of " + what + " without a Location"));
        String target = location + (location.contains("?") ? "&" : "?") + "digest=" + b.digest();
        if (!location.startsWith("/") && !location.startsWith("http")) {
            throw new ImageException("registry answered the upload of " + what + " with Location " + location);
        }
        line.progress("uploading", 0);
        HttpResponse<InputStream> put = client.sendReplayable("PUT", target,
                Map.of("Content-Type", "application/octet-stream"), () -> ofFile(file), "upload of " + what);
        put.body().close();
        if (put.statusCode() != 201) {
            throw RegistryClient.error(put, "cannot upload " + what);
        }
        line.done("pushed");
    }

    private static HttpRequest.BodyPublisher ofFile(Path file) {
        try {
            return HttpRequest.BodyPublishers.ofFile(file);
        } catch (FileNotFoundException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path blob(Path layout, Digest digest) {
        return layout.resolve("blobs/sha256").resolve(digest.hex());
    }
}
