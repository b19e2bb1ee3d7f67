# Where the Wasm worker can run on this host (WasmHostSetup): the agent's Java, a directory for the runtime, and which
# parts are there already. Args: AGENT_PID LIB_TREE COMPILER_TREE RUNTIME_SHA RUNTIME_TREE (- when none). Prints
# key=value lines; error=... when nothing works.
set -u
AGENT=$1 LIB=$2 COMP=$3 RTSHA=$4 RTTREE=$5
tree_sha() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1; }
java=$(readlink "/proc/$AGENT/exe" 2>/dev/null || true)
echo "java=$java"
home=${java%/bin/java}
feature=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null || true)
echo "feature=${feature:-0}"
if grep -q 'jdk\.internal\.vm\.ci' "$home/release" 2>/dev/null; then echo "jvmci=yes"; else echo "jvmci=no"; fi
dir=
base=${XDG_CACHE_HOME:-$HOME/.cache}/mycelium
if mkdir -p "$base" 2>/dev/null && [ -w "$base" ] && [ ! -L "$base" ]; then
  dir=$base
  echo "persistent=yes"
else
  # Nothing persistent: a directory of this agent's own, removed by a janitor outside the agent's process groups once
  # the agent is gone.
  for t in /dev/shm "${TMPDIR:-/tmp}" /tmp; do
    d="$t/mycelium-wasm-$(id -u)-$AGENT"
    if [ -d "$d" ] && [ -O "$d" ] && [ ! -L "$d" ]; then dir=$d; break; fi
    if mkdir -m 700 "$d" 2>/dev/null; then
      dir=$d
      setsid sh -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; rm -rf -- "$2"' janitor "$AGENT" "$d" \
        </dev/null >/dev/null 2>&1 &
      break
    fi
  done
  echo "persistent=no"
fi
if [ -z "$dir" ]; then echo "error=no writable directory for the Wasm runtime (tried $base, /dev/shm, ${TMPDIR:-/tmp}, /tmp)"; exit 0; fi
echo "dir=$dir"
state() {
  if [ -d "$dir/$1" ] && [ "$(tree_sha "$dir/$1")" = "$2" ]; then echo present
  else rm -rf -- "${dir:?}/$1"; echo absent; fi
}
echo "lib=$(state "wasm-lib-$LIB" "$LIB")"
echo "compiler=$(state "graal-compiler-$COMP" "$COMP")"
if [ "$RTSHA" != - ]; then echo "runtime=$(state "runtime-$RTSHA" "$RTTREE")"; fi
