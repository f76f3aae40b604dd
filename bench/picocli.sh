#!/usr/bin/env bash
# What picocli costs per command with the engine warm (#15: `run` and the OCI verbs are parsed by
# hand, RunFlags and OciFastPath, only to dodge picocli's cold start). Two measures:
# 1. Through the engine, hyperfine: each OCI verb in podman's shape (hand parser) against the same
#    call with `--` before the id, which the hand parser leaves to picocli; `--version`, `ps` and
#    `image ls` (picocli only) against the bare round trip of `state` of a missing container.
#    The calls fail the same way (no such container): parsing and dispatch are what differ.
# 2. In one JVM with the engine's flags (bench/PicocliCost.java, warmed): per command, building
#    Main's picocli model (what every picocli call pays), parsing the arguments with it, and the
#    hand parser.
# Run as root:  bench/picocli.sh [RUNS]     (JBOX=/path/to/jbox picks the build; see bench/lib.sh)
# In a private mount namespace, so the engine is the bench's own (stopped at the end).
set -euo pipefail
if [ -z "${JBOX_BENCH_PRIVATE_MNT:-}" ]; then
  exec env JBOX_BENCH_PRIVATE_MNT=1 unshare --mount --propagation private "$0" "$@"
fi
runs=${1:-40}
. "$(dirname "$0")/lib.sh"
bench_jbox
work=$(mktemp -d /tmp/jbox-picocli-bench.XXXXXX)
chmod 0700 "$work"
trap 'bench_engine_stop; rm -rf "$work"' EXIT
id=jbox-bench-no-such-container
j=$jbox
bench_engine_warm "$j" state $id
cmds=(
  "state $id" "state -- $id"
  "start $id" "start -- $id"
  "kill $id KILL" "kill -- $id KILL"
  "delete --force $id" "delete --force -- $id"
  "create --bundle $work/none $id" "create --bundle $work/none -- $id"
  "state $id" "--version"
  "state $id" "ps"
  "state $id" "image ls"
)
args=()
for c in "${cmds[@]}"; do
  for i in $(seq 30); do $j $c >/dev/null 2>&1 || true; done
  args+=(-n "jbox $c" "$j $c")
done
load=$(bench_load)
hyperfine -N -i --warmup 5 --runs "$runs" --export-csv "$work/times.csv" "${args[@]}" >/dev/null
echo
echo "1. through the warm engine, $runs runs each (ms, median; load $load before, $(bench_load) after; 2 cores)"
awk -F, 'NR>1 { n[NR]=$1; md[NR]=$4*1000 }
  END { printf "%-44s %8s   %-28s %8s %10s\n", "hand parser (or round trip)", "median", "picocli", "median", "picocli +";
        for (i=2;i<NR;i+=2) printf "%-44s %8.2f   %-28s %8.2f %+10.2f\n", substr(n[i],6,44), md[i], substr(n[i+1],6,28), md[i+1], md[i+1]-md[i] }' \
  "$work/times.csv"
echo
echo "2. in one warm JVM with the engine's flags (ms, median of 51 after 200 warm-up calls; load $(bench_load)):"
echo "   model = Main's picocli model, built per call; parse = parseArgs on it; picocli = model + parse - hand parser"
java -Xlog:disable -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -cp "$(dirname "$jbox")/jbox.jar" \
  "$(dirname "$0")/PicocliCost.java" 200 51 | sed 's/^/   /'
