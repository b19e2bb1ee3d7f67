#!/usr/bin/env bash
# The edge against nginx (Debian's package) proxying the same backend, side by side in one run: the demo app billing
# run by one node agent of `mycelium mesh run`; nginx proxies to that same process with upstream keep-alive. wrk
# drives each in turn (ROUNDS rounds of DURATION, CONNECTIONS connections), loopback only, then a summary of
# requests/s and p99 with the edge/nginx ratios. About 2 minutes on 2 cores.
#
#   bench/mesh-run.sh
#   ROUNDS=5 DURATION=15s CONNECTIONS=64 bench/mesh-run.sh
#   MESH_JVM_FLAGS=-XX:+UseParallelGC bench/mesh-run.sh     # extra JVM flags for the mesh process
#
# Needs nginx and wrk (apt-get install -y nginx wrk). Results: bench/target/mesh/{results.txt,run.log}.
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=SCRIPTDIR/../.mvn/select-jdk.sh
. ./.mvn/select-jdk.sh || exit 1
for tool in nginx wrk curl; do
  command -v "$tool" >/dev/null || { echo "mesh-run.sh: $tool is missing (apt-get install -y nginx wrk curl)" >&2; exit 2; }
done
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
connections=${CONNECTIONS:-32}
edge_port=${EDGE_PORT:-18080}
api_port=${API_PORT:-18558}
nginx_port=${NGINX_PORT:-18081}
out=$root/bench/target/mesh
rm -rf "$out"
mkdir -p "$out"
log=$out/run.log
node_jar=cluster-node/target/mycelium-cluster-node.jar
if [[ ! -f $node_jar || ! -d cluster-node/target/lib ]]; then
  ./mvnw -q -B -pl cluster-node -am package -DskipTests -Dspotless.check.skip=true
fi

mesh_pid=
cleanup() {
  if [[ -f $out/nginx.pid ]]; then kill "$(cat "$out/nginx.pid")" 2>/dev/null || true; fi
  if [[ -n $mesh_pid ]]; then
    kill "$mesh_pid" 2>/dev/null || true
    wait "$mesh_pid" 2>/dev/null || true
  fi
}
trap cleanup EXIT

read -r -a extra_flags <<<"${MESH_JVM_FLAGS:-}"
jvm_flags=(-Xmx512m ${extra_flags[@]+"${extra_flags[@]}"})
if ((MYCELIUM_JDK_MAJOR >= 23)); then jvm_flags+=(--sun-misc-unsafe-memory-access=allow); fi
"$JAVA_HOME/bin/java" "${jvm_flags[@]}" -cp "$node_jar:cluster-node/target/lib/*" io.mycelium.cli.MyceliumCommand \
  mesh run --agents 1 --demo --data-dir "$out/data" --edge-port "$edge_port" --api-port "$api_port" \
  >"$out/mesh.out" 2>"$out/mesh.err" &
mesh_pid=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$edge_port/billing/hello" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "http://127.0.0.1:$edge_port/billing/hello" >/dev/null || { echo "the mesh did not come up" >&2; cat "$out/mesh.err" >&2; exit 1; }
backend=$(curl -fs "http://127.0.0.1:$api_port/api/v1/instances" | grep -o '"port":[0-9]*' | head -1 | cut -d: -f2)

cat >"$out/nginx.conf" <<CONF
worker_processes 2;
pid $out/nginx.pid;
error_log $out/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $out/nginx-body;
  proxy_temp_path $out/nginx-proxy;
  fastcgi_temp_path $out/nginx-fastcgi;
  uwsgi_temp_path $out/nginx-uwsgi;
  scgi_temp_path $out/nginx-scgi;
  upstream billing { server 127.0.0.1:$backend; keepalive 64; }
  server {
    listen 127.0.0.1:$nginx_port;
    location /billing/ {
      proxy_pass http://billing/;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
CONF
nginx -c "$out/nginx.conf" -p "$out"
sleep 0.5
curl -fs "http://127.0.0.1:$nginx_port/billing/hello" >/dev/null || { echo "nginx does not proxy" >&2; exit 1; }

run() { # name url seconds
  wrk -t2 -c"$connections" -d"$3" --latency "$2" >"$out/wrk-$1.txt"
  local rps p99
  rps=$(awk '/^Requests\/sec:/ {print $2}' "$out/wrk-$1.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$out/wrk-$1.txt")
  echo "$1 $rps $p99" | tee -a "$log"
}
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) { sub(/us$/, "", v); print v / 1000 } else if (v ~ /ms$/) { sub(/ms$/, "", v); print v } else { sub(/s$/, "", v); print v * 1000 } }'; }

{
  echo "==> machine: $(nproc) cores, Java $MYCELIUM_JDK_VERSION, $(nginx -v 2>&1), wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2)"
  echo "==> backend: billing on 127.0.0.1:$backend; edge :$edge_port, nginx :$nginx_port; $connections connections, $duration x $rounds rounds"
  echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$log"
echo "==> warm-up (not counted)" | tee -a "$log"
run warmup-edge "http://127.0.0.1:$edge_port/billing/hello" 10s >/dev/null
run warmup-nginx "http://127.0.0.1:$nginx_port/billing/hello" 5s >/dev/null
echo "==> name requests/s p99" | tee -a "$log"
run direct "http://127.0.0.1:$backend/hello" "$duration"
for r in $(seq 1 "$rounds"); do
  run "edge-$r" "http://127.0.0.1:$edge_port/billing/hello" "$duration"
  run "nginx-$r" "http://127.0.0.1:$nginx_port/billing/hello" "$duration"
done
errors=$(grep -h "Non-2xx\|Socket errors" "$out"/wrk-edge-*.txt "$out"/wrk-nginx-*.txt || true)
{
  echo "==> load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
  [[ -n $errors ]] && echo "==> errors reported by wrk:" && echo "$errors"
  echo "==> summary (median of $rounds rounds)"
} | tee -a "$log"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
edge_rps=$(grep '^edge-' "$log" | awk '{print $2}' | median)
nginx_rps=$(grep '^nginx-' "$log" | awk '{print $2}' | median)
edge_p99=$(grep '^edge-' "$log" | awk '{print $3}' | while read -r v; do to_ms "$v"; done | median)
nginx_p99=$(grep '^nginx-' "$log" | awk '{print $3}' | while read -r v; do to_ms "$v"; done | median)
{
  printf 'edge:  %s requests/s, p99 %s ms\n' "$edge_rps" "$edge_p99"
  printf 'nginx: %s requests/s, p99 %s ms\n' "$nginx_rps" "$nginx_p99"
  awk -v e="$edge_rps" -v n="$nginx_rps" -v ep="$edge_p99" -v np="$nginx_p99" \
    'BEGIN { printf "edge/nginx: requests/s %.2fx (target >= 0.8), p99 %.2fx (target <= 1.5)\n", e / n, ep / np }'
  # Each edge round next to the nginx round right after it, which saw about the same load from elsewhere.
  for r in $(seq 1 "$rounds"); do
    awk -v e="$(awk -v r="edge-$r" '$1 == r {print $2}' "$log")" -v n="$(awk -v r="nginx-$r" '$1 == r {print $2}' "$log")" \
      'BEGIN { print e / n }'
  done | median | awk '{ printf "edge/nginx per round pair, median: requests/s %.2fx\n", $1 }'
} | tee -a "$log" | tee "$out/results.txt"
