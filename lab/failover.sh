#!/usr/bin/env bash
# The failover drill (pulse): an active/backup router pair in namespaces (lab/topology.sh with
# LAB_ROUTERS=2), both running userlvsd from the same lvs.cf with keepalive 0.01 and deadtime 0.03.
#
#   1. the primary becomes active; a long download through the VIP starts (rate-limited, ~8 s)
#      and lab/outage.py sends a new UDP connection to the VIP every millisecond
#   2. kill -9 the primary's userlvsd and set its links down: the backup takes over
#   3. prints the client outage (longest stretch of unanswered new connections) in milliseconds
#      and whether the established download arrived byte-identical (sha256)
#   4. the primary comes back: links up, userlvsd restarted; it takes over again (failback) while a
#      second download runs; prints that outage too
#
# Usage: bash lab/failover.sh        (root; builds the Release binaries when missing)
# Environment: KEEPALIVE (default 0.01), DEADTIME (default 0.03), ROUNDS (default 1: takeover drills).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
KEEPALIVE=${KEEPALIVE:-0.01}
DEADTIME=${DEADTIME:-0.03}
daemon=$root/artifacts/bin/userlvsd/release/userlvsd
adm=$root/artifacts/bin/userlvs-adm/release/userlvs-adm
[ -x "$daemon" ] && [ -x "$adm" ] || dotnet build UserLvs.sln -c Release >/dev/null

P="f$((RANDOM % 10000))$(($$ % 100))"
work=$(mktemp -d /tmp/userlvs-failover-XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  sleep 0.5
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  bash lab/topology.sh down "$P" >/dev/null 2>&1 || true
  if [ -n "${KEEP:-}" ]; then echo "logs kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

LAB_ROUTERS=2 bash lab/topology.sh up "$P"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$work/heartbeat.key"
chmod 600 "$work/heartbeat.key"
servers() {
  for i in 1 2 3; do printf '    server s%d {\n        address = 10.0.0.%d\n        active = 1\n        weight = 1\n    }\n' "$i" $((10 + i)); done
}
cat > "$work/lvs.cf" <<EOF
serial_no = 1
primary = 192.0.2.1
primary_private = 10.0.0.2
backup = 192.0.2.2
backup_private = 10.0.0.3
backup_active = 1
service = lvs
heartbeat = 1
heartbeat_port = 539
heartbeat_key_file = $work/heartbeat.key
keepalive = $KEEPALIVE
deadtime = $DEADTIME
network = nat
nat_router = 10.0.0.1 priv0
nat_nmask = 255.255.255.0
syncdaemon = 1

virtual http {
    active = 1
    address = 192.0.2.10 pub0:1
    port = 80
    protocol = tcp
    scheduler = rr
$(servers)
}

virtual echo {
    active = 1
    address = 192.0.2.10 pub0:1
    port = 5353
    protocol = udp
    scheduler = rr
$(servers)
}
EOF

# start_router N: userlvsd on router N (0 primary, 1 backup), its log in $work/router-N.log.
declare -A router_pid
start_router() {
  local ns="$P-rt"; [ "$1" = 1 ] && ns="$P-rt2"
  ip netns exec "$ns" "$daemon" --config "$work/lvs.cf" --socket "$work/router-$1.sock" >> "$work/router-$1.log" 2>&1 &
  router_pid[$1]=$!
  pids+=($!)
}
# wait_role N ROLE: bounded wait until router N's --status says ROLE.
wait_role() {
  for _ in $(seq 1 200); do
    USERLVS_SOCKET="$work/router-$1.sock" "$adm" --status 2>/dev/null | grep -q "^Role: $2 " && return 0
    sleep 0.05
  done
  echo "router $1 did not become $2; its log:" >&2; tail -20 "$work/router-$1.log" >&2; return 1
}
expected_sha() {  # the sha256 of realserver.py's /big?mb=N
  /usr/bin/python3 -c "import hashlib,sys; c=bytes(range(256))*256; h=hashlib.sha256(); [h.update(c) for _ in range(int(sys.argv[1])*16)]; print(h.hexdigest())" "$1"
}
# drill NAME ACTION: a download and the outage probes run across ACTION; prints both verdicts.
drill() {
  local name=$1 action=$2 mb=16
  ip netns exec "$P-cl" curl -sS --limit-rate 2M -m 60 "http://192.0.2.10/big?mb=$mb" 2>"$work/$name.curl.err" | sha256sum | cut -d' ' -f1 > "$work/$name.sha" &
  local download=$!
  ip netns exec "$P-cl" /usr/bin/python3 lab/outage.py 192.0.2.10:5353 --interval-ms 1 --seconds 5 > "$work/$name.outage" &
  local probes=$!
  sleep 1.5
  $action
  wait "$probes" || true
  wait "$download" || true
  local outage; outage=$(sed -n 's/.*outage_ms=\([-0-9.]*\).*/\1/p' "$work/$name.outage")
  local verdict="byte-identical"
  [ "$(cat "$work/$name.sha")" = "$(expected_sha $mb)" ] || verdict="BROKEN ($(cat "$work/$name.curl.err"))"
  echo "$name: client outage ${outage} ms ($(cat "$work/$name.outage")); established download: $verdict"
}
kill_primary() {
  echo "$(date +%H:%M:%S.%3N) kill -9 the primary's userlvsd" >> "$work/events.log"
  kill -KILL "${router_pid[0]}"
  ip -n "$P-rt" link set pub0 down; ip -n "$P-rt" link set priv0 down
}
primary_returns() {
  echo "$(date +%H:%M:%S.%3N) the primary returns" >> "$work/events.log"
  ip -n "$P-rt" link set pub0 up; ip -n "$P-rt" link set priv0 up
  start_router 0
}

start_router 0
wait_role 0 active
start_router 1
wait_role 1 backup
sleep 0.5
echo "primary active, backup standing by (keepalive $KEEPALIVE s, deadtime $DEADTIME s)"
drill takeover kill_primary
wait_role 1 active
killed_at=$(sed -n 's/^\([0-9:.]*\) kill.*/\1/p' "$work/events.log")
active_at=$(USERLVS_SOCKET="$work/router-1.sock" "$adm" --status | sed -n 's/^Role: active (backup) since [0-9-]* \([0-9:.]*\) UTC.*/\1/p')
echo "takeover: the backup became active $(/usr/bin/python3 -c "import sys; f=lambda t: sum(float(x)*m for x,m in zip(t.split(':'),(3600,60,1))); print(round((f(sys.argv[2])-f(sys.argv[1]))*1000))" "$killed_at" "$active_at") ms after kill -9 (deadtime $DEADTIME s)"
drill failback primary_returns
wait_role 0 active
wait_role 1 backup
USERLVS_SOCKET="$work/router-0.sock" "$adm" --status
if [ -n "${VERBOSE:-}" ]; then  # the drill's timeline: what each router logged about pulse and sync
  { cat "$work/events.log"; sed 's/^/primary: /' "$work/router-0.log"; sed 's/^/backup:  /' "$work/router-1.log"; } |
    grep -E "kill|returns|pulse|sync|gratuitous" | sort -k2 | sed 's/^/  /'
fi
