#!/usr/bin/env bash
# The memory run: N services of 3 roles x 2 VMs (default 10,000 = 60,000 VMs) deployed into a
# throw-away database by a server started as shipped (bin/oneflow-server, its heap settings), then
# the server's RSS and the list and show latency with all of them there.
# Usage: loadtest/memory.sh [services] [seconds per read measurement]
set -euo pipefail
services="${1:-10000}"
seconds="${2:-10}"
port="${BENCH_PORT:-2475}"
db="flotilla_memory"
source "$(dirname "$0")/server.sh"
rss() { ps -o rss= -p "$server" | awk -v what="$1" '{printf "server RSS %s: %.0f MiB\n", what, $1 / 1024}'; }
rss "at start"
java "$root/loadtest/Bench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --services "$services" --concurrency 32 --timeout 1200
rss "with $services services deployed"
# Idle cost with everything deployed: the poller (every 500 ms) and the timers, nothing changing.
cpu() { awk '{print $14 + $15}' "/proc/$server/stat"; }
hz=$(getconf CLK_TCK); before=$(cpu); sleep 20; after=$(cpu)
awk -v t=$((after - before)) -v hz="$hz" 'BEGIN {printf "server CPU while idle: %.0f ms per second (20 s, 40 poller cycles)\n", t * 1000 / hz / 20}'
java "$root/loadtest/ReadBench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --existing true --seconds "$seconds" --concurrency 1,8
rss "after the reads"
