# Where the function worker can run on this host (FunctionHostSetup): the agent's Java, a directory for the jars, and
# whether they are there already. Args: AGENT_PID TREE. Prints key=value lines; error=... when nothing works.
set -u
AGENT=$1 TREE=$2
tree_sha() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1; }
java=$(readlink "/proc/$AGENT/exe" 2>/dev/null || true)
if [ -z "$java" ] || [ ! -x "$java" ]; then echo "error=cannot find the agent's Java (/proc/$AGENT/exe)"; exit 0; fi
echo "java=$java"
dir=
base=${XDG_CACHE_HOME:-$HOME/.cache}/mycelium
if mkdir -p "$base" 2>/dev/null && [ -w "$base" ] && [ ! -L "$base" ]; then
  dir=$base
  echo "persistent=yes"
else
  # Nothing persistent: a directory of this agent's own, removed by a janitor outside the agent's process groups once
  # the agent is gone.
  for t in /dev/shm "${TMPDIR:-/tmp}" /tmp; do
    d="$t/mycelium-fn-$(id -u)-$AGENT"
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
if [ -z "$dir" ]; then echo "error=no writable directory for the function jars (tried $base, /dev/shm, ${TMPDIR:-/tmp}, /tmp)"; exit 0; fi
echo "dir=$dir"
if [ -d "$dir/fn-$TREE" ] && [ "$(tree_sha "$dir/fn-$TREE")" = "$TREE" ]; then echo "bundle=present"
else rm -rf -- "${dir:?}/fn-$TREE"; echo "bundle=absent"; fi
