package jbox.runtime;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import jbox.JboxException;
import jbox.process.Protocol;

/**
 * MSG_CLONE's payload (protocol.h): the clone flags, the options, then the strings the options ask
 * for in the header's order — namespaces to join (a count, then paths in the order the shim joins
 * them: user first), the monitor lock and exit record, the start FIFO, the console socket, the output log,
 * the attach socket, the command to exec at the end.
 */
record CloneRequest(long flags, List<String> joins, Path recordDir, String startFifo,
        String consoleSocket, boolean handover, List<String> onExit, Path outputLog, Path attachSocket, boolean openStdin) {

    CloneRequest(long flags, List<String> joins, Path recordDir, String startFifo, String consoleSocket, boolean handover,
            List<String> onExit) {
        this(flags, joins, recordDir, startFifo, consoleSocket, handover, onExit, null, null, false);
    }

    static CloneRequest clone(long flags, List<String> joins) {
        return new CloneRequest(flags, List.copyOf(joins), null, null, null, false, null);
    }

    CloneRequest withRecord(Path stateDir) {
        return new CloneRequest(flags, joins, stateDir, startFifo, consoleSocket, handover, onExit, outputLog, attachSocket, openStdin);
    }

    CloneRequest withOnExit(List<String> command) {
        return new CloneRequest(flags, joins, recordDir, startFifo, consoleSocket, handover, command, outputLog, attachSocket, openStdin);
    }

    /** The init's stdout and stderr go through the shim, which appends them to {@code log} (and relays them unless detached). */
    CloneRequest withOutputLog(Path log) {
        return new CloneRequest(flags, joins, recordDir, startFifo, consoleSocket, handover, onExit, log, attachSocket, openStdin);
    }

    /** A detached monitor listens at {@code socket} for `jbox attach` (SHIM_OPT_ATTACH). */
    CloneRequest withAttachSocket(Path socket) {
        return new CloneRequest(flags, joins, recordDir, startFifo, consoleSocket, handover, onExit, outputLog, socket, openStdin);
    }

    /** The init's stdin is a pipe the detached monitor holds, for jbox attach's keys (SHIM_OPT_STDIN). */
    CloneRequest withOpenStdin() {
        return new CloneRequest(flags, joins, recordDir, startFifo, consoleSocket, handover, onExit, outputLog, attachSocket, true);
    }

    /** No monitor (the OCI CLI): the shim leaves once the init is created (a FIFO) or started. */
    CloneRequest handedOver(String fifo, String console) {
        return new CloneRequest(flags, joins, recordDir, fifo, console, true, onExit, outputLog, attachSocket, openStdin);
    }

    byte[] encode() throws JboxException {
        int options = 0;
        StringBuilder strings = new StringBuilder();
        if (!joins.isEmpty()) {
            if (joins.size() > Protocol.MAX_JOINS) {
                throw new JboxException("too many namespaces to join (" + joins.size() + ", at most " + Protocol.MAX_JOINS + ")");
            }
            options |= Protocol.SHIM_OPT_JOIN;
            strings.append(joins.size()).append('\0');
            joins.forEach(p -> strings.append(p).append('\0'));
        }
        if (recordDir != null) {
            options |= Protocol.SHIM_OPT_RECORD;
            strings.append(recordDir.resolve(ContainerRunner.MONITOR_LOCK)).append('\0')
                    .append(recordDir.resolve(ContainerRunner.EXIT_RECORD)).append('\0');
        }
        if (startFifo != null) {
            options |= Protocol.SHIM_OPT_START_FIFO;
            strings.append(startFifo).append('\0');
        }
        if (consoleSocket != null) {
            options |= Protocol.SHIM_OPT_CONSOLE;
            strings.append(consoleSocket).append('\0');
        }
        if (outputLog != null) {
            options |= Protocol.SHIM_OPT_LOG;
            strings.append(outputLog).append('\0');
        }
        if (attachSocket != null) {
            options |= Protocol.SHIM_OPT_ATTACH;
            strings.append(attachSocket).append('\0');
        }
        if (handover) {
            options |= Protocol.SHIM_OPT_HANDOVER;
        }
        if (openStdin) {
            options |= Protocol.SHIM_OPT_STDIN;
        }
        if (onExit != null) {
            options |= Protocol.SHIM_OPT_DETACH | Protocol.SHIM_OPT_ON_EXIT;
            onExit.forEach(a -> strings.append(a).append('\0'));
        }
        byte[] tail = strings.toString().getBytes(StandardCharsets.UTF_8);
        if (8 + tail.length > Protocol.CLONE_MSG_MAX) {
            throw new JboxException("the clone request is too long (" + (8 + tail.length) + " bytes): shorten the paths");
        }
        return ByteBuffer.allocate(8 + tail.length).order(ByteOrder.LITTLE_ENDIAN)
                .putInt((int) flags).putInt(options).put(tail).array();
    }
}
