#!/usr/bin/env bash
# Runs every test of UserLvs: unit, pipeline and lab (network-namespace) tests.
# Works on a fresh Debian machine as root: installs what it needs, restores, builds, tests, and ends
# with one plain line "N passed, N failed, N skipped" carrying the real totals (non-zero exit on failure).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DEBIAN_FRONTEND=noninteractive

# System packages the tests use: libpcap (SharpPcap backend), iproute2/nftables/ethtool (lab
# topologies), curl and wrk (lab clients), python3 (lab real servers). Installed only when missing, so a prepared machine starts at once.
need=()
for pkg in libpcap0.8 iproute2 nftables ethtool curl procps python3 wrk; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ "${#need[@]}" -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

dotnet restore UserLvs.sln
dotnet build UserLvs.sln -c Release --no-restore

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
for project in $(find tests -name '*.Tests.csproj' | sort); do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c Release --no-build \
    --logger "trx;LogFileName=$results/$name.trx" --logger "console;verbosity=normal" || status=1
done

passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
# A project that crashed before writing its results counts as a failure.
expected=$(find tests -name '*.Tests.csproj' | wc -l)
written=$(ls "$results"/*.trx 2>/dev/null | wc -l)
if [ "$written" -lt "$expected" ]; then
  failed=$((failed + expected - written)); status=1
fi
[ "$failed" -eq 0 ] || status=1
echo "$passed passed, $failed failed, $skipped skipped"
exit "$status"
