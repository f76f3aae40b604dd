package jbox.spec;

import jbox.JboxException;
import jbox.cgroup.CgroupResources;

/** --memory, --memory-swap, --pids-limit, --cpus, --cpu-shares (and the sandbox preset) → OCI resources. */
final class ResourceFlags {
    static final long CPU_PERIOD_MICROS = 100_000;

    private ResourceFlags() {
    }

    static ContainerSpec.Resources resources(RunOptions.Sandboxing sb, SecurityDefaults.Sandbox preset) throws JboxException {
        String memory = sb.memory() != null ? sb.memory() : preset != null ? preset.memory() : null;
        String pids = sb.pidsLimit() != null ? sb.pidsLimit() : preset != null ? preset.pidsLimit() : null;
        String cpus = sb.cpus() != null ? sb.cpus() : preset != null ? preset.cpus() : null;
        ContainerSpec.Memory mem = null;
        if (memory != null || sb.memorySwap() != null) {
            if (memory == null) {
                throw new JboxException("--memory-swap needs --memory too");
            }
            long limit = CgroupResources.parseBytes(memory);
            if (limit < CgroupResources.MIN_MEMORY_BYTES) {
                throw new JboxException("invalid --memory " + memory + ": the minimum is 6m");
            }
            Long swap;
            if (sb.memorySwap() == null) {
                swap = preset != null ? limit : null; // the sandbox gets no swap; otherwise the host's default
            } else if (sb.memorySwap().equals("-1")) {
                swap = -1L;
            } else {
                swap = CgroupResources.parseBytes(sb.memorySwap());
                if (swap < limit) {
                    throw new JboxException("invalid --memory-swap " + sb.memorySwap() + ": it is memory plus swap, so at least --memory " + memory);
                }
            }
            mem = new ContainerSpec.Memory(limit, swap);
        }
        ContainerSpec.Pids pidsLimit = null;
        if (pids != null) {
            long n = number("--pids-limit", pids);
            if (n < 1) {
                throw new JboxException("invalid --pids-limit " + pids + ": at least 1");
            }
            pidsLimit = new ContainerSpec.Pids(n);
        }
        ContainerSpec.Cpu cpu = null;
        Long shares = sb.cpuShares() == null ? null : number("--cpu-shares", sb.cpuShares());
        if (shares != null && (shares < 2 || shares > 262144)) {
            throw new JboxException("invalid --cpu-shares " + sb.cpuShares() + ": between 2 and 262144");
        }
        if (cpus != null || shares != null) {
            Long quota = null;
            if (cpus != null) {
                double c;
                try {
                    c = Double.parseDouble(cpus);
                } catch (NumberFormatException e) {
                    throw new JboxException("invalid --cpus " + cpus + ": expected a number such as 0.5 or 2");
                }
                if (!(c >= 0.01) || c > 1024) {
                    throw new JboxException("invalid --cpus " + cpus + ": between 0.01 and 1024");
                }
                quota = Math.round(c * CPU_PERIOD_MICROS);
            }
            cpu = new ContainerSpec.Cpu(shares, quota, quota == null ? null : CPU_PERIOD_MICROS);
        }
        return mem == null && pidsLimit == null && cpu == null ? null : new ContainerSpec.Resources(mem, pidsLimit, cpu);
    }

    private static long number(String flag, String v) throws JboxException {
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new JboxException("invalid " + flag + " " + v + ": expected a whole number");
        }
    }
}
