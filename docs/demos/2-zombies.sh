#!/bin/sh
# Demo 2: orphans are re-parented to PID 1, which must reap them. A subshell starts a waiter and
# exits at once, so the waiter is re-parented to PID 1. The waiter ends once the workload shell has
# become `sleep 1021` (exec), a condition rather than a clock: had it ended earlier, the shell could
# have reaped it while still a shell. Without --init, PID 1 is that `sleep 1021`, which never calls
# wait(): the finished orphan stays a zombie (state Z). With --init, the init reaps it. We look from
# the host, where the container's processes are ordinary.
jbox=${JBOX:-jbox}
for mode in "" "--init"; do
  name=demo2-$$
  $jbox run --rm --name $name $mode busybox sh -c '(sh -c "until grep -qx sleep /proc/$$/comm; do sleep 0.05; done" &); exec sleep 1021' & run=$!
  until $jbox ps | grep -q " $name\$"; do sleep 0.1; done
  pid=$($jbox inspect --format '{{.State.Pid}}' $name)
  case $pid in ''|*[!0-9]*) echo "no pid for $name: '$pid'"; $jbox kill $name >/dev/null; wait $run; exit 1;; esac
  # Once `sleep 1021` runs, the subshell is gone and the orphan is PID 1's child; wait (on a condition,
  # not a clock) until it has finished: no live child of PID 1 but the workload, no unreaped one for
  # the init (a zombie the init has not reaped yet would be counted; one it never reaps stays).
  until ps -e -o args= | grep -qx "sleep 1021"; do sleep 0.1; done
  i=0
  while [ $i -lt 200 ] && ps -e -o stat=,ppid=,args= | awk -v p=$pid -v init="$mode" \
      '$2 == p && !(NF == 4 && $3 == "sleep" && $4 == "1021") && ($1 !~ /^Z/ || init != "") {f=1} END {exit !f}'; do
    sleep 0.1; i=$((i + 1))
  done
  zombies=$(ps -e -o stat=,ppid= | awk -v p=$pid '$1 ~ /^Z/ && $2 == p {n++} END {print n+0}')
  echo "run ${mode:-(no init)}: zombies in the container: $zombies"
  $jbox kill $name >/dev/null; wait $run
done
