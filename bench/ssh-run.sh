#!/usr/bin/env bash
# Mycelium over SSH against raw OpenSSH and Mitogen, side by side on ONE loopback test host, and one combined table.
#
#   bench/ssh-run.sh                  # everything: about 3 minutes on 2 cores
#   REBUILD=1 bench/ssh-run.sh        # rebuild bench/target/benchmarks.jar first (built only when missing)
#   SSH_BENCH_OPTS='-Dbench.ssh.sizeMiB=64 -Dbench.ssh.runs=200' bench/ssh-run.sh   # shorter (see SshBench's javadoc)
#
# Needs: Docker and the test-host images (bash docker/build.sh; debian_min has Java 17 and python3), ssh and
# ssh-keygen, and Debian's python3-mitogen for /usr/bin/python3 (apt-get install -y python3-mitogen).
# io.mycelium.bench.SshBench starts the host, measures Mycelium and raw ssh, then runs bench/mitogen/mitogen_bench.py
# against the same host before removing it. Results: bench/target/ssh/{mycelium,mitogen,combined}.json, summary.md,
# and the full log in bench/target/ssh/run.log.
set -euo pipefail
unset CDPATH
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# shellcheck source=SCRIPTDIR/common.sh
. bench/common.sh
out=bench/target/ssh
python=${MITOGEN_PYTHON:-/usr/bin/python3}

"$python" -c 'import mitogen' 2>/dev/null ||
  { echo "ssh-run.sh: $python cannot import mitogen: apt-get install -y python3-mitogen" >&2; exit 1; }
bash docker/build.sh >/dev/null # seconds when the images are up to date

# Testcontainers here: no registry for Ryuk, and dockerd has no bridge (the parent pom sets the same for tests).
export TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost
jvm_flags+=(-Xms512m -Xmx512m)
read -r -a opts <<<"${SSH_BENCH_OPTS:-}"

rm -rf "$out"
mkdir -p "$out"
log=$out/run.log
say() { echo "$*" | tee -a "$log"; }
say "==> machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(uname -sr), Java $feature ($("$java" -version 2>&1 | head -1)), $("$python" -c 'import mitogen, sys; print("Mitogen", ".".join(map(str, mitogen.__version__)), "on Python", sys.version.split()[0])')"
say "==> tree now: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(git status --porcelain 2>/dev/null | wc -l) changed files; $jar built $(date -r "$jar" '+%F %T')"
say "==> load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
start=$EPOCHREALTIME
set +e
"$java" "${jvm_flags[@]}" -Dbench.ssh.out="$out" -Dbench.ssh.python="$python" \
  -Dbench.ssh.mitogenScript=bench/mitogen/mitogen_bench.py "${opts[@]}" -cp "$jar" io.mycelium.bench.SshBench 2>&1 |
  grep --line-buffered -v -e '^WARNING: ' -e 'Ryuk has been disabled' -e '^\*\*\*\*' -e 'ResourceReaper - $' |
  tee -a "$log"
status=${PIPESTATUS[0]}
set -e
say "==> load average after: $(cut -d' ' -f1-3 /proc/loadavg); $(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f s", b - a }')"
((status == 0)) || { echo "ssh-run.sh: SshBench failed with status $status (log: $log)" >&2; exit 1; }
echo
"$python" bench/ssh_summarize.py "$out"
