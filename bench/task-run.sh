#!/usr/bin/env bash
# Task queue throughput, submit -> complete, with worker agents over WebSocket on one node: the embedded H2 journal,
# then PostgreSQL when MYCELIUM_PG_URL is set. See io.mycelium.bench.TaskBench for the knobs, e.g.
#   TASK_BENCH_OPTS='-Dbench.tasks.count=20000 -Dbench.tasks.workers=8' bench/task-run.sh
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
# shellcheck source=SCRIPTDIR/common.sh
. bench/common.sh
node_jar=cluster-node/target/mycelium-cluster-node.jar
if [[ ! -f $node_jar || ! -d cluster-node/target/lib || ! -d bench/target/classes ]]; then
  ./mvnw -q -B -pl bench -am package -DskipTests -Dspotless.check.skip=true
fi
read -r -a opts <<<"${TASK_BENCH_OPTS:-}"
"$java" "${jvm_flags[@]}" -Xmx2g ${opts[@]+"${opts[@]}"} \
  -cp "bench/target/classes:$node_jar:cluster-node/target/lib/*" io.mycelium.bench.TaskBench
