#!/usr/bin/env bash
# The lab performance run: UserLvs against the kernel's nftables DNAT (lab/kernel-nat.sh), side by
# side on one topology (lab/topology.sh) in one invocation, interleaved so box noise hits both:
#
#   for each round (3):  for each metric:  kernel, then userlvsd
#     udp    64-byte UDP frames to VIP:5353 from an AF_PACKET TX ring (bench/LabTraffic, 4096
#            flows, as fast as the path takes them); counted where they arrive (each real server's
#            eth0 RX, an nftables counter-and-drop at prerouting confirms and keeps the servers
#            silent); rate over a window inside the send
#     http   wrk -t2 -c50 keep-alive to http://VIP/, three nginx real servers (tiny body, no logs)
#     close  the same with -H 'Connection: close' (one connection per request)
#     serial wrk -t1 -c1 keep-alive: one request in flight, req/s = 1/RTT (a latency diagnostic,
#            not part of the verdict)
#
# Each measurement gets a fresh data path: kernel NAT switched on/off, or userlvsd started (lab/demo.cf)
# and stopped, so its final "frames:" line belongs to that measurement. TIME_WAIT sockets are cleared
# in every namespace before each HTTP run (PAWS stalls, NOTES.md). Prints every run, the medians,
# the ratios UserLvs / kernel and a verdict against the target UserLvs >= 1.0x nftables DNAT.
#
# CPU: per process from /proc/PID/stat (utime+stime; without IRQ time accounting, softirq work done in
# a task's context is charged to that task), ksoftirqd included; "pkts/CPU-s" divides the received
# frames by that CPU time. Frames lost before userlvsd saw them (its RX ring full) are counted by the
# daemon itself (drop reason RingOverflow, from PACKET_STATISTICS); pub0+priv0's RX minus the daemon's
# total checks that nothing else goes missing.
#
# Usage (root): lab/bench.sh        Environment (defaults in brackets):
#   BENCH_ROUNDS [3]  BENCH_UDP_SECONDS [10]  BENCH_HTTP_SECONDS [10]  BENCH_UDP_THREADS [1]
#   BENCH_UDP_FLOWS [4096]  BENCH_WRK_THREADS [2]  BENCH_WRK_CONNECTIONS [50]  BENCH_WORKERS [1]
#   BENCH_METRICS ["udp http close serial"]  BENCH_ARTIFACTS [/tmp/ulvs-bench] (build output)
#   BENCH_IO [ring] (userlvsd --io: ring, ring-v3 or pcap)  BENCH_SKIP_BUILD [0]  BENCH_OFFLOADS [on] (off: tx/tso/gso/gro off on every lab interface)
#   BENCH_NICE [0] (this script's nice value, inherited by every lab process and by the sampling;
#   e.g. -10 on a box busy with other work)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DEBIAN_FRONTEND=noninteractive

ROUNDS=${BENCH_ROUNDS:-3}
UDP_SECONDS=${BENCH_UDP_SECONDS:-10}
HTTP_SECONDS=${BENCH_HTTP_SECONDS:-10}
UDP_THREADS=${BENCH_UDP_THREADS:-1}
UDP_FLOWS=${BENCH_UDP_FLOWS:-4096}
WRK_THREADS=${BENCH_WRK_THREADS:-2}
WRK_CONNECTIONS=${BENCH_WRK_CONNECTIONS:-50}
WORKERS=${BENCH_WORKERS:-1}
METRICS=${BENCH_METRICS:-udp http close serial}
NICE=${BENCH_NICE:-0}
OFFLOADS=${BENCH_OFFLOADS:-on}
IO=${BENCH_IO:-ring}
ART=${BENCH_ARTIFACTS:-/tmp/ulvs-bench}
VIP=192.0.2.10
SERVERS=3

[ "$(id -u)" -eq 0 ] || { echo "bench.sh: run as root (network namespaces, AF_PACKET)" >&2; exit 1; }
[ "$NICE" = 0 ] || renice -n "$NICE" -p $$ >/dev/null
for tool in ip nft wrk curl ss ethtool dotnet awk; do
  command -v "$tool" >/dev/null || { echo "bench.sh: $tool is missing" >&2; exit 1; }
done
if ! command -v nginx >/dev/null; then
  echo "== installing nginx"
  apt-get update -qq && apt-get install -y -qq nginx >/dev/null
fi

