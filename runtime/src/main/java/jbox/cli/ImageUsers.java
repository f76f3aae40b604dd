package jbox.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;
import jbox.config.Config;
import jbox.image.ImageName;
import jbox.runtime.ContainerCgroups;
import jbox.runtime.ContainerFiles;
import jbox.runtime.ContainerStop;
import jbox.state.ContainerRecord;
import jbox.state.StateStore;

/**
 * The containers of the run store made from an image (running or stopped: the overlay of each
 * has the image's rootfs as its lower layer, so removing the image empties their `/`). image rm
 * refuses while there are any, as docker and podman do; with -f it removes them first (podman).
 */
final class ImageUsers {
    private ImageUsers() {
    }

    /** Only containers whose layer is in {@code layers}: another data root's images are other images of that name. */
    static List<ContainerRecord> of(StateStore states, Path layers, String image) throws JboxException {
        String canonical = ImageName.parse(image).canonical();
        List<ContainerRecord> out = new ArrayList<>();
        for (ContainerRecord r : states.list()) {
            if (r.image() != null && r.layerDir() != null && Path.of(r.layerDir()).startsWith(layers)
                    && ImageName.parse(r.image()).canonical().equals(canonical)) {
                out.add(r);
            }
        }
        return out;
    }

    static String names(List<ContainerRecord> users) {
        List<String> n = new ArrayList<>();
        for (ContainerRecord r : users) {
            n.add(r.name() != null ? r.name() : r.shortId());
        }
        return String.join(", ", n);
    }

    /** Fails naming the users unless {@code force}, which removes each (killing a running one) as rm -f does. */
    static void clear(Config config, String image, boolean force, PrintStream out) throws JboxException {
        StateStore states = StateStore.ofRun(config.stateRoot());
        List<ContainerRecord> users = of(states, config.containersDir(), image);
        if (users.isEmpty()) {
            return;
        }
        if (!force) {
            throw new JboxException("image " + image + " is in use by container " + names(users)
                    + " (remove them first, or: jbox image rm -f " + image + ")");
        }
        for (ContainerRecord s : users) {
            if (states.isOwned(s.id())) {
                new ContainerStop(states, new ContainerCgroups(config)).killForRemoval(s);
            }
            new ContainerFiles(config.containersDir().resolve(s.id()), states.dir(s.id())).remove();
            out.println("removed container " + (s.name() != null ? s.name() : s.shortId()));
        }
    }
}
