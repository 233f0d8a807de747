#!/usr/bin/env bash
# The OpenNebula driver against the fake oned (../shared/fake-oned): N services of 3 roles x 2 VMs
# deployed then undeployed through a server on a loopback port, and the core calls each cost, read
# from the fake's call log by phase. Usage: loadtest/opennebula.sh [services] [concurrency]
set -euo pipefail
services="${1:-50}"
concurrency="${2:-8}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fake="${FAKE_ONED:-$root/../shared/fake-oned/fake_oned.py}"
[ -f "$fake" ] || fake=/work/shared/fake-oned/fake_oned.py
xmlrpc_port="${ONED_PORT:-2733}"
zmq_port="${ONED_ZMQ_PORT:-2201}"
port="${BENCH_PORT:-2477}"
db="flotilla_onebench"
work="$(mktemp -d)"
echo "serveradmin:serveradmin-pass" > "$work/oneflow_auth"

psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
(cd "$root" && mvn -q -B -DskipTests package)
/usr/bin/python3 "$fake" --port "$xmlrpc_port" --zmq-port "$zmq_port" --pending-delay 0 --step-delay 0 \
  --call-log "$work/calls.jsonl" --serveradmin-auth-file "$work/oneflow_auth" > "$work/oned.log" 2>&1 &
oned=$!
FLOTILLA_DRIVER=opennebula FLOTILLA_ONE_XMLRPC="http://127.0.0.1:$xmlrpc_port/RPC2" \
FLOTILLA_SUBSCRIBER_ENDPOINT="tcp://127.0.0.1:$zmq_port" FLOTILLA_ONE_AUTH_FILE="$work/oneflow_auth" \
FLOTILLA_DB_URL="postgresql://postgres@127.0.0.1:5432/$db" FLOTILLA_PORT="$port" \
  java ${FLOTILLA_JAVA_OPTS:-} -jar "$root/target/flotilla.jar" > "$root/target/$db-server.log" 2>&1 &
server=$!
trap 'kill $server $oned 2>/dev/null || true; wait $server $oned 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null -u oneadmin:opennebula "http://127.0.0.1:$port/service" && break
  sleep 1
done
java "$root/loadtest/Bench.java" --url "http://127.0.0.1:$port" --user oneadmin --password opennebula \
  --services "$services" --concurrency "$concurrency" --timeout 600 --undeploy | tee "$work/bench.out"
/usr/bin/python3 - "$work/calls.jsonl" "$work/bench.out" "$services" <<'PY'
import json, re, sys, collections
calls = [json.loads(l) for l in open(sys.argv[1])]
phases = dict((m.group(1) + ' ' + m.group(2), float(m.group(3))) for m in
              re.finditer(r'phase (\w+) (from|until) ([0-9.]+)', open(sys.argv[2]).read()))
n = int(sys.argv[3])
for phase in ('deploy', 'undeploy'):
    inside = [c for c in calls if phases[phase + ' from'] <= c['t'] <= phases[phase + ' until']]
    methods = collections.Counter(c['method'] for c in inside)
    print('%s: %d core calls for %d services = %.2f per service  %s'
          % (phase, len(inside), n, len(inside) / n, dict(methods)))
PY
