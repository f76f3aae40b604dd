package jbox.security;

import java.util.ArrayList;
import java.util.List;
import jbox.JboxException;

/**
 * The filter a container gets, compiled as jbox installs it: every "refuse with EPERM" of the
 * profile becomes a notification to the shim, which answers EPERM itself and counts the syscall
 * (so the run report can say what was denied; the container sees the same EPERM either way).
 *
 * <p>The default profile is read and compiled on a second thread as soon as `jbox run` knows it
 * will need it (prepareDefault), while the start path resolves the image and builds the spec:
 * measured, that takes ~20 ms off the start on two cores.
 */
public final class SeccompFilters {
    private static Thread worker;
    private static SeccompProfile defaultProfile;
    private static SeccompProgram defaultProgram;
    private static JboxException failure;

    private SeccompFilters() {
    }

    /** Starts reading and compiling the default profile in the background. */
    public static synchronized void prepareDefault() {
        if (worker == null) {
            worker = new Thread(SeccompFilters::compileDefault, "jbox-seccomp");
            worker.setDaemon(true);
            worker.start();
        }
    }

    private static void compileDefault() {
        try {
            SeccompProfile p = SeccompProfiles.readDefault();
            SeccompProgram program = SeccompCompiler.compile(countingDenials(p));
            synchronized (SeccompFilters.class) {
                defaultProfile = p;
                defaultProgram = program;
            }
        } catch (JboxException e) {
            synchronized (SeccompFilters.class) {
                failure = e;
            }
        }
    }

    /** The default profile: the background's result, or read now when nothing was started. */
    public static SeccompProfile defaultProfile() throws JboxException {
        Thread w;
        synchronized (SeccompFilters.class) {
            w = worker;
        }
        if (w == null) {
            return SeccompProfiles.readDefault();
        }
        try {
            w.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new JboxException("interrupted while compiling the seccomp filter", e);
        }
        synchronized (SeccompFilters.class) {
            if (failure != null) {
                throw failure;
            }
            return defaultProfile;
        }
    }

    /** The BPF to install for {@code profile} (the precompiled one when it is the default). */
    public static SeccompProgram compiled(SeccompProfile profile) throws JboxException {
        synchronized (SeccompFilters.class) {
            if (profile == defaultProfile && defaultProgram != null) {
                return defaultProgram;
            }
        }
        return SeccompCompiler.compile(countingDenials(profile));
    }

    /** The BPF as the profile says, without notifications: for containers no shim monitors (OCI CLI). */
    public static SeccompProgram compiledAsIs(SeccompProfile profile) throws JboxException {
        return SeccompCompiler.compile(profile);
    }

    /** EPERM answers become notifications for the shim; other actions stay as they are. */
    public static SeccompProfile countingDenials(SeccompProfile profile) {
        SeccompAction eperm = SeccompAction.errno(SeccompAction.EPERM);
        SeccompAction notify = SeccompAction.of(SeccompAction.Kind.NOTIFY);
        List<SeccompProfile.Rule> rules = new ArrayList<>();
        for (SeccompProfile.Rule r : profile.rules()) {
            rules.add(r.action().equals(eperm) ? new SeccompProfile.Rule(r.names(), notify, r.args()) : r);
        }
        return new SeccompProfile(profile.source(), profile.defaultAction().equals(eperm) ? notify : profile.defaultAction(),
                profile.architectures(), rules);
    }
}