daemon="$ART/bin/userlvsd/release/userlvsd"
traffic="$ART/bin/LabTraffic/release/labtraffic"
if [ "${BENCH_SKIP_BUILD:-0}" != 1 ] || [ ! -x "$daemon" ] || [ ! -x "$traffic" ]; then
  echo "== building userlvsd and labtraffic (Release, $ART)"
  for project in src/Daemon bench/LabTraffic; do
    dotnet build "$repo/$project" -c Release -p:ArtifactsPath="$ART" -v quiet -nologo >"$ART.build.log" 2>&1 ||
      { tail -20 "$ART.build.log" >&2; echo "bench.sh: building $project failed" >&2; exit 1; }
  done
fi

# A prefix no other run holds (topology names must stay <= 8 characters).
P=""
for _ in $(seq 1 20); do
  candidate="b$((RANDOM % 10000))$(($$ % 100))"
  ip netns list | awk '{print $1}' | grep -q "^$candidate-" || { P=$candidate; break; }
done
[ -n "$P" ] || { echo "bench.sh: no free namespace prefix" >&2; exit 1; }
work=$(mktemp -d "/tmp/ulvs-bench-$P.XXXXXX")
cl="$P-cl" rt="$P-rt"
declare -a pids=()       # every long-running process we started (nginx, daemon, generator)
daemon_pid="" gen_pid=""

stop_pid() {  # stop_pid PID: SIGTERM, bounded wait, then SIGKILL
  local pid=$1
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  for pid in ${gen_pid:+"$gen_pid"} ${daemon_pid:+"$daemon_pid"} ${pids[@]+"${pids[@]}"}; do stop_pid "$pid"; done
  "$here/kernel-nat.sh" off "$P" >/dev/null 2>&1 || true
  "$here/topology.sh" down "$P" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ "$rc" -eq 0 ] || echo "bench.sh: failed (exit $rc); lab $P removed" >&2
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Short commands only: a background job must be "ip netns exec ... &" itself, never this function, so
# that $! is the process we later stop (ip netns exec execs in place; a function forks).
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---------------------------------------------------------------------------------------------
echo "== lab $P: topology with nginx real servers"
LAB_REALSERVER=none "$here/topology.sh" up "$P" >/dev/null
nsx "$cl" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" net.ipv4.tcp_tw_reuse=1
if [ "$OFFLOADS" = off ]; then
  for ns in "$cl" "$rt" "$P-sw" $(seq -f "$P-rs%g" 1 "$SERVERS"); do
    for dev in $(ip -n "$ns" -o link show | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -v '^lo$'); do
      nsx "$ns" ethtool -K "$dev" tx off tso off gso off gro off >/dev/null 2>&1 || true
    done
  done
fi
for i in $(seq 1 "$SERVERS"); do
  rs="$P-rs$i" dir="$work/nginx$i"
  mkdir -p "$dir/tmp"
  cat > "$dir/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 8192; multi_accept on; }
http {
  access_log off;
  keepalive_timeout 65;
  keepalive_requests 10000000;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  server {
    listen 80 backlog=4096;
    location / { default_type text/plain; return 200 "s$i\n"; }
  }
}
EOF
  ip netns exec "$rs" nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" >/dev/null 2>&1 &
  pids+=($!)
  # The UDP sink: count and drop VIP traffic at the earliest hook (no socket, no ICMP, no conntrack).
  nsx "$rs" nft -f - <<'EOF'
table ip labsink {
  counter udp5353 {}
  chain prerouting { type filter hook prerouting priority -300; udp dport 5353 counter name "udp5353" drop; }
}
EOF
done
for i in $(seq 1 "$SERVERS"); do
  ok=""
  for _ in $(seq 1 100); do
    nsx "$P-rs$i" curl -s -m 1 -o /dev/null "http://10.0.0.$((10 + i))/" && { ok=1; break; }
    sleep 0.05
  done
  [ -n "$ok" ] || { echo "bench.sh: nginx on $P-rs$i does not answer:" >&2; cat "$work/nginx$i/error.log" >&2; exit 1; }
done
pub_mac=$(ip -n "$rt" -o link show pub0 | grep -o 'link/ether [0-9a-f:]*' | cut -d' ' -f2)

