#!/usr/bin/env bash
# The UserLvs lab demo, start to finish on a fresh Debian machine as root:
#   installs what it needs, builds, brings up the two-tier LVS-NAT lab in network namespaces,
#   starts userlvsd with lab/demo.cf, sends HTTP requests and UDP datagrams to the VIP, shows which
#   real server answered each, the virtual service table and the spread, and tears everything down.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DEBIAN_FRONTEND=noninteractive

[ "$(id -u)" -eq 0 ] || { echo "demo.sh: run as root (it creates network namespaces)" >&2; exit 1; }
need=()
for pkg in libpcap0.8 iproute2 nftables ethtool curl python3; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "== installing ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

echo "== building"
dotnet build "$repo/UserLvs.sln" -c Release -v quiet -nologo | grep -E "error|Warn|Elapsed" || true
daemon="$repo/artifacts/bin/userlvsd/release/userlvsd"
adm="$repo/artifacts/bin/userlvs-adm/release/userlvs-adm"
[ -x "$daemon" ] || { echo "demo.sh: the build did not produce $daemon" >&2; exit 1; }

P="demo$((RANDOM % 1000))"
log=$(mktemp)
socket="/run/userlvs/demo-$P.sock"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  "$here/topology.sh" down "$P" >/dev/null 2>&1 || true
  rm -f "$log"
}
trap cleanup EXIT

echo "== bringing up the lab ($P)"
"$here/topology.sh" up "$P"

echo "== starting userlvsd in the router namespace"
ip netns exec "$P-rt" "$daemon" --config "$here/demo.cf" --socket "$socket" 2>"$log" &
pid=$!
for _ in $(seq 1 100); do grep -q "ready" "$log" && break; kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
if ! grep -q "ready" "$log"; then echo "userlvsd did not start:"; cat "$log"; exit 1; fi
sed 's/^/   userlvsd: /' "$log"

echo
echo "== 12 HTTP requests from the client (192.0.2.100) to the VIP http://192.0.2.10/"
declare -A spread=()
for i in $(seq 1 12); do
  server=$(ip netns exec "$P-cl" curl -s -m 3 http://192.0.2.10/ || echo "no answer")
  printf "   request %2d answered by %s\n" "$i" "$server"
  spread[$server]=$(( ${spread[$server]:-0} + 1 ))
done

echo
echo "== 3 UDP datagrams to 192.0.2.10:5353 (echo service)"
for i in 1 2 3; do
  ip netns exec "$P-cl" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(2)
s.sendto(b"hello " + sys.argv[1].encode(), ("192.0.2.10", 5353))
data, peer = s.recvfrom(2048)
print("   reply from %s:%d: %s" % (peer[0], peer[1], data.decode()))' "$i" || echo "   no reply"
done

echo
echo "== the virtual service table (userlvs-adm -L -n)"
if ! USERLVS_SOCKET="$socket" "$adm" -L -n 2>/dev/null | sed 's/^/   /'; then
  echo "   (userlvs-adm cannot reach the daemon yet: the control socket lands with the daemon issue)"
fi

echo
echo "== the spread (rr over three real servers)"
for server in "${!spread[@]}"; do printf "   %-10s %d requests\n" "$server" "${spread[$server]}"; done | sort

echo
echo "== stopping userlvsd (SIGTERM) and tearing the lab down"
kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
grep "frames:" "$log" | sed 's/^/   userlvsd: /'
