#!/usr/bin/env bash
# Side-by-side load benchmark: Satchel vs ASP.NET Core's session vs no session, same endpoints,
# same store kind, same machine, one run. Variants alternate within each round; every
# measurement is preceded by a warm-up. Prints requests/s, p99 latency and the ratios, and
# writes them under bench/results/<timestamp>/.
#
#   bench/load.sh                          # memory and Redis, 5 rounds of 5 s per cell
#   STORES="sqlite cookie distcache" bench/load.sh   # the other stores (see Satchel.BenchApp/Program.cs for the pairs)
#   MODE=cpu STORES="postgres sqlite redis" VARIANTS="satchel none express" bench/load.sh   # PostgreSQL beside SQLite and Redis, and express-session on connect-pg-simple
#   STORES=memory ROUNDS=3 DURATION=15 bench/load.sh
#   ENDPOINTS="read hit" VARIANTS="satchel none" bench/load.sh      # a subset
#   PIN=0 bench/load.sh                    # let the scheduler place everything (noisier)
#   MODE=cpu STORES=memory bench/load.sh   # app CPU time per request, all variants at once (see below)
#   SATCHEL_ARGS="--readOnThreadPool false" bench/load.sh   # extra arguments for the Satchel app (here: Redis replies on StackExchange.Redis's own threads)
#   MODE=cpu BEFORE_REV=f7b77cd bench/load.sh   # also Satchel as of that commit ("before"), side by side
#   MODE=cpu STORES=memory VARIANTS="satchel dictionary none" bench/load.sh   # with the floor: a cookie looked up in a dictionary
#   MODE=cpu STORES=memory VARIANTS="satchel storeonly dictionary none" ENDPOINTS=hit bench/load.sh
#                                          # memory /hit's floors: each reference variant's µs over no session and Satchel's µs over it
#
# With two or more cores the app under test runs alone on core 0 and wrk and Redis on the others
# (taskset), so the app's CPU time per request decides its throughput and the load generator does
# not steal from it: on this 2-core machine that cut the run-to-run spread of a cell from ±15 %.
#
# Redis-backed stores (redis, distcache) give each variant a redis-server of its own, and postgres a
# PostgreSQL server of its own; MODE=cpu then also reports each server's CPU time per request
# (Redis: INFO cpu; PostgreSQL: its processes' CPU in /proc): what a shared server pays.
#
# MODE=cpu measures what requests/s on a dedicated core stands for, the app's CPU time per
# request, with less noise: all variants run at the same time on core 0, each under its own wrk,
# and each app's CPU time (utime + stime of the process) is divided by the requests it served.
# The machine's drift (this VM's speed moves by 25 % within seconds) then hits every variant
# alike instead of whichever ran in the slow second. Ratios are "none ÷ variant" of the CPU time
# per request: the throughput a variant keeps on a core of its own, relative to no session.
set -euo pipefail
cd "$(dirname "$0")/.."

STORES=${STORES:-"memory redis"}
ROUNDS=${ROUNDS:-5}
DURATION=${DURATION:-5}
WARMUP=${WARMUP:-1}
TIERUP=${TIERUP:-10}   # seconds per endpoint and variant before the first round, so the JIT's tiering is done
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
SESSIONS=${SESSIONS:-500}
if [ -n "${VARIANTS:-}" ]; then read -ra VARIANTS <<<"$VARIANTS"; else
  VARIANTS=(satchel aspnet none)
  # The seed's own system, express-session, runs too where Node.js is installed.
  if command -v node >/dev/null && command -v npm >/dev/null; then VARIANTS+=(express); fi
fi
read -ra ENDPOINTS <<<"${ENDPOINTS:-bare login read hit}"
# A change's before and after in one run: the bench app of another commit, built in a worktree.
before_app=""
if [ -n "${BEFORE_REV:-}" ]; then
  before_dir=$(mktemp -d)
  git worktree add -q --detach "$before_dir" "$BEFORE_REV"
  dotnet build "$before_dir/bench/Satchel.BenchApp" -c Release -nologo -v quiet >/dev/null
  before_app="$before_dir/bench/Satchel.BenchApp/bin/Release/net10.0/Satchel.BenchApp.dll"
  [[ " ${VARIANTS[*]} " == *" before "* ]] || VARIANTS+=(before)
