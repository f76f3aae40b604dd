#!/usr/bin/env bash
# containerd start-up per OCI runtime: `ctr run --rm --runc-binary R IMAGE ID true` with runc, crun
# and jbox in one hyperfine run against one private containerd; prints a table. containerd, its
# shim and ctr cost the same for every runtime, so the differences are the runtime's calls
# (create, start, state, delete). Target (#15): jbox <= 1.15x runc with its engine warm.
# Run as root:  bench/containerd.sh [RUNS]   (JBOX=/path/to/jbox picks the build; see bench/lib.sh)
#
# What a user gets: containerd's shim calls the runtime with containerd's environment; jbox's front
# end there reaches the engine of its namespaces (started and warmed here first, as a user's earlier
# calls would have). The row "jbox cold path" names a two-line wrapper as the runtime that sets
# JBOX_ENGINE=off (a JVM per call; the wrapper's sh costs ~1 ms); the line under the table counts
# which calls took which path.
#
# Isolation, as in ContainerdIT: a containerd of its own (root, state, sockets in a temp dir, CRI
# and other plugins off), each runtime its own --runc-root, every container its cgroup under
# /jbox-ctr-bench-PID; the daemon and everything it made are removed on exit.
set -euo pipefail
# crun refuses hybrid cgroup hosts: run everything in a private mount namespace without the
# cgroup2 mount at /sys/fs/cgroup/unified (as bench/run.sh does); the host is not changed.
if [ -z "${JBOX_BENCH_PRIVATE_MNT:-}" ]; then
  exec env JBOX_BENCH_PRIVATE_MNT=1 unshare --mount --propagation private "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2>/dev/null || true
runs=${1:-20}
. "$(dirname "$0")/lib.sh"
bench_jbox
for p in containerd ctr hyperfine; do
  command -v $p >/dev/null || { echo "bench: $p is missing (scripts/install-deps.sh; apt-get install hyperfine)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/jbox-ctr-bench.XXXXXX)
chmod 0700 "$work"
cg=/jbox-ctr-bench-$$
run_existed=$([ -d /run/containerd ] && echo yes || true)   # containerd's shims use it whatever the config says
daemon=
ctr() { command ctr --address "$work/containerd.sock" --namespace jbox-bench "$@"; }
cleanup() {
  set +e
  for id in $(ctr tasks ls -q 2>/dev/null); do ctr tasks kill -s KILL "$id"; ctr tasks delete --force "$id"; done >/dev/null 2>&1
  for id in $(ctr containers ls -q 2>/dev/null); do ctr containers delete "$id"; done >/dev/null 2>&1
  ctr images rm busybox:latest >/dev/null 2>&1
  bench_engine_stop
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for d in /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  [ -n "$run_existed" ] || rm -rf /run/containerd
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
bench_stage "$work"

cat >"$work/containerd.toml" <<TOML
version = 2
root = "$work/root"
state = "$work/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.internal.v1.opt",
  "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$work/containerd.sock"
[ttrpc]
  address = "$work/containerd.sock.ttrpc"
[debug]
  address = "$work/debug.sock"
[metrics]
  address = ""
TOML
containerd --config "$work/containerd.toml" </dev/null >"$work/containerd.log" 2>&1 &
daemon=$!
for _ in $(seq 300); do ctr version >/dev/null 2>&1 && break; kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
ctr version >/dev/null 2>&1 || { echo "bench: containerd did not start:" >&2; tail -5 "$work/containerd.log" >&2; exit 1; }
JBOX_ENGINE=off "$jbox" image export busybox "$work/bb.tar" >/dev/null
ctr images import "$work/bb.tar" >/dev/null   # jbox's export names it busybox:latest
image=busybox:latest
mkdir -p "$work/fifo"

printf '#!/bin/sh\nJBOX_ENGINE=off exec %s "$@"\n' "$jbox" >"$work/jbox-cold"
chmod 0755 "$work/jbox-cold"
bench_engine_warm "$jbox" run --rm --net none busybox /bin/true

cmds=()
for r in /usr/sbin/runc /usr/bin/crun "$jbox" "$work/jbox-cold"; do
  [ -x "$r" ] || { echo "bench: $r not found, skipped"; continue; }
  n=$(basename "$r")
  run="ctr --address $work/containerd.sock --namespace jbox-bench run --rm --runc-binary $r --runc-root $work/rt-$n --fifo-dir $work/fifo --cgroup $cg/$n $image bench-$n true"
  if ! out=$($run 2>&1); then
    echo "bench: $n cannot run a container under containerd here, skipped: $(echo "$out" | tail -1 | cut -c1-200)"
    continue
  fi
  case $r in
    "$jbox") for i in $(seq 10); do $run >/dev/null 2>&1; done   # the engine's OCI paths, warm
             run_jbox=$run; n="jbox (engine)" ;;
    "$work/jbox-cold") run_cold=$run; n="jbox cold path" ;;
  esac
  cmds+=(-n "$n" "$run")
done
[ ${#cmds[@]} -gt 0 ] || { echo "bench: no runtime works" >&2; exit 1; }
# Which path the shim's calls of jbox take: the front end's calls, and those that exec'd jbox-jvm.
calls() { # COMMAND...: "N calls of jbox, M took the cold path" (containerd, traced, starts the shim)
  local tracer
  strace -f -qq -e trace=execve -e signal=none -o "$work/exec.st" -p "$daemon" & tracer=$!
  sleep 0.5   # strace attaches to every thread of the daemon; a call before that would not be seen
  "$@" >/dev/null 2>&1 || true
  kill "$tracer"; wait "$tracer" 2>/dev/null || true
  printf '%s calls of jbox, %s took the cold path' "$(grep -cF "execve(\"$jbox\"" "$work/exec.st")" \
    "$(grep -F 'execve("' "$work/exec.st" | grep -F '/jbox-jvm"' | grep -cv ENOENT)"
}
paths=""
[ -z "${run_jbox:-}" ] || paths="jbox (engine): $(calls $run_jbox)"
[ -z "${run_cold:-}" ] || paths="$paths; jbox cold path: $(calls $run_cold)"

load=$(bench_load)
hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/times.csv" "${cmds[@]}" >/dev/null
echo
echo "ctr run --rm $image true, $runs runs each (ms; load $load before, $(bench_load) after; 2 cores)"
awk -F, 'NR>1 { n[NR]=$1; m[NR]=$2*1000; s[NR]=$3*1000; md[NR]=$4*1000; if (NR==2) { base=$4*1000; bn=$1 } }
  END { printf "%-16s %10s %10s %10s %12s\n", "runtime", "mean", "stddev", "median", "vs " bn " (medians)";
        for (i=2;i<=NR;i++) printf "%-16s %10.1f %10.1f %10.1f %11.2fx\n", n[i], m[i], s[i], md[i], md[i]/base }' \
  "$work/times.csv"
[ -z "$paths" ] || echo "one ctr run each, containerd under strace -f: $paths"
