#!/usr/bin/env bash
# N Flotilla nodes as processes on this machine, clustered on one throw-away database (simulator
# timings 0 unless FLOTILLA_SIM_* say otherwise), each through bin/oneflow-server like server.sh.
#
#   loadtest/cluster.sh 3          starts node-1..node-3, waits until all answer, prints their URLs,
#                                  and stops them on Ctrl-C (or when they have all exited)
#   source loadtest/cluster.sh     defines cluster_start N, cluster_kill I [signal], cluster_stop;
#                                  cluster_start sets $cluster_urls (comma-separated), $cluster_pids
#                                  (by node number), $cluster_password, $root, and stops the nodes
#                                  when the sourcing script exits
#
# Node i answers HTTP on 127.0.0.1:$((CLUSTER_HTTP_BASE + i)) (2481, 2482, ...), runs Hazelcast on
# CLUSTER_PORT_BASE + 2(i-1) (5701, 5703, ...) and the event bus one port above. Other settings:
# CLUSTER_DB (flotilla_cluster, dropped at every start), FLOTILLA_ADMIN_PASSWORD (default bench-<pid>),
# FLOTILLA_LEASE_TTL, FLOTILLA_SIM_DEPLOY_SECONDS, ... pass through to every node; FLOTILLA_CLUSTER=false
# with N=1 gives a plain single node for comparison. Logs: target/cluster-node-<i>.log.

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cluster_pids=()
cluster_urls=""
cluster_password="${FLOTILLA_ADMIN_PASSWORD:-bench-$$}"

cluster_start() {
  local n="${1:-3}" db="${CLUSTER_DB:-flotilla_cluster}" http_base="${CLUSTER_HTTP_BASE:-2480}"
  local port_base="${CLUSTER_PORT_BASE:-5701}" members="" i
  cluster_stop
  psql -h 127.0.0.1 -U postgres -q -c "SET client_min_messages = warning" \
    -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null
  # Builds the jar once when stale, so N launchers do not all start a build.
  (source "$root/bin/flotilla-env")
  for ((i = 1; i <= n; i++)); do
    members+="${members:+,}127.0.0.1:$((port_base + 2 * (i - 1)))"
  done
  trap cluster_stop EXIT
  cluster_urls=""
  for ((i = 1; i <= n; i++)); do
    FLOTILLA_CLUSTER="${FLOTILLA_CLUSTER:-true}" FLOTILLA_NODE_ID="node-$i" \
    FLOTILLA_CLUSTER_MEMBERS="$members" FLOTILLA_CLUSTER_PORT="$((port_base + 2 * (i - 1)))" \
    FLOTILLA_CLUSTER_HOST=127.0.0.1 FLOTILLA_HOST=127.0.0.1 FLOTILLA_PORT="$((http_base + i))" \
    FLOTILLA_DB_URL="postgresql://postgres@127.0.0.1:5432/$db" FLOTILLA_ADMIN_PASSWORD="$cluster_password" \
    FLOTILLA_SIM_DEPLOY_SECONDS="${FLOTILLA_SIM_DEPLOY_SECONDS:-0}" \
    FLOTILLA_SIM_TERMINATE_SECONDS="${FLOTILLA_SIM_TERMINATE_SECONDS:-0}" \
      "$root/bin/oneflow-server" > "$root/target/cluster-node-$i.log" 2>&1 &
    cluster_pids[i]=$!
    cluster_urls+="${cluster_urls:+,}http://127.0.0.1:$((http_base + i))"
  done
  # Three JVMs starting on two cores, Hazelcast joining: allow two minutes.
  local deadline=$((SECONDS + 120)) url
  for ((i = 1; i <= n; i++)); do
    url="http://127.0.0.1:$((http_base + i))"
    until curl -sf -o /dev/null -u "oneadmin:$cluster_password" "$url/service"; do
      if ! kill -0 "${cluster_pids[i]}" 2>/dev/null || ((SECONDS > deadline)); then
        echo "node-$i did not come up; the end of target/cluster-node-$i.log:" >&2
        tail -n 20 "$root/target/cluster-node-$i.log" >&2
        cluster_stop
        return 1
      fi
      sleep 0.5
    done
  done
}

# Kills node I (SIGKILL unless told otherwise) and reaps it.
cluster_kill() {
  local i="$1" pid="${cluster_pids[$1]:-}"
  [ -n "$pid" ] || return 0
  kill -s "${2:-KILL}" "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  unset "cluster_pids[$i]"
}

# SIGTERM to every node (they leave the cluster and close), SIGKILL to any still there after 20 s.
cluster_stop() {
  local pid waited=0
  [ "${#cluster_pids[@]}" -gt 0 ] || return 0
  kill "${cluster_pids[@]}" 2>/dev/null || true
  for pid in "${cluster_pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && ((waited < 200)); do
      sleep 0.1
      waited=$((waited + 1))
    done
    kill -s KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  cluster_pids=()
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  cluster_start "${1:-3}"
  echo "${#cluster_pids[@]} node(s) up, user oneadmin, password $cluster_password:"
  tr ',' '\n' <<<"$cluster_urls"
  echo "Ctrl-C stops them (logs: target/cluster-node-<i>.log)"
  trap 'exit 130' INT TERM
  wait
fi
