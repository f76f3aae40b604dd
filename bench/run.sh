#!/usr/bin/env bash
# Start-up benchmark: `jbox run --rm --net none busybox /bin/true` with its resident engine warm,
# side by side with runc, crun and bubblewrap running /bin/true on the same rootfs, and jbox's cold
# path (JBOX_ENGINE=off: a JVM per call), in one hyperfine run; prints a table with jbox's ratio to
# each, then where a warm run's time goes. Run as root:  bench/run.sh [RUNS]
# (JBOX=/path/to/jbox picks the build; see bench/lib.sh.) Targets (#15): <= 1.0x crun; stretch:
# within 5 ms of bwrap.
#
# Fairness: every runtime gets the same busybox rootfs (a copy owned by root for the peers, which
# run without a user namespace by default, so jbox is measured both with and without one). crun
# refuses hybrid cgroup hosts, so the whole bench runs in a private mount namespace where the
# cgroup2 mount at /sys/fs/cgroup/unified is unmounted; the host is not changed. That namespace
# has an engine of its own (the front end starts it, as for any caller), stopped at the end.
set -euo pipefail
if [ -z "${JBOX_BENCH_PRIVATE_MNT:-}" ]; then
  exec env JBOX_BENCH_PRIVATE_MNT=1 unshare --mount --propagation private "$0" "$@"
fi
umount /sys/fs/cgroup/unified 2>/dev/null || true
runs=${1:-30}
. "$(dirname "$0")/lib.sh"
missing=()
for p in hyperfine runc crun bwrap strace; do command -v $p >/dev/null || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  pkgs=$(printf '%s\n' "${missing[@]}" | sed 's/^bwrap$/bubblewrap/' | tr '\n' ' ')
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $pkgs >/dev/null
fi
bench_jbox
work=$(mktemp -d /tmp/jbox-bench.XXXXXX)
chmod 0700 "$work"
trap 'bench_engine_stop; rm -rf "$work"' EXIT
bench_stage "$work"
JBOX_ENGINE=off "$jbox" image build-default >/dev/null

