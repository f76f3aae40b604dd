#!/usr/bin/env bash
# containerd start-up per OCI runtime: `ctr run --rm --runc-binary R IMAGE ID true` with runc, crun
# and jbox in one hyperfine run against one private containerd; prints a table. containerd, its
# shim and ctr cost the same for every runtime, so the differences are the runtime's calls
# (create, start, state, delete). Run as root:  bench/containerd.sh [RUNS]   (JBOX=/path/to/jbox)
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
here=$(cd "$(dirname "$0")" && pwd)
jbox=${JBOX:-$(command -v jbox || echo "$here/../runtime/target/jbox")}
jbox=$(readlink -f "$jbox")
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
  [ -n "$daemon" ] && kill "$daemon" 2>/dev/null && wait "$daemon" 2>/dev/null
  grep -F " $work/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null
  for d in /sys/fs/cgroup/*/"${cg#/}" /sys/fs/cgroup/"${cg#/}"; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
  done
  [ -n "$run_existed" ] || rm -rf /run/containerd
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

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
"$jbox" image export busybox "$work/bb.tar" >/dev/null
ctr images import "$work/bb.tar" >/dev/null   # jbox's export names it busybox:latest
image=busybox:latest
mkdir -p "$work/fifo"

cmds=()
for r in /usr/sbin/runc /usr/bin/crun "$jbox"; do
  [ -x "$r" ] || { echo "bench: $r not found, skipped"; continue; }
  n=$(basename "$r")
  run="ctr --address $work/containerd.sock --namespace jbox-bench run --rm --runc-binary $r --runc-root $work/rt-$n --fifo-dir $work/fifo --cgroup $cg/$n $image bench-$n true"
  if ! out=$($run 2>&1); then
    echo "bench: $n cannot run a container under containerd here, skipped: $(echo "$out" | tail -1 | cut -c1-200)"
    continue
  fi
  cmds+=(-n "$n" "$run")
done
[ ${#cmds[@]} -gt 0 ] || { echo "bench: no runtime works" >&2; exit 1; }
hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/times.csv" "${cmds[@]}" >/dev/null
echo
echo "ctr run --rm $image true, $runs runs each (ms)"
awk -F, 'NR>1 { n[NR]=$1; m[NR]=$2*1000; s[NR]=$3*1000; md[NR]=$4*1000; if (NR==2) base=$2*1000 }
  END { printf "%-10s %10s %10s %10s %12s\n", "runtime", "mean", "stddev", "median", "vs first";
        for (i=2;i<=NR;i++) printf "%-10s %10.1f %10.1f %10.1f %11.2fx\n", n[i], m[i], s[i], md[i], m[i]/base }' \
  "$work/times.csv"
