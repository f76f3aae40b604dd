#!/usr/bin/env bash
# Installs what is missing, builds jbox (Java + C shim), installs it under $PREFIX (default
# /usr/local: the launcher in bin/, jar, shim and class-data archive in lib/jbox/, all root-owned),
# builds the default busybox image, and runs a first container. Run as root.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
prefix=${PREFIX:-/usr/local}
lib=$prefix/lib/jbox

scripts/install-deps.sh
mvn -B -q -DskipTests install

install -d -m 0755 -o root -g root "$lib"
install -m 0755 -o root -g root runtime/target/jbox runtime/target/jbox-shim "$lib/"
install -m 0644 -o root -g root runtime/target/jbox.jar "$lib/"
ln -sf "$lib/jbox" "$prefix/bin/jbox"

"$prefix/bin/jbox" image build-default

# Class-data sharing: record the classes one run loads, so later starts map them instead of
# loading them (see bench/). Rebuilt on every install: an archive only matches its own jar.
# --net none here and below: installing must not create the jbox0 bridge and NAT rules; the
# first container that asks for bridge networking does.
rm -f "$lib/jbox.jsa"
java -Xlog:disable -XX:ArchiveClassesAtExit="$lib/jbox.jsa" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
  -Djbox.home="$lib" -cp "$lib/jbox.jar" jbox.cli.Main run --rm --net none busybox /bin/true
chmod 0444 "$lib/jbox.jsa"

echo "jbox installed: $(command -v jbox). A first container:"
jbox run --rm --net none --hostname demo busybox sh -c \
  'echo "hostname: $(hostname)"; echo "whoami: $(id)"; echo "my pid: $$"; ps -o pid,user,comm; true'
