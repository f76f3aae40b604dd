package jbox.cgroup;

/**
 * One device cgroup rule (v1 devices.allow / devices.deny): type a (all), c or b; major and
 * minor null for any; access a combination of r, w and m.
 */
public record DeviceRule(boolean allow, char type, Long major, Long minor, String access) {
    /** "c 1:3 rwm", "a *:* rwm": the line devices.allow and devices.deny take. */
    public String entry() {
        return type + " " + (major == null ? "*" : major.toString()) + ":" + (minor == null ? "*" : minor.toString())
                + " " + (access == null || access.isEmpty() ? "rwm" : access);
    }
}
