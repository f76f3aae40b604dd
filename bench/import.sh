#!/usr/bin/env bash
# Import benchmark: `jbox image import` of a tarball next to `tar -x` of the same file, plain and
# gzip, into the same filesystem (the image store's). Prints a table with jbox's ratio to tar.
# Run as root with jbox installed:  bench/import.sh [SOURCE_DIR]   (default /usr/lib/python3*)
# JBOX=runtime/target/jbox measures a build that is not installed.
set -euo pipefail
jbox=${JBOX:-jbox}
command -v "$jbox" >/dev/null || { echo "bench: install jbox first (./install.sh)" >&2; exit 1; }
src=${1:-$(ls -d /usr/lib/python3* | head -1)}
store=${JBOX_DATA_ROOT:-/var/lib/jbox}
mkdir -p "$store"
work=$(mktemp -d "$store/bench-import.XXXXXX")
trap '"$jbox" image rm bench-import-plain bench-import-gz >/dev/null 2>&1 || true; rm -rf "$work"' EXIT
if [ -n "${JBOX_DATA_ROOT:-}" ]; then # e.g. a tmpfs, to take a busy disk out of the comparison
  printf 'data.root=%s\n' "$store" >"$work/jbox.properties"
  export JBOX_CONFIG=$work/jbox.properties
fi
tar -C "$(dirname "$src")" -cf "$work/src.tar" "$(basename "$src")"
gzip -1 -k "$work/src.tar"
mkdir "$work/one" && echo one >"$work/one/file" && tar -C "$work/one" -cf "$work/one.tar" file
entries=$(tar -tf "$work/src.tar" | wc -l)
size=$(du -m "$work/src.tar" | cut -f1)

ms() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000000 )); }
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }

run_tar() { rm -rf "$work/x"; mkdir "$work/x"; sync; ms tar -C "$work/x" -xf "$1"; }
# Both images go first: the plain and the gzip tar are one layer, which an import finds stored.
run_jbox() { "$jbox" image rm bench-import-plain bench-import-gz >/dev/null 2>&1 || true; sync; ms "$jbox" image import "$2" "$1"; }

# RUNS of each (default 9), tar and jbox taking turns, so a busy moment of the machine hits both.
runs=${RUNS:-9}
# A warm engine, as for the run bench: its first imports compile the unpacking code and size its heap.
for _ in 1 2 3; do run_jbox "$work/src.tar" bench-import-plain >/dev/null; done
run_jbox "$work/src.tar.gz" bench-import-gz >/dev/null
declare -a tp jp to jo tg jg
for _ in $(seq "$runs"); do
  tp+=("$(run_tar "$work/src.tar")"); jp+=("$(run_jbox "$work/src.tar" bench-import-plain)")
  to+=("$(run_tar "$work/one.tar")"); jo+=("$(run_jbox "$work/one.tar" bench-import-plain)")
  tg+=("$(run_tar "$work/src.tar.gz")"); jg+=("$(run_jbox "$work/src.tar.gz" bench-import-gz)")
done
t_plain=$(median "${tp[@]}"); j_plain=$(median "${jp[@]}")
t_one=$(median "${to[@]}"); j_one=$(median "${jo[@]}")
t_gz=$(median "${tg[@]}"); j_gz=$(median "${jg[@]}")

echo "import of $src: $entries entries, $size MiB tar (median of $runs, ms; jbox includes its front end and engine call)"
printf '%-10s %10s %12s %8s\n' format "tar -x" "jbox import" ratio
awk -v a="$t_plain" -v b="$j_plain" 'BEGIN { printf "%-10s %10d %12d %7.2fx\n", "tar", a, b, b / a }'
awk -v a="$t_gz" -v b="$j_gz" 'BEGIN { printf "%-10s %10d %12d %7.2fx\n", "tar.gz", a, b, b / a }'
# jbox's fixed cost (JVM start, CLI, image.json) is what importing a one-file tar takes
awk -v a="$t_one" -v b="$j_one" 'BEGIN { printf "%-10s %10d %12d %7.2fx\n", "one file", a, b, b / a }'
