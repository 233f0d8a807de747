#!/usr/bin/env bash
# Event stream latency on this machine: a throw-away database, a server on a loopback port, N
# WebSocket subscribers and K services instantiated (StreamBench.java), then everything stopped.
# Usage: loadtest/stream.sh [sockets] [services]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
sockets="${1:-1000}"
services="${2:-20}"
port="${BENCH_PORT:-2476}"
db="flotilla_streambench"
password="bench-$$"

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
(cd "$root" && mvn -q -B -DskipTests package)
FLOTILLA_DB_URL="postgresql://postgres@127.0.0.1:5432/$db" FLOTILLA_PORT="$port" FLOTILLA_ADMIN_PASSWORD="$password" \
  java ${FLOTILLA_JAVA_OPTS:-} -jar "$root/target/flotilla.jar" > "$root/target/streambench-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null -u "oneadmin:$password" "http://127.0.0.1:$port/service" && break
  sleep 1
done
java "$root/loadtest/StreamBench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --sockets "$sockets" --services "$services"
