#!/usr/bin/env bash
# Builds the test modules of wasm-runtime into OUT_DIR (default ../../../target/test-wasm): every *.c here with
# Debian's clang for wasm32-wasi (wasi-libc from /usr/lib/wasm32-wasi, no --sysroot), every *.wat with wabt's
# wat2wasm. Run by Maven at generate-test-resources; rebuilds only what is older than its sources.
#
# Needs: apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt   (.ci/run installs them)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:-$here/../../../target/test-wasm}
include=$here/../../main/c
mkdir -p "$out"

missing=()
command -v clang >/dev/null || missing+=(clang)
command -v wasm-ld >/dev/null || missing+=(lld)
command -v wat2wasm >/dev/null || missing+=(wabt)
[[ -e /usr/lib/wasm32-wasi/libc.a ]] || missing+=(wasi-libc)
if ((${#missing[@]})); then
  echo "build.sh: cannot build the Wasm test modules: missing ${missing[*]};" \
    "apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt" >&2
  exit 1
fi

# stale TARGET SOURCE...: succeeds when TARGET is missing or older than a source.
stale() {
  local target=$1 src
  shift
  [[ -e $target ]] || return 0
  for src; do [[ $src -nt $target ]] && return 0; done
  return 1
}

for c in "$here"/*.c; do
  name=$(basename "$c" .c)
  target=$out/$name.wasm
  stale "$target" "$c" "$here/util.h" "$include/mycelium.h" || continue
  model=()
  [[ $name == reactor ]] && model=(-mexec-model=reactor)
  clang --target=wasm32-wasi -O2 -Wall -Werror -Wno-unused-function -I"$here" -I"$include" "${model[@]}" \
    -o "$target" "$c"
done
for wat in "$here"/*.wat; do
  name=$(basename "$wat" .wat)
  target=$out/$name.wasm
  stale "$target" "$wat" || continue
  wat2wasm --enable-all -o "$target" "$wat"
done