# ---------------------------------------------------------------------------------------------
# Measuring helpers.
now() { date +%s.%N; }
ticks() {  # ticks PID...: utime stime (clock ticks) summed over the processes that still exist
  local u=0 s=0 pid line rest
  for pid in "$@"; do
    line=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    rest=${line##*) }
    read -r -a f <<<"$rest"
    u=$((u + f[11])) s=$((s + f[12]))
  done
  echo "$u $s"
}
nginx_pids() { local pid; for pid in ${pids[@]+"${pids[@]}"}; do echo "$pid"; pgrep -P "$pid" || true; done; }  # masters + workers
softirqd=$(pgrep -x 'ksoftirqd/[0-9]+' | paste -sd ' ' || true)
# Frames that reached the real servers: eth0 RX packets of each server namespace, read through
# /proc/NGINX_PID/net/dev from here (no process per read: sampling stays fast on a busy box). In
# the UDP test nothing else arrives but a few ARP frames; the nftables counters confirm at the end.
server_rx() {
  local files=() pid
  for pid in ${pids[@]+"${pids[@]}"}; do files+=("/proc/$pid/net/dev"); done
  awk '$1 == "eth0:" { s += $3 } END { print s + 0 }' "${files[@]}"
}
sink_count() {
  local total=0 n
  for i in $(seq 1 "$SERVERS"); do
    n=$(nsx "$P-rs$i" nft list counter ip labsink udp5353 | grep -o 'packets [0-9]*' | cut -d' ' -f2)
    total=$((total + n))
  done
  echo "$total"
}
port_rx() { nsx "$rt" sh -c 'echo $(( $(cat /sys/class/net/pub0/statistics/rx_packets) + $(cat /sys/class/net/priv0/statistics/rx_packets) ))'; }
clear_time_wait() {
  for ns in "$cl" "$rt" $(seq -f "$P-rs%g" 1 "$SERVERS"); do nsx "$ns" ss -K state time-wait >/dev/null 2>&1 || true; done
}
hz=$(getconf CLK_TCK)

path_up() {  # path_up kernel|userlvs TAG
  if [ "$1" = kernel ]; then
    # (stderr kept aside: "ip netns list" there may race with other labs' namespaces coming and going)
    "$here/kernel-nat.sh" on "$P" >/dev/null 2>"$work/kernel-nat.err" || { cat "$work/kernel-nat.err" >&2; exit 1; }
  else
    rx_before=$(port_rx)
    daemon_log="$work/userlvsd-$2.log"
    ip netns exec "$rt" "$daemon" --config "$here/demo.cf" --socket "$work/userlvsd.sock" \
      --workers "$WORKERS" --io "$IO" 2>"$daemon_log" &
    daemon_pid=$!
    for _ in $(seq 1 150); do
      grep -q "ready" "$daemon_log" && break
      kill -0 "$daemon_pid" 2>/dev/null || break
      sleep 0.1
    done
    grep -q "ready" "$daemon_log" || { echo "bench.sh: userlvsd did not start:" >&2; cat "$daemon_log" >&2; exit 1; }
  fi
}

# Two seconds of HTTP through the fresh path before measuring: userlvsd's hot loop reaches its
# optimised code (tiered JIT) and the kernel path its warm caches; both paths get the same.
warm_up() {
  timeout 20 ip netns exec "$cl" wrk -t1 -c10 -d2s "http://$VIP/" >/dev/null 2>&1 || true
}

path_down() {  # path_down kernel|userlvs TAG: stops the path; for userlvsd, keeps its accounting
  if [ "$1" = kernel ]; then
    "$here/kernel-nat.sh" off "$P" >/dev/null 2>"$work/kernel-nat.err" || { cat "$work/kernel-nat.err" >&2; exit 1; }
  else
    stop_pid "$daemon_pid"
    daemon_pid=""
    local frames seen received
    frames=$(grep -o "frames: .*" "$daemon_log" | tail -1 || true)
    seen=$(( $(port_rx) - rx_before ))
    received=$(echo "$frames" | grep -o '^frames: [0-9]*' | grep -o '[0-9]*$' || echo 0)
    # userlvsd counts what its full RX rings lost (PACKET_STATISTICS) as received and dropped, RingOverflow.
    overflow=$(echo "$frames" | grep -o 'RingOverflow=[0-9]*' | cut -d= -f2 || true)
    overflow=${overflow:-0}
    echo "      userlvsd $frames"
    echo "      frames at pub0+priv0: $seen; lost in a full RX ring (RingOverflow): $overflow; not accounted for: $((seen - received))"
    lost["$2"]=$(awk -v l="$overflow" -v s="$seen" 'BEGIN { printf "%.1f%%", (s > 0 ? 100 * l / s : 0) }')
  fi
}

declare -A R=() CPU=() EFF=() lost=() NOTE=()

# One UDP sample: CPU ticks of the generator, userlvsd and ksoftirqd, frames at the servers, time.
udp_sample() {
  echo "$(ticks "$gen_pid") $(ticks ${daemon_pid:+"$daemon_pid"}) $(ticks $softirqd) $(server_rx) $(now)"
}

run_udp() {  # run_udp PATH ROUND
  local out="$work/gen-$1-$2.txt" sink0
  sink0=$(sink_count)
  # The generator runs 2 s of warm-up and 5 s of margin around the measured window.
  ip netns exec "$cl" "$traffic" udp-flood --dst "$VIP" --port 5353 --dst-mac "$pub_mac" \
    --src-ports "$UDP_FLOWS" --threads "$UDP_THREADS" --seconds $((UDP_SECONDS + 7)) >"$out" 2>&1 &
  gen_pid=$!
  sleep 2
  local first second alive=1
  first=$(udp_sample)
  sleep "$UDP_SECONDS"
  second=$(udp_sample)
  kill -0 "$gen_pid" 2>/dev/null || alive=0
  for _ in $(seq 1 $((20 * 20))); do kill -0 "$gen_pid" 2>/dev/null || break; sleep 0.05; done
  stop_pid "$gen_pid"; gen_pid=""
  grep -q "labtraffic udp-flood:" "$out" || { echo "bench.sh: the generator failed:" >&2; cat "$out" >&2; exit 1; }
  [ "$alive" = 1 ] || echo "   warning: the generator ended before the second sample (box too busy?): this run undercounts" >&2
  local sunk; sunk=$(( $(sink_count) - sink0 ))
  # Fields of a sample: gen u s, daemon u s, ksoftirqd u s, count, time.
  awk -v a="$first" -v b="$second" -v hz="$hz" -v sent="$(grep -o 'sent=[0-9]*' "$out" | cut -d= -f2)" -v sunk="$sunk" '
    BEGIN {
      split(a, A, " "); split(b, B, " ")
      secs = B[8] - A[8]; pps = (B[7] - A[7]) / secs
      gen = (B[1] + B[2] - A[1] - A[2]) / hz / secs
      du = (B[3] - A[3]) / hz / secs; ds = (B[4] - A[4]) / hz / secs
      si = (B[5] + B[6] - A[5] - A[6]) / hz / secs
      cpu = gen + du + ds + si
      printf "%d %.3f %d\n", pps, cpu, (cpu > 0 ? pps / cpu : 0)
      printf "%d of %d sent counted by nftables; CPU cores: generator %.2f, userlvsd user %.2f sys %.2f, ksoftirqd %.2f\n", sunk, sent, gen, du, ds, si > "/dev/stderr"
    }' >"$work/udp-result" 2>"$work/udp-cpu"
  local pps cpu eff
  read -r pps cpu eff <"$work/udp-result"
  R["udp,$1,$2"]=$pps CPU["udp,$1,$2"]=$cpu EFF["udp,$1,$2"]=$eff
  printf "   %-8s udp    round %d: %9d pps at the servers   (%s; %d pkts/CPU-s)\n" "$1" "$2" "$pps" "$(cat "$work/udp-cpu")" "$eff"
}

run_http() {  # run_http PATH ROUND http|close|serial
  local metric=$3 out="$work/wrk-$1-$2-$3.txt" header=() threads=$WRK_THREADS connections=$WRK_CONNECTIONS
  [ "$metric" = close ] && header=(-H 'Connection: close')
  [ "$metric" = serial ] && threads=1 connections=1
  clear_time_wait
  local d0 d1 n0 n1
  d0=$(ticks ${daemon_pid:+"$daemon_pid"}); n0=$(ticks $(nginx_pids))
  local t0 t1; t0=$(now)
  timeout $((HTTP_SECONDS + 30)) ip netns exec "$cl" wrk -t"$threads" -c"$connections" \
    -d"${HTTP_SECONDS}s" "${header[@]}" "http://$VIP/" >"$out" 2>&1 || { echo "bench.sh: wrk failed:" >&2; cat "$out" >&2; exit 1; }
  t1=$(now)
  d1=$(ticks ${daemon_pid:+"$daemon_pid"}); n1=$(ticks $(nginx_pids))
  local rps errors cpu latency
  rps=$(awk '/^Requests\/sec:/ {printf "%d", $2}' "$out")
  latency=$(awk '$1 == "Latency" {print $2; exit}' "$out")
  [ -n "$rps" ] || { echo "bench.sh: no Requests/sec from wrk:" >&2; cat "$out" >&2; exit 1; }
  errors=$(grep -E "Socket errors|Non-2xx" "$out" | tr -s ' ' | paste -sd ';' || true)
  cpu=$(awk -v d="$d0 $d1" -v n="$n0 $n1" -v t0="$t0" -v t1="$t1" -v hz="$hz" 'BEGIN {
    split(d, D, " "); split(n, N, " "); secs = t1 - t0
    printf "userlvsd user %.2f sys %.2f, nginx %.2f CPU cores", (D[3]-D[1])/hz/secs, (D[4]-D[2])/hz/secs, (N[3]+N[4]-N[1]-N[2])/hz/secs }')
  R["$3,$1,$2"]=$rps
  printf "   %-8s %-6s round %d: %9d req/s   (latency avg %s; %s)%s\n" "$1" "$3" "$2" "$rps" "$latency" "$cpu" "${errors:+  wrk: $errors}"
}

# ---------------------------------------------------------------------------------------------
echo "== $ROUNDS rounds, interleaved kernel / userlvs; UDP ${UDP_SECONDS}s x $UDP_THREADS generator thread(s), $UDP_FLOWS flows;"
echo "   wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${HTTP_SECONDS}s; userlvsd --workers $WORKERS --io $IO; offloads $OFFLOADS; nice $NICE; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$ROUNDS"); do
  echo "-- round $round"
  for metric in $METRICS; do
    for path in kernel userlvs; do
      path_up "$path" "$metric-$round"
      warm_up
      case "$metric" in
        udp) run_udp "$path" "$round" ;;
        http|close|serial) run_http "$path" "$round" "$metric" ;;
        *) echo "bench.sh: unknown metric $metric" >&2; exit 2 ;;
      esac
      path_down "$path" "$metric-$round"
    done
  done
