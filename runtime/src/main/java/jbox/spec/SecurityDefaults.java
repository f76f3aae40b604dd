package jbox.spec;

import java.util.List;

/**
 * The security settings every container gets unless flags say otherwise, and the --sandbox
 * preset; all read from the config (config/jbox.properties), none written into code.
 */
public record SecurityDefaults(
        List<String> capabilities,
        List<String> maskedPaths,
        List<String> readonlyPaths,
        Sandbox sandbox) {

    /** What --sandbox adds; each value as its flag would be written. */
    public record Sandbox(String memory, String pidsLimit, String cpus, String fileSize, String openFiles,
            String cpuTime, String tmpSize) {
    }
}
