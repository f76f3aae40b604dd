#!/usr/bin/env bash
# Runs jbox's whole test suite as root on the real kernel: the C shim's build (warnings are
# errors), unit tests of every module, and the integration tests that start real containers.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "run-tests.sh: run as root (the tests create namespaces and mounts)" >&2; exit 1; }
scripts/install-deps.sh
mvn -B verify
