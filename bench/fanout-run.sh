#!/usr/bin/env bash
# Fan-out of `uname -n` over inner hosts behind a bastion: Mycelium (one connection, the bastion's agent starts the
# inner agents) against OpenSSH with one `ssh -J bastion inner` (ProxyJump) per host, side by side in one run.
#
#   bench/fanout-run.sh                  # cold, warm bastion, warm: about 2 minutes on 2 cores
#   REBUILD=1 bench/fanout-run.sh        # rebuild bench/target/benchmarks.jar first (built only when missing)
#   FANOUT_BENCH_OPTS='-Dbench.fanout.hosts=3 -Dbench.fanout.coldRuns=5 -Dbench.fanout.warmRuns=50' bench/fanout-run.sh
#
# Needs: Docker and the test-host images (bash docker/build.sh), ssh. io.mycelium.bench.FanOutBench starts the
# bastion and the inner hosts, measures both sides, and removes them. Results: bench/target/fanout/fanout.json and the
# log bench/target/fanout/run.log.
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=SCRIPTDIR/common.sh
. bench/common.sh
out=bench/target/fanout
bash docker/build.sh >/dev/null # seconds when the images are up to date

# Testcontainers here: no registry for Ryuk, and dockerd has no bridge (the parent pom sets the same for tests).
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
jvm_flags+=(-Xms512m -Xmx512m)
read -r -a opts <<<"${FANOUT_BENCH_OPTS:-}"

rm -rf "$out"
mkdir -p "$out"
log=$out/run.log
say() { echo "$*" | tee -a "$log"; }
say "==> machine: $(nproc) cores, $(uname -sr), Java $feature, $(ssh -V 2>&1)"
say "==> tree now: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(git status --porcelain 2>/dev/null | wc -l) changed files; $jar built $(date -r "$jar" '+%F %T')"
set +e
"$java" "${jvm_flags[@]}" -Dbench.fanout.out="$out" "${opts[@]}" -cp "$jar" io.mycelium.bench.FanOutBench 2>&1 |
  grep --line-buffered -v -e '^WARNING: ' -e 'Ryuk has been disabled' -e '^\*\*\*\*' -e 'ResourceReaper - $' |
  tee -a "$log"
status=${PIPESTATUS[0]}
set -e
((status == 0)) || { echo "fanout-run.sh: FanOutBench failed with status $status (log: $log)" >&2; exit 1; }
echo
python3 - "$out/fanout.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
rows = [("cold (nothing open)", "cold_mycelium_fanout", "cold_ssh_proxyjump"),
        ("warm bastion (inner hosts connected each run)", "warm_bastion_mycelium_fanout", "warm_bastion_ssh_proxyjump"),
        ("warm (every connection kept)", "warm_mycelium_kept_contexts", "warm_ssh_proxyjump_controlmaster")]
print(f"{r['hosts']} hosts, all at once; median ms (min) over the timed runs")
print("| case | Mycelium | OpenSSH ssh -J | Mycelium / OpenSSH |")
print("|---|---|---|---|")
for name, m, s in rows:
    a, b = r[m], r[s]
    print(f"| {name} | {a['median_ms']:.0f} ({a['min_ms']:.0f}) | {b['median_ms']:.0f} ({b['min_ms']:.0f}) | {a['median_ms'] / b['median_ms']:.2f}x |")
print(f"load average: before {r['load_before']}, after {r['load_after']}")
PY
