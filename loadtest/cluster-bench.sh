#!/usr/bin/env bash
# Several nodes on this machine (loadtest/cluster.sh), measured:
#  1. throughput: Bench (N services of 3 roles x 2 VMs, C in flight, simulator timings 0) against one
#     plain node, one clustered node, and 3 nodes with the instantiates spread round robin;
#  2. takeover: 3 nodes, K services deploying (simulator deploy 5 s), one node SIGKILLed; the time
#     from the kill until none of its services is its any more ("owner moved"), and until the first
#     event the engine wrote for one of them after the kill ("first action by the new owner"; VM state
#     observations, written by whichever node leads the poller, do not count), for lease TTLs
#     8 s (default) and 4 s, TAKEOVER_RUNS times each.
# Usage: loadtest/cluster-bench.sh [services] [concurrency] [takeover services]
#        PHASES="throughput takeover" RUNS=1 TAKEOVER_RUNS=3 KILL_NODE=2
set -euo pipefail
services="${1:-1000}"
concurrency="${2:-32}"
takeover_services="${3:-60}"
phases="${PHASES:-throughput takeover}"
source "$(dirname "$0")/cluster.sh"
db="${CLUSTER_DB:-flotilla_cluster}"

sql() { psql -h 127.0.0.1 -U postgres -d "$db" -tAqc "$1"; }
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{print int(($14 + $15) * 1000 / hz)}' "/proc/$1/stat"; }
total_cpu_ms() {
  local pid sum=0
  for pid in "${cluster_pids[@]}"; do sum=$((sum + $(cpu_ms "$pid"))); done
  echo "$sum"
}
now() { date +%s.%N; }

throughput() { # label, nodes, FLOTILLA_CLUSTER
  local label="$1" nodes="$2" out idle_before idle cpu_before cpu_after commits_before commits_after rss i
  local -a node_before
  FLOTILLA_CLUSTER="$3" cluster_start "$nodes"
  echo "== throughput, $label: $cluster_urls"
  # What the nodes cost doing nothing (leases, poller, tails), after their start-up settled.
  sleep 5
  idle_before=$(total_cpu_ms)
  sleep 10
  idle=$((($(total_cpu_ms) - idle_before) / 10))
  for i in "${!cluster_pids[@]}"; do node_before[i]=$(cpu_ms "${cluster_pids[i]}"); done
  cpu_before=$(total_cpu_ms)
  commits_before=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  # Printed after the run: `tee /dev/stderr` would reopen (and truncate) a log file it goes to.
  out=$(java "$root/loadtest/Bench.java" --url "$cluster_urls" --password "$cluster_password" \
    --services "$services" --concurrency "$concurrency" --timeout 600)
  echo "$out"
  cpu_after=$(total_cpu_ms)
  commits_after=$(sql "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")
  rss=$(ps -o rss= -p "$(IFS=,; echo "${cluster_pids[*]}")" | awk '{s += $1} END {printf "%.0f", s / 1024}')
  echo "owners: $(sql "SELECT string_agg(owner_node || ' ' || n, ', ' ORDER BY owner_node)
                       FROM (SELECT owner_node, count(*) n FROM services GROUP BY owner_node) o")"
  for i in "${!cluster_pids[@]}"; do
    echo "node-$i: CPU $((($(cpu_ms "${cluster_pids[i]}") - node_before[i]) / services)) ms/service"
  done
  awk -v cpu="$((cpu_after - cpu_before))" -v n="$services" -v rss="$rss" -v label="$label" -v idle="$idle" \
      -v c="$((commits_after - commits_before))" 'BEGIN {
    printf "%s: server CPU per service %.1f ms, idle %d ms/s, RSS %d MiB (all nodes); PostgreSQL commits per service %.1f\n",
           label, cpu / n, idle, rss, c / n }'
  summary+=("$label: $(sed -n 's/.*latency p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/instantiate p50 \1 ms, p99 \2 ms/p' <<<"$out");"`
           `" $(sed -n 's/.*=> \([0-9.]*\) services\/s to RUNNING.*/\1 services\/s to RUNNING/p' <<<"$out");"`
           `" CPU $(((cpu_after - cpu_before) / services)) ms/service, idle $idle ms/s, RSS $rss MiB,"`
           `" $(awk -v c="$((commits_after - commits_before))" -v n="$services" 'BEGIN {printf "%.1f", c / n}') commits/service")
  cluster_stop
}

