#!/usr/bin/env bash
# The README's set-up, proved on a fresh system without Docker (our machines
# have no engine).  Both ways debootstrap the Debian suite that
# .devcontainer/Dockerfile's FROM names into a temporary folder, with the
# Docker image's apt sources, then:
#
# bare (the default): a new user's machine, with git and sudo and nothing
#   else (no make: Debian's minimal root has none, nor has a new Ubuntu
#   desktop).  The clone goes in the home of a user who may sudo, and the
#   README's two commands run there as that user, nothing else
#   (`./start.sh`, which installs what is missing, then `make check`);
#
# --devcontainer: the image.  It runs the Dockerfile's ENV, COPY and RUN
#   steps with chroot, among them tools/install-deps.sh, puts the clone in
#   /workspaces/heapbook, as Codespaces does, and runs the README's two
#   commands there as devcontainer.json's remoteUser with the network cut:
#   the image must hold everything they need;
#
# then, offline either way, `make flamegraph EX=01`, which must write its
# page (the page's libraries came with the set-up, not on first use).
#
#   tests/fresh-root.sh [--devcontainer] [--working-tree]
#       --working-tree  the working tree, uncommitted files too (what `git
#                       status` would add), rather than a clean clone of
#                       the committed HEAD
#
# Needs root (debootstrap, chroot, mount, unshare) and a Debian mirror:
# MIRROR, default http://deb.debian.org/debian.  Uses about 2 GiB under
# TMPDIR (default /var/tmp) and removes it at the end, pass or fail.
# docs/instructors.md says how long it takes.
set -euo pipefail
cd "$(dirname "$0")/.."

mirror=${MIRROR:-http://deb.debian.org/debian}
# What `docker run` gives a process, rather than this shell's environment.
path_in_root=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

die() { echo "test-fresh-root: $*" >&2; exit 1; }

source_tree=clone
machine=bare
for option in "$@"; do
    case "$option" in
        --working-tree) source_tree=working ;;
        --devcontainer) machine=devcontainer ;;
        *) die "unknown option $option; usage: $0 [--devcontainer] [--working-tree]" ;;
    esac
done
[ "$(id -u)" -eq 0 ] || die "needs root for debootstrap, chroot, mount and unshare; run: sudo $0 $*"
if ! command -v debootstrap >/dev/null; then
    apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null
fi

