#!/usr/bin/env bash
# Runs jbox's whole test suite as root on the real kernel: the C shim's build (warnings are
# errors), unit tests of every module, and the integration tests that start real containers, twice:
# once against the resident engine (each test run starts engines of its own in a private directory
# and stops them at its end) and once with the engine forced off (JBOX_ENGINE=off: the cold path).
# Both runs always happen; the script fails if either does.
set -uo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "run-tests.sh: run as root (the tests create namespaces and mounts)" >&2; exit 1; }
scripts/install-deps.sh || exit 1
status=0
start=$SECONDS
mvn -B verify -Djbox.engine=on || status=1
on=$((SECONDS - start))
start=$SECONDS
# The ITs again on the cold path (the unit tests ran above; they do not depend on the engine).
mvn -B verify -Djbox.engine=off -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false || status=1
off=$((SECONDS - start))
echo "run-tests.sh: engine on ${on} s, engine off ${off} s: $([ $status = 0 ] && echo passed || echo FAILED)"
exit $status
