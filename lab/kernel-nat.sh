#!/usr/bin/env bash
# The kernel's own NAT on the lab router, as the yardstick UserLvs is measured against: nftables DNAT
# of VIP 192.0.2.10 (TCP 80, UDP 5353) to the real servers in round robin (numgen inc), with
# conntrack's reverse NAT for the replies and plain kernel forwarding.
# Usage: lab/kernel-nat.sh on|off PREFIX
set -euo pipefail
cmd=${1:?usage: kernel-nat.sh on|off PREFIX}
P=${2:?usage: kernel-nat.sh on|off PREFIX}
rt="$P-rt"
servers=$(ip netns list | awk '{print $1}' | grep -c "^$P-rs" || true)
case "$cmd" in
  on)
    map=""
    for i in $(seq 1 "$servers"); do map="$map$((i - 1)) : 10.0.0.$((10 + i)), "; done
    ip -n "$rt" addr add 192.0.2.10/32 dev pub0
    ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=1
    ip netns exec "$rt" nft -f - <<NFT
table ip ulvs_kernel_nat {
  chain prerouting {
    type nat hook prerouting priority dstnat;
    ip daddr 192.0.2.10 tcp dport 80 dnat to numgen inc mod $servers map { ${map%, } }
    ip daddr 192.0.2.10 udp dport 5353 dnat to numgen inc mod $servers map { ${map%, } }
  }
}
NFT
    ;;
  off)
    ip netns exec "$rt" nft delete table ip ulvs_kernel_nat 2>/dev/null || true
    ip netns exec "$rt" sysctl -qw net.ipv4.ip_forward=0
    ip -n "$rt" addr del 192.0.2.10/32 dev pub0 2>/dev/null || true
    ;;
  *) echo "usage: kernel-nat.sh on|off PREFIX" >&2; exit 2 ;;
esac
