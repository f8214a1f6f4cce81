#!/usr/bin/env bash
# The two-tier LVS-NAT lab in network namespaces (DESIGN.md §1):
#
#   <P>-cl  client      eth0 192.0.2.100/24 ─┐
#                                             brpub (in <P>-sw)
#   <P>-rt  router      pub0 192.0.2.1/24   ─┘    VIP 192.0.2.10 is answered by UserLvs, not the kernel
#                       priv0 10.0.0.1/24   ─┐    (the NAT router address: the real servers' gateway)
#                                             brpriv (in <P>-sw)
#   <P>-rs1..3  real servers eth0 10.0.0.11..13/24, default via 10.0.0.1, running lab/realserver.py
#               (HTTP on 80 naming the server, UDP echo on 5353)
#
# With LAB_ROUTERS=2 the lab has an active/backup pair (pulse) instead of one router:
#
#   <P>-rt  primary     pub0 192.0.2.1/24   priv0 10.0.0.2/24   (its own addresses, heartbeats)
#   <P>-rt2 backup      pub0 192.0.2.2/24   priv0 10.0.0.3/24
#
# and 10.0.0.1 lives on neither kernel: it floats, answered by whichever userlvsd is active, so a
# router that dies (even by kill -9) stops answering for it at once.
#
# Usage: lab/topology.sh up|down PREFIX     (PREFIX: unique per run, <= 8 characters, e.g. u$$)
# Environment: LAB_SERVERS=N real servers (default 3); LAB_REALSERVER=none starts no realserver.py
# (the caller runs its own servers, e.g. lab/bench.sh's nginx; default: python); LAB_ROUTERS=1|2.
# Every name carries PREFIX, so parallel runs never meet; "down" removes exactly what "up" made.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: topology.sh up|down PREFIX}
P=${2:?usage: topology.sh up|down PREFIX}
[ "${#P}" -le 8 ] || { echo "topology.sh: PREFIX '$P' is longer than 8 characters" >&2; exit 2; }
run="$here/.run/$P"
SERVERS=${LAB_SERVERS:-3}
REALSERVER=${LAB_REALSERVER:-python}
ROUTERS=${LAB_ROUTERS:-1}
case "$ROUTERS" in 1|2) ;; *) echo "topology.sh: LAB_ROUTERS must be 1 or 2" >&2; exit 2 ;; esac
case "$REALSERVER" in python|none) ;; *) echo "topology.sh: LAB_REALSERVER must be python or none" >&2; exit 2 ;; esac

nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# The system python starts in a fraction of the time a version-manager shim takes, and runs as the
# very process whose pid we record.
PYTHON=$(command -v /usr/bin/python3 || command -v python3)

quiet_ns() {  # no IPv6 noise (DAD, RS, MLD) in the lab
  nsx "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 >/dev/null
  ip -n "$1" link set lo up
}

# link NS_A IF_A NS_B IF_B: a veth pair between two namespaces, created directly inside them.
link() {
  local tmp_a="${P}a$RANDOM" tmp_b="${P}b$RANDOM"
  ip link add "$tmp_a" netns "$1" type veth peer name "$tmp_b" netns "$3"
  ip -n "$1" link set "$tmp_a" name "$2"
  ip -n "$3" link set "$tmp_b" name "$4"
}

# router NS TAG PUBLIC PRIVATE: a router namespace with pub0 on the public and priv0 on the private bridge.
router() {
  link "$1" pub0 "$sw" "${2}pub"
  link "$1" priv0 "$sw" "${2}priv"
  ip -n "$sw" link set "${2}pub" master brpub up
  ip -n "$sw" link set "${2}priv" master brpriv up
  ip -n "$1" addr add "$3/24" dev pub0 && ip -n "$1" link set pub0 up
  ip -n "$1" addr add "$4/24" dev priv0 && ip -n "$1" link set priv0 up
}

