#!/usr/bin/env bash
# make reset EX=NN: puts an exercise's starter back, after asking, and keeps
# the student's version in build/backups/.  The starter is the version in
# git: the one the clone came with (origin's), or else the last commit.
#   YES=1 make reset EX=NN   answers yes without asking.
set -u
cd "$(dirname "$0")/.."
. tools/lib.sh

exercise=$(exercise_dir "${1:?usage: reset.sh EX}") || exit 2
ref=HEAD
git rev-parse -q --verify origin/HEAD >/dev/null && ref=origin/HEAD
backup="build/backups/$exercise-$(date +%Y%m%d-%H%M%S)"

if [ "${YES:-}" != 1 ]; then
    printf 'Reset exercises/%s to its starter? Your version is kept in %s. [y/N] ' \
        "$exercise" "$backup"
    read -r answer || answer=""
    case "$answer" in
    y | Y | yes) ;;
    *) echo "Nothing changed."; exit 0 ;;
    esac
fi
mkdir -p "$backup"
cp -r "exercises/$exercise/." "$backup/"
git checkout "$ref" -- "exercises/$exercise"
rm -f "build/hints/$exercise"
echo "exercises/$exercise is the starter again; your version is in $backup/."