done

# ---------------------------------------------------------------------------------------------
median() { printf '%s\n' "$@" | sort -n | awk '{v[NR] = $1} END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
values() { local key=$1 path=$2 r; for r in $(seq 1 "$ROUNDS"); do echo "${R[$key,$path,$r]:-0}"; done; }
effs() { local path=$1 r; for r in $(seq 1 "$ROUNDS"); do echo "${EFF[udp,$path,$r]:-0}"; done; }

echo
echo "== results (medians of $ROUNDS; ratio = UserLvs / kernel nftables DNAT)"
printf "%-34s %12s %12s %8s   %s\n" "metric" "kernel" "userlvs" "ratio" "runs kernel | userlvs"
worst="" worst_ratio=""
for metric in $METRICS; do
  case "$metric" in
    udp) label="UDP 64 B frames/s at the servers" ;;
    http) label="HTTP keep-alive req/s" ;;
    close) label="HTTP Connection: close req/s" ;;
    serial) label="HTTP 1 connection req/s (1/RTT)" ;;
  esac
  k=$(median $(values "$metric" kernel)); u=$(median $(values "$metric" userlvs))
  ratio=$(awk -v k="$k" -v u="$u" 'BEGIN { printf "%.2f", (k > 0 ? u / k : 0) }')
  printf "%-34s %12.0f %12.0f %7sx   %s | %s\n" "$label" "$k" "$u" "$ratio" \
    "$(values "$metric" kernel | paste -sd ' ')" "$(values "$metric" userlvs | paste -sd ' ')"
  # The target is about the three throughput metrics; "serial" is a latency diagnostic.
  if [ "$metric" != serial ]; then
    if [ -z "$worst_ratio" ] || awk -v a="$ratio" -v b="$worst_ratio" 'BEGIN { exit !(a < b) }'; then worst=$label worst_ratio=$ratio; fi
  fi
  if [ "$metric" = udp ]; then
    k=$(median $(effs kernel)); u=$(median $(effs userlvs))
    printf "%-34s %12.0f %12.0f %7sx   %s | %s\n" "UDP frames per CPU-second" "$k" "$u" \
      "$(awk -v k="$k" -v u="$u" 'BEGIN { printf "%.2f", (k > 0 ? u / k : 0) }')" \
      "$(effs kernel | paste -sd ' ')" "$(effs userlvs | paste -sd ' ')"
  fi
done
if [[ " $METRICS " == *" udp "* ]]; then
  printf "userlvsd: share of the frames at pub0+priv0 lost in its full RX ring (RingOverflow), UDP runs:"
  for r in $(seq 1 "$ROUNDS"); do printf " %s" "${lost[udp-$r]:-?}"; done
  echo
fi
echo
if awk -v r="$worst_ratio" 'BEGIN { exit !(r >= 1.0) }'; then
  echo "VERDICT: target met: UserLvs >= 1.0x nftables DNAT on every metric (lowest: $worst ${worst_ratio}x)"
else
  echo "VERDICT: target missed: UserLvs < 1.0x nftables DNAT (lowest: $worst ${worst_ratio}x)"
fi
