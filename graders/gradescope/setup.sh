#!/usr/bin/env bash
# Gradescope's setup.sh, run once as root when Gradescope builds the
# autograder's image from the zip that graders/gradescope/make-zip makes:
# the zip is the workbook itself, so /autograder/source is a workbook.
# Installs its packages (Gradescope's Ubuntu base image; the Dockerfile
# beside this file starts from ours instead) and prepares it
# (graders/prepare).  AUTOGRADER_ROOT stands for /autograder.
set -euo pipefail
"${AUTOGRADER_ROOT:-/autograder}/source/graders/prepare"
