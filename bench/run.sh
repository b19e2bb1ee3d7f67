#!/usr/bin/env bash
# Runs Mycelium's JMH suite with short settings and prints a summary.
#
#   bench/run.sh                      # everything (about 5 minutes on 2 cores)
#   bench/run.sh 'RpcRoundTrip'       # only benchmarks matching a JMH regexp (more JMH options may follow)
#   REBUILD=1 bench/run.sh            # rebuild target/benchmarks.jar first (it is built only when missing)
#   BENCH_OPTS='-f 1 -wi 5 -i 10' bench/run.sh   # longer runs than the default -f 1 -wi 2 -i 3
#
# Writes JMH's JSON to bench/target/results.json and its full log to bench/target/jmh.log.
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=SCRIPTDIR/common.sh
. bench/common.sh

# Short on purpose: the machine has 2 cores and may be building something else at the same time.
read -r -a opts <<<"${BENCH_OPTS:--f 1 -wi 2 -i 3 -w 1s -r 1s}"

echo "==> machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Java $feature ($("$java" -version 2>&1 | head -1))"
echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p bench/target
"$java" "${jvm_flags[@]}" -jar "$jar" "${opts[@]}" -rf json -rff bench/target/results.json "$@" 2>&1 |
  tee bench/target/jmh.log
echo "==> load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

if command -v python3 >/dev/null; then
  python3 bench/summarize.py bench/target/results.json bench/target/jmh.log
else
  echo "python3 not found: no summary; the figures are in JMH's table above and bench/target/results.json"
fi
