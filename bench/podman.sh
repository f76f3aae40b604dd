#!/usr/bin/env bash
# podman start-up per OCI runtime: `podman --runtime R run --rm --network none IMAGE true` with
# runc, crun and jbox in one hyperfine run; prints a table. podman and conmon cost the same for
# every runtime, so the differences are the runtime's create + start + delete. Target (#15):
# jbox <= 1.15x runc with its engine warm.
# Run as root:  bench/podman.sh [RUNS]     (JBOX=/path/to/jbox picks the build; see bench/lib.sh)
#
# What a user gets: podman runs the runtime through conmon, with podman's environment; jbox's
# front end there reaches the engine of its namespaces (started and warmed here first, as a user's
# earlier calls would have). podman gives the runtime neither its own environment nor (but for
# create, run by conmon) containers.conf's conmon_env_vars, so JBOX_ENGINE=off in the caller's
# shell does not reach jbox; engine.enabled=false in /etc/jbox/jbox.properties does. The row "jbox
# cold path" names a two-line wrapper as the runtime that sets JBOX_ENGINE=off (a JVM per call;
# the wrapper's sh costs ~1 ms); the line under the table counts which calls took which path.
# The bench runs in a private mount namespace without the cgroup2 mount at /sys/fs/cgroup/unified
# (crun refuses hybrid hosts; as bench/run.sh), so its engine is its own (stopped at the end) and
# podman's mounts vanish with it; the host is not changed.
#
# Isolation, as in PodmanIT: a throw-away podman store (vfs) in a temp dir, --network none (no
# bridge, no iptables), --cgroup-parent /jbox-podman-bench-PID; everything is removed on exit.
# A runtime whose first run fails is reported and left out (jbox until its OCI CLI lands).
set -euo pipefail
if [ -z "${JBOX_BENCH_PRIVATE_MNT:-}" ]; then
  exec env JBOX_BENCH_PRIVATE_MNT=1 unshare --mount --propagation private "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2>/dev/null || true
runs=${1:-20}
. "$(dirname "$0")/lib.sh"
bench_jbox
for p in podman conmon hyperfine busybox; do
  command -v $p >/dev/null || { echo "bench: $p is missing (scripts/install-deps.sh; apt-get install hyperfine busybox-static)" >&2; exit 1; }
done

work=$(mktemp -d /tmp/jbox-podman-bench.XXXXXX)
runc_root_existed=$([ -d /run/runc ] && echo yes || true)   # runc makes its state root; we remove it if we caused it
cg=/jbox-podman-bench-$$
export CONTAINERS_CONF=$work/containers.conf TMPDIR=$work/tmp
pm() { podman --root "$work/storage" --runroot "$work/run" --tmpdir "$work/libpod" --storage-driver vfs "$@"; }
used=()
cleanup() {
  set +e
  for r in "${used[@]}"; do pm --runtime "$r" rm -af -t 0 >/dev/null 2>&1; done
  pm system reset -f >/dev/null 2>&1
  bench_engine_stop
  [ -n "$runc_root_existed" ] || rmdir /run/runc 2>/dev/null
  for i in 1 2 3; do
    for d in /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}"; do
      [ -d "$d" ] && find "$d" -name cgroup.procs -exec cat {} + 2>/dev/null | xargs -r kill -9 2>/dev/null
    done
    pgrep -f "$work" | xargs -r kill -9 2>/dev/null
    sleep 0.2
  done
  grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for d in /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
bench_stage "$work"

mkdir -p "$work/tmp" "$work/rootfs/bin" "$work/rootfs/"{etc,proc,sys,dev,tmp}
# No systemd as init here and cgroup v1: cgroupfs, a file event log, no default ulimits.
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
printf '#!/bin/sh\nJBOX_ENGINE=off exec %s "$@"\n' "$jbox" >"$work/jbox-cold"
chmod 0755 "$work/jbox-cold"
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in sh true echo; do ln -s busybox "$work/rootfs/bin/$a"; done
chmod 1777 "$work/rootfs/tmp"
tar --numeric-owner --owner=0 --group=0 -C "$work/rootfs" -cf "$work/bb.tar" .
pm import "$work/bb.tar" localhost/bb >/dev/null 2>"$work/import.err" || { cat "$work/import.err" >&2; exit 1; }

cmds=()
bench_engine_warm "$jbox" run --rm --net none busybox /bin/true
for r in /usr/sbin/runc /usr/bin/crun "$jbox" "$work/jbox-cold"; do
  [ -x "$r" ] || { echo "bench: $r not found, skipped"; continue; }
  used+=("$r")
  run="podman --root $work/storage --runroot $work/run --tmpdir $work/libpod --storage-driver vfs --runtime $r run --rm --network none --cgroup-parent $cg localhost/bb true"
  if ! out=$($run 2>&1); then
    echo "bench: $(basename "$r") cannot run a container under podman here, skipped: $(echo "$out" | tail -1 | cut -c1-200)"
    continue
  fi
  n=$(basename "$r")
  case $r in
    "$jbox") for i in $(seq 10); do $run >/dev/null 2>&1; done   # the engine's OCI paths, warm
             run_jbox=$run; n="jbox (engine)" ;;
    "$work/jbox-cold") run_cold=$run; n="jbox cold path" ;;
  esac
  cmds+=(-n "$n" "$run")
done
[ ${#cmds[@]} -gt 0 ] || { echo "bench: no runtime works" >&2; exit 1; }
# Which path podman's calls of jbox take: the front end's calls, and those that exec'd jbox-jvm.
calls() { # COMMAND...: "N calls of jbox, M took the cold path"
  strace -f -qq -e trace=execve -e signal=none -o "$work/exec.st" "$@" >/dev/null 2>&1 || true
  printf '%s calls of jbox, %s took the cold path' "$(grep -cF "execve(\"$jbox\"" "$work/exec.st")" \
    "$(grep -F 'execve("' "$work/exec.st" | grep -F '/jbox-jvm"' | grep -cv ENOENT)"
}
paths=""
[ -z "${run_jbox:-}" ] || paths="jbox (engine): $(calls $run_jbox)"
[ -z "${run_cold:-}" ] || paths="$paths; jbox cold path: $(calls $run_cold)"

load=$(bench_load)
hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/times.csv" "${cmds[@]}" >/dev/null
echo
echo "podman run --rm --network none localhost/bb true, $runs runs each (ms; load $load before, $(bench_load) after; 2 cores)"
awk -F, 'NR>1 { n[NR]=$1; m[NR]=$2*1000; s[NR]=$3*1000; md[NR]=$4*1000; if (NR==2) { base=$4*1000; bn=$1 } }
  END { printf "%-16s %10s %10s %10s %12s\n", "runtime", "mean", "stddev", "median", "vs " bn " (medians)";
        for (i=2;i<=NR;i++) printf "%-16s %10.1f %10.1f %10.1f %11.2fx\n", n[i], m[i], s[i], md[i], md[i]/base }' \
  "$work/times.csv"
[ -z "$paths" ] || echo "one podman run each, under strace -f: $paths"
