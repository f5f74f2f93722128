#!/usr/bin/env bash
# Side-by-side load benchmark: Satchel vs ASP.NET Core's session vs no session, same endpoints,
# same store kind, same machine, one run. Variants alternate within each round; every
# measurement is preceded by a warm-up. Prints requests/s, p99 latency and the ratios, and
# writes them under bench/results/<timestamp>/.
#
#   bench/load.sh                          # memory and Redis, 2 rounds of 10 s per cell
#   STORES=memory ROUNDS=3 DURATION=15 bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."

STORES=${STORES:-"memory redis"}
ROUNDS=${ROUNDS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-3}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
SESSIONS=${SESSIONS:-500}
VARIANTS=(satchel aspnet none)
# The seed's own system, express-session, runs too where Node.js is installed.
if command -v node >/dev/null && command -v npm >/dev/null; then VARIANTS+=(express); fi
ENDPOINTS=(bare login read hit)

need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
[[ " $STORES " == *" redis "* ]] && { command -v redis-server >/dev/null || need+=(redis-server); }
if ((${#need[@]})); then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else echo "load.sh: install ${need[*]} first (sudo apt-get install ${need[*]})"; exit 1; fi
fi

dotnet build bench/Satchel.BenchApp -c Release -nologo -v quiet >/dev/null
if [[ " ${VARIANTS[*]} " == *" express "* ]] && [ ! -d bench/express/node_modules ]; then
  (cd bench/express && npm ci --no-audit --no-fund --silent)
fi
app=bench/Satchel.BenchApp/bin/Release/net10.0/Satchel.BenchApp.dll
out=bench/results/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out"
raw="$out/raw.tsv"
printf 'store\tround\tendpoint\tvariant\trps\tp99_ms\n' > "$raw"

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null \
  || echo $(( 20000 + RANDOM % 20000 )); }
wait_http() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' <<<"$1"; }

redis_port=""
if [[ " $STORES " == *" redis "* ]]; then
  redis_port=$(free_port)
  redis_dir=$(mktemp -d)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$redis_dir" --daemonize no --logfile "$redis_dir/log" &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

echo "machine: $(nproc) cores, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after ${WARMUP}s warm-up; $SESSIONS sessions per variant" | tee "$out/machine.txt"

for store in $STORES; do
  declare -A url=()
  for variant in "${VARIANTS[@]}"; do
    port=$(free_port)
    if [ "$variant" = express ]; then
      node bench/express/server.js "$port" "$store" "${redis_port:-6379}" >/dev/null 2>&1 &
    else
      dotnet "$app" --variant "$variant" --store "$store" --redis "127.0.0.1:${redis_port:-6379}" --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
    fi
    pids+=($!)
    url[$variant]="http://127.0.0.1:$port"
    wait_http "${url[$variant]}/bare"
    cookies="$out/cookies-$store-$variant.txt"
    : > "$cookies"
    for _ in $(seq "$SESSIONS"); do
      curl -s -o /dev/null -D - "${url[$variant]}/login" | tr -d '\r' | awk -F': ' 'tolower($1)=="set-cookie"{split($2,a,";"); print a[1]}' >> "$cookies"
    done
    [ "$variant" = none ] || [ -s "$cookies" ] || { echo "no cookies from $variant"; exit 1; }
  done
  for round in $(seq "$ROUNDS"); do
    order=("${VARIANTS[@]}")
    (( round % 2 == 0 )) && order=($(printf '%s\n' "${VARIANTS[@]}" | tac))
    for endpoint in "${ENDPOINTS[@]}"; do
      for variant in "${order[@]}"; do
        cookie_file="$out/cookies-$store-$variant.txt"
        [ "$endpoint" = login ] && cookie_file=/dev/null   # every request makes a new session
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/cookies.lua "${url[$variant]}/$endpoint" -- "$cookie_file" >/dev/null
        result=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/cookies.lua "${url[$variant]}/$endpoint" -- "$cookie_file")
        if grep -q "Non-2xx" <<<"$result"; then echo "$store/$variant/$endpoint answered errors:"; echo "$result"; exit 1; fi
        rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
        p99=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$result")")
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "$round" "$endpoint" "$variant" "$rps" "$p99" | tee -a "$raw"
      done
    done
  done
  unset url
done

# Summary: mean of the rounds, with the spread (min-max) of requests/s.
awk -F'\t' 'NR>1 {k=$1"\t"$3"\t"$4; n[k]++; s[k]+=$5; p[k]+=$6; if(!(k in lo)||$5<lo[k])lo[k]=$5; if($5>hi[k])hi[k]=$5}
  END {
    for (k in n) { split(k,a,"\t"); mean[k]=s[k]/n[k]; stores[a[1]]=1 }
    print "| store | endpoint | Satchel req/s | ASP.NET Core session req/s | no session req/s | express-session req/s | Satchel ÷ ASP.NET | Satchel ÷ bare | ASP.NET ÷ bare | p99 ms (Satchel / ASP.NET / none) |"
    print "|---|---|---|---|---|---|---|---|---|---|"
    split("bare login read hit", eps, " ")
    for (st in stores) for (i=1;i<=4;i++) { e=eps[i]; ks=st"\t"e"\tsatchel"; ka=st"\t"e"\taspnet"; kn=st"\t"e"\tnone"; kb=st"\tbare\tnone"
      kx=st"\t"e"\texpress"; ex=(kx in mean) ? sprintf("%.0f", mean[kx]) : "–"
      printf "| %s | /%s | %.0f (%.0f–%.0f) | %.0f (%.0f–%.0f) | %.0f | %s | %.2f× | %.2f× | %.2f× | %.2f / %.2f / %.2f |\n", st, e,
        mean[ks], lo[ks], hi[ks], mean[ka], lo[ka], hi[ka], mean[kn], ex, mean[ks]/mean[ka], mean[ks]/mean[kb], mean[ka]/mean[kb], p[ks]/n[ks], p[ka]/n[ka], p[kn]/n[kn] }
  }' "$raw" | tee "$out/summary.md"
dotnet build bench/Satchel.Chart -c Release -nologo -v quiet >/dev/null \
  && dotnet bench/Satchel.Chart/bin/Release/net10.0/Satchel.Chart.dll "$raw" "$out/benchmarks.png" \
  || echo "load.sh: the chart could not be drawn"
echo "results: $out"
