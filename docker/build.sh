#!/usr/bin/env bash
# Builds the Mycelium test-host images locally, without an image registry:
#
#   mycelium/base        Debian bookworm minbase by debootstrap + sshd, ssh, sudo, doas, procps, iproute2, the test
#                        users `mycelium` (uid 1000), `alice` (1001), `bob` (1002) and the entrypoint
#                        base/mycelium-test-host; made by `docker import`
#   mycelium/debian_min  base + Java 17                       (docker build, from debian_min/Dockerfile)
#   mycelium/debian_ro   base, run with a read-only root       (debian_ro/Dockerfile)
#   mycelium/bastion     base: sshd + ssh client, no Java      (bastion/Dockerfile)
#   mycelium/nojava      base: plain, writable, no Java        (nojava/Dockerfile)
#
# Each image is tagged mycelium/NAME:RECIPE and mycelium/NAME:latest, where RECIPE is a hash of this script, the
# Dockerfiles and the files under base/. When every image of the current recipe exists the script only re-tags
# :latest and exits (seconds). The debootstrap'd rootfs is cached under docker/.cache/ by its own parameters.
#
# Usage: bash docker/build.sh [--rebuild]     (as root: debootstrap and chroot need it; a Docker engine must run)
set -euo pipefail
unset CDPATH
exec </dev/null
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cd "$here"
export LC_ALL=C DOCKER_BUILDKIT=0 # no buildx here: the classic builder, which uses local images without pulling

images=(debian_min debian_ro bastion nojava)
suite=bookworm
mirror=http://deb.debian.org/debian
# perl-base, util-linux (setsid, setpriv), bash and coreutils come with minbase (Essential: yes).
include=openssh-server,openssh-client,sudo,opendoas,procps,iproute2,ca-certificates
cache=$here/.cache
rebuild=false
case ${1:-} in
--rebuild) rebuild=true ;;
'') ;;
*)
  echo "usage: bash docker/build.sh [--rebuild]" >&2
  exit 2
  ;;
esac

start=$EPOCHREALTIME
# since T: seconds since EPOCHREALTIME value T, one decimal.
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f s", b - a }'; }
step() { printf '==> %s\n' "$*"; }
die() {
  printf 'docker/build.sh: error: %s\n' "$*" >&2
  exit 1
}

command -v docker >/dev/null || die "docker is not installed (apt-get install docker.io)"
docker info >/dev/null 2>&1 || die "no Docker engine reachable: start one with \`dockerd --bridge=none --iptables=false &\`"

mkdir -p "$cache"
# One build at a time: a second run waits, then finds the images made.
exec 9>"$cache/.lock"
flock -w 900 9 || die "another docker/build.sh has held $cache/.lock for 15 minutes"

