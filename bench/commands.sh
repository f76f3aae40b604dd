#!/usr/bin/env bash
# Everyday commands: `jbox ps`, `jbox image ls`, `jbox --version` with the resident engine warm,
# and `jbox ps` on the cold path (JBOX_ENGINE=off: a JVM per call), side by side with `podman ps`
# (a throw-away podman store, so the host's is not read) in one hyperfine run; prints a table.
# Target (#15): each jbox command with the engine <= podman ps.
# Run as root:  bench/commands.sh [RUNS]     (JBOX=/path/to/jbox picks the build; see bench/lib.sh)
# In a private mount namespace, so the engine is the bench's own (stopped at the end).
set -euo pipefail
if [ -z "${JBOX_BENCH_PRIVATE_MNT:-}" ]; then
  exec env JBOX_BENCH_PRIVATE_MNT=1 unshare --mount --propagation private "$0" "$@"
fi
runs=${1:-20}
. "$(dirname "$0")/lib.sh"
bench_jbox
for p in podman hyperfine; do
  command -v $p >/dev/null || { echo "bench: $p is missing (scripts/install-deps.sh; apt-get install hyperfine)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/jbox-cmd-bench.XXXXXX)
chmod 0700 "$work"
trap 'podman --root "$work/storage" --runroot "$work/run" system reset -f >/dev/null 2>&1; bench_engine_stop; rm -rf --one-file-system "$work"' EXIT
bench_stage "$work"
pm="podman --root $work/storage --runroot $work/run --tmpdir $work/libpod --storage-driver vfs"
$pm ps >/dev/null
bench_engine_warm "$jbox" ps
for i in $(seq 30); do "$jbox" image ls >/dev/null; "$jbox" --version >/dev/null; done
load=$(bench_load)
hyperfine -N --warmup 3 --runs "$runs" --export-csv "$work/times.csv" \
  -n "jbox ps" "$jbox ps" -n "jbox image ls" "$jbox image ls" -n "jbox --version" "$jbox --version" \
  -n "jbox ps (cold path)" "env JBOX_ENGINE=off $jbox ps" -n "podman ps" "$pm ps" >/dev/null
echo
echo "everyday commands, $runs runs each (ms; load $load before, $(bench_load) after; 2 cores)"
awk -F, 'NR>1 { n[NR]=$1; m[NR]=$2*1000; s[NR]=$3*1000; md[NR]=$4*1000; if ($1=="podman ps") base=$4*1000 }
  END { printf "%-20s %10s %10s %10s %14s\n", "command", "mean", "stddev", "median", "vs podman ps (medians)";
        for (i=2;i<=NR;i++) printf "%-20s %10.1f %10.1f %10.1f %13.2fx\n", n[i], m[i], s[i], md[i], md[i]/base }' \
  "$work/times.csv"
