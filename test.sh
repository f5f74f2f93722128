#!/usr/bin/env bash
# Installs what the tests need where it is missing, builds everything (warnings are errors),
# runs every test project, and ends with one line: tests: N passed, N failed, N skipped.
# Exit status is non-zero on any failure. Runs unattended (CI has no standard input).
set -uo pipefail
cd "$(dirname "$0")"

configuration=${CONFIGURATION:-Release}
results=.test-results

# 1. Machine packages the tests use: a real redis-server, a real PostgreSQL server (the fixture
#    runs initdb and pg_ctl itself), a real headless Chromium, and clang, which links the Native
#    AOT binaries the packaging tests publish.
missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
{ command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; } || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v clang >/dev/null 2>&1 || missing+=(clang)
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${missing[*]} with apt-get"
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
      echo "test.sh: apt-get could not install ${missing[*]}; the tests that need them will fail (without redis-server the Redis tests use Garnet instead)"
    fi
  else
    echo "test.sh: missing ${missing[*]}; install them (Debian: sudo apt-get install ${missing[*]}). Without chromium the browser tests fail, without postgresql the PostgreSQL tests, without clang the Native AOT tests; without redis-server the Redis tests use Garnet instead"
  fi
fi

if ! command -v redis-server >/dev/null 2>&1 || [ "${SATCHEL_REDIS:-}" = garnet ]; then
  echo "test.sh: the Redis tests run against Microsoft Garnet hosted in the test process (no redis-server here, or SATCHEL_REDIS=garnet)"
fi

command -v dotnet >/dev/null 2>&1 || { echo "test.sh: the .NET SDK 10 is needed (dotnet not on PATH)"; echo "tests: 0 passed, 1 failed, 0 skipped"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# 2. Build once.
if ! dotnet build Satchel.slnx -c "$configuration" -nologo -v quiet; then
  echo "test.sh: the build failed (see the errors above)"
  echo "tests: 0 passed, 1 failed, 0 skipped"
  exit 1
fi

# 3. Every test project, each writing a TRX file that the summary below adds up.
rm -rf "$results"
projects=(tests/*.Tests/*.csproj)
status=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "== $name"
  dotnet test "$project" -c "$configuration" --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    --blame-hang-timeout 5m || status=1
done

# 4. One line for humans and CI.
passed=0 failed=0 skipped=0 reports=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  reports=$((reports + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  total=$(get total) executed=$(get executed) p=$(get passed) f=$(get failed) e=$(get error) t=$(get timeout) a=$(get aborted)
  passed=$((passed + p))
  failed=$((failed + f + e + t + a))
  skipped=$((skipped + total - executed))
done
if [ "$reports" -lt "${#projects[@]}" ]; then
  echo "test.sh: $(( ${#projects[@]} - reports )) test project(s) wrote no results (crashed or hung)"
  failed=$((failed + ${#projects[@]} - reports))
fi
[ "$failed" -gt 0 ] && status=1
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit $status
