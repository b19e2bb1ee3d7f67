# Mycelium stage 1: runs as `sh -c SCRIPT mycelium-stage1 AGENT_SHA RUNTIME_SHA` on the remote host.
# Phase 1 reports the host on stdout (lines "key=value" between MYCELIUM-STAGE1 and MYCELIUM-PROBE-END).
# Phase 2 reads one plan line from stdin, then exactly the byte counts it names (runtime, then agent), never more:
# everything after them on stdin belongs to the agent. Errors are one line "MYCELIUM-ERROR code detail" and exit 1.
# It travels base64-encoded (Stage1.java), so it may use any character and span lines freely.
umask 077
AGENT_SHA=$1
RUNTIME_SHA=$2
say() { printf '%s\n' "$*"; }
fail() { say "MYCELIUM-ERROR $*"; exit 1; }
sha() { if command -v sha256sum >/dev/null 2>&1; then sha256sum "$1"; else shasum -a 256 "$1"; fi | cut -d' ' -f1; }
tree_sha() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1; }
can_exec() { f="$1/.mycelium-probe-$$"; r=1; if printf '#!/bin/sh\nexit 0\n' > "$f" 2>/dev/null; then chmod 700 "$f" && "$f" 2>/dev/null && r=0; fi; rm -f "$f"; return $r; }
say MYCELIUM-STAGE1 1
say "uname=$(uname -sm 2>/dev/null)"
say "pid=$$"
say "home=${HOME:-}"
say "tmpdir=${TMPDIR:-/tmp}"
J=""
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then J="$JAVA_HOME/bin/java"; fi
if [ -z "$J" ]; then J=$(command -v java 2>/dev/null || true); fi
if [ -n "$J" ]; then
say "java=$J"
say "java_version=$("$J" -XX:-UsePerfData -version 2>&1 | sed -n 's/.*version "\([^"]*\)".*/\1/p' | head -n 1)"
fi
P=$(command -v perl 2>/dev/null || true)
if [ -n "$P" ]; then
say "perl=$P"
if [ "$(uname -s)" = Linux ] && "$P" -e 'my $n = "probe"; my $a = `uname -m`; my $nr = $a =~ /aarch64|arm64/ ? 279 : 319; exit(syscall($nr, $n, 0) < 0 ? 1 : 0)' 2>/dev/null; then say memfd=yes; fi
fi
for d in /dev/shm "${TMPDIR:-/tmp}" /tmp "$HOME/.cache/mycelium" "$HOME/.cache" "$HOME"; do
if [ -d "$d" ] && [ -w "$d" ]; then
if can_exec "$d"; then say "place=$d writable,exec"; else say "place=$d writable,noexec"; fi
elif [ -d "$d" ]; then
say "place=$d readonly"
fi
done
TRUST=""
for t in "$HOME/.config/mycelium/allowed_signers" /etc/mycelium/allowed_signers; do
if [ -z "$TRUST" ] && [ -f "$t" ]; then TRUST=$t; fi
done
if [ -n "$TRUST" ]; then
say "trust=$TRUST"
if command -v ssh-keygen >/dev/null 2>&1; then say sshsig=yes; fi
fi
C="$HOME/.cache/mycelium"
if [ -f "$C/agent-$AGENT_SHA.jar" ]; then say "agent_cached=$C/agent-$AGENT_SHA.jar"; fi
if [ "$RUNTIME_SHA" != "-" ] && [ -x "$C/runtime-$RUNTIME_SHA/bin/java" ]; then say "runtime_cached=$C/runtime-$RUNTIME_SHA"; fi
say MYCELIUM-PROBE-END
IFS=' ' read -r MODE JAVA JARPLACE JARLEN RTDIR RTLEN RTTREE JSIGLEN RSIGLEN SIGDIR ARGS || fail plan "no plan arrived on stdin"
[ "$MODE" = load ] || fail plan "unknown plan $MODE"
set -f
CLEAN=""
SIGF=""
if [ "$SIGDIR" != - ]; then SIGF="$SIGDIR/.mycelium-sig-$$"; fi
trap 'rm -rf -- $CLEAN $SIGF' EXIT HUP INT TERM
signed() { ssh-keygen -Y verify -f "$TRUST" -I mycelium -n mycelium -s "$SIGF" < "$1" >/dev/null 2>&1; }
if [ -n "$TRUST" ] && { [ "$JSIGLEN" -eq 0 ] || { [ "$RTLEN" -gt 0 ] && [ "$RSIGLEN" -eq 0 ]; }; }; then fail integrity "this host accepts only artifacts signed by a key in $TRUST, and the controller sent none: configure its signing key"; fi
if [ "$RTLEN" -gt 0 ]; then
T="$RTDIR.part$$"
CLEAN="$T $T.tgz"
trap 'rm -rf -- $CLEAN $SIGF' EXIT HUP INT TERM
mkdir -p "$T" || fail place "cannot create $T"
if [ "$RSIGLEN" -gt 0 ]; then head -c "$RSIGLEN" > "$SIGF" || fail io "cannot write a signature to $SIGF"; fi
head -c "$RTLEN" > "$T.tgz" || fail io "cannot write the runtime to $T.tgz"
[ "$(sha "$T.tgz")" = "$RUNTIME_SHA" ] || fail integrity "runtime $T.tgz has sha256 $(sha "$T.tgz"), expected $RUNTIME_SHA"
if [ -n "$TRUST" ]; then signed "$T.tgz" || fail integrity "the Java runtime archive is not signed by a key in $TRUST"; fi
tar -xzf "$T.tgz" -C "$T" || fail io "cannot unpack the runtime into $T"
rm -f "$T.tgz"
if [ -d "$RTDIR" ]; then rm -rf "$T"; else mv "$T" "$RTDIR" || fail io "cannot move the runtime to $RTDIR"; fi
CLEAN=""
fi
if [ "$JAVA" = "@runtime" ]; then
JAVA="$RTDIR/bin/java"
[ "$(tree_sha "$RTDIR")" = "$RTTREE" ] || fail integrity "the Java runtime in $RTDIR differs from the one shipped (files changed or missing): remove it (mycelium cache clear) and connect again"
fi
case "$RTDIR" in -|*/.cache/mycelium/*) ;; *) CLEAN="$RTDIR"; trap 'rm -rf -- $CLEAN $SIGF' EXIT HUP INT TERM ;; esac
[ -x "$JAVA" ] || fail java "$JAVA is not executable"
EXEC=exec
if [ -n "$CLEAN" ]; then EXEC=""; fi
MAIN=io.mycelium.agent.AgentMain
if [ "$JSIGLEN" -gt 0 ]; then head -c "$JSIGLEN" > "$SIGF" || fail io "cannot write a signature to $SIGF"; fi
if [ "$JARPLACE" = memfd ]; then
$EXEC "$P" -e '$^F = 1000; my ($len, $sha, $trust, $sigf, $main, @cmd) = @ARGV; END { unlink $sigf } my $n = "mycelium-agent"; my $a = `uname -m`; my $nr = $a =~ /aarch64|arm64/ ? 279 : 319; my $fd = syscall($nr, $n, 0); if ($fd < 0) { print "MYCELIUM-ERROR memfd memfd_create failed: $!\n"; exit 1 } open(my $m, ">&=", $fd) or die "fdopen: $!"; binmode $m; my $left = $len; while ($left > 0) { my $got = sysread(STDIN, my $buf, $left > 65536 ? 65536 : $left); if (not $got) { print "MYCELIUM-ERROR io the agent jar ended after " . ($len - $left) . " of $len bytes\n"; exit 1 } syswrite($m, $buf) == $got or die "write: $!"; $left -= $got } my $d = `sha256sum /proc/$$/fd/$fd`; $d =~ s/ .*//s; if ($d ne $sha) { print "MYCELIUM-ERROR integrity the agent jar in memfd has sha256 $d, expected $sha\n"; exit 1 } if ($trust ne "-") { my $bad = system("ssh-keygen -Y verify -f \"$trust\" -I mycelium -n mycelium -s \"$sigf\" < /proc/$$/fd/$fd >/dev/null 2>&1"); if ($bad) { print "MYCELIUM-ERROR integrity the agent jar is not signed by a key in $trust\n"; exit 1 } } unlink $sigf; exec { $cmd[0] } @cmd, "-cp", "/proc/self/fd/$fd", $main; print "MYCELIUM-ERROR java cannot run $cmd[0]: $!\n"; exit 1' "$JARLEN" "$AGENT_SHA" "${TRUST:--}" "$SIGF" "$MAIN" "$JAVA" $ARGS
exit $?
fi
if [ "$JARPLACE" = "@cached" ]; then
F="$C/agent-$AGENT_SHA.jar"
UNLINK=""
else
F="$JARPLACE/.mycelium-agent-$$.jar"
UNLINK="-Dmycelium.unlinkJar=$F"
head -c "$JARLEN" > "$F" || fail io "cannot write the agent to $F"
fi
[ "$(sha "$F")" = "$AGENT_SHA" ] || { rm -f "$F"; fail integrity "the agent jar $F has sha256 $(sha "$F"), expected $AGENT_SHA"; }
if [ -n "$TRUST" ]; then signed "$F" || { rm -f "$F"; fail integrity "the agent jar is not signed by a key in $TRUST"; }; fi
rm -f "$SIGF"
$EXEC "$JAVA" $ARGS $UNLINK -cp "$F" $MAIN
