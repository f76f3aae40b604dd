#!/usr/bin/env bash
# Start-up benchmark: `jbox run --rm --net none busybox /bin/true` side by side with runc, crun and
# bubblewrap running /bin/true on the same rootfs, in one hyperfine run; prints a table with
# jbox's ratio to each. Needs an installed jbox (./install.sh). Run as root:  bench/run.sh [RUNS]
#
# Fairness: every runtime gets the same busybox rootfs (a copy owned by root for the peers, which
# run without a user namespace by default, so jbox is measured both with and without one). crun
# refuses hybrid cgroup hosts, so the whole run happens in a private mount namespace where the
# cgroup2 mount at /sys/fs/cgroup/unified is unmounted; the host is not changed.
set -euo pipefail
runs=${1:-30}
cd "$(dirname "$0")"
command -v jbox >/dev/null || { echo "bench: install jbox first (./install.sh)" >&2; exit 1; }
missing=()
for p in hyperfine runc crun bwrap; do command -v $p >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sed 's/^bwrap$/bubblewrap/' | tr '\n' ' ')
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
fi
jbox image build-default >/dev/null

work=$(mktemp -d /tmp/jbox-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
rootfs_src=${JBOX_DATA_ROOT:-/var/lib/jbox}/images/busybox/rootfs
mkdir -p "$work/bundle"
cp -a "$rootfs_src" "$work/bundle/rootfs"
chown -R 0:0 "$work/bundle/rootfs"
(cd "$work/bundle" && runc spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"\/bin\/true"/' "$work/bundle/config.json"
grep -q '"/bin/true"' "$work/bundle/config.json" || { echo "bench: could not set args in config.json" >&2; exit 1; }

export JBOX_BENCH_BUNDLE=$work/bundle
unshare --mount --propagation private bash -c '
  umount /sys/fs/cgroup/unified 2>/dev/null || true
  b=$JBOX_BENCH_BUNDLE
  hyperfine -N --warmup 3 --runs '"$runs"' --export-csv "$b/../times.csv" \
    -n "jbox (userns)" "jbox run --rm --net none busybox /bin/true" \
    -n "jbox --userns host" "jbox run --rm --net none --userns host busybox /bin/true" \
    -n "runc" "runc run --bundle $b jbox-bench-runc" \
    -n "crun" "crun run --bundle $b jbox-bench-crun" \
    -n "bwrap" "bwrap --bind $b/rootfs / --proc /proc --dev /dev --unshare-all --die-with-parent /bin/true" \
    >/dev/null'

echo
echo "start-up of /bin/true, $runs runs each (ms; ratio = jbox (userns) / that runtime)"
awk -F, 'NR>1 { name[NR]=$1; mean[NR]=$2*1000; sd[NR]=$3*1000; med[NR]=$4*1000; if ($1=="jbox (userns)") j=$2*1000 }
  END { printf "%-20s %10s %10s %10s %14s\n", "runtime", "mean", "stddev", "median", "jbox ratio";
        for (i=2;i<=NR;i++) printf "%-20s %10.1f %10.1f %10.1f %13.2fx\n", name[i], mean[i], sd[i], med[i], j/mean[i] }' \
  "$work/times.csv"
echo
echo "where jbox's time goes (median of 5 runs of --timings, ms):"
for i in 1 2 3 4 5; do jbox run --rm --net none --timings busybox /bin/true 2>&1 >/dev/null | tail -1; done |
  sed 's/.*"timings_ms":{//; s/}}//' | tr ',' '\n' | tr -d '"' >"$work/phases"
for phase in $(cut -d: -f1 "$work/phases" | awk '!seen[$0]++'); do
  printf "  %-28s %8s\n" "$phase" "$(grep "^$phase:" "$work/phases" | cut -d: -f2 | sort -n | sed -n 3p)"
done
