#!/usr/bin/env bash
# Mycelium's Wasm runtime (GraalWasm with the optimizing compiler) against Node.js running the same module through
# node:wasi, in the same run, and one table with ratios.
#
#   bench/wasm-run.sh                 # about a minute on 2 cores
#   REBUILD=1 bench/wasm-run.sh       # rebuild bench/target/benchmarks.jar first (built only when missing)
#   WASM_BENCH_OPTS='-Dbench.wasm.warmupSeconds=10 -Dbench.wasm.coldRuns=20' bench/wasm-run.sh   # see WasmBench
#
# Needs: clang for wasm32-wasi (apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32) and node >= 20.
# Builds bench/wasm/bench.c into bench/target/wasm/bench.wasm, then runs io.mycelium.bench.wasm.WasmBench, which
# measures Mycelium and then runs bench/wasm/node_bench.mjs with the same settings. Results:
# bench/target/wasm/{results.json,summary.md} and the log in bench/target/wasm/run.log.
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

for tool in clang wasm-ld node; do
  command -v "$tool" >/dev/null ||
    { echo "wasm-run.sh: $tool is missing (apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32; node >= 20)" >&2; exit 1; }
done
# A benchmarks jar from before the Wasm benchmark existed does not have it: rebuild that one.
if [[ -f bench/target/benchmarks.jar ]] &&
  ! unzip -l bench/target/benchmarks.jar 'io/mycelium/bench/wasm/WasmBench.class' >/dev/null 2>&1; then
  export REBUILD=1
fi
# shellcheck source=SCRIPTDIR/common.sh
. bench/common.sh

out=bench/target/wasm
mkdir -p "$out"
clang --target=wasm32-wasi -O2 -mexec-model=reactor -o "$out/bench.wasm" bench/wasm/bench.c

# Truffle's optimizing compiler on a stock JDK: the Graal compiler jars that the wasm-runtime build copies.
graal=wasm-runtime/target/graal-compiler
if [[ ! -f $graal/compiler.jar ]]; then
  ./mvnw -q -B -pl wasm-runtime generate-resources
fi
jvm_flags+=(-XX:+UnlockExperimentalVMOptions -XX:+EnableJVMCI "--upgrade-module-path=$graal"
  --enable-native-access=ALL-UNNAMED -Xms512m -Xmx1g)
read -r -a opts <<<"${WASM_BENCH_OPTS:-}"

log=$out/run.log
echo "==> machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), Java $feature, node $(node --version)" | tee "$log"
echo "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
"$java" "${jvm_flags[@]}" -Dbench.wasm.module="$out/bench.wasm" -Dbench.wasm.out="$out" ${opts[@]+"${opts[@]}"} \
  -cp "$jar" io.mycelium.bench.wasm.WasmBench 2>&1 | tee -a "$log"
status=${PIPESTATUS[0]}
echo "==> load average after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$log"
exit "$status"
