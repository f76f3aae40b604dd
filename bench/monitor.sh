#!/usr/bin/env bash
# Monitor memory: a detached container's monitor is the C shim, not a JVM. Prints the resident set
# of the shim (VmRSS, and PSS from smaps_rollup) for N detached containers, and the JVM jbox used
# to start them for contrast (the cold path: JBOX_ENGINE=off). Run as root:  bench/monitor.sh [N]
# (JBOX=/path/to/jbox picks the build; see bench/lib.sh.)
set -euo pipefail
n=${1:-5}
. "$(dirname "$0")/lib.sh"
bench_jbox
ids=()
trap 'for id in "${ids[@]}"; do "$jbox" rm -f "$id" >/dev/null 2>&1 || true; done; bench_engine_stop' EXIT
for i in $(seq "$n"); do ids+=("$("$jbox" run -d --rm --net none busybox sleep 60)"); done
printf '%-14s %10s %10s\n' container "RSS KiB" "PSS KiB"
for id in "${ids[@]}"; do
  init=$("$jbox" inspect --format '{{.State.Pid}}' "$id")
  shim=$(awk '{print $4}' /proc/"$init"/stat) # the monitor is the init's parent
  rss=$(awk '/^VmRSS/ {print $2}' /proc/"$shim"/status)
  pss=$(awk '/^Pss:/ {print $2}' /proc/"$shim"/smaps_rollup)
  printf '%-14s %10s %10s\n' "${id:0:12}" "$rss" "$pss"
done
jvm=$( { JBOX_ENGINE=off /usr/bin/time -f '%M' "$jbox" ps >/dev/null; } 2>&1 | tail -1)
echo "for contrast, peak RSS of the jbox JVM for 'jbox ps': $jvm KiB (target for the monitor: <= 2048 KiB)"
