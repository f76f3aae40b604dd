#!/usr/bin/env bash
# Installs, with apt-get, what jbox needs to build, run and test on Debian — only what is missing.
#   busybox-static  the default image      iproute2, iptables  networking tools (and jbox doctor)
#   gcc, make, libc6-dev  the sanitizer test builds and the static test probe
#   musl-tools       musl, which the front end and the shim are linked against (static-pie)
#   maven, JDK 17    the Java build
#   util-linux       unshare/nsenter for the namespace tests and demos
#   socat            a host process holding a TCP or UDP port in the port-conflict tests
#   libcap2-bin      setcap/getcap: ImageIT proves file capabilities survive an import
#   podman, conmon, skopeo  the OCI runtime CLI's interop tests (podman drives jbox and runc; skopeo writes images)
#   containerd       containerd and ctr for ContainerdIT, which starts a private containerd of its own.
#                    Installed here, its systemd service is neither started nor enabled: the tests must not
#                    leave a daemon on the machine (a containerd the host already had is left as it is).
#   docker-registry  the CNCF distribution registry for RegistryIT, which starts its own on loopback
#                    (own config and storage); its service is neither started nor enabled, as containerd's.
#   apache2-utils    htpasswd, for the registry's basic auth in RegistryIT
set -euo pipefail
missing=()
need() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need busybox busybox-static
[ -x /bin/busybox ] || missing+=(busybox-static)
need ip iproute2
need iptables iptables
need gcc gcc
need musl-gcc musl-tools
need make make
need mvn maven
need javac openjdk-17-jdk-headless
need unshare util-linux
need socat socat
need script bsdutils
need podman podman
need conmon conmon
need skopeo skopeo
need runc runc
need containerd containerd
need setcap libcap2-bin
need docker-registry docker-registry
need htpasswd apache2-utils
[ -e /usr/lib/x86_64-linux-gnu/libc.a ] || [ -e /usr/lib/libc.a ] || missing+=(libc6-dev)
if [ ${#missing[@]} -gt 0 ]; then
  echo "jbox: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  no_start=
  if [[ " ${missing[*]} " == *" containerd "* || " ${missing[*]} " == *" docker-registry "* ]] \
      && [ ! -e /usr/sbin/policy-rc.d ]; then
    # policy-rc.d answering 101 tells the packages' maintainer scripts not to start their services.
    no_start=/usr/sbin/policy-rc.d
    trap 'rm -f "$no_start"' EXIT
    printf '#!/bin/sh\nexit 101\n' > "$no_start"
    chmod 755 "$no_start"
  fi
  apt-get install -y -qq "${missing[@]}" >/dev/null
  if [[ " ${missing[*]} " == *" containerd "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --quiet containerd.service || true
  fi
  if [[ " ${missing[*]} " == *" docker-registry "* ]] && [ -d /run/systemd/system ]; then
    systemctl disable --quiet docker-registry.service || true
  fi
fi
