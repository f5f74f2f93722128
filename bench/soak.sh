#!/usr/bin/env bash
# Soak and fault run, longer than CI's: 64 browsers for SECONDS (default 300) on the memory store,
# then on Redis with a kill and restart midway. Fails on any lost acknowledged write, or any 5xx
# outside the induced outage.
#   bench/soak.sh 600
set -euo pipefail
cd "$(dirname "$0")/.."
export SATCHEL_SOAK_SECONDS=${1:-300}
dotnet test tests/Satchel.Redis.Tests -c Release --filter "FullyQualifiedName~SoakTests" --logger "console;verbosity=normal"
