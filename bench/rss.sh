#!/usr/bin/env bash
# Memory per session over HTTP: the bench app (memory store) takes logins without cookies, so
# each request creates one session of two small values; its resident set is read from /proc
# before and after each checkpoint. Reports RSS growth per session since start and between
# checkpoints (the slope: what each further session costs, once the GC's budget is committed).
# Before the first reading the app serves /bare and 50,000 logins (about five seconds of them), so
# the code a login runs is compiled and tiered, and the GC has sized its budget for this load:
# one-time costs that would otherwise be charged to the sessions counted (WARMUP_LOGINS=0 counts
# them too). With 5,000 (half a second) the server GC was still growing its budget through the
# readings: Satchel's memory store, whose sessions the GC no longer sees, read 261–353 B per session
# at 100k in four runs, 156–210 B after 20,000 and 137–147 B after 50,000, against the 112 B of
# native memory and about 20 B of table slot a session holds. At the end
# it prints the managed bytes the sessions hold (after a full GC), beside what the process holds.
#
#   bench/rss.sh                              # satchel and aspnet, checkpoints 100k and 200k
#   VARIANTS=satchel CHECKPOINTS="100000 1000000" bench/rss.sh
#   DOTNET_gcServer=0 bench/rss.sh            # workstation GC (ASP.NET Core apps default to server GC)
set -euo pipefail
cd "$(dirname "$0")/.."
read -ra VARIANTS <<<"${VARIANTS:-satchel aspnet}"
read -ra CHECKPOINTS <<<"${CHECKPOINTS:-100000 200000}"
WARMUP_LOGINS=${WARMUP_LOGINS:-50000}
command -v ab >/dev/null || {
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq apache2-utils >/dev/null
  else echo "rss.sh: install apache2-utils first (ab: a fixed number of requests)"; exit 1; fi
}
dotnet build bench/Satchel.BenchApp -c Release -nologo -v quiet >/dev/null
app=bench/Satchel.BenchApp/bin/Release/net10.0/Satchel.BenchApp.dll
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
rss() { awk '/VmRSS/{print $2 * 1024}' "/proc/$1/status"; }
if [ "${DOTNET_gcServer:-1}" = 0 ]; then echo "gc: workstation (DOTNET_gcServer=0)"; else echo "gc: server (ASP.NET Core's default)"; fi
echo "warm-up: 20000 /bare and $WARMUP_LOGINS logins before the first reading"
for variant in "${VARIANTS[@]}"; do
  dotnet "$app" --variant "$variant" --store memory --urls "http://127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  until curl -s "http://127.0.0.1:$port/bare" >/dev/null; do sleep 0.2; done
  ab -q -n 20000 -c 16 "http://127.0.0.1:$port/bare" >/dev/null   # warm up the server, no sessions
  if [ "$WARMUP_LOGINS" -gt 0 ]; then ab -q -n "$WARMUP_LOGINS" -c 16 "http://127.0.0.1:$port/login" >/dev/null; sleep 1; fi
  # Managed bytes live (after a forced full GC, /memory): what the sessions themselves hold, beside what the process holds.
  live() { curl -s "http://127.0.0.1:$port/memory" | awk '{print $2}'; }
  live_start=$(live)
  start=$(rss $pid) before=$start done=0
  for checkpoint in "${CHECKPOINTS[@]}"; do
    ab -q -n $((checkpoint - done)) -c 16 "http://127.0.0.1:$port/login" >/dev/null
    sleep 1
    now=$(rss $pid)
    printf '%s\t%d sessions\tsince start %d B/session\tslope %d B/session\tprocess %d MiB\n' "$variant" "$checkpoint" \
      $(( (now - start) / checkpoint )) $(( (now - before) / (checkpoint - done) )) $(( now / 1048576 ))
    before=$now done=$checkpoint
  done
  printf '%s	managed live %d B/session (after a full GC)
' "$variant" $(( ($(live) - live_start) / done ))
  kill $pid; wait $pid 2>/dev/null || true
done
