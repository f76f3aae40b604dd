#!/usr/bin/env bash
# Monitor memory: a detached container's monitor is the C shim, not a JVM. Prints the resident set
# of the shim (VmRSS, and PSS from smaps_rollup) for N detached containers, and the JVM jbox used
# to start them for contrast. Run as root with jbox installed:  bench/monitor.sh [N]
set -euo pipefail
n=${1:-5}
ids=()
trap 'for id in "${ids[@]}"; do jbox rm -f "$id" >/dev/null 2>&1 || true; done' EXIT
for i in $(seq "$n"); do ids+=("$(jbox run -d --rm --net none busybox sleep 60)"); done
sleep 0.5
printf '%-14s %10s %10s\n' container "RSS KiB" "PSS KiB"
for id in "${ids[@]}"; do
  shim=$(jbox inspect "$id" | sed -n 's/.*"shimPid" : \([0-9]*\).*/\1/p')
  rss=$(awk '/^VmRSS/ {print $2}' /proc/"$shim"/status)
  pss=$(awk '/^Pss:/ {print $2}' /proc/"$shim"/smaps_rollup)
  printf '%-14s %10s %10s\n' "${id:0:12}" "$rss" "$pss"
done
jvm=$( { /usr/bin/time -f '%M' jbox ps >/dev/null; } 2>&1 | tail -1)
echo "for contrast, peak RSS of the jbox JVM for 'jbox ps': $jvm KiB (target for the monitor: <= 2048 KiB)"
