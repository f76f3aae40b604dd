#!/usr/bin/env bash
# podman start-up per OCI runtime: `podman --runtime R run --rm --network none IMAGE true` with
# runc, crun and jbox in one hyperfine run; prints a table. podman and conmon cost the same for
# every runtime, so the differences are the runtime's create + start + delete.
# Run as root:  bench/podman.sh [RUNS]     (JBOX=/path/to/jbox to pick the binary)
#
# Isolation, as in PodmanIT: a throw-away podman store (vfs) in a temp dir, --network none (no
# bridge, no iptables), --cgroup-parent /jbox-podman-bench-PID; everything is removed on exit.
# A runtime whose first run fails is reported and left out (jbox until its OCI CLI lands).
set -euo pipefail
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
jbox=${JBOX:-$(command -v jbox || echo "$here/../runtime/target/jbox")}
jbox=$(readlink -f "$jbox")
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

mkdir -p "$work/tmp" "$work/rootfs/bin" "$work/rootfs/"{etc,proc,sys,dev,tmp}
# No systemd as init here and cgroup v1: cgroupfs, a file event log, no default ulimits.
cat >"$CONTAINERS_CONF" <<'EOF'
[containers]
default_ulimits = []
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
cp "$(command -v busybox)" "$work/rootfs/bin/busybox"
for a in sh true echo; do ln -s busybox "$work/rootfs/bin/$a"; done
chmod 1777 "$work/rootfs/tmp"
tar --numeric-owner --owner=0 --group=0 -C "$work/rootfs" -cf "$work/bb.tar" .
pm import "$work/bb.tar" localhost/bb >/dev/null 2>"$work/import.err" || { cat "$work/import.err" >&2; exit 1; }

cmds=()
for r in /usr/sbin/runc /usr/bin/crun "$jbox"; do
  [ -x "$r" ] || { echo "bench: $r not found, skipped"; continue; }
  used+=("$r")
  run="podman --root $work/storage --runroot $work/run --tmpdir $work/libpod --storage-driver vfs --runtime $r run --rm --network none --cgroup-parent $cg localhost/bb true"
  if ! out=$($run 2>&1); then
    echo "bench: $(basename "$r") cannot run a container under podman here, skipped: $(echo "$out" | tail -1 | cut -c1-200)"
    continue
  fi
  cmds+=(-n "$(basename "$r")" "$run")
done
[ ${#cmds[@]} -gt 0 ] || { echo "bench: no runtime works" >&2; exit 1; }

hyperfine -N --warmup 2 --runs "$runs" --export-csv "$work/times.csv" "${cmds[@]}" >/dev/null
echo
echo "podman run --rm --network none localhost/bb true, $runs runs each (ms)"
awk -F, 'NR>1 { n[NR]=$1; m[NR]=$2*1000; s[NR]=$3*1000; md[NR]=$4*1000; if (NR==2) base=$2*1000 }
  END { printf "%-10s %10s %10s %10s %12s\n", "runtime", "mean", "stddev", "median", "vs first";
        for (i=2;i<=NR;i++) printf "%-10s %10.1f %10.1f %10.1f %11.2fx\n", n[i], m[i], s[i], md[i], m[i]/base }' \
  "$work/times.csv"