takeover() { # lease TTL in seconds
  local ttl="$1" victim="${KILL_NODE:-2}" template i ids killed_at moved_at first moved_s first_s owners
  local urls running deadline
  FLOTILLA_LEASE_TTL="$ttl" FLOTILLA_SIM_DEPLOY_SECONDS=5 FLOTILLA_SIM_TERMINATE_SECONDS=0 cluster_start 3
  IFS=, read -r -a urls <<<"$cluster_urls"
  # No per-template timings: the VMs take the nodes' 5 s to deploy, three waves (straight).
  template=$(curl -sf -u "oneadmin:$cluster_password" -H 'Content-Type: application/json' \
    -d '{"name": "takeover", "deployment": "straight", "roles": [
          {"name": "db", "type": "vm", "template_id": 0, "cardinality": 2},
          {"name": "app", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["db"]},
          {"name": "web", "type": "vm", "template_id": 0, "cardinality": 2, "parents": ["app"]}]}' \
    "${urls[0]}/service_template" | sed -n 's/.*"ID" *: *"\([0-9]*\)".*/\1/p' | head -n 1)
  # Round robin, so each node owns a third of them.
  for ((i = 0; i < takeover_services; i++)); do
    echo "${urls[i % 3]}"
  done | xargs -P 4 -I@url@ curl -sf -o /dev/null -u "oneadmin:$cluster_password" -H 'Content-Type: application/json' \
    -d '{"action": {"perform": "instantiate", "params": {}}}' "@url@/service_template/$template/action"
  sleep 2
  ids=$(sql "SELECT string_agg(id::text, ',') FROM services WHERE owner_node = 'node-$victim'")
  if [ -z "$ids" ]; then
    echo "node-$victim owns no service; see target/cluster-node-*.log" >&2
    return 1
  fi
  echo "== takeover, lease TTL $ttl s: node-$victim owns $(tr ',' '\n' <<<"$ids" | wc -l) of $takeover_services" \
       "deploying services; states $(sql "SELECT string_agg(state || ':' || n, ' ') FROM (SELECT state, count(*) n
                                           FROM services GROUP BY state ORDER BY state) s")"
  killed_at=$(now)
  cluster_kill "$victim" KILL
  # Polled inside PostgreSQL every 10 ms (each statement of the loop sees what has committed since).
  moved_at=$(psql -h 127.0.0.1 -U postgres -d "$db" -qc "DO \$\$ BEGIN
      WHILE EXISTS (SELECT 1 FROM services WHERE id IN ($ids) AND owner_node = 'node-$victim')
            AND clock_timestamp() < to_timestamp($killed_at) + interval '60 s' LOOP
        PERFORM pg_sleep(0.01);
      END LOOP;
      RAISE NOTICE 'moved %', extract(epoch FROM clock_timestamp());
    END \$\$" 2>&1 | sed -n 's/.*NOTICE: *moved //p')
  if [ "$(sql "SELECT count(*) FROM services WHERE id IN ($ids) AND owner_node = 'node-$victim'")" != 0 ]; then
    echo "node-$victim still owns services 60 s after the kill" >&2
    return 1
  fi
  deadline=$((SECONDS + 60))
  # vm_state events are the poller's observations (any node's), not the owner's actions.
  until first=$(sql "SELECT extract(epoch FROM min(at)) FROM service_events WHERE service_id IN ($ids)
                      AND kind <> 'vm_state' AND at > to_timestamp($killed_at)") && [ -n "$first" ]; do
    ((SECONDS < deadline)) || { echo "no event for node-$victim's services 60 s after the kill" >&2; return 1; }
    sleep 0.05
  done
  owners=$(sql "SELECT string_agg(owner_node || ' ' || n, ', ' ORDER BY owner_node)
                  FROM (SELECT owner_node, count(*) n FROM services WHERE id IN ($ids) GROUP BY owner_node) o")
  moved_s=$(awk -v a="$killed_at" -v b="$moved_at" 'BEGIN {printf "%.2f", b - a}')
  first_s=$(awk -v a="$killed_at" -v b="$first" 'BEGIN {printf "%.2f", b - a}')
  echo "owner moved after $moved_s s (now: $owners)"
  echo "first action by the new owner after $first_s s: $(sql "SELECT kind || ' ' || message FROM service_events
        WHERE service_id IN ($ids) AND kind <> 'vm_state' AND at > to_timestamp($killed_at) ORDER BY at, seq LIMIT 1")"
  # The survivors must finish every service (RUNNING = 2).
  deadline=$((SECONDS + 120))
  until running=$(sql "SELECT count(*) FROM services WHERE state = 2") && [ "$running" = "$takeover_services" ]; do
    if ((SECONDS > deadline)); then echo "only $running of $takeover_services RUNNING after 120 s" >&2; break; fi
    sleep 0.5
  done
  echo "all $running services RUNNING $(awk -v a="$killed_at" -v b="$(now)" 'BEGIN {printf "%.1f", b - a}') s after the kill"
  summary+=("takeover, lease TTL $ttl s: owner moved after $moved_s s, first action by the new owner after $first_s s")
  cluster_stop
}

summary=()
for ((run = 1; run <= ${RUNS:-1}; run++)); do
  case " $phases " in *" throughput "*)
    throughput "1 node, not clustered" 1 false
    throughput "1 node, clustered" 1 true
    throughput "3 nodes" 3 true
  esac
done
case " $phases " in *" takeover "*)
  for ttl in 8 4; do
    for ((run = 1; run <= ${TAKEOVER_RUNS:-3}; run++)); do takeover "$ttl"; done
  done
esac
echo
echo "== summary ($(nproc) cores; N=$services C=$concurrency; takeover with $takeover_services services)"
printf '%s\n' "${summary[@]}"
