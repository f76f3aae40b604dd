#!/usr/bin/env bash
# Installs what is missing, builds jbox (Java + C shim and front end), installs it under $PREFIX
# (default /usr/local: lib/jbox/ holds the native front end jbox, the cold path jbox-jvm, the jar,
# the shim and the class-data archive, all root-owned; bin/jbox links to lib/jbox/jbox), builds the
# default busybox image, and runs a first container. Run as root.
set -euo pipefail
cd "$(dirname "$0")"
[ "$(id -u)" = 0 ] || { echo "install.sh: run as root" >&2; exit 1; }
prefix=${PREFIX:-/usr/local}
lib=$prefix/lib/jbox

scripts/install-deps.sh
mvn -B -q -DskipTests install

install -d -m 0755 -o root -g root "$lib"
install -m 0755 -o root -g root runtime/target/jbox runtime/target/jbox-jvm runtime/target/jbox-shim "$lib/"
install -m 0644 -o root -g root runtime/target/jbox.jar "$lib/"
ln -sf "$lib/jbox" "$prefix/bin/jbox"
# An engine started from the jar this install replaced would keep serving the old code: stop it
# (the one of this shell's namespaces; before the engine exists this fails, silently).
"$lib/jbox-jvm" engine stop >/dev/null 2>&1 || true
# The steps below take the cold path: no engine is started before the class-data archive exists.
cold() { JBOX_ENGINE=off "$prefix/bin/jbox" "$@"; }

cold image build-default

# Shell completion and man pages, generated from the commands' own model (jbox completion, and
# internal-man: roff, one page per command), so they always match this build.
if [ -d /usr/share/bash-completion/completions ]; then bashdir=/usr/share/bash-completion/completions; else bashdir=/etc/bash_completion.d; fi
install -d -m 0755 "$bashdir" "$prefix/share/zsh/site-functions" "$prefix/share/man/man1"
cold completion bash >"$bashdir/jbox" && chmod 0644 "$bashdir/jbox"
cold completion zsh >"$prefix/share/zsh/site-functions/_jbox" && chmod 0644 "$prefix/share/zsh/site-functions/_jbox"
cold internal-man "$prefix/share/man/man1" >/dev/null
command -v mandb >/dev/null && mandb -q "$prefix/share/man" 2>/dev/null || true

# Class-data sharing: record the classes that `jbox run` and the OCI CLI's commands (what podman
# calls: create, start, state, kill, delete) load, and archive them all, so later starts map them
# instead of loading them (see bench/). Rebuilt on every install: an archive only matches its jar.
# --net none here and below: installing must not create the jbox0 bridge and NAT rules; the
# first container that asks for bridge networking does.
rm -f "$lib/jbox.jsa"
train=$(mktemp -d /tmp/jbox-cds.XXXXXX)
trap 'rm -rf "$train"' EXIT
record() { # one jbox command, its loaded classes appended to the list
  java -Xlog:disable -XX:DumpLoadedClassList="$train/$1.lst" -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Djbox.home="$lib" -cp "$lib/jbox.jar" jbox.cli.Main "${@:2}" >/dev/null
}
record run run --rm --net none busybox /bin/true
mkdir "$train/bundle"
cold spec --bundle "$train/bundle"
rootfs=$(cold run --dry-run --net none busybox true | sed -n 's/.*"dev.jbox.rootfs.lowerdir" : "\(.*\)".*/\1/p')
ln -s "$rootfs" "$train/bundle/rootfs"   # read-only in the spec's config: the image stays unchanged
# A workload that is still running when kill comes, so the archive holds the classes of a real
# signal (pidfd through jnr), not only of the "already stopped" error.
sed -i 's/"terminal" : true/"terminal" : false/; s/"args" : \[ "sh" \]/"args" : [ "sleep", "600" ]/' "$train/bundle/config.json"
oci=(--root "$train/state")
record create "${oci[@]}" create --bundle "$train/bundle" cds
record state "${oci[@]}" state cds
record start "${oci[@]}" start cds
record kill "${oci[@]}" kill cds KILL
record delete "${oci[@]}" delete --force cds
# `image import` of a small .tar.gz with a directory, a file, a symlink and a FIFO: Commons Compress,
# the jnr-ffi file calls and Jackson's image.json writer, which a cold import otherwise loads from the jar.
mkdir -p "$train/import/dir"
echo cds >"$train/import/dir/file"
ln -s dir/file "$train/import/link"
mkfifo "$train/import/fifo"
tar -C "$train/import" -czf "$train/import.tar.gz" .
record import image import jbox-cds-import "$train/import.tar.gz"
"$prefix/bin/jbox" image rm jbox-cds-import >/dev/null
cat "$train"/*.lst | sort -u >"$train/classes.lst"
java -Xlog:disable -Xshare:dump -XX:SharedClassListFile="$train/classes.lst" -XX:SharedArchiveFile="$lib/jbox.jsa" \
  -cp "$lib/jbox.jar" >/dev/null
chmod 0444 "$lib/jbox.jsa"

echo "jbox installed: $(command -v jbox). A first container:"
jbox run --rm --net none --hostname demo busybox sh -c \
  'echo "hostname: $(hostname)"; echo "whoami: $(id)"; echo "my pid: $$"; ps -o pid,user,comm; true'
