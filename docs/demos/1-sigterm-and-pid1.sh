#!/bin/sh
# Demo 1: PID 1 has no default action for SIGTERM. `jbox stop` sends SIGTERM, waits, then SIGKILLs.
# A plain `sleep` as PID 1 ignores the SIGTERM and dies only at the timeout (exit 137 = 128+KILL);
# under --init, sleep is PID 2 and SIGTERM's default action ends it at once (143 = 128+TERM).
jbox=${JBOX:-jbox}
for mode in "" "--init"; do
  name=demo1-$$
  $jbox run --rm --name $name $mode busybox sleep 1000 & run=$!
  until $jbox ps | grep -q " $name\$"; do sleep 0.1; done; sleep 0.3
  start=$(date +%s)
  $jbox stop -t 3 $name >/dev/null
  wait $run; code=$?
  echo "run ${mode:-(no init)}: exit $code after $(( $(date +%s) - start ))s"
done
