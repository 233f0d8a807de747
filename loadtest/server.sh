# Sourced by run.sh and stream.sh: a throw-away database "$db" and a server on 127.0.0.1:"$port"
# (simulator timings 0), stopped when the script exits. Sets $root and $password.
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
password="bench-$$"
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null
(cd "$root" && mvn -q -B -DskipTests package)
# Through the product's launcher, so the heap and GC settings measured are the ones shipped.
FLOTILLA_DB_URL="postgresql://postgres@127.0.0.1:5432/$db" FLOTILLA_PORT="$port" \
FLOTILLA_ADMIN_PASSWORD="$password" FLOTILLA_SIM_DEPLOY_SECONDS=0 FLOTILLA_SIM_TERMINATE_SECONDS=0 \
  "$root/bin/oneflow-server" > "$root/target/$db-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do
  curl -s -o /dev/null -u "oneadmin:$password" "http://127.0.0.1:$port/service" && break
  sleep 1
done
