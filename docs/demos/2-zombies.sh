#!/bin/sh
# Demo 2: orphans are re-parented to PID 1, which must reap them. A subshell starts `sleep 0.2` and
# exits at once, so the sleep is re-parented to PID 1. Without --init, PID 1 is `sleep 1021` (the
# shell exec's it), which never calls wait(): the finished orphan stays a zombie (state Z). With
# --init, the init reaps it. We look from the host, where the container's processes are ordinary.
jbox=${JBOX:-jbox}
for mode in "" "--init"; do
  name=demo2-$$
  $jbox run --rm --name $name $mode busybox sh -c '(sleep 0.2 &); exec sleep 1021' & run=$!
  until $jbox ps | grep -q " $name\$"; do sleep 0.1; done
  pid=$($jbox inspect --format '{{.State.Pid}}' $name)
  case $pid in ''|*[!0-9]*) echo "no pid for $name: '$pid'"; $jbox kill $name >/dev/null; wait $run; exit 1;; esac
  # Once `sleep 1021` runs, the subshell is gone and the orphan is PID 1's child; wait (on a condition,
  # not a clock) until it has finished: no live child of PID 1 but the workload, no unreaped one for
  # the init (a zombie the init has not reaped yet would be counted; one it never reaps stays).
  until ps -e -o args= | grep -qx "sleep 1021"; do sleep 0.1; done
  i=0
  while [ $i -lt 50 ] && ps -e -o stat=,ppid=,args= | awk -v p=$pid -v init="$mode" \
      '$2 == p && !(NF == 4 && $3 == "sleep" && $4 == "1021") && ($1 !~ /^Z/ || init != "") {f=1} END {exit !f}'; do
    sleep 0.1; i=$((i + 1))
  done
  zombies=$(ps -e -o stat=,ppid= | awk -v p=$pid '$1 ~ /^Z/ && $2 == p {n++} END {print n+0}')
  echo "run ${mode:-(no init)}: zombies in the container: $zombies"
  $jbox kill $name >/dev/null; wait $run
done
