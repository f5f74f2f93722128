#!/usr/bin/env bash
# What a hub invocation costs the app next to an HTTP request doing the same work (docs/realtime.md):
# the bench app (Satchel variant) alone on core 0, the client (bench/Satchel.HubBench: N sessions,
# each with a hub connection and an HTTP client) on core 1; the app's CPU time per call.
#   bench/hub.sh                     # memory store, 32 sessions, 3 rounds of 5 s
#   STORE=redis bench/hub.sh         # Redis (a redis-server of its own on core 1)
#   CONNECTIONS=64 ROUNDS=5 bench/hub.sh
set -euo pipefail
cd "$(dirname "$0")/.."
STORE=${STORE:-memory}
CONNECTIONS=${CONNECTIONS:-32}
SECONDS_PER=${SECONDS_PER:-5}
ROUNDS=${ROUNDS:-3}
app_cpu=() load_cpu=()
if [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then app_cpu=(taskset -c 0); load_cpu=(taskset -c "1-$(( $(nproc) - 1 ))"); fi
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done' EXIT

dotnet build bench/Satchel.BenchApp -c Release -nologo -v quiet >/dev/null
dotnet build bench/Satchel.HubBench -c Release -nologo -v quiet >/dev/null
redis_port=6379
if [ "$STORE" = redis ]; then
  redis_port=$(free_port); dir=$(mktemp -d)
  "${load_cpu[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize no >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi
port=$(free_port)
"${app_cpu[@]}" dotnet bench/Satchel.BenchApp/bin/Release/net10.0/Satchel.BenchApp.dll --variant satchel --store "$STORE" \
  --redis "127.0.0.1:$redis_port" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
app=$!; pids+=($app)
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/bare" >/dev/null 2>&1 && break; sleep 0.1; done
out=bench/results/hub-$(date -u +%Y%m%d-%H%M%S).tsv
mkdir -p bench/results
"${load_cpu[@]}" dotnet bench/Satchel.HubBench/bin/Release/net10.0/Satchel.HubBench.dll "http://127.0.0.1:$port/" "$app" "$CONNECTIONS" "$SECONDS_PER" "$ROUNDS" | tee "$out"
# Medians per case, and each hub case over its HTTP twin round by round.
awk -F'\t' 'NR > 1 { v[$2] = v[$2] " " $3; r[$1, $2] = $3 }
  function median(list,   m, a, i, j, t) { m = split(list, a, " "); for (i = 2; i <= m; i++) { t = a[i] + 0; for (j = i - 1; j >= 1 && a[j] + 0 > t; j--) a[j+1] = a[j]; a[j+1] = t } return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2 }
  END {
    printf "\n| case | app CPU µs per call (median of rounds) |\n|---|---|\n"
    n = split("hub Read|http /read|hub Hit|http /hit", cs, "|"); for (i = 1; i <= n; i++) printf "| %s | %.1f |\n", cs[i], median(v[cs[i]])
    for (k = 1; k <= 3; k++) { if (!((k, "hub Read") in r)) continue; a = a " " r[k, "hub Read"] / r[k, "http /read"]; b = b " " r[k, "hub Hit"] / r[k, "http /hit"] }
    printf "\nhub ÷ HTTP: Read %.2f×, Hit %.2f× (medians of the per-round ratios)\n", median(a), median(b)
  }' "$out"
