package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.runtime.ContainerLauncher;
import jbox.runtime.ContainerRunner;
import jbox.runtime.ShimLocator;
import jbox.runtime.Timings;
import jbox.spec.RunOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** `jbox run [OPTIONS] IMAGE [CMD [ARG...]]`: options as docker's, translated by SpecBuilder. */
@Command(name = "run", description = "Run a command in a new container.", mixinStandardHelpOptions = true,
        sortOptions = false)
public final class RunCommand implements Callable<Integer> {
    @Option(names = "--rm", description = "Remove the container's files when it exits.")
    boolean remove;

    @Option(names = "--name", paramLabel = "NAME", description = "Name the container.")
    String name;

    @Option(names = "--hostname", paramLabel = "HOST", description = "Hostname inside the container (default: short id).")
    String hostname;

    @Option(names = {"-e", "--env"}, paramLabel = "K=V", description = "Set an environment variable (K alone copies jbox's).")
    List<String> env = new ArrayList<>();

    @Option(names = {"-w", "--workdir"}, paramLabel = "DIR", description = "Working directory inside the container.")
    String workdir;

    @Option(names = {"-u", "--user"}, paramLabel = "UID[:GID]", description = "User and group ids for the command.")
    String user;

    @Option(names = {"--net", "--network"}, paramLabel = "MODE", description = "Network: none (default) or host.")
    String net;

    @Option(names = "--userns", paramLabel = "MODE", description = "User namespace: private (default) or host.")
    String userns;

    @Option(names = "--timings", description = "Print per-phase start times as JSON on stderr.")
    boolean timings;

    @Option(names = "--dry-run", description = "Print the container's OCI-style config as JSON instead of running it.")
    boolean dryRun;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "Image name (see: jbox image ls).")
    String image;

    @Parameters(index = "1..*", paramLabel = "CMD", description = "Command and arguments (default: the image's).")
    List<String> command = new ArrayList<>();

    @Override
    public Integer call() throws JboxException {
        Timings t = new Timings(timings || "1".equals(System.getenv("JBOX_TIMINGS")));
        Config config = Config.load();
        RunOptions o = new RunOptions(image, command, name, hostname, env, workdir, user,
                net != null ? net : config.get("net.default"), userns, remove);
        ContainerLauncher launcher = new ContainerLauncher(config, t);
        if (dryRun) {
            try {
                System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                        .writeValueAsString(launcher.specOnly(o)));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new JboxException("cannot print the config: " + e.getMessage(), e);
            }
            return 0;
        }
        ContainerRunner runner = new ContainerRunner(ShimLocator.find(config), t);
        SignalForwarding.install(runner);
        try {
            return launcher.run(o, runner);
        } finally {
            t.print();
        }
    }
}
