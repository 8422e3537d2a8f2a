#!/usr/bin/env bash
# The devcontainer, proved without Docker (our machines have no engine):
#
#   1. debootstraps the Debian suite that .devcontainer/Dockerfile's FROM
#      names into a temporary folder, with the Docker image's apt sources;
#   2. runs the Dockerfile's COPY and RUN steps in it with chroot, among them
#      tools/install-deps.sh;
#   3. puts the clone in /workspaces/heapbook, as Codespaces does, and runs
#      devcontainer.json's lifecycle commands there as its remoteUser;
#   4. runs `make check` as that user.
#
#   tests/fresh-root.sh                 a clean clone of the committed HEAD
#   tests/fresh-root.sh --working-tree  the working tree, uncommitted files
#                                            too (what `git status` would add)
#
# Needs root (debootstrap, chroot, mount) and a Debian mirror: MIRROR, default
# http://deb.debian.org/debian.  Uses about 1 GiB under TMPDIR (default
# /var/tmp) and removes it at the end, pass or fail.  docs/instructors.md
# says how long it takes.
set -euo pipefail
cd "$(dirname "$0")/.."

mirror=${MIRROR:-http://deb.debian.org/debian}
# What `docker run` gives a process, rather than this shell's environment.
path_in_root=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "test-fresh-root: $*" >&2; exit 1; }

case "${1:-}" in
    "") source_tree=clone ;;
    --working-tree) source_tree=working ;;
    *) die "unknown option $1; usage: $0 [--working-tree]" ;;
esac
[ "$(id -u)" -eq 0 ] || die "needs root for debootstrap, chroot and mount; run: sudo $0 $*"
if ! command -v debootstrap >/dev/null; then
    apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
fi

scratch=$(mktemp -d "${TMPDIR:-/var/tmp}/heapbook-fresh-root.XXXXXX")
root=$scratch/root
src=$scratch/heapbook
cleanup() {
    for mount in "$root/dev/pts" "$root/proc"; do
        if mountpoint -q "$mount"; then umount "$mount"; fi
    done
    # --one-file-system: never into a mount that failed to come off.
    rm -rf --one-file-system "$scratch"
}
trap cleanup EXIT

# Runs a command that may print a lot; shows its last lines if it fails.
quietly() {
    local log=$scratch/log
    "$@" >"$log" 2>&1 || { tail -n 30 "$log"; die "failed: $*"; }
}

# A network that inspects TLS (as this workplace's does) signs with its own
# certificate authority, which the host trusts through NODE_EXTRA_CA_CERTS;
# a container on such a network is given the same file, and so is the root:
# without it npm ci cannot reach the registry.
extra_ca=()
if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
    extra_ca=(NODE_EXTRA_CA_CERTS=/etc/ssl/host-extra-ca.crt)
fi
install_extra_ca() {
    [ ${#extra_ca[@]} -eq 0 ] || { mkdir -p "$root/etc/ssl" && cp "$NODE_EXTRA_CA_CERTS" "$root/etc/ssl/host-extra-ca.crt"; }
}

# Root, in a clean environment and without a terminal, like a Docker build.
run_as_root() {
    chroot "$root" /usr/bin/env -i PATH="$path_in_root" HOME=/root "${extra_ca[@]}" \
        /bin/sh -c "$1" </dev/null
}

if [ "$source_tree" = clone ]; then
    echo "== a clean clone of HEAD ($(git rev-parse --short HEAD))"
    git clone --quiet --no-hardlinks "$PWD" "$src"
else
    echo "== the working tree"
    mkdir -p "$src"
    # Tracked and new files, less ignored ones and those deleted but not yet
    # committed.
    git ls-files -z --cached --others --exclude-standard |
        while IFS= read -r -d '' file; do if [ -e "$file" ]; then printf '%s\0' "$file"; fi; done |
        tar --null -T - -cf - | tar -xf - -C "$src"
fi

steps=$("$src/tools/devcontainer.py" steps)
image=$(awk '$1 == "FROM" { print $2; exit }' <<<"$steps")
[[ $image == debian:* ]] || die "the Dockerfile starts FROM $image; this test can only make debian:SUITE"
suite=${image#debian:}

echo "== debootstrap --variant=minbase $suite ($mirror)"
quietly debootstrap --variant=minbase "$suite" "$root" "$mirror"
install_extra_ca
# The sources of Docker's debian image: updates and security besides the
# release, so packages come at the versions the image would get.
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<EOF
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# What Docker gives every container: an /etc/hosts naming localhost (bear,
# in `make compile_commands.json`, talks to itself through it), /proc and a
# terminal device (script(1) in `make check` needs one).
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
mount -t proc proc "$root/proc"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"

while read -r keyword arguments; do
    case $keyword in
        FROM) ;;
        COPY)
            read -r source destination extra <<<"$arguments"
            if [ -n "$extra" ] || [[ $source == --* ]]; then
                die "COPY $arguments: only COPY of one file without options is supported"
            fi
            echo "== COPY $source $destination"
            mkdir -p "$root$(dirname "$destination")"
            cp "$src/$source" "$root$destination"  # the build context is the repository
            ;;
        RUN)
            echo "== RUN $arguments"
            run_as_root "$arguments"
            ;;
        *) die "the Dockerfile uses $keyword, which this test does not run; teach it here first" ;;
    esac
done <<<"$steps"

workspace=/workspaces/heapbook
mkdir -p "$root/workspaces"
mv "$src" "$root$workspace"
devcontainer_py=$root$workspace/tools/devcontainer.py
user=$("$devcontainer_py" get remoteUser)
user=${user:-root}
IFS=: read -r _ _ uid gid _ home _ < <(chroot "$root" getent passwd "$user") ||
    die "remoteUser $user is not a user of the image"
chown -R "$uid:$gid" "$root$workspace"

# The user, in the workspace, as VS Code runs lifecycle commands.
run_as_user() {
    chroot --userspec="$uid:$gid" "$root" /usr/bin/env -i PATH="$path_in_root" HOME="$home" \
        USER="$user" "${extra_ca[@]}" /bin/sh -c "cd $workspace && $1" </dev/null
}
for key in onCreateCommand updateContentCommand postCreateCommand postStartCommand postAttachCommand; do
    command=$("$devcontainer_py" get "$key")
    [ -n "$command" ] || continue
    echo "== $key (as $user): $command"
    run_as_user "$command"
done

echo "== make check (as $user)"
run_as_user "make check"
echo "test-fresh-root: passed in ${SECONDS} s"
