package jbox.cgroup;

import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jbox.JboxException;

/**
 * The resource limits of one container, in docker's terms; null means "not set" (the kernel's
 * default, unlimited, stays). memorySwapBytes is memory plus swap, as docker's --memory-swap, with
 * {@link #UNLIMITED} for unlimited swap; pidsLimit 0 or below is unlimited, as docker's
 * --pids-limit; cpuShares is docker's --cpu-shares (2..262144, 1024 being one cpu's share).
 */
public record CgroupResources(Long memoryBytes, Long memorySwapBytes, Long pidsLimit, Long cpuQuotaMicros,
        Long cpuPeriodMicros, Long cpuShares, List<DeviceRule> devices, OciResources oci) {

    /** Without device rules (everything but OCI configs). */
    public CgroupResources(Long memoryBytes, Long memorySwapBytes, Long pidsLimit, Long cpuQuotaMicros,
            Long cpuPeriodMicros, Long cpuShares) {
        this(memoryBytes, memorySwapBytes, pidsLimit, cpuQuotaMicros, cpuPeriodMicros, cpuShares, List.of());
    }

    /** Without the limits only OCI configs set. */
    public CgroupResources(Long memoryBytes, Long memorySwapBytes, Long pidsLimit, Long cpuQuotaMicros,
            Long cpuPeriodMicros, Long cpuShares, List<DeviceRule> devices) {
        this(memoryBytes, memorySwapBytes, pidsLimit, cpuQuotaMicros, cpuPeriodMicros, cpuShares, devices, OciResources.NONE);
    }

    public CgroupResources {
        devices = devices == null ? List.of() : List.copyOf(devices);
        oci = oci == null ? OciResources.NONE : oci;
    }

    public static final long UNLIMITED = -1;
    /** The kernel's CFS period, which docker also uses for --cpus. */
    public static final long DEFAULT_CPU_PERIOD_MICROS = 100_000;
    /** docker's floor: below this a container cannot even start its runtime. */
    public static final long MIN_MEMORY_BYTES = 6L << 20;

    private static final Pattern SIZE = Pattern.compile("(\\d+(?:\\.\\d+)?)([bkmgt]?)(?:(?<=[kmgt])i?b)?",
            Pattern.CASE_INSENSITIVE);

    public static CgroupResources none() {
        return new CgroupResources(null, null, null, null, null, null);
    }

    /** `--cpus 1.5`: 150000 µs of cpu time every 100000 µs. */
    public static CgroupResources fromCpus(double cpus) throws JboxException {
        return none().withCpus(cpus);
    }

    /** A copy with quota and period set from a number of cpus, the other limits kept. */
    public CgroupResources withCpus(double cpus) throws JboxException {
        if (!(cpus > 0) || Double.isInfinite(cpus)) {
            throw new JboxException("invalid --cpus " + cpus + ": expected a positive number of cpus such as 1.5");
        }
        long quota = Math.round(cpus * DEFAULT_CPU_PERIOD_MICROS);
        if (quota < 1000) {
            // The kernel refuses a quota under 1 ms.
            throw new JboxException("--cpus " + plain(cpus) + " is below the minimum of 0.01");
        }
        return new CgroupResources(memoryBytes, memorySwapBytes, pidsLimit, quota, DEFAULT_CPU_PERIOD_MICROS, cpuShares, devices, oci);
    }

    /** True when no limit is set: the container still gets a cgroup, for accounting and clean-up. */
    public boolean isEmpty() {
        return memoryBytes == null && memorySwapBytes == null && pidsLimit == null && cpuQuotaMicros == null
                && cpuPeriodMicros == null && cpuShares == null && devices.isEmpty() && oci.isEmpty();
    }

    /** Refuses values no kernel accepts, before anything is created. */
    public void validate() throws JboxException {
        if (memoryBytes != null && memoryBytes < MIN_MEMORY_BYTES) {
            throw new JboxException("--memory " + memoryBytes + " is below the minimum of 6m");
        }
        if (memorySwapBytes != null) {
            if (memoryBytes == null) {
                throw new JboxException("--memory-swap needs --memory as well (it is memory plus swap)");
            }
            if (memorySwapBytes != UNLIMITED && memorySwapBytes < memoryBytes) {
                throw new JboxException("--memory-swap " + memorySwapBytes + " is smaller than --memory " + memoryBytes
                        + " (it is memory plus swap; -1 for unlimited swap)");
            }
        }
        if (cpuPeriodMicros != null && (cpuPeriodMicros < 1000 || cpuPeriodMicros > 1_000_000)) {
            throw new JboxException("cpu period " + cpuPeriodMicros + " µs is outside the kernel's 1000..1000000");
        }
        if (cpuQuotaMicros != null && cpuQuotaMicros < 1000) {
            throw new JboxException("cpu quota " + cpuQuotaMicros + " µs is below the kernel's minimum of 1000");
        }
        if (cpuShares != null && (cpuShares < 2 || cpuShares > 262_144)) {
            throw new JboxException("--cpu-shares " + cpuShares + " is outside 2..262144");
        }
    }

    /** "512m" → 536870912: a number (fractions allowed) with an optional unit b, k, m, g or t (1024-based). */
    public static long parseBytes(String text) throws JboxException {
        Matcher m = SIZE.matcher(text.strip());
        if (!m.matches()) {
            throw new JboxException("invalid size \"" + text + "\": expected a number with an optional unit b, k, m or g"
                    + " (e.g. 512m)");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            case "t" -> 40;
            default -> 0;
        };
        BigDecimal bytes = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(1L << shift));
        if (bytes.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new JboxException("invalid size \"" + text + "\": too large");
        }
        return bytes.longValue();
    }

    /** As {@link #parseBytes}, and "-1" for unlimited (docker's --memory-swap -1). */
    public static long parseBytesOrUnlimited(String text) throws JboxException {
        return text.strip().equals("-1") ? UNLIMITED : parseBytes(text);
    }

    private static String plain(double d) {
        return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
    }
}
