#!/usr/bin/env bash
# The node's governed exec API (POST /api/v1/exec) against the embedded SDK (Context.procExec), in the same run: one
# node on H2, one node on PostgreSQL, three nodes on PostgreSQL; sequential p50/p99, throughput, facts persisted/s.
#
#   bench/api-run.sh                  # a few minutes on 2 cores
#   REBUILD=1 bench/api-run.sh        # rebuild bench/target/benchmarks.jar first (built only when missing)
#   API_BENCH_OPTS='-Dbench.api.requests=3000 -Dbench.api.clients=16' bench/api-run.sh   # see ApiBench
#
# PostgreSQL: MYCELIUM_PG_URL (as .ci/run exports it, role mycelium/mycelium); without it only H2 runs. Results:
# bench/target/api/{results.json,run.log}.
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=SCRIPTDIR/common.sh
. bench/common.sh
# The node runs from the CLI's own classpath, as bin/mycelium starts it, not from the shaded benchmarks jar: shading
# concatenates the reference.conf files in dependency order, which lets Pekko's defaults override the node's.
node_jar=cluster-node/target/mycelium-cluster-node.jar
if [[ ! -f $node_jar || ! -d cluster-node/target/lib || ! -d bench/target/classes ]]; then
  ./mvnw -q -B -pl bench -am package -DskipTests -Dspotless.check.skip=true
fi
classpath="bench/target/classes:$node_jar:cluster-node/target/lib/*"
out=bench/target/api
mkdir -p "$out"
read -r -a opts <<<"${API_BENCH_OPTS:-}"
log=$out/run.log
echo "==> machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Java $feature" | tee "$log"
echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
"$java" "${jvm_flags[@]}" -Xmx1g -Dbench.api.out="$out" -Dmycelium.wasm.bundle="$root/wasm-runtime/target/wasm-bundle" \
  ${opts[@]+"${opts[@]}"} -cp "$classpath" io.mycelium.bench.ApiBench 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
echo "==> load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
exit "$status"
