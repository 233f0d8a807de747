#!/usr/bin/env bash
# Runs the baseline benchmark end to end on this machine: a throw-away database, a server with
# simulator timings 0 on a loopback port, Bench.java against it, then everything stopped.
# Usage: loadtest/run.sh [services] [concurrency]
set -euo pipefail
services="${1:-1000}"
concurrency="${2:-32}"
port="${BENCH_PORT:-2475}"
db="flotilla_loadtest"
source "$(dirname "$0")/server.sh"
java "$root/loadtest/Bench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --services "$services" --concurrency "$concurrency" --timeout 600
