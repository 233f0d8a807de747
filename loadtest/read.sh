#!/usr/bin/env bash
# Runs the read benchmark end to end on this machine: a throw-away database, a server with
# simulator timings 0 on a loopback port, N RUNNING services, then ReadBench.java against it.
# Usage: loadtest/read.sh [services] [seconds per measurement]
set -euo pipefail
services="${1:-200}"
seconds="${2:-10}"
port="${BENCH_PORT:-2475}"
db="flotilla_readbench"
source "$(dirname "$0")/server.sh"
java "$root/loadtest/ReadBench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --services "$services" --seconds "$seconds"
ps -o rss= -p "$server" | awk '{printf "server RSS after the run: %.0f MiB\n", $1 / 1024}'
