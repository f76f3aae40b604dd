// picocli's cost per command in a warm JVM with the engine's flags (bench/picocli.sh runs it with
// jbox.jar on the class path). Per command: building the CLI model as Main.execute does for every
// picocli call, parsing the arguments with it, and the hand parser (RunFlags, OciFastPath) where
// one exists. Package-private parts of jbox.cli are reached by reflection: this is a measurement,
// not a caller.
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

public class PicocliCost {
    static Object request;
    static Constructor<?> mainCtor, factoryCtor;
    static Method helpSpec, runParse, ociParse;

    public static void main(String[] a) throws Exception {
        int warm = Integer.parseInt(a[0]), runs = Integer.parseInt(a[1]);
        PrintStream sink = new PrintStream(OutputStream.nullOutputStream());
        Class<?> req = Class.forName("jbox.cli.Request");
        Class<?> caller = Class.forName("jbox.runtime.Caller");
        Class<?> starter = Class.forName("jbox.process.ShimStarter");
        Object local = starter.getField("LOCAL").get(null);
        Object callerObj = caller.getMethod("of", PrintStream.class, PrintStream.class, starter).invoke(null, sink, sink, local);
        Class<?> terminals = Class.forName("jbox.cli.Request$Terminals");
        Object none = terminals.getField("NONE").get(null);
        Class<?> termSupplier = req.getConstructors()[0].getParameterTypes()[6];
        Class<?> signals = req.getConstructors()[0].getParameterTypes()[7];
        Object ts = java.lang.reflect.Proxy.newProxyInstance(PicocliCost.class.getClassLoader(), new Class<?>[] {termSupplier},
                (p, m, args) -> m.getName().equals("get") ? none : null);
        Object sg = java.lang.reflect.Proxy.newProxyInstance(PicocliCost.class.getClassLoader(), new Class<?>[] {signals},
                (p, m, args) -> null);
        request = req.getConstructors()[0].newInstance(List.of(), InputStream.nullInputStream(), sink, sink, Map.of(),
                Path.of("/"), ts, sg, callerObj);
        Class<?> main = Class.forName("jbox.cli.Main");
        mainCtor = main.getDeclaredConstructor(req);
        mainCtor.setAccessible(true);
        factoryCtor = Class.forName("jbox.cli.Main$Factory").getDeclaredConstructor(req);
        factoryCtor.setAccessible(true);
        Class<?> runFlags = Class.forName("jbox.cli.RunFlags");
        helpSpec = runFlags.getDeclaredMethod("helpSpec");
        helpSpec.setAccessible(true);
        runParse = runFlags.getDeclaredMethod("parse", List.class);
        runParse.setAccessible(true);
        ociParse = Class.forName("jbox.cli.OciFastPath").getDeclaredMethod("parse", String[].class);
        ociParse.setAccessible(true);

        String[][] commands = {
            {"run", "--rm", "--net", "none", "busybox", "/bin/true"},
            {"create", "--bundle", "/tmp/b", "--pid-file", "/tmp/b/pid", "c1"},
            {"start", "c1"}, {"state", "c1"}, {"kill", "c1", "KILL"}, {"delete", "--force", "c1"},
            {"ps"}, {"image", "ls"}, {"--version"}, {"inspect", "c1"}, {"logs", "c1"}, {"exec", "c1", "true"},
        };
        System.out.printf("%-44s %10s %10s %12s %10s%n", "command", "model", "parse", "hand parser", "picocli");
        for (String[] c : commands) {
            double model = median(warm, runs, () -> cli());
            CommandLine cl = cli();
            cl.parseArgs(c); // it must parse, or the figure is an error path's
            double parse = median(warm, runs, () -> cl.parseArgs(c)); // picocli resets the model per parse
            Double hand = null;
            if (c[0].equals("run")) {
                hand = median(warm, runs, () -> runParse.invoke(null, List.of(c).subList(1, c.length)));
            } else if (ociParse.invoke(null, (Object) c) != null) {
                hand = median(warm, runs, () -> ociParse.invoke(null, (Object) c));
            }
            double picocli = model + parse - (hand == null ? 0 : hand);
            System.out.printf("%-44s %10.3f %10.3f %12s %10.3f%n", "jbox " + String.join(" ", c), model, parse,
                    hand == null ? "-" : String.format("%.3f", hand), picocli);
        }
    }

    /** The model Main.execute builds for every command that goes through picocli. */
    static CommandLine cli() throws Exception {
        CommandLine cli = new CommandLine(mainCtor.newInstance(request), (CommandLine.IFactory) factoryCtor.newInstance(request));
        cli.addSubcommand("run", new CommandLine((CommandLine.Model.CommandSpec) helpSpec.invoke(null)));
        cli.getSubcommands().get("exec").setStopAtPositional(true);
        return cli;
    }

    interface Work {
        Object run() throws Exception;
    }

    /** Median ms of {@code runs} calls after {@code warm} (the JIT's, as in a warm engine). */
    static double median(int warm, int runs, Work w) throws Exception {
        for (int i = 0; i < warm; i++) {
            w.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long t0 = System.nanoTime();
            w.run();
            t[i] = (System.nanoTime() - t0) / 1e6;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }
}
