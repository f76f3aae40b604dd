package jbox.runtime;

import java.util.List;
import jbox.Errno;
import jbox.JboxException;
import jbox.Operation;
import jbox.process.Plan;
import jbox.process.Protocol;
import jbox.process.ShimMessage;
import jbox.process.ShimSequence;

/**
 * Words for the shim's FAILED(step, errno, exit status): a plan step by its description
 * (`mount proc on /proc failed: ...`), or one of the shim's own steps before the init exists. The
 * exit status is the shim's (docker's 125/126/127, decided once in steps.c); only the words are
 * chosen here.
 */
final class StartFailures implements ShimSequence.FailureWords {
    /** The failing step, for the run report. */
    record Summary(String step, String errno) {
    }

    private final Plan plan;
    private final String cloneWhat;
    private final List<String> joins;
    private final CloneRequest request;
    private Summary summary;

    /**
     * @param cloneWhat the clone flags as words, for a failed clone
     * @param joins     what each SHIM_OPT_JOIN path is, in the request's order ("the network namespace /x")
     */
    StartFailures(Plan plan, String cloneWhat, List<String> joins, CloneRequest request) {
        this.plan = plan;
        this.cloneWhat = cloneWhat;
        this.joins = List.copyOf(joins);
        this.request = request;
    }

    Summary summary() {
        return summary;
    }

    @Override
    public JboxException describe(ShimMessage.Failed f) {
        long step = f.step();
        int errno = f.errno();
        if (step < Protocol.STEP_JOIN) { // a plan index (PLAN_MAX_STEPS is far below)
            Plan.Step s = plan.step(step);
            summary = new Summary(s == null ? "step " + step : s.what(), Errno.name(errno));
            return stepFailure(plan, step, errno, f.exitStatus());
        }
        if (step < Protocol.STEP_JOIN + Protocol.MAX_JOINS) {
            int i = (int) (step - Protocol.STEP_JOIN);
            String what = i < joins.size() ? joins.get(i) : "namespace " + i + " of the join list";
            return shimStep("join " + what, "joining " + what, Operation.JOIN, errno);
        }
        if (step == Protocol.STEP_CLONE) {
            summary = new Summary("clone", Errno.name(errno));
            return JboxException.builder("clone(" + cloneWhat + ") failed").operation(Operation.CLONE).errno(errno).build();
        }
        if (step == Protocol.STEP_CONSOLE) {
            return shimStep("connect console socket", "connecting to the console socket " + request.consoleSocket(), null, errno);
        }
        if (step == Protocol.STEP_START_FIFO) {
            return shimStep("make start fifo", "making the start FIFO " + request.startFifo(), null, errno);
        }
        if (step == Protocol.STEP_MONITOR_LOCK) {
            return shimStep("take monitor lock", "taking the monitor lock " + request.recordDir().resolve(ContainerRunner.MONITOR_LOCK)
                    + " (is another shim monitoring this container?)", null, errno);
        }
        if (step == Protocol.STEP_SIGNALFD) {
            return shimStep("monitor signalfd", "setting up the shim's signal handling (sigprocmask, signalfd)", null, errno);
        }
        if (step == Protocol.STEP_SOCKETPAIR) {
            return shimStep("init socketpair", "making the shim's socketpair to the container init", null, errno);
        }
        if (step == Protocol.STEP_LOG) {
            return shimStep("open output log", "opening the output log " + request.outputLog() + " (or its pipes)", null, errno);
        }
        if (step == Protocol.STEP_ATTACH) {
            return shimStep("listen for attach", "listening for jbox attach on " + request.attachSocket(), null, errno);
        }
        if (step == Protocol.STEP_PROTOCOL) {
            summary = new Summary("shim protocol", Errno.name(errno));
            return new JboxException("shim protocol error: the container init sent a malformed message ("
                    + Errno.describe(errno) + ")");
        }
        summary = new Summary("step " + Long.toHexString(step), Errno.name(errno));
        return new JboxException("the shim failed at unknown step 0x" + Long.toHexString(step) + ": " + Errno.describe(errno));
    }

    private JboxException shimStep(String summaryStep, String what, Operation op, int errno) {
        summary = new Summary(summaryStep, Errno.name(errno));
        return JboxException.builder(what + " failed").operation(op).errno(errno).build();
    }

    /** A plan step's failure: its words, and the shim's exit status (126/127 only for EXEC and WAIT_START). */
    static JboxException stepFailure(Plan plan, long index, int errno, int exitStatus) {
        Plan.Step step = plan.step(index);
        if (step == null) {
            return new JboxException("the container init failed at step " + index + " of " + plan.steps().size()
                    + ": " + Errno.describe(errno));
        }
        if ((step.op() == Protocol.OP_EXEC || step.op() == Protocol.OP_WAIT_START)
                && (exitStatus == JboxException.NOT_FOUND || exitStatus == JboxException.NOT_EXECUTABLE)) {
            String cmd = (String) step.args().get(step.op() == Protocol.OP_EXEC ? 1 : 0);
            String why = exitStatus == JboxException.NOT_EXECUTABLE ? Errno.describe(errno)
                    : cmd.contains("/") ? "no such file or directory" : "executable file not found in $PATH";
            return new JboxException("exec \"" + cmd + "\" failed: " + why, exitStatus, null);
        }
        if (step.op() == Protocol.OP_HOOK && (errno & Protocol.HOOK_FAILED) != 0) {
            int status = errno & 0xffff;
            return new JboxException(step.what() + " failed: "
                    + ((status & 0x7f) == 0 ? "exit status " + ((status >> 8) & 0xff) : "killed by signal " + (status & 0x7f)));
        }
        return JboxException.builder(step.what() + " failed").operation(step.operation()).errno(errno).build();
    }
}
