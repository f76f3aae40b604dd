#!/bin/sh
# Demo 2: orphans are re-parented to PID 1, which must reap them. A subshell starts `sleep 0.2` and
# exits at once, so the sleep is re-parented to PID 1. Without --init, PID 1 is `sleep 1000` (the
# shell exec's it), which never calls wait(): the finished orphan stays a zombie (state Z). With
# --init, the init reaps it. We look from the host, where the container's processes are ordinary.
jbox=${JBOX:-jbox}
for mode in "" "--init"; do
  name=demo2-$$
  $jbox run --rm --name $name $mode busybox sh -c '(sleep 0.2 &); exec sleep 1000' & run=$!
  until $jbox ps | grep -q " $name\$"; do sleep 0.1; done; sleep 1
  pid=$($jbox inspect $name | sed -n 's/.*"pid" : \([0-9]*\).*/\1/p')
  zombies=$(ps -e -o stat=,ppid= | awk -v p=$pid '$1 ~ /^Z/ && $2 == p {n++} END {print n+0}')
  echo "run ${mode:-(no init)}: zombies in the container: $zombies"
  $jbox kill $name >/dev/null; wait $run
done
