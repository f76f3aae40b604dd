#!/usr/bin/env bash
# What bridge networking costs: `jbox run --rm busybox /bin/true` with --net bridge against
# --net none (hyperfine, ms and ratio), then the wall time of 50 concurrent bridged starts and a
# check that they got 50 distinct addresses. Everything runs inside a throwaway network namespace
# (the bridge, its NAT rule and ip_forward live there and go with it), with a bridge name of its
# own, so the host's network is not touched. Needs an installed jbox. Run as root:
#   bench/net.sh [RUNS]          JBOX=/path/to/jbox bench/net.sh   (another build)
set -euo pipefail
runs=${1:-30}
jbox=${JBOX:-$(command -v jbox || true)}
[ -n "$jbox" ] || { echo "bench: install jbox first (./install.sh)" >&2; exit 1; }
command -v hyperfine >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine >/dev/null; }

ns=jbox-bench-$$
work=$(mktemp -d /tmp/jbox-bench-net.XXXXXX)
cleanup() {
  JBOX_CONFIG=$work/jbox.properties nsenter --net=/var/run/netns/$ns "$jbox" system prune >/dev/null 2>&1 || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$work"
  rm -f /run/jbox/ipam-jbb0.leases /run/jbox/ipam-jbb0.lock /run/jbox/bridge-jbb0.lock
}
trap cleanup EXIT
printf 'net.bridge.name=jbb0\nnet.bridge.subnet=10.89.0.0/16\n' >"$work/jbox.properties"
if [ -n "${JBOX_CONFIG:-}" ]; then cat "$JBOX_CONFIG" "$work/jbox.properties" >"$work/merged"; mv "$work/merged" "$work/jbox.properties"; fi
export JBOX_CONFIG=$work/jbox.properties
ip netns add "$ns"
in_ns() { nsenter --net=/var/run/netns/$ns "$@"; }   # not `ip netns exec`: that hides /sys/fs/cgroup
in_ns ip link set lo up
in_ns "$jbox" run --rm busybox /bin/true   # makes the bridge: a one-time cost, not measured

in_ns hyperfine -N --warmup 3 --runs "$runs" --export-csv "$work/times.csv" \
  -n "none" "$jbox run --rm --net none busybox /bin/true" \
  -n "bridge" "$jbox run --rm --net bridge busybox /bin/true" >/dev/null
echo "start-up of /bin/true, $runs runs each (ms)"
awk -F, 'NR>1 { mean[$1]=$2*1000; sd[$1]=$3*1000 }
  END { printf "  none    %7.1f ± %.1f\n  bridge  %7.1f ± %.1f\n  bridge costs %.1f ms more (%.2fx)\n",
        mean["none"], sd["none"], mean["bridge"], sd["bridge"], mean["bridge"]-mean["none"], mean["bridge"]/mean["none"] }' \
  "$work/times.csv"

echo "where bridge mode's time goes (median of 5 runs of --timings, ms):"
for i in 1 2 3 4 5; do in_ns "$jbox" run --rm --timings busybox /bin/true 2>&1 >/dev/null | tail -1; done |
  sed 's/.*"timings_ms":{//; s/}}//' | tr ',' '\n' | tr -d '"' | grep -E '^(network|exit)' >"$work/phases"
for phase in $(cut -d: -f1 "$work/phases" | awk '!seen[$0]++'); do
  printf "  %-20s %8s\n" "$phase" "$(grep "^$phase:" "$work/phases" | cut -d: -f2 | sort -n | sed -n 3p)"
done

for mode in none bridge; do
  start=$(date +%s%N)
  for i in $(seq 50); do
    in_ns "$jbox" run --rm --net $mode busybox sh -c 'ip -4 -o addr show eth0 2>/dev/null; true' >"$work/$mode.$i" 2>&1 &
  done
  wait
  printf "50 concurrent starts, --net %-6s %6d ms wall\n" "$mode" $(( ($(date +%s%N) - start) / 1000000 ))
done
distinct=$(cat "$work"/bridge.* | awk '/inet/ {print $4}' | sort -u | wc -l)
echo "distinct addresses among the 50 bridged containers: $distinct"
