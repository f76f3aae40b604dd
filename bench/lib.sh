# Sourced by the benches: which jbox is measured, its resident engine (started, warmed, stopped
# with everything it made), the machine's load, medians. Not a script of its own.
#
# The jbox measured: $JBOX if set, else the installed one when it is the native front end (a
# jbox-jvm beside it), else this checkout's build (runtime/target/jbox). A build has no class-data
# archive (install.sh makes it): bench_stage copies it to the bench's temp dir and records one, so
# the cold path (JBOX_ENGINE=off) is measured as an install runs it.

bench_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# Sets $jbox (the front end, absolute) from $JBOX, the installed jbox or the build, and records
# the engine socket of these namespaces for bench_engine_stop (any call from here on may start
# that engine). The rows "jbox (engine)" need the engine of these namespaces at its default place:
# JBOX_ENGINE and JBOX_ENGINE_SOCKET are unset.
bench_jbox() {
  local j=${JBOX:-}
  unset JBOX_ENGINE JBOX_ENGINE_SOCKET
  bench_engine_sockets+=("$(bench_engine_socket)")
  if [ -z "$j" ]; then
    j=$(command -v jbox || true)
    if [ -z "$j" ] || [ ! -x "$(dirname "$(readlink -f "$j")")/jbox-jvm" ]; then
      j=$bench_here/../runtime/target/jbox
    fi
  fi
  jbox=$(readlink -f "$j")
  [ -x "$jbox" ] && [ -x "$(dirname "$jbox")/jbox-jvm" ] ||
    { echo "bench: $j is not jbox's native front end with jbox-jvm beside it (build: mvn -B -q package -DskipTests)" >&2; exit 1; }
}

# If $jbox has no class-data archive beside it, copies its directory to $1/lib with one (the
# classes `run`, `ps` and the OCI calls load, as a dynamic archive) and points $jbox there.
bench_stage() {
  local dir lib
  dir=$(dirname "$jbox")
  [ -r "$dir/jbox.jsa" ] && return 0
  lib=$1/lib
  mkdir -p "$lib"
  chmod 0755 "$1" "$lib"
  cp "$dir/jbox" "$dir/jbox-jvm" "$dir/jbox-shim" "$dir/jbox.jar" "$lib/"
  JBOX_ENGINE=off JBOX_JAVA_OPTS="-XX:ArchiveClassesAtExit=$lib/jbox.jsa" \
    "$lib/jbox" run --rm --net none busybox /bin/true >/dev/null 2>&1 || true
  [ -r "$lib/jbox.jsa" ] && chmod 0444 "$lib/jbox.jsa"
  jbox=$lib/jbox
  echo "bench: $dir has no jbox.jsa; measuring a copy with a class-data archive ($lib)"
}

# The engine socket of this process's namespaces, as the front end computes it.
bench_engine_socket() {
  local k="" n
  for n in mnt:m net:n pid:p user:u cgroup:c; do
    k="$k${k:+-}${n#*:}$(stat -L -c %i "/proc/self/ns/${n%%:*}")"
  done
  echo "/run/jbox/engine/$k.sock"
}

# Starts the engine of these namespaces (bench_jbox recorded its socket) the way a user does (the
# first call starts it), checks that it serves, then warms it with 30 calls of "$@".
bench_engine_warm() {
  local sock i
  sock=$(bench_engine_socket)
  "$jbox" --version >/dev/null
  [ -S "$sock" ] || { echo "bench: no engine serves $sock after a first call (see $(bench_engine_file "$sock" log))" >&2; exit 1; }
  bench_engine_pid=$(bench_engine_pid "$sock")
  bench_engine_start=$(bench_start_time "$bench_engine_pid")
  for i in $(seq 30); do "$@" >/dev/null 2>&1 || true; done
}
bench_engine_sockets=()
bench_engine_pid=
bench_engine_start=
bench_cgroup_parent_existed=$(ls -d /sys/fs/cgroup/*/jbox-engine /sys/fs/cgroup/jbox-engine 2>/dev/null | head -1 || true)
bench_cgroup_parent_existed=${bench_cgroup_parent_existed:-no}

# A file beside engine socket $1 (EnginePaths): /run/jbox/engine/KEY.EXT.
bench_engine_file() {
  echo "${1%.sock}.$2"
}

# The start time of live process $1 (field 22 of its stat), or nothing (gone, or a zombie).
bench_start_time() {
  [ -n "$1" ] && [ -r "/proc/$1/stat" ] && sed 's/.*) //' "/proc/$1/stat" | awk '$1 != "Z" { print $20 }'
}

# The pid of the engine on socket $1 (its pid file), or nothing.
bench_engine_pid() {
  local f
  f=$(bench_engine_file "$1" pid)
  [ -r "$f" ] && cut -d' ' -f1 "$f"
}

# Stops the engine of these namespaces (run where bench_jbox ran: `engine stop` finds it by them)
# and removes the cgroups it made (engine.cgroup, default jbox-engine, /engine-<first 8 bytes of
# sha256(socket path)>; the parent only if the bench made it) and its lock and log.
bench_engine_stop() {
  local sock h d
  for sock in "${bench_engine_sockets[@]}"; do
    "$(dirname "$jbox")/jbox-jvm" engine stop >/dev/null 2>&1 || true
    # Its files may be gone (a clean-up of /run/jbox elsewhere): the pid it had when warmed decides.
    if [ -n "$bench_engine_pid" ] && [ "$(bench_start_time "$bench_engine_pid")" = "$bench_engine_start" ]; then
      kill -TERM "$bench_engine_pid" 2>/dev/null || true
      for _ in $(seq 100); do [ "$(bench_start_time "$bench_engine_pid")" = "$bench_engine_start" ] || break; sleep 0.1; done
    fi
    h=$(printf %s "$sock" | sha256sum | cut -c1-16)
    for d in /sys/fs/cgroup/*/jbox-engine/engine-"$h" /sys/fs/cgroup/jbox-engine/engine-"$h"; do
      [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
    done
    if [ "$bench_cgroup_parent_existed" = no ]; then # we made it: remove it if no other engine came meanwhile
      for d in /sys/fs/cgroup/*/jbox-engine /sys/fs/cgroup/jbox-engine; do
        [ -d "$d" ] && rmdir "$d" 2>/dev/null || true
      done
    fi
    rm -f "$(bench_engine_file "$sock" log)" "$(bench_engine_file "$sock" lock)"
  done
  bench_engine_sockets=()
  return 0
}

# The 1-minute load average, for the output's header.
bench_load() {
  cut -d' ' -f1 /proc/loadavg
}

# Median of the numbers on stdin (one a line).
bench_median() {
  sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
