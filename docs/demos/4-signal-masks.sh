#!/bin/sh
# Demo 4: /proc/1/status shows PID 1's ignored (SigIgn) and caught (SigCgt) signals as bit masks
# (bit N-1 = signal N). A shell with `trap ... TERM` catches SIGTERM: bit 14 (0x4000) of SigCgt.
# SIGTERM reaches a PID 1 only if it is caught; an ignored or default one is dropped by the kernel.
jbox=${JBOX:-jbox}
echo "sh as PID 1:"
$jbox run --rm busybox sh -c 'grep -E "^Sig(Ign|Cgt)" /proc/1/status; true'
echo "sh with a TERM trap as PID 1:"
$jbox run --rm busybox sh -c 'trap "exit 0" TERM; grep -E "^Sig(Ign|Cgt)" /proc/1/status; true'
