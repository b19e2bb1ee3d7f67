# shellcheck shell=sh
# Selects a JDK >= 21 for the build and the CLI. Sourced (not run) by ./mvnw, bin/mycelium and .ci/run:
#
#   . "$root/.mvn/select-jdk.sh" || exit 1
#
# Keeps JAVA_HOME when it already holds a JDK >= 21 (bin/java and bin/javac). Otherwise looks at the `java` on PATH,
# then /usr/lib/jvm/*, and exports JAVA_HOME as the newest JDK >= 21 found there. On success it also sets (without
# exporting) MYCELIUM_JDK_VERSION ("25.0.3") and MYCELIUM_JDK_MAJOR ("25"). When there is none it prints one line on
# stderr and returns 1. It never writes to stdout.
#
# POSIX sh: works in dash and bash, under `set -euf` (mvnw) as well as `set -euo pipefail`. Its helpers and
# variables are prefixed _mycelium_ and removed again at the end.

_mycelium_jdk_min=21

# _mycelium_version_of HOME: runs HOME/bin/java -version; sets _mycelium_ver ("17.0.15", "1.8.0_392", "21",
# "25.0.1-ea") and _mycelium_major (17, 8, 21, 25). Fails when there is no java or no parsable version.
_mycelium_version_of() {
  _mycelium_ver=
  _mycelium_major=
  [ -x "$1/bin/java" ] || return 1
  _mycelium_out=$("$1/bin/java" -version 2>&1 </dev/null) || return 1
  # The line is `openjdk version "17.0.15" 2025-04-15` or `java version "1.8.0_392"`; JAVA_TOOL_OPTIONS and
  # friends may add "Picked up ..." lines before it.
  while IFS= read -r _mycelium_line; do
    case $_mycelium_line in
    *' version "'*)
      _mycelium_ver=${_mycelium_line#*' version "'}
      _mycelium_ver=${_mycelium_ver%%'"'*}
      break
      ;;
    esac
  done <<EOF
$_mycelium_out
EOF
  case $_mycelium_ver in
  1.*) _mycelium_major=${_mycelium_ver#1.} ;; # 1.8.0_392 is Java 8
  *) _mycelium_major=$_mycelium_ver ;;
  esac
  _mycelium_major=${_mycelium_major%%[!0-9]*}
  [ -n "$_mycelium_major" ]
}

# _mycelium_newer A B: succeeds when version A is newer than version B, comparing the leading number of each
# dot-separated component ("25.0.1" > "25" > "21.0.9", "21.0.2-ea" = "21.0.2").
_mycelium_newer() {
  _mycelium_a=$1
  _mycelium_b=$2
  while [ -n "$_mycelium_a$_mycelium_b" ]; do
    _mycelium_x=${_mycelium_a%%.*}
    _mycelium_x=${_mycelium_x%%[!0-9]*}
    _mycelium_y=${_mycelium_b%%.*}
    _mycelium_y=${_mycelium_y%%[!0-9]*}
    [ "${_mycelium_x:-0}" -eq "${_mycelium_y:-0}" ] || {
      [ "${_mycelium_x:-0}" -gt "${_mycelium_y:-0}" ]
      return
    }
    case $_mycelium_a in *.*) _mycelium_a=${_mycelium_a#*.} ;; *) _mycelium_a= ;; esac
    case $_mycelium_b in *.*) _mycelium_b=${_mycelium_b#*.} ;; *) _mycelium_b= ;; esac
  done
  return 1
}

# _mycelium_consider HOME: remembers HOME as the best JDK so far if it is a JDK >= 21 newer than the current best.
_mycelium_consider() {
  [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
  _mycelium_dir=$(cd -P "$1" >/dev/null 2>&1 && pwd -P) || return 0
  case $_mycelium_seen in *"|$_mycelium_dir|"*) return 0 ;; esac # symlinks such as java-1.17.0-openjdk-amd64
  _mycelium_seen="$_mycelium_seen|$_mycelium_dir|"
  _mycelium_version_of "$_mycelium_dir" || return 0
  if [ "$_mycelium_major" -lt "$_mycelium_jdk_min" ]; then
    _mycelium_rejected="$_mycelium_rejected $_mycelium_dir ($_mycelium_ver),"
  elif [ -z "$_mycelium_best" ] || _mycelium_newer "$_mycelium_ver" "$_mycelium_best_ver"; then
    _mycelium_best=$_mycelium_dir
    _mycelium_best_ver=$_mycelium_ver
    _mycelium_best_major=$_mycelium_major
  fi
}

