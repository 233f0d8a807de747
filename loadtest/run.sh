#!/usr/bin/env bash
# Runs the baseline benchmark end to end on this machine: a throw-away database, a server with
# simulator timings 0 on a loopback port, Bench.java against it, then everything stopped.
# Usage: loadtest/run.sh [services] [concurrency]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
services="${1:-1000}"
concurrency="${2:-32}"
port="${BENCH_PORT:-2475}"
db="flotilla_loadtest"
password="bench-$$"

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
(cd "$root" && mvn -q -B -DskipTests package)

FLOTILLA_DB_URL="postgresql://postgres@127.0.0.1:5432/$db" FLOTILLA_PORT="$port" \
FLOTILLA_ADMIN_PASSWORD="$password" FLOTILLA_SIM_DEPLOY_SECONDS=0 FLOTILLA_SIM_TERMINATE_SECONDS=0 \
  java ${FLOTILLA_JAVA_OPTS:-} -jar "$root/target/flotilla.jar" > "$root/target/loadtest-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT

for _ in $(seq 1 60); do
  curl -s -o /dev/null -u "oneadmin:$password" "http://127.0.0.1:$port/service" && break
  sleep 1
done

java "$root/loadtest/Bench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --services "$services" --concurrency "$concurrency" --timeout 600
