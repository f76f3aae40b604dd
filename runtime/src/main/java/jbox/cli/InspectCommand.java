package jbox.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.concurrent.Callable;
import jbox.JboxException;
import jbox.config.Config;
import jbox.state.ContainerState;
import jbox.state.StateStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** `jbox inspect ID`: the container's recorded state as JSON, with whether it still runs. */
@Command(name = "inspect", description = "Show a container's state as JSON.", mixinStandardHelpOptions = true)
public final class InspectCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CONTAINER")
    String ref;

    @Override
    public Integer call() throws JboxException {
        StateStore states = new StateStore(Config.load().stateRoot());
        ContainerState s = states.find(ref);
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode node = json.valueToTree(s);
        boolean live = states.isOwned(s.id());
        node.put("running", live);
        if (!live && ContainerState.RUNNING.equals(s.status())) {
            node.put("status", "dead"); // its jbox was killed: jbox system prune removes it
        }
        node.put("stateDir", states.dir(s.id()).toString());
        try {
            System.out.println(json.writeValueAsString(node));
        } catch (IOException e) {
            throw new JboxException("cannot print JSON: " + e.getMessage(), e);
        }
        return 0;
    }
}
