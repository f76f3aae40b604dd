#!/bin/sh
# Demo 3: when PID 1 of a PID namespace exits, the kernel SIGKILLs every other process in it.
# The shell starts two long sleeps in the background and exits; the sleeps die with it.
jbox=${JBOX:-jbox}
$jbox run --rm busybox sh -c 'sleep 1001 & sleep 1002 & echo "started two sleeps"; exit 0'
sleep 0.5
left=$(ps -e -o args= | grep -c '^sleep 100[12]$')
echo "sleeps still running on the host: $left"
