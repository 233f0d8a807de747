#!/usr/bin/env bash
# Runs the baseline benchmark end to end on this machine: a throw-away database, a server with
# simulator timings 0 on a loopback port, Bench.java against it, then everything stopped. Around the
# run it reads PostgreSQL's commit counter and the server's CPU time, and after it measures
# pgbench's single-row update+insert rate on the same machine, so the figures can be compared
# across runs on a noisy machine (services/s per 1,000 pgbench commits/s).
# Usage: loadtest/run.sh [services] [concurrency]
set -euo pipefail
services="${1:-1000}"
concurrency="${2:-32}"
port="${BENCH_PORT:-2475}"
db="flotilla_loadtest"
source "$(dirname "$0")/server.sh"

commits() { psql -h 127.0.0.1 -U postgres -tAc "SELECT xact_commit FROM pg_stat_database WHERE datname = '$db'"; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$server/stat"; }

commits_before=$(commits)
cpu_before=$(cpu_ms)
out=$(java "$root/loadtest/Bench.java" --url "http://127.0.0.1:$port" --password "$password" \
  --services "$services" --concurrency "$concurrency" --timeout 600 | tee /dev/stderr)
commits_after=$(commits)
cpu_after=$(cpu_ms)
rss_mib=$(ps -o rss= -p "$server" | awk '{printf "%.0f", $1 / 1024}')
rate=$(sed -n 's/.*=> \([0-9.]*\) services\/s to RUNNING.*/\1/p' <<<"$out")

# The machine's write ceiling, measured now: one-row UPDATE + INSERT per transaction, 8 clients, fsync on.
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS flotilla_pgbench" -c "CREATE DATABASE flotilla_pgbench" >/dev/null
psql -h 127.0.0.1 -U postgres -d flotilla_pgbench -qc \
  "CREATE TABLE t (id int PRIMARY KEY, n bigint); INSERT INTO t SELECT g, 0 FROM generate_series(1, 1000) g; CREATE TABLE log (id bigserial PRIMARY KEY, at timestamptz DEFAULT now())" >/dev/null
script=$(mktemp)
printf '%s\n' '\set id random(1, 1000)' 'BEGIN;' 'UPDATE t SET n = n + 1 WHERE id = :id;' \
  'INSERT INTO log DEFAULT VALUES;' 'END;' > "$script"
tps=$(pgbench -h 127.0.0.1 -U postgres -n -c 8 -j 2 -T 10 -f "$script" flotilla_pgbench 2>/dev/null \
  | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -n 1)
rm -f "$script"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE flotilla_pgbench" >/dev/null

awk -v c="$((commits_after - commits_before))" -v cpu="$((cpu_after - cpu_before))" -v n="$services" \
    -v rss="$rss_mib" -v tps="$tps" -v rate="$rate" 'BEGIN {
  printf "PostgreSQL commits per service: %.1f (%d commits)\n", c / n, c
  printf "server CPU per service: %.1f ms\n", cpu / n
  printf "server RSS after the run: %d MiB\n", rss
  printf "pgbench single-row update+insert, 8 clients: %.0f commits/s\n", tps
  if (tps > 0) printf "services/s per 1000 pgbench commits/s: %.2f\n", rate * 1000 / tps
}'