# shellcheck disable=SC2034 # MYCELIUM_JDK_* are for the sourcing script
_mycelium_select_jdk() {
  if [ -n "${JAVA_HOME-}" ] && [ -x "$JAVA_HOME/bin/javac" ] && _mycelium_version_of "$JAVA_HOME" &&
    [ "$_mycelium_major" -ge "$_mycelium_jdk_min" ]; then
    export JAVA_HOME
    MYCELIUM_JDK_VERSION=$_mycelium_ver
    MYCELIUM_JDK_MAJOR=$_mycelium_major
    return 0
  fi
  _mycelium_seen=
  _mycelium_rejected=
  _mycelium_best=
  _mycelium_best_ver=
  _mycelium_best_major=
  if [ -n "${JAVA_HOME-}" ]; then
    _mycelium_where="JAVA_HOME=$JAVA_HOME"
    case $JAVA_HOME in /*) _mycelium_consider "$JAVA_HOME" ;; esac # lists its version in the message below
  else
    _mycelium_where="JAVA_HOME (unset)"
  fi

  _mycelium_java=$(command -v java 2>/dev/null) || _mycelium_java=
  case $_mycelium_java in
  /*)
    _mycelium_where="$_mycelium_where, java on PATH ($_mycelium_java)"
    # /usr/bin/java -> /etc/alternatives/java -> /usr/lib/jvm/java-17-openjdk-amd64/bin/java
    _mycelium_real=$(readlink -f "$_mycelium_java" 2>/dev/null) || _mycelium_real=$_mycelium_java
    case $_mycelium_real in */bin/java) _mycelium_consider "${_mycelium_real%/bin/java}" ;; esac
    ;;
  *) _mycelium_where="$_mycelium_where, java on PATH (none)" ;;
  esac

  _mycelium_where="$_mycelium_where, /usr/lib/jvm/*"
  for _mycelium_candidate in /usr/lib/jvm/*; do
    _mycelium_consider "$_mycelium_candidate"
  done

  if [ -z "$_mycelium_best" ]; then
    _mycelium_rejected=${_mycelium_rejected%,}
    printf 'mycelium: a JDK >= %s is needed (set JAVA_HOME to one); looked at %s; found only:%s\n' \
      "$_mycelium_jdk_min" "$_mycelium_where" "${_mycelium_rejected:- nothing}" >&2
    return 1
  fi
  JAVA_HOME=$_mycelium_best
  export JAVA_HOME
  MYCELIUM_JDK_VERSION=$_mycelium_best_ver
  MYCELIUM_JDK_MAJOR=$_mycelium_best_major
}

# The /usr/lib/jvm/* glob needs globbing, which mvnw turns off with `set -f`.
case $- in
*f*) _mycelium_noglob=1 && set +f ;;
*) _mycelium_noglob= ;;
esac
if _mycelium_select_jdk; then _mycelium_rc=0; else _mycelium_rc=1; fi
[ -z "$_mycelium_noglob" ] || set -f

unset -f _mycelium_version_of _mycelium_newer _mycelium_consider _mycelium_select_jdk
unset _mycelium_jdk_min _mycelium_ver _mycelium_major _mycelium_out _mycelium_line _mycelium_a _mycelium_b \
  _mycelium_x _mycelium_y _mycelium_dir _mycelium_seen _mycelium_rejected _mycelium_best _mycelium_best_ver \
  _mycelium_best_major _mycelium_where _mycelium_java _mycelium_real _mycelium_candidate _mycelium_noglob
# shellcheck disable=SC2317 # reachable: `return` ends a sourced file
if [ "$_mycelium_rc" -eq 0 ]; then unset _mycelium_rc && return 0; else unset _mycelium_rc && return 1; fi