scratch=$(mktemp -d "${TMPDIR:-/var/tmp}/heapbook-fresh-root.XXXXXX")
root=$scratch/root
src=$scratch/heapbook
cleanup() {
    for mount in "$root/dev/shm" "$root/dev/pts" "$root/proc"; do
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

# The Dockerfile's ENV settings so far, given to every later step and to the
# user's commands, as Docker gives them to the container.
image_env=()

# Root, in a clean environment and without a terminal, like a Docker build.
run_as_root() {
    chroot "$root" /usr/bin/env -i PATH="$path_in_root" HOME=/root "${extra_ca[@]}" \
        "${image_env[@]}" /bin/sh -c "$1" </dev/null
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
# debian:bookworm@sha256:...: the suite is the tag.  debootstrap makes that
# suite as the mirror has it today; the digest pins the image's first layer,
# which apt-get upgrades to the same packages.
[[ $image =~ ^debian:([a-z]+)(@sha256:[0-9a-f]{64})?$ ]] ||
    die "the Dockerfile starts FROM $image; this test can only make debian:SUITE[@sha256:DIGEST]"
suite=${BASH_REMATCH[1]}

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
# What Docker gives every container (and every Debian or Ubuntu machine
# has): an /etc/hosts naming localhost (bear, in `make compile_commands.json`,
# talks to itself through it), /proc, a terminal device (script(1) in `make
# check` needs one) and /dev/shm (shm_open, which the harness counts).
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"
mount -t proc proc "$root/proc"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
mkdir -p "$root/dev/shm"
mount -t tmpfs -o mode=1777,nosuid,nodev shm "$root/dev/shm"

run_dockerfile_steps() {
    local keyword arguments
    while read -r keyword arguments; do
        case $keyword in
            FROM) ;;
            ENV)
                [[ $arguments =~ ^[A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*$ ]] ||
                    die "ENV $arguments: only ENV KEY=VALUE, one setting without spaces, is supported"
                echo "== ENV $arguments"
                image_env+=("$arguments")
                ;;
            COPY)
                read -r -a files <<<"$arguments"
                destination=${files[-1]}
                unset 'files[-1]'
                if [[ ${files[0]:-} == --* ]] || [ ${#files[@]} -eq 0 ]; then
                    die "COPY $arguments: only COPY of files without options is supported"
                fi
                # As Docker: several sources go into a folder, named with a final /.
                if [ ${#files[@]} -gt 1 ] && [[ $destination != */ ]]; then
                    die "COPY $arguments: copying several files needs a destination ending in /"
                fi
                echo "== COPY ${files[*]} $destination"
                for source in "${files[@]}"; do
                    target=$root$destination
                    [[ $destination == */ ]] && target+=$(basename "$source")
                    mkdir -p "$(dirname "$target")"
                    cp "$src/$source" "$target"  # the build context is the repository
                done
                ;;
            RUN)
                echo "== RUN $arguments"
                run_as_root "$arguments"
                ;;
            *) die "the Dockerfile uses $keyword, which this test does not run; teach it here first" ;;
        esac
    done <<<"$steps"
}

if [ "$machine" = devcontainer ]; then
    run_dockerfile_steps
    workspace=/workspaces/heapbook
    mkdir -p "$root/workspaces"
    mv "$src" "$root$workspace"
    devcontainer_py=$root$workspace/tools/devcontainer.py
    user=$("$devcontainer_py" get remoteUser)
    user=${user:-root}
    IFS=: read -r _ _ uid gid _ home _ < <(chroot "$root" getent passwd "$user") ||
        die "remoteUser $user is not a user of the image"
    chown -R "$uid:$gid" "$root$workspace"
else
    # What a new user's Debian has: git, and sudo for their own user.
    echo "== a bare system: git and sudo, a user who may sudo"
    run_as_root "apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends git sudo ca-certificates >/dev/null"
    if chroot "$root" /bin/sh -c 'command -v make' >/dev/null; then
        die "the bare root has make already: it proves nothing about a system without it"
    fi
    user=student
    run_as_root "useradd --create-home --shell /bin/bash $user && \
        echo '$user ALL=(ALL) NOPASSWD:ALL' >/etc/sudoers.d/$user && chmod 0440 /etc/sudoers.d/$user"
    IFS=: read -r _ _ uid gid _ home _ < <(chroot "$root" getent passwd "$user")
    workspace=$home/heapbook
    mv "$src" "$root$workspace"
    chown -R "$uid:$gid" "$root$workspace"
fi

# The user, in the workspace, without a terminal.
as_user() {
    chroot --userspec="$uid:$gid" "$root" /usr/bin/env -i PATH="$path_in_root" HOME="$home" \
        USER="$user" "${extra_ca[@]}" "${image_env[@]}" /bin/sh -c "cd $workspace && $1" </dev/null
}
# ... and without a network: a namespace of its own has no interface but a
# loopback, which is brought up.
offline_as_user() {
    unshare --net /bin/sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh \
        chroot --userspec="$uid:$gid" "$root" /usr/bin/env -i PATH="$path_in_root" HOME="$home" \
        USER="$user" "${extra_ca[@]}" "${image_env[@]}" /bin/sh -c "cd $workspace && $1" </dev/null
}

# The README's set-up, word for word: the commands of the code block after
# its "## Start" heading, less their comments.
readme_commands=$(awk '/^## Start/ { start = 1 } start && /^```/ { if (block) exit; block = 1; next }
    block { sub(/ *#.*/, ""); if ($0 != "") print }' "$root$workspace/README.md")
[ "$(wc -l <<<"$readme_commands")" -eq 2 ] ||
    die "README.md's \"## Start\" block should hold two commands; it holds: $readme_commands"
image_seconds=$SECONDS
while read -r command; do
    if [ "$machine" = devcontainer ]; then
        echo "== $command (as $user, offline)"
        offline_as_user "$command"
    else
        echo "== $command (as $user)"
        as_user "$command"
    fi
done <<<"$readme_commands"

echo "== make flamegraph EX=01 (as $user, offline)"
offline_as_user "make flamegraph EX=01"
page=$root$workspace/build/exercises/01-fibonacci/flamegraph.html
[ -s "$page" ] || die "make flamegraph EX=01 wrote no $page"
echo "test-fresh-root ($machine): passed in ${SECONDS} s: the set-up before the README $image_seconds s," \
    "the README's commands and make flamegraph $((SECONDS - image_seconds)) s;" \
    "$(du -sh --one-file-system "$root" | cut -f1) in the root"
