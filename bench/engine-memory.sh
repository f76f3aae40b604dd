#!/usr/bin/env bash
# The resident engine's memory: its resident set (VmRSS, and PSS from smaps_rollup) idle after its
# warm-up, then every 100 of 1,000 `jbox run --rm --net none busybox /bin/true` (no growth beyond
# noise is the target, #15), and the heap in use after a full GC (jcmd) idle and after the runs;
# then the size of the front end and the shim binaries. Run as root:
#   bench/engine-memory.sh [RUNS]     (default 1000; JBOX=/path/to/jbox picks the build; bench/lib.sh)
# In a private mount namespace, so the engine is the bench's own (stopped at the end).
set -euo pipefail
if [ -z "${JBOX_BENCH_PRIVATE_MNT:-}" ]; then
  exec env JBOX_BENCH_PRIVATE_MNT=1 unshare --mount --propagation private "$0" "$@"
fi
total=${1:-1000}
. "$(dirname "$0")/lib.sh"
bench_jbox
work=$(mktemp -d /tmp/jbox-mem-bench.XXXXXX)
chmod 0700 "$work"
trap 'bench_engine_stop; rm -rf "$work"' EXIT
bench_stage "$work"
JBOX_ENGINE=off "$jbox" image build-default >/dev/null
run="$jbox run --rm --net none busybox /bin/true"

"$jbox" --version >/dev/null   # starts the engine, as a user's first call does
sock=$(bench_engine_socket)
pid=$(bench_engine_pid "$sock")
[ -n "$pid" ] || { echo "bench: no engine on $sock" >&2; exit 1; }
bench_engine_pid=$pid bench_engine_start=$(bench_start_time "$pid")
# Idle: its own warm-up (a background thread) is over once its CPU time stops growing.
cpu() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
deadline=$((SECONDS + 120)) last=-1
while [ $SECONDS -lt $deadline ]; do
  now=$(cpu); [ "$now" = "$last" ] && break; last=$now; sleep 1
done
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$pid/status"; }
pss() { awk '/^Pss:/ { print $2 }' "/proc/$pid/smaps_rollup"; }
heap() { # after a full GC (jcmd starts a JVM of its own: ~0.5 s): "used/committed KiB, metaspace used KiB"
  jcmd "$pid" GC.run >/dev/null 2>&1 || { echo "-"; return; }
  jcmd "$pid" GC.heap_info 2>/dev/null | awk '
    function k(s) { sub(/[KMG].*/, "", s); return s + 0 }
    / generation / { for (i=1;i<=NF;i++) { if ($i=="total") c+=k($(i+1)); if ($i=="used") u+=k($(i+1)) } }
    /Metaspace/ { for (i=1;i<=NF;i++) if ($i=="used") m=k($(i+1)) }
    END { printf "heap %d/%d KiB used/committed, metaspace %d KiB", u, c, m }'
}
threads() { awk '/^Threads/ { print $2 }' "/proc/$pid/status"; }
echo "engine pid $pid, load $(bench_load) (2 cores); KiB"
printf '%-22s %10s %10s %8s %10s\n' "after" "VmRSS" "PSS" threads "ms/run"
printf '%-22s %10s %10s %8s %10s\n' "idle (warmed up)" "$(rss)" "$(pss)" "$(threads)" "-"
heap_idle=$(heap)
rss_after_gc=$(rss)
done_runs=0
while [ $done_runs -lt "$total" ]; do
  t0=$(date +%s%N)
  for i in $(seq 100); do $run >/dev/null; done
  done_runs=$((done_runs + 100))
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))   # for 100 runs: hundredths of a ms per run
  printf '%-22s %10s %10s %8s %7d.%02d\n' "$done_runs runs" "$(rss)" "$(pss)" "$(threads)" $((ms / 100)) $((ms % 100))
done
rss_end=$(rss)
heap_end=$(heap)
echo "after a full GC: idle $heap_idle; after $done_runs runs $heap_end"
echo "VmRSS after that first GC: $rss_after_gc KiB; at the end (before the last GC): $rss_end KiB"
dir=$(dirname "$jbox")
strip -o "$work/jbox.stripped" "$dir/jbox"
printf 'binaries: front end jbox %s bytes as built, %s bytes stripped; jbox-shim %s bytes as built\n' \
  "$(stat -c %s "$dir/jbox")" "$(stat -c %s "$work/jbox.stripped")" "$(stat -c %s "$dir/jbox-shim")"
