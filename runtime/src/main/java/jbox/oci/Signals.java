package jbox.oci;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import jbox.JboxException;
import jbox.io.IoReason;

/** Signals by name or number through kill(1): the JVM itself can only send TERM and KILL. */
public final class Signals {
    private Signals() {
    }

    /**
     * Signals a pid jbox recorded, and only while it is still the recorded process (its start time
     * checked right before kill(1)): a reused pid, or one written into a state file, is refused.
     */
    public static void sendRecorded(long pid, long startTime, String signal) throws JboxException {
        if (!jbox.ProcFile.isSameProcess(pid, startTime)) {
            throw new JboxException("pid " + pid + " is no longer the recorded process (its start time is not "
                    + startTime + "): not signalled");
        }
        send(List.of(pid), signal);
    }

    /** Signals live pids just read from the kernel (a cgroup's procs), or via {@link #sendRecorded}. */
    public static void send(List<Long> pids, String signal) throws JboxException {
        String sig = signal.toUpperCase(Locale.ROOT).replaceFirst("^SIG", "");
        if (!sig.matches("[A-Z0-9+-]{1,12}")) {
            throw new JboxException("invalid signal " + signal);
        }
        List<String> cmd = new ArrayList<>(List.of("kill", "-s", sig));
        pids.forEach(p -> cmd.add(Long.toString(p)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() != 0 && pids.size() == 1) { // with --all some may have exited meanwhile
                throw new JboxException("cannot send " + signal + " to pid " + pids.get(0) + ": " + out);
            }
        } catch (IOException e) {
            throw new JboxException("cannot run kill: " + IoReason.of(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while sending " + signal, e);
        }
    }
}