fi
PIN=${PIN:-1}
MODE=${MODE:-rps}
case "$MODE" in rps|cpu) ;; *) echo "load.sh: MODE is rps (default) or cpu, not '$MODE'"; exit 1 ;; esac
app_cpu=() load_cpu=()
if [ "$PIN" = 1 ] && [ "$(nproc)" -ge 2 ] && command -v taskset >/dev/null; then
  app_cpu=(taskset -c 0); load_cpu=(taskset -c "1-$(( $(nproc) - 1 ))")
fi

pg_bin() { local b; b=$(command -v "$1" 2>/dev/null) || b=$(ls -d /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -1); echo "$b"; }
need=()
command -v wrk >/dev/null || need+=(wrk)
command -v curl >/dev/null || need+=(curl)
[[ " $STORES " == *" redis "* || " $STORES " == *" distcache "* ]] && { command -v redis-server >/dev/null || need+=(redis-server); }
[[ " $STORES " == *" postgres "* ]] && { [ -n "$(pg_bin initdb)" ] || need+=(postgresql); }
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
if [ "$MODE" = cpu ]; then printf 'store\tround\tendpoint\tvariant\trps\tcpu_us_per_request\tredis_us_per_request\tredis_reads_per_request\n' > "$raw"
else printf 'store\tround\tendpoint\tvariant\trps\tp99_ms\n' > "$raw"; fi

pids=() pg_stop=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for stop in "${pg_stop[@]}"; do $stop >/dev/null 2>&1 || true; done
  [ -n "$before_app" ] && git worktree remove --force "$before_dir" 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])' 2>/dev/null \
  || echo $(( 20000 + RANDOM % 20000 )); }