# The recipe: everything that decides what the images contain.
recipe=$(
  for f in build.sh base/* "${images[@]/%//Dockerfile}"; do
    printf '%s\0' "$f"
    cat -- "$f"
    printf '\0'
  done | sha256sum | cut -c1-12
)
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
tag_latest() {
  local n
  for n in base "${images[@]}"; do docker tag "mycelium/$n:$recipe" "mycelium/$n:latest"; done
  # TestHost runs mycelium/NAME:RECIPE of this checkout while it exists, whatever another checkout did to :latest.
  printf '%s\n' "$recipe" >"$cache/recipe"
}
summary() {
  docker images --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep -E "^mycelium/[a-z_]+:$recipe " | sort
}

complete=true
for n in base "${images[@]}"; do have_image "mycelium/$n:$recipe" || complete=false; done
if $complete && ! $rebuild; then
  tag_latest
  summary
  echo "test-host images are up to date (recipe $recipe), $(since "$start")"
  exit 0
fi

# unmount_below DIR: unmounts whatever an interrupted debootstrap left mounted inside DIR, deepest first.
unmount_below() {
  local m
  awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
}
# stop_rooted_in DIR: kills processes (by pid) whose root is DIR, such as a daemon a package script started in the
# chroot. With host networking everywhere, a stray sshd there would hold a port on this machine.
stop_rooted_in() {
  local p r
  for p in /proc/[0-9]*; do
    r=$(readlink "$p/root" 2>/dev/null) || continue
    if [[ $r == "$1" || $r == "$1"/* ]]; then
      echo "stopping pid ${p#/proc/} ($(cat "$p/comm" 2>/dev/null)), left running in $1"
      kill -KILL "${p#/proc/}" 2>/dev/null || true
    fi
  done
}
remove_tree() {
  [[ -e $1 ]] || return 0
  stop_rooted_in "$1"
  unmount_below "$1"
  rm -rf --one-file-system -- "$1"
}

stage=$cache/stage-$recipe
trap 'remove_tree "$stage"' EXIT

# --- 1. the debootstrap'd rootfs, cached by its parameters ---------------------------------------------------------
rootfs_key=$(printf '%s\n' "$suite" minbase "$include" "$mirror" | sha256sum | cut -c1-12)
rootfs=$cache/rootfs-$rootfs_key
if ! have_image "mycelium/base:$recipe" || $rebuild; then
  [[ $(id -u) == 0 ]] || die "building the base rootfs needs root (debootstrap, chroot)"
  command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
  if [[ ! -f $rootfs.done ]]; then
    step "debootstrap $suite (minbase + $include) into ${rootfs#"$here"/}"
    t=$EPOCHREALTIME
    remove_tree "$rootfs"
    for attempt in 1 2; do # a second try for a flaky mirror
      remove_tree "$rootfs.tmp"
      if debootstrap --variant=minbase --include="$include" "$suite" "$rootfs.tmp" "$mirror" \
        >"$cache/debootstrap.log" 2>&1; then
        break
      fi
      ((attempt < 2)) || die "debootstrap failed twice; the last lines of $cache/debootstrap.log:
$(tail -n 20 "$cache/debootstrap.log")"
      echo "debootstrap failed, trying once more: $(tail -n 1 "$cache/debootstrap.log")"
    done
    stop_rooted_in "$rootfs.tmp"
    unmount_below "$rootfs.tmp"
    mv "$rootfs.tmp" "$rootfs"
    touch "$rootfs.done"
    echo "debootstrap: $(since "$t"), $(du -sh "$rootfs" | cut -f1)"
  else
    step "debootstrap: cached in ${rootfs#"$here"/}"
  fi
  for old in "$cache"/rootfs-*; do
    [[ $old == "$rootfs" || $old == "$rootfs.done" ]] && continue
    echo "removing the stale ${old#"$here"/}"
    if [[ -d $old ]]; then remove_tree "$old"; else rm -f -- "$old"; fi
  done

  # --- 2. the base image: the rootfs + the test user + the entrypoint --------------------------------------------
  step "mycelium/base:$recipe"
  t=$EPOCHREALTIME
  remove_tree "$stage"
  cp -a "$rootfs" "$stage"
  for f in usr/bin/perl usr/bin/setsid usr/bin/setpriv usr/sbin/sshd usr/bin/ssh usr/bin/sudo usr/bin/doas bin/bash; do
    [[ -x $stage/$f ]] || die "/$f is missing from the rootfs"
  done
  shell=/bin/sh
  [[ -x $stage/bin/bash ]] && shell=/bin/bash
  chroot "$stage" useradd --uid 1000 --user-group --create-home --home-dir /home/mycelium --shell "$shell" \
    --groups sudo mycelium
  # Two more login users for privilege-escalation tests: alice (uid 1001, group sudo, like mycelium) and bob (uid 1002,
  # not in sudo, but sudo and doas without a password by a rule of his own).
  chroot "$stage" useradd --uid 1001 --user-group --create-home --home-dir /home/alice --shell "$shell" --groups sudo alice
  chroot "$stage" useradd --uid 1002 --user-group --create-home --home-dir /home/bob --shell "$shell" bob
  # '*' (no password) rather than useradd's '!' (locked): with UsePAM no, sshd refuses any login to a locked account.
  for u in mycelium alice bob; do chroot "$stage" usermod --password '*' "$u"; done
  printf 'bob ALL=(ALL:ALL) NOPASSWD: ALL\n' >"$stage/etc/sudoers.d/bob"
  chmod 0440 "$stage/etc/sudoers.d/bob"
  printf 'permit :sudo\npermit nopass bob\n' >"$stage/etc/doas.conf"
  chmod 0644 "$stage/etc/doas.conf"
  install -m 0755 base/mycelium-test-host "$stage/usr/local/sbin/mycelium-test-host"
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$stage/etc/apt/apt.conf.d/90mycelium"
  # No host keys in the image: every container makes (or is given) its own under /run.
  rm -f "$stage"/etc/ssh/ssh_host_*
  rm -rf "$stage"/var/lib/apt/lists/* "$stage"/var/cache/apt/*.bin "$stage"/var/cache/apt/archives/*.deb \
    "$stage"/var/log/apt/* "$stage"/tmp/* "$stage"/root/.bash_history
  : >"$stage/etc/resolv.conf" # Docker mounts its own
  tar --numeric-owner -C "$stage" -cf - . | docker import \
    --change 'ENTRYPOINT ["/usr/local/sbin/mycelium-test-host"]' \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8' \
    --change "LABEL io.mycelium.recipe=$recipe io.mycelium.test-host=base" \
    --message "Mycelium test-host base, recipe $recipe" - "mycelium/base:$recipe" >/dev/null
  remove_tree "$stage"
  echo "base: $(since "$t")"
fi

# --- 3. the derived images --------------------------------------------------------------------------------------------
for n in "${images[@]}"; do
  step "mycelium/$n:$recipe"
  t=$EPOCHREALTIME
  docker build --network host --build-arg "BASE=mycelium/base:$recipe" --label "io.mycelium.recipe=$recipe" \
    -t "mycelium/$n:$recipe" "$n" >"$cache/build-$n.log" 2>&1 ||
    die "docker build of $n failed; the last lines of $cache/build-$n.log:
$(tail -n 30 "$cache/build-$n.log")"
  echo "$n: $(since "$t")"
done

# --- 4. check that each image is what it claims ---------------------------------------------------------------------
# shellcheck disable=SC2016 # these run inside the containers
common_checks='
test "$(id -u mycelium)" = 1000 || { echo "user mycelium is not uid 1000"; exit 1; }
test "$(id -u alice)" = 1001 && test "$(id -u bob)" = 1002 || { echo "users alice (1001) and bob (1002) are missing"; exit 1; }
for c in sshd ssh ssh-keygen sudo doas script stty perl ps pgrep pkill ip setsid setpriv mycelium-test-host; do
  command -v "$c" >/dev/null || { echo "$c is missing"; exit 1; }
done
perl -e "exit 0"
if ls /etc/ssh/ssh_host_* >/dev/null 2>&1; then echo "host keys are baked into the image"; exit 1; fi
printf "%s, perl %s" "$(ssh -V 2>&1 | cut -d, -f1)" "$(perl -e "print substr(\$^V, 1)")"
'
# shellcheck disable=SC2016
java_17='printf ", %s" "$(java -version 2>&1 | head -n 1)"; java -version 2>&1 | grep -q "version \"17\."'
no_java='if command -v java >/dev/null; then echo "java is present"; exit 1; fi; printf ", no java"'
# smoke NAME ARGS...: runs the entrypoint for real on a spare loopback address and waits for the SSH banner.
smoke() {
  local n=$1 addr=127.0.0.254 port=$((20000 + RANDOM % 10000)) id line='' i
  shift
  id=$(docker run -d --network host --tmpfs /run:rw,exec,size=16m "$@" -e SSH_LISTEN_ADDRESS=$addr -e SSH_PORT=$port \
    "mycelium/$n:$recipe")
  for ((i = 0; i < 100; i++)); do
    # shellcheck disable=SC2016 # expanded by the inner bash
    line=$(timeout 6 bash -c 'exec 3<>"/dev/tcp/$0/$1" && IFS= read -r -t 5 l <&3 && printf %s "$l"' \
      "$addr" "$port" 2>/dev/null) && break
    sleep 0.1
  done
  if [[ $line != SSH-2.0-* ]]; then
    docker logs "$id" >&2 || true
    docker rm -f "$id" >/dev/null
    die "$n: sshd did not answer on $addr:$port"
  fi
  docker rm -f "$id" >/dev/null
  printf ', sshd answers (%s)' "${line%$'\r'}"
}
step "checks"
t=$EPOCHREALTIME
for n in "${images[@]}"; do
  checks=$common_checks
  if [[ $n == debian_min ]]; then checks+=$java_17; else checks+=$no_java; fi
  printf '%s: ' "$n"
  docker run --rm --network host --entrypoint /bin/sh "mycelium/$n:$recipe" -ec "$checks" ||
    die "$n is not what it should be"
  case $n in
  debian_ro) smoke "$n" --read-only --memory 256m --tmpfs /dev/shm:rw,nosuid,nodev,exec,size=160m ;;
  *) smoke "$n" ;;
  esac
  echo
done
echo "checks: $(since "$t")"

tag_latest
# Other recipes' tags once they are a day old, then the layers nothing uses any more. Younger ones stay: branches
# built side by side on one engine (each re-tags :latest when it builds) must not delete each other's images.
stale_before=$(($(date +%s) - 86400))
docker images --format '{{.Repository}}:{{.Tag}}' | { grep -E '^mycelium/[a-z_]+:[0-9a-f]{12}$' || true; } |
  while read -r old; do
    [[ $old == *":$recipe" ]] && continue
    created=$(docker image inspect --format '{{.Created}}' "$old" 2>/dev/null) || continue
    (($(date -d "$created" +%s) < stale_before)) || continue
    docker rmi "$old" >/dev/null 2>&1 || true
  done
docker image prune -f --filter label=io.mycelium.recipe >/dev/null 2>&1 || true
summary
echo "test-host images built (recipe $recipe) in $(since "$start")"