up() {
  mkdir -p "$run"
  local rt="$P-rt" cl="$P-cl"
  sw="$P-sw"
  for ns in "$sw" "$rt" "$cl"; do ip netns add "$ns"; echo "$ns" >> "$run/namespaces"; quiet_ns "$ns"; done
  # Bridged frames must not traverse the switch namespace's IP hooks (br_netfilter is built in).
  nsx "$sw" sysctl -qw net.bridge.bridge-nf-call-iptables=0 2>/dev/null || true
  ip -n "$sw" link add brpub type bridge && ip -n "$sw" link set brpub up
  ip -n "$sw" link add brpriv type bridge && ip -n "$sw" link set brpriv up

  link "$cl" eth0 "$sw" cl0
  ip -n "$sw" link set cl0 master brpub up
  ip -n "$cl" addr add 192.0.2.100/24 dev eth0 && ip -n "$cl" link set eth0 up
  if [ "$ROUTERS" = 1 ]; then
    router "$rt" rt 192.0.2.1 10.0.0.1
  else
    ip netns add "$P-rt2"; echo "$P-rt2" >> "$run/namespaces"; quiet_ns "$P-rt2"
    router "$rt" rt 192.0.2.1 10.0.0.2
    router "$P-rt2" rt2 192.0.2.2 10.0.0.3
  fi

  for i in $(seq 1 "$SERVERS"); do
    local rs="$P-rs$i"
    ip netns add "$rs"; echo "$rs" >> "$run/namespaces"; quiet_ns "$rs"
    link "$rs" eth0 "$sw" rs$i
    ip -n "$sw" link set rs$i master brpriv up
    ip -n "$rs" addr add 10.0.0.$((10 + i))/24 dev eth0 && ip -n "$rs" link set eth0 up
    ip -n "$rs" route add default via 10.0.0.1
    if [ "$REALSERVER" = python ]; then
      ip netns exec "$rs" "$PYTHON" "$here/realserver.py" "s$i" 80 5353 >/dev/null 2>&1 &
      echo $! >> "$run/pids"
    fi
  done

  # Wait (bounded) until every real server answers on its own address.
  if [ "$REALSERVER" = python ]; then
    for i in $(seq 1 "$SERVERS"); do
      for _ in $(seq 1 100); do
        nsx "$P-rs$i" curl -s -m 1 -o /dev/null "http://10.0.0.$((10 + i))/" && break
        sleep 0.05
      done
    done
  fi
  if [ "$ROUTERS" = 1 ]; then
    echo "lab $P up: client 192.0.2.100, router 192.0.2.1/10.0.0.1, VIP 192.0.2.10, $SERVERS real servers"
  else
    echo "lab $P up: client 192.0.2.100, primary 192.0.2.1/10.0.0.2, backup 192.0.2.2/10.0.0.3, floating VIP 192.0.2.10 and NAT router 10.0.0.1, $SERVERS real servers"
  fi
}

down() {
  if [ -f "$run/pids" ]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$run/pids"
  fi
  # The pid above is the launching subshell; python3 itself (behind a pyenv shim, which forks) may
  # be another process, and deleting a namespace does not end its processes: stop every
  # realserver.py still running in one of our real-server namespaces.
  for ns in $(ip netns list | awk '{print $1}' | grep -E "^$P-rs[0-9]+$" || true); do
    for pid in $(ip netns pids "$ns" 2>/dev/null || true); do
      tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "$here/realserver.py" && kill "$pid" 2>/dev/null || true
    done
  done
  # Namespaces named in the run file, plus any with our prefix left by an interrupted "up".
  { cat "$run/namespaces" 2>/dev/null; ip netns list | awk '{print $1}' | grep "^$P-" || true; } | sort -u |
    while read -r ns; do [ -n "$ns" ] && ip netns del "$ns" 2>/dev/null || true; done
  rm -rf "$run"
}

case "$cmd" in
  up) up ;;
  down) down ;;
  *) echo "usage: topology.sh up|down PREFIX" >&2; exit 2 ;;
esac
