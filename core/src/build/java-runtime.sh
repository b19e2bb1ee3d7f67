#!/usr/bin/env bash
# Builds the Java runtime that stage 1 ships to hosts without Java 17+: a jlink'd image of java.base and
# jdk.unsupported (Kryo needs sun.misc.Unsafe) from the JDK running the build, plus what the Wasm worker needs
# (Context.callWasm: Truffle logs through java.logging; Graal's compiler needs JVMCI and the management modules; about
# 1 MB packed), packed reproducibly (sorted, fixed times and owners, gzip -n) so the same JDK always yields the same sha256 and hosts keep their cached copy.
# Usage: java-runtime.sh JAVA_HOME WORK_DIR OUTPUT_DIR
set -euo pipefail
java_home=$1 work=$2 out=$3
platform="$(uname -s) $(uname -m)"
release=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$java_home/release")
feature=${release%%.*}
stamp="$java_home $release $platform v3"
name="java-runtime-$(uname -s | tr 'A-Z' 'a-z')-$(uname -m).tar.gz"
mkdir -p "$out"
if [[ -f "$out/$name" && -f "$work/stamp" && "$(cat "$work/stamp")" == "$stamp" ]]; then
  exit 0
fi
rm -rf "$work"
mkdir -p "$work"
"$java_home/bin/jlink" --add-modules java.base,jdk.unsupported,java.logging,java.management,jdk.management,jdk.internal.vm.ci \
  --strip-debug --no-header-files --no-man-pages \
  --compress=zip-6 --output "$work/image"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$work/image" -cf - . | gzip -n -6 > "$out/$name"
# The same digest stage 1 computes over an unpacked runtime before it runs one (see stage1.sh: tree_sha).
tree=$(cd "$work/image" && find . -type f | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1)
printf 'archive=%s\nplatform=%s\nfeature=%s\ntree=%s\n' "$name" "$platform" "$feature" "$tree" > "$out/runtime.properties"
printf '%s' "$stamp" > "$work/stamp"
echo "java-runtime: $name for $platform, Java $release, $(du -h "$out/$name" | cut -f1)"
