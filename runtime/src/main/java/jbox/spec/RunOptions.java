package jbox.spec;

import java.util.List;

/**
 * What the user asked for on `jbox run`, before any defaults are applied. The CLI fills it;
 * SpecBuilder turns it into a ContainerSpec. Nulls mean "not given".
 */
public record RunOptions(
        String image,
        List<String> command,
        String name,
        String hostname,
        List<String> env,
        String workdir,
        String user,
        String net,
        String userns,
        boolean remove) {
}