wait_http() { for _ in $(seq 100); do curl -fs "$1" >/dev/null 2>&1 && return 0; sleep 0.1; done; echo "no answer from $1"; exit 1; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.2f", v}' <<<"$1"; }

# Redis-backed stores: one redis-server per variant, so each variant's Redis CPU is its own
# (INFO cpu, divided by the requests served: the shared Redis is what caps many app servers).
redis_backed() { [[ " redis distcache " == *" $1 "* ]]; }
start_redis() {   # sets redis_port; not in $(...), which would wait for the server's output to close
  local dir
  redis_port=$(free_port); dir=$(mktemp -d)
  "${load_cpu[@]}" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$dir" --daemonize no --logfile "$dir/log" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
}
redis_cpu() { redis-cli -p "$1" info cpu | tr -d '\r' | awk -F: '/^used_cpu_(sys|user):/{t += $2} END {printf "%.6f", t}'; }
# Socket reads Redis made (INFO stats): fewer per request means more commands arrived per packet.
redis_reads() { redis-cli -p "$1" info stats | tr -d '\r' | awk -F: '/^total_reads_processed:/{print $2 + 0}'; }

# PostgreSQL: one server per variant too, in a temporary directory (as the user postgres when run
# as root: the server refuses root). Its CPU is the postmaster's and its backends' (and the
# children that exited, in the postmaster's cutime/cstime), in seconds.
declare -A pg_dir_of=()
start_postgres() {   # sets pg_port
  local dir run=()
  pg_port=$(free_port); dir=$(mktemp -d)
  if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; run=(runuser -u postgres --); fi
  "${run[@]}" "$(pg_bin initdb)" -D "$dir/data" -U satchel --auth=trust -E UTF8 --no-sync --locale=C >/dev/null
  "${load_cpu[@]}" "${run[@]}" "$(pg_bin pg_ctl)" -D "$dir/data" -l "$dir/log" -w -o "-p $pg_port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300" start >/dev/null
  pg_dir_of[$pg_port]=$dir
  pg_stop+=("${run[*]} $(pg_bin pg_ctl) -D $dir/data -m immediate stop")
}
postgres_cpu() {
  local pid; pid=$(head -1 "${pg_dir_of[$1]}/data/postmaster.pid")
  { awk '{print $14 + $15 + $16 + $17}' "/proc/$pid/stat"; for c in $(pgrep -P "$pid"); do awk '{print $14 + $15}' "/proc/$c/stat" 2>/dev/null; done; } \
    | awk -v hz="$(getconf CLK_TCK)" '{t += $1} END {printf "%.6f", t / hz}'
}

echo "machine: $(nproc) cores${app_cpu:+ (app pinned to core 0, wrk and Redis to the rest)}, $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(dotnet --version) SDK; wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s after ${WARMUP}s warm-up; $SESSIONS sessions per variant" | tee "$out/machine.txt"

for store in $STORES; do
  declare -A url=() app_pid=() redis_of=()
  # The variants this store has: express-session runs on memory, Redis and PostgreSQL
  # (connect-redis, connect-pg-simple); ASP.NET Core's session has no PostgreSQL IDistributedCache here.
  sv=()
  for variant in "${VARIANTS[@]}"; do
    [ "$variant" = express ] && [[ " memory redis postgres " != *" $store "* ]] && continue
    [ "$variant" = aspnet ] && [ "$store" = postgres ] && continue
    sv+=("$variant")
  done
  for variant in "${sv[@]}"; do
    redis_of[$variant]=6379
    if redis_backed "$store"; then start_redis; redis_of[$variant]=$redis_port; fi
    if [ "$store" = postgres ]; then start_postgres; redis_of[$variant]=$pg_port; fi
    port=$(free_port)
    if [ "$variant" = express ]; then
      "${app_cpu[@]}" node bench/express/server.js "$port" "$store" "${redis_of[$variant]}" >/dev/null 2>&1 &
    else
      extra=() dll=$app as=$variant
      [ "$variant" = satchel ] && read -ra extra <<<"${SATCHEL_ARGS:-}"
      [ "$variant" = before ] && dll=$before_app as=satchel
      "${app_cpu[@]}" dotnet "$dll" --variant "$as" --store "$store" --redis "127.0.0.1:${redis_of[$variant]}" \
        --postgres "Host=127.0.0.1;Port=${redis_of[$variant]};Username=satchel;Database=postgres" --urls "http://127.0.0.1:$port" "${extra[@]}" >/dev/null 2>&1 &
    fi
    pids+=($!)
    app_pid[$variant]=$!
    url[$variant]="http://127.0.0.1:$port"
    wait_http "${url[$variant]}/bare"
    cookies="$out/cookies-$store-$variant.txt"
    : > "$cookies"
    for _ in $(seq "$SESSIONS"); do
      # All of a response's cookies on one line (the cookie store sets two).
      curl -s -o /dev/null -D - "${url[$variant]}/login" | tr -d '\r' \
        | awk -F': ' 'tolower($1)=="set-cookie"{split($2,a,";"); c = c (c ? "; " : "") a[1]} END {if (c) print c}' >> "$cookies"
    done
    [ "$variant" = none ] || [ -s "$cookies" ] || { echo "no cookies from $variant"; exit 1; }
  done
  # The no-session app gets the same cookies, so every variant parses the same request bytes.
  for seeded in satchel aspnet; do
    if [ -s "$out/cookies-$store-$seeded.txt" ]; then cp "$out/cookies-$store-$seeded.txt" "$out/cookies-$store-none.txt"; break; fi
  done
  # Tiered compilation recompiles hot methods for a while after start (instrumented, then optimized);
  # measured before that ends, the variant with more code looks slower than it is.
  for variant in "${sv[@]}"; do
    for endpoint in "${ENDPOINTS[@]}"; do
      cookie_file="$out/cookies-$store-$variant.txt"
      [ "$endpoint" = login ] && cookie_file=/dev/null
      "${load_cpu[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${TIERUP}s" -s bench/cookies.lua "${url[$variant]}/$endpoint" -- "$cookie_file" >/dev/null
    done
  done
  if [ "$MODE" = cpu ]; then
    cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
    for round in $(seq "$ROUNDS"); do
      for endpoint in "${ENDPOINTS[@]}"; do
        declare -A before=() log=() redis_before=() reads_before=()
        loads=()
        for variant in "${sv[@]}"; do
          before[$variant]=$(cpu_ticks "${app_pid[$variant]}")
          redis_backed "$store" && { redis_before[$variant]=$(redis_cpu "${redis_of[$variant]}"); reads_before[$variant]=$(redis_reads "${redis_of[$variant]}"); }
          [ "$store" = postgres ] && redis_before[$variant]=$(postgres_cpu "${redis_of[$variant]}")
        done
        for variant in "${sv[@]}"; do
          cookie_file="$out/cookies-$store-$variant.txt"
          [ "$endpoint" = login ] && cookie_file=/dev/null
          log[$variant]="$out/wrk-$variant.txt"
          "${load_cpu[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" -s bench/cookies.lua "${url[$variant]}/$endpoint" -- "$cookie_file" > "${log[$variant]}" &
          loads+=($!)
        done
        wait "${loads[@]}"
        for variant in "${sv[@]}"; do
          result=$(cat "${log[$variant]}")
          if grep -q "Non-2xx" <<<"$result"; then echo "$store/$variant/$endpoint answered errors:"; echo "$result"; exit 1; fi
          requests=$(awk '/requests in/{print $1}' <<<"$result")
          ticks=$(( $(cpu_ticks "${app_pid[$variant]}") - before[$variant] ))
          redis_s=-1 reads=-1
          if redis_backed "$store"; then
            redis_s=$(awk -v a="${redis_before[$variant]}" -v b="$(redis_cpu "${redis_of[$variant]}")" 'BEGIN {printf "%.6f", b - a}')
            reads=$(( $(redis_reads "${redis_of[$variant]}") - reads_before[$variant] ))
          elif [ "$store" = postgres ]; then
            redis_s=$(awk -v a="${redis_before[$variant]}" -v b="$(postgres_cpu "${redis_of[$variant]}")" 'BEGIN {printf "%.6f", b - a}')
          fi
          awk -v st="$store" -v r="$round" -v e="$endpoint" -v v="$variant" -v n="$requests" -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v d="$DURATION" -v rs="$redis_s" -v rd="$reads" \
            'BEGIN { printf "%s\t%s\t%s\t%s\t%.0f\t%.2f\t%s\t%s\n", st, r, e, v, n / d, t / hz * 1e6 / n, rs < 0 ? "-" : sprintf("%.2f", rs * 1e6 / n), rd < 0 ? "-" : sprintf("%.3f", rd / n) }' | tee -a "$raw"
        done
        unset before log redis_before reads_before
      done
    done
    unset url app_pid redis_of
    continue
  fi
  for round in $(seq "$ROUNDS"); do
    order=("${sv[@]}")
    (( round % 2 == 0 )) && order=($(printf '%s\n' "${sv[@]}" | tac))
    for endpoint in "${ENDPOINTS[@]}"; do
      for variant in "${order[@]}"; do
        cookie_file="$out/cookies-$store-$variant.txt"
        [ "$endpoint" = login ] && cookie_file=/dev/null   # every request makes a new session
        "${load_cpu[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s bench/cookies.lua "${url[$variant]}/$endpoint" -- "$cookie_file" >/dev/null
        result=$("${load_cpu[@]}" wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/cookies.lua "${url[$variant]}/$endpoint" -- "$cookie_file")
        if grep -q "Non-2xx" <<<"$result"; then echo "$store/$variant/$endpoint answered errors:"; echo "$result"; exit 1; fi
        rps=$(awk '/Requests\/sec/{print $2}' <<<"$result")
        p99=$(to_ms "$(awk '$1=="99%"{print $2}' <<<"$result")")
        printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$store" "$round" "$endpoint" "$variant" "$rps" "$p99" | tee -a "$raw"
      done
    done
  done
  unset url app_pid redis_of
done

# The summaries' shared awk helper: "median (min–max)" of a space-separated list, printed with fmt.
awk_median='
  function median(list, fmt,   m, i, j, t, v) {
    m = split(list, v, " "); if (m == 0) return "–"
    for (i = 2; i <= m; i++) { t = v[i] + 0; for (j = i - 1; j >= 1 && v[j] + 0 > t; j--) v[j+1] = v[j]; v[j+1] = t }
    return sprintf(fmt, (m % 2) ? v[(m+1)/2] : (v[m/2] + v[m/2+1]) / 2, v[1], v[m])
  }'

if [ "$MODE" = cpu ]; then
  # Summary: median CPU µs per request with its range, and each ratio as the median of the
  # per-round ratios of "none ÷ variant" (how much of the no-session throughput a variant keeps).
  awk -F'\t' -v endpoints="${ENDPOINTS[*]}" "$awk_median"'
    function us(st, e, x,   r, list) { list = ""; for (r = 1; r <= rounds; r++) if ((st, e, x, r) in cpu) list = list " " cpu[st, e, x, r]; return median(list, "%.1f (%.1f–%.1f)") }
    function ratio(st, e, x, y,   r, list) {
      list = ""
      for (r = 1; r <= rounds; r++) if ((st, e, x, r) in cpu && (st, e, y, r) in cpu) list = list " " cpu[st, e, y, r] / cpu[st, e, x, r]
      return median(list, "%.2f× (%.2f–%.2f)")
    }
    function over(st, e, x, y,   r, list) {
      list = ""
      for (r = 1; r <= rounds; r++) if ((st, e, x, r) in cpu && (st, e, y, r) in cpu) list = list " " cpu[st, e, x, r] - cpu[st, e, y, r]
      return median(list, "%+.2f (%+.2f to %+.2f)")
    }
    NR > 1 { cpu[$1, $3, $4, $2] = $6; if ($2 > rounds) rounds = $2; stores[$1] = 1; if (!($4 in variants)) vorder[++nv] = $4; variants[$4] = 1 }
    END {
      b = ("before" in variants)
      printf "| store | endpoint | Satchel µs/request | ASP.NET Core session µs/request | no session µs/request | Satchel vs no session | ASP.NET vs no session | Satchel vs ASP.NET |%s\n", b ? " Satchel before µs/request | before vs no session | before ÷ after CPU (>1: now cheaper) |" : ""
      printf "|---|---|---|---|---|---|---|---|%s\n", b ? "---|---|---|" : ""
      ne = split(endpoints, eps, " "); ns = split("memory redis postgres sqlite cookie distcache", order, " ")
      for (j = 1; j <= ns; j++) { st = order[j]; if (!(st in stores)) continue; for (i = 1; i <= ne; i++) { e = eps[i]
        printf "| %s | /%s | %s | %s | %s | %s | %s | %s |", st, e, us(st, e, "satchel"), us(st, e, "aspnet"), us(st, e, "none"),
          ratio(st, e, "satchel", "none"), ratio(st, e, "aspnet", "none"), ratio(st, e, "satchel", "aspnet")
        if (b) printf " %s | %s | %s |", us(st, e, "before"), ratio(st, e, "before", "none"), ratio(st, e, "satchel", "before")
        printf "\n" } }
      # Reference variants (dictionary: the floor any session adds; storeonly: Satchel under its API),
      # against no session and against Satchel, in µs per request: each the median of the
      # differences round by round, so the drift between rounds cancels as in the ratios.
      for (k = 1; k <= nv; k++) if ((x = vorder[k]) !~ /^(satchel|aspnet|none|before)$/) { if (!hdr++) print "\n| store | endpoint | variant | µs/request | vs no session | µs over no session | Satchel µs over it |\n|---|---|---|---|---|---|---|"
        for (j = 1; j <= ns; j++) { st = order[j]; if (!(st in stores)) continue; for (i = 1; i <= ne; i++) { e = eps[i]
          if ((st, e, x, 1) in cpu) printf "| %s | /%s | %s | %s | %s | %s | %s |\n", st, e, x, us(st, e, x), ratio(st, e, x, "none"), over(st, e, x, "none"), over(st, e, "satchel", x) } } }
    }' "$raw" | tee "$out/summary.md"
  # Redis-backed stores: the redis-server's CPU per request of each variant (its own server),
  # Satchel's as a share of ASP.NET Core session's (below 1: Satchel costs the shared Redis less),
  # and the socket reads Redis made per request (fewer: more commands per packet).
  awk -F'\t' -v endpoints="${ENDPOINTS[*]}" "$awk_median"'
    function us(st, e, x,   r, list) { list = ""; for (r = 1; r <= rounds; r++) if ((st, e, x, r) in rc) list = list " " rc[st, e, x, r]; return median(list, "%.1f (%.1f–%.1f)") }
    function rd(st, e, x,   r, list) { list = ""; for (r = 1; r <= rounds; r++) if ((st, e, x, r) in reads) list = list " " reads[st, e, x, r]; return median(list, "%.2f") }
    function share(st, e,   r, list) {
      list = ""
      for (r = 1; r <= rounds; r++) if ((st, e, "satchel", r) in rc && (st, e, "aspnet", r) in rc) list = list " " rc[st, e, "satchel", r] / rc[st, e, "aspnet", r]
      return median(list, "%.2f× (%.2f–%.2f)")
    }
    NR > 1 && $7 != "-" { rc[$1, $3, $4, $2] = $7; reads[$1, $3, $4, $2] = $8; if ($2 > rounds) rounds = $2; stores[$1] = 1; variants[$4] = 1; any = 1 }
    END {
      if (!any) exit
      b = ("before" in variants)
      printf "\n| store | endpoint | server µs/request, Satchel | server µs/request, ASP.NET Core session | Satchel ÷ ASP.NET |%s Redis socket reads/request (Satchel / ASP.NET%s) | server µs/request, express-session |\n", b ? " server µs/request, Satchel before |" : "", b ? " / before" : ""
      printf "|---|---|---|---|---|---|---|%s\n", b ? "---|" : ""
      ne = split(endpoints, eps, " "); ns = split("redis postgres distcache", order, " ")
      for (j = 1; j <= ns; j++) { st = order[j]; if (!(st in stores)) continue; for (i = 1; i <= ne; i++) { e = eps[i]
        printf "| %s | /%s | %s | %s | %s |", st, e, us(st, e, "satchel"), us(st, e, "aspnet"), share(st, e)
        if (b) printf " %s |", us(st, e, "before")
        printf " %s / %s%s | %s |\n", rd(st, e, "satchel"), rd(st, e, "aspnet"), b ? " / " rd(st, e, "before") : "", us(st, e, "express") } }
    }' "$raw" | tee -a "$out/summary.md"
  echo "results: $out"
  exit 0
fi

# Summary: mean req/s of the rounds with their spread, and each ratio as the median of the
# per-round ratios (cells of one round ran back to back, so the machine's drift mostly cancels).
awk -F'\t' -v endpoints="${ENDPOINTS[*]}" "$awk_median"'
  function ratios(st, e, x, y,   r, list) {
    list = ""
    for (r = 1; r <= rounds; r++) if ((st, e, x, r) in rps && (st, e, y, r) in rps) list = list " " rps[st, e, x, r] / rps[st, e, y, r]
    return median(list, "%.2f× (%.2f–%.2f)")
  }
  function cell(k) { return (k in n) ? sprintf("%.0f (%.0f–%.0f)", s[k] / n[k], lo[k], hi[k]) : "–" }
  function p99(k) { return (k in n) ? sprintf("%.2f", p[k] / n[k]) : "–" }
  NR > 1 {
    k = $1 SUBSEP $3 SUBSEP $4; n[k]++; s[k] += $5; p[k] += $6
    if (!(k in lo) || $5 < lo[k]) lo[k] = $5; if ($5 > hi[k]) hi[k] = $5
    rps[$1, $3, $4, $2] = $5; if ($2 > rounds) rounds = $2; stores[$1] = 1
  }
  END {
    print "| store | endpoint | Satchel req/s | ASP.NET Core session req/s | no session req/s | express-session req/s | Satchel ÷ ASP.NET | Satchel ÷ no session | ASP.NET ÷ no session | p99 ms (Satchel / ASP.NET / none) |"
    print "|---|---|---|---|---|---|---|---|---|---|"
    ne = split(endpoints, eps, " ")
    ns = split("memory redis postgres sqlite cookie distcache", order, " ")
    for (j = 1; j <= ns; j++) { st = order[j]; if (!(st in stores)) continue; for (i = 1; i <= ne; i++) { e = eps[i]
      printf "| %s | /%s | %s | %s | %s | %s | %s | %s | %s | %s / %s / %s |\n", st, e,
        cell(st SUBSEP e SUBSEP "satchel"), cell(st SUBSEP e SUBSEP "aspnet"), cell(st SUBSEP e SUBSEP "none"), cell(st SUBSEP e SUBSEP "express"),
        ratios(st, e, "satchel", "aspnet"), ratios(st, e, "satchel", "none"), ratios(st, e, "aspnet", "none"),
        p99(st SUBSEP e SUBSEP "satchel"), p99(st SUBSEP e SUBSEP "aspnet"), p99(st SUBSEP e SUBSEP "none") } }
    # Reference variants (dictionary: the floor any session adds), against no session.
    for (k in n) { split(k, f, SUBSEP); if (f[3] !~ /^(satchel|aspnet|none|before|express)$/) extra[f[3]] = 1 }
    for (x in extra) { if (!hdr++) print "\n| store | endpoint | variant | req/s | vs no session |\n|---|---|---|---|---|"
      for (j = 1; j <= ns; j++) { st = order[j]; if (!(st in stores)) continue; for (i = 1; i <= ne; i++) { e = eps[i]
        if ((st SUBSEP e SUBSEP x) in n) printf "| %s | /%s | %s | %s | %s |\n", st, e, x, cell(st SUBSEP e SUBSEP x), ratios(st, e, x, "none") } } }
  }' "$raw" | tee "$out/summary.md"
dotnet build bench/Satchel.Chart -c Release -nologo -v quiet >/dev/null \
  && dotnet bench/Satchel.Chart/bin/Release/net10.0/Satchel.Chart.dll "$raw" "$out/benchmarks.png" \
  || echo "load.sh: the chart could not be drawn"
echo "results: $out"
