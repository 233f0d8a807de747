#!/usr/bin/env bash
# Event stream latency on this machine: a throw-away database, a server on a loopback port, N
# WebSocket subscribers and K services instantiated (StreamBench.java), then everything stopped.
# Usage: loadtest/stream.sh [sockets] [services]
set -euo pipefail
sockets="${1:-1000}"
services="${2:-20}"
port="${BENCH_PORT:-2476}"
db="flotilla_streambench"
# Every benchmark socket signs in as oneadmin: lift the per-user stream limit for them.
export FLOTILLA_MAX_SUBSCRIBERS_PER_USER=$((sockets + 10))
source "$(dirname "$0")/server.sh"
java "$root/loadtest/StreamBench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --sockets "$sockets" --services "$services"
