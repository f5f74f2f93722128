#!/usr/bin/env bash
# Many app servers, one Redis: 1, 2 and 3 app processes share one redis-server (and a three-primary
# Redis Cluster), all serving the same sessions, every browser's requests spread over the
# processes. For Satchel and for ASP.NET Core session, prints per row: total requests/s, the Redis
# CPU time per request (INFO cpu of every Redis process, divided by the requests served), and lost
# writes: /count requests the apps answered minus what the session counters gained (Satchel
# counts with IncrementAsync, ASP.NET Core session with get-then-set, its only way).
#
#   bench/scale.sh
#   APPS="1 2" TOPOLOGIES=single VARIANTS=satchel DURATION=5 bench/scale.sh
#
# Everything shares this machine's cores (the apps are not pinned): requests/s here measure the
# machine, not Redis. Redis CPU per request is the figure that carries to a bigger machine: one
# Redis core serves 1e6 ÷ (µs per request) requests/s (docs/scaling.md).
set -euo pipefail
cd "$(dirname "$0")/.."

read -ra APPS <<<"${APPS:-1 2 3}"
read -ra TOPOLOGIES <<<"${TOPOLOGIES:-single cluster}"
read -ra VARIANTS <<<"${VARIANTS:-satchel aspnet}"
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-32}   # per app process
SESSIONS=${SESSIONS:-200}
for tool in redis-server redis-cli wrk curl; do
  command -v "$tool" >/dev/null || { echo "scale.sh: $tool is needed (Debian: apt-get install redis-server wrk curl)"; exit 1; }
done

dotnet build bench/Satchel.BenchApp -c Release -nologo -v quiet >/dev/null
app=bench/Satchel.BenchApp/bin/Release/net10.0/Satchel.BenchApp.dll
out=bench/results/scale-$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
wait_http() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }

redis_ports=()
start_redis() {   # $1: single | cluster; sets redis_ports and redis_config
  redis_ports=()
  local count=1 extra=()
  [ "$1" = cluster ] && count=3 && extra=(--cluster-enabled yes --cluster-node-timeout 5000)
  for _ in $(seq "$count"); do
    local port dir
    port=$(free_port); dir=$(mktemp -d)
    redis-server --port "$port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" "${extra[@]}" --daemonize no --logfile "$dir/log" >/dev/null 2>&1 &
    pids+=($!)
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    redis_ports+=("$port")
  done
  if [ "$1" = cluster ]; then
    redis-cli --cluster create $(printf '127.0.0.1:%s ' "${redis_ports[@]}") --cluster-replicas 0 --cluster-yes >/dev/null
    for _ in $(seq 100); do redis-cli -p "${redis_ports[0]}" cluster info | grep -q 'cluster_state:ok' && break; sleep 0.1; done
  fi
  redis_config=$(printf '127.0.0.1:%s,' "${redis_ports[@]}"); redis_config=${redis_config%,}
}
redis_cpu() { local t=0; for p in "${redis_ports[@]}"; do t=$(awk -v t="$t" -v v="$(redis-cli -p "$p" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/{s += $2} END {print s}')" 'BEGIN {printf "%.6f", t + v}'); done; echo "$t"; }
flush_redis() { for p in "${redis_ports[@]}"; do redis-cli -p "$p" flushall >/dev/null; done; }
served() { local t=0; for u in "${urls[@]}"; do t=$((t + $(curl -fs "$u/stats"))); done; echo "$t"; }
# Sum of every seeded session's counter, read through the first app.
counters() { local t=0; while read -r c; do t=$((t + $(curl -fs -H "Cookie: $c" "${urls[0]}/total"))); done < "$out/cookies.txt"; echo "$t"; }

# Average MEMORY USAGE of the variant's session keys (all nodes).
memory_per_session() {
  local pattern=$1
  for p in "${redis_ports[@]}"; do
    for key in $(redis-cli -p "$p" --scan --pattern "$pattern" | head -20); do redis-cli -p "$p" memory usage "$key" samples 0; done
  done | awk '{s += $1; n++} END {printf "%.0f", n ? s / n : 0}'
}

printf 'topology\tvariant\tapps\trps\tredis_us_per_request\tcounted\tgained\tlost\tbytes_per_session\n' | tee "$out/raw.tsv"
for topology in "${TOPOLOGIES[@]}"; do
  start_redis "$topology"
  for variant in "${VARIANTS[@]}"; do
    for n in "${APPS[@]}"; do
      flush_redis
      urls=() app_pids=()
      for _ in $(seq "$n"); do
        port=$(free_port)
        dotnet "$app" --variant "$variant" --store redis --redis "$redis_config" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
        pids+=($!); app_pids+=($!)
        urls+=("http://127.0.0.1:$port")
      done
      for u in "${urls[@]}"; do wait_http "$u/bare"; done
      : > "$out/cookies.txt"
      for _ in $(seq "$SESSIONS"); do
        curl -s -o /dev/null -D - "${urls[0]}/login" | tr -d '\r' \
          | awk -F': ' 'tolower($1)=="set-cookie"{split($2,a,";"); c = c (c ? "; " : "") a[1]} END {if (c) print c}' >> "$out/cookies.txt"
      done
      # Warm-up (JIT tiering), then the measured run: one wrk per app, all at once, same cookies.
      warm=()
      for u in "${urls[@]}"; do wrk -t1 -c"$CONNECTIONS" -d5s -s bench/cookies.lua "$u/count" -- "$out/cookies.txt" >/dev/null & warm+=($!); done
      wait "${warm[@]}"
      sleep 1
      served_before=$(served); counters_before=$(counters); cpu_before=$(redis_cpu)
      rm -f "$out"/wrk-*.txt
      logs=()
      for i in "${!urls[@]}"; do
        wrk -t1 -c"$CONNECTIONS" -d"${DURATION}s" -s bench/cookies.lua "${urls[$i]}/count" -- "$out/cookies.txt" > "$out/wrk-$i.txt" &
        logs+=($!)
      done
      wait "${logs[@]}"
      sleep 1   # the last responses land
      cpu_after=$(redis_cpu); served_after=$(served); counters_after=$(counters)
      if grep -q "Non-2xx" "$out"/wrk-*.txt; then echo "$topology/$variant/$n answered errors:"; cat "$out"/wrk-*.txt; exit 1; fi
      counted=$((served_after - served_before)); gained=$((counters_after - counters_before))
      rps=$((counted / DURATION))   # answered by the apps, all processes together
      [ "$variant" = satchel ] && pattern='bench:satchel:s:*' || pattern='bench:aspnet:*'
      bytes=$(memory_per_session "$pattern")
      awk -v t="$topology" -v v="$variant" -v n="$n" -v r="$rps" -v a="$cpu_before" -v b="$cpu_after" -v c="$counted" -v g="$gained" -v m="$bytes" \
        'BEGIN {printf "%s\t%s\t%s\t%s\t%.2f\t%d\t%d\t%d\t%s\n", t, v, n, r, (b - a) * 1e6 / c, c, g, c - g, m}' | tee -a "$out/raw.tsv"
      for p in "${app_pids[@]}"; do kill "$p"; wait "$p" 2>/dev/null || true; done
    done
  done
  for p in "${redis_ports[@]}"; do redis-cli -p "$p" shutdown nosave >/dev/null 2>&1 || true; done
done
echo "results: $out"