# The image's filesystem as a container sees it, through jbox itself (its store's layout is its own).
b=$work/bundle
mkdir -p "$b/rootfs"
src=jbox-bench-rootfs-$$
JBOX_ENGINE=off "$jbox" run --name "$src" --net none busybox true
JBOX_ENGINE=off "$jbox" export -o "$work/rootfs.tar" "$src"
JBOX_ENGINE=off "$jbox" rm "$src" >/dev/null
tar --numeric-owner -C "$b/rootfs" -xf "$work/rootfs.tar"
chown -R 0:0 "$b/rootfs"
(cd "$b" && runc spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/"sh"$/"\/bin\/true"/' "$b/config.json"
grep -q '"/bin/true"' "$b/config.json" || { echo "bench: could not set args in config.json" >&2; exit 1; }

run="$jbox run --rm --net none busybox /bin/true"
bench_engine_warm $run
load=$(bench_load)
# The cold path last: its 30+ JVMs load both CPUs for a while after they exit (JIT and GC
# threads, the page cache), which slowed whichever runtime hyperfine measured next.
hyperfine -N --warmup 3 --runs "$runs" --export-csv "$work/times.csv" \
  -n "jbox (engine)" "$run" \
  -n "jbox --userns host" "$jbox run --rm --net none --userns host busybox /bin/true" \
  -n "runc" "runc run --bundle $b jbox-bench-runc" \
  -n "crun" "crun run --bundle $b jbox-bench-crun" \
  -n "bwrap" "bwrap --bind $b/rootfs / --proc /proc --dev /dev --unshare-all --die-with-parent /bin/true" \
  -n "jbox cold path" "env JBOX_ENGINE=off $run" \
  >/dev/null

echo
echo "start-up of /bin/true, $runs runs each (ms; load $load before, $(bench_load) after; 2 cores)"
echo "ratio and difference of the medians: jbox (engine) against that runtime"
awk -F, 'NR>1 { name[NR]=$1; mean[NR]=$2*1000; sd[NR]=$3*1000; med[NR]=$4*1000; if ($1=="jbox (engine)") { j=$2*1000; jm=$4*1000 } }
  END { printf "%-20s %8s %8s %8s %8s %10s\n", "runtime", "mean", "stddev", "median", "ratio", "jbox - it";
        for (i=2;i<=NR;i++) printf "%-20s %8.1f %8.1f %8.1f %7.2fx %+10.1f\n", name[i], mean[i], sd[i], med[i], jm/med[i], jm-med[i] }' \
  "$work/times.csv"

# Where a warm run's time goes. The engine's phases: --timings (the engine prints them to the
# caller's stderr). The front end's: its system calls under strace (only this process, a few
# calls traced; strace slows each a little), as intervals between the frames it sends and gets.
n=9
# Each --timings run's own wall time too ($EPOCHREALTIME: no fork), so the front end's part is
# that run's wall time minus the engine's total. Back to back, as hyperfine runs them: the
# output is read afterwards (a pause between runs lets the CPUs idle, and each run slows).
for i in $(seq $n); do
  t0=$EPOCHREALTIME
  $jbox run --rm --net none --timings busybox /bin/true 2>"$work/t.$i" >/dev/null
  echo "$t0 $EPOCHREALTIME" >"$work/w.$i"
done
for i in $(seq $n); do
  tail -1 "$work/t.$i" | sed 's/.*"timings_ms":{//; s/}}//' | tr ',' '\n' | tr -d '"' >"$work/p.$i"
  cat "$work/p.$i" >>"$work/phases"
  read -r t0 t1 <"$work/w.$i"
  awk -v a="$t0" -v b="$t1" -F: '$1=="total" { printf "wall:%.2f\nfront_end_rest:%.2f\n", (b-a)*1000, (b-a)*1000-$2 }' \
    "$work/p.$i" >>"$work/phases"
done
for i in $(seq $n); do
  strace -ttt -o "$work/st" -e trace=execve,connect,sendto,read,exit_group -e signal=SIGCHLD $run >/dev/null 2>&1
  awk '
    /execve\(/ && !t0 { t0=$1 }
    /connect\(/ { split($2, a, /[(,]/); fd=a[2]; tc=$1 }
    fd != "" && $2 ~ "^sendto\\(" fd "," && !tr { tr=$1 }
    fd != "" && $2 ~ "^read\\(" fd "," { if (!ts) ts=$1; te=$1 }
    $2 ~ /^sendto\(/ && $0 ~ /"\\4\\0\\0\\0/ && !tsd { tsd=$1 }
    /SIGCHLD/ && !tx { tx=$1 }
    /exit_group/ { tend=$1 }
    END { if (!(t0 && tc && tr && ts && tsd && tx && te && tend)) exit 1;
          printf "front_end_start_to_connected:%.2f\nrequest_sent:%.2f\nengine_until_spawn:%.2f\nfront_end_fork_exec_shim:%.2f\nshim_life:%.2f\nengine_after_shim_exit:%.2f\nfront_end_exit:%.2f\nfront_end_total:%.2f\n",
            (tc-t0)*1000, (tr-tc)*1000, (ts-tr)*1000, (tsd-ts)*1000, (tx-tsd)*1000, (te-tx)*1000, (tend-te)*1000, (tend-t0)*1000 }' \
    "$work/st" >>"$work/fe" || true
done
echo
echo "where a warm run's time goes (median of $n runs each, ms; load $(bench_load))"
echo "the front end, under strace (SPAWN = the engine asks it to start the shim):"
med() { grep "^$1:" "$2" | cut -d: -f2 | bench_median; }
while IFS='|' read -r key label; do
  printf "  %-52s %8s\n" "$label" "$(med "$key" "$work/fe")"
done <<'EOF'
front_end_start_to_connected|exec of jbox to connected (static: config, ns key)
request_sent|REQUEST written
engine_until_spawn|REQUEST to SPAWN (engine: parse..state dir, below)
front_end_fork_exec_shim|SPAWN to SPAWNED (fork, the shim's execve)
shim_life|SPAWNED to the shim's exit (kernel work and engine)
engine_after_shim_exit|the shim's exit to EXIT (engine: clean-up)
front_end_exit|EXIT to the front end's exit
front_end_total|total under strace
EOF
echo "the engine (--timings, in order; SPAWN goes out after new_id_and_state_dir; spawn_shim: the"
echo "wait for the shim on its control socket; plan_build and cgroup: after CLONE went out; clone:"
echo "the rest of the wait for the init's pid; plan_executed_and_execve, container_exited: the shim"
echo "and the kernel, the engine waiting):"
for phase in $(cut -d: -f1 "$work/phases" | grep -v '^wall$\|^front_end_rest$' | awk '!seen[$0]++'); do
  printf "  %-52s %8s\n" "$phase" "$(med "$phase" "$work/phases")"
done
sum() { local t=0 p; for p in "$@"; do t=$(awk -v a="$t" -v b="$(med "$p" "$work/phases")" 'BEGIN { print a + (b == "-" ? 0 : b) }'); done; echo "$t"; }
echo "in short (medians of the phases above, and of the same runs' wall time):"
while IFS='|' read -r label phases; do
  printf "  %-52s %8.2f\n" "$label" "$(sum $phases)"
done <<'EOF'
front end: exec, connect, REQUEST ... EXIT, exit|front_end_rest
engine: parse to state dir, before SPAWN|parse_args image_resolve new_id_and_state_dir
engine while the shim starts: layer, spec, /etc|writable_layer spec_build network_prepare etc_files
the shim's start, what the engine waits of it|spawn_shim
clone (the engine makes plan and cgroup meanwhile)|plan_build cgroup clone
kernel work: plan, execve, the workload, exit|plan_executed_and_execve container_exited
engine while the shim waits: id maps, state, cgroup|id_maps config_json_wait state_and_cgroup network_attach
engine: clean-up after the exit|cleanup
wall time of a --timings run|wall
EOF
