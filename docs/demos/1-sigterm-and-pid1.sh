#!/bin/sh
# Demo 1: PID 1 has no default action for SIGTERM. `jbox stop` sends SIGTERM, waits, then SIGKILLs.
# A plain `sleep` as PID 1 ignores the SIGTERM and dies only at the timeout (exit 137 = 128+KILL);
# under --init, sleep is PID 2 and SIGTERM's default action ends it at once (143 = 128+TERM).
jbox=${JBOX:-jbox}
for mode in "" "--init"; do
  name=demo1-$$
  $jbox run --rm --name $name $mode busybox sleep 1011 & run=$!
  # wait until `sleep 1011` runs (not the shim still setting up): then the signal meets sleep itself
  until ps -e -o args= | grep -qx "sleep 1011"; do sleep 0.1; done
  start=$(date +%s)
  $jbox stop -t 10 $name >/dev/null
  wait $run; code=$?
  echo "run ${mode:-(no init)}: exit $code after $(( $(date +%s) - start ))s"
done
