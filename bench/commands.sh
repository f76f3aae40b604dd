#!/usr/bin/env bash
# Everyday commands: `jbox ps`, `jbox image ls`, `jbox --version` side by side with `podman ps`
# (a throw-away podman store, so the host's is not read) in one hyperfine run; prints a table.
# Run as root:  bench/commands.sh [RUNS]     (JBOX=/path/to/jbox to pick the binary)
set -euo pipefail
runs=${1:-20}
here=$(cd "$(dirname "$0")" && pwd)
jbox=${JBOX:-$(command -v jbox || echo "$here/../runtime/target/jbox")}
jbox=$(readlink -f "$jbox")
for p in podman hyperfine; do
  command -v $p >/dev/null || { echo "bench: $p is missing (scripts/install-deps.sh; apt-get install hyperfine)" >&2; exit 1; }
done
work=$(mktemp -d /tmp/jbox-cmd-bench.XXXXXX)
chmod 0700 "$work"
trap 'podman --root "$work/storage" --runroot "$work/run" system reset -f >/dev/null 2>&1; rm -rf --one-file-system "$work"' EXIT
pm="podman --root $work/storage --runroot $work/run --tmpdir $work/libpod --storage-driver vfs"
$pm ps >/dev/null
hyperfine -N --warmup 3 --runs "$runs" --export-csv "$work/times.csv" \
  -n "jbox ps" "$jbox ps" -n "jbox image ls" "$jbox image ls" -n "jbox --version" "$jbox --version" \
  -n "podman ps" "$pm ps" >/dev/null
echo
echo "everyday commands, $runs runs each (ms)"
awk -F, 'NR>1 { n[NR]=$1; m[NR]=$2*1000; s[NR]=$3*1000; md[NR]=$4*1000; if ($1=="podman ps") base=$2*1000 }
  END { printf "%-16s %10s %10s %10s %14s\n", "command", "mean", "stddev", "median", "vs podman ps";
        for (i=2;i<=NR;i++) printf "%-16s %10.1f %10.1f %10.1f %13.2fx\n", n[i], m[i], s[i], md[i], m[i]/base }' \
  "$work/times.csv"
