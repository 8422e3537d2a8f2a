#!/usr/bin/python3
"""Writes compile_commands.json from dry runs of the build.

  tools/compile_commands.py DIR TARGET... [-- DIR TARGET...] > compile_commands.json

For each group, `make -C DIR -n -B TARGET...` prints every command that
would build the targets from scratch, recursive makes into the same folder
included (the Clang build), and runs none of them: this takes a second
where recording a real rebuild (bear) took a minute.  Each command whose
program is a C compiler and that names a C or assembly source becomes one
entry per source, in DIR.  A group's targets may carry make's own options
(`-o FILE` keeps a recursion into another folder out of the dry run).

Fails, naming them, if a C file git tracks is compiled by no command found:
an editor would have no flags for it.
"""
import json
import os
import re
import shlex
import subprocess
import sys

COMPILERS = {"cc", "gcc", "clang"}
SOURCE = re.compile(r".*\.(c|S)$")


def shell_commands(line):
    """The simple commands of a shell line: `a && b; c` gives [a], [b], [c]."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=";&|")
    lexer.whitespace_split = True
    command = []
    for token in lexer:
        if set(token) <= set(";&|"):
            if command:
                yield command
            command = []
        else:
            command.append(token)
    if command:
        yield command


def is_compiler(program):
    # gcc-12, clang-14 and x86_64-linux-gnu-gcc are compilers too.
    name = os.path.basename(program)
    return any(name == c or name.startswith(c + "-") or name.endswith("-" + c) for c in COMPILERS)


def entries(directory, lines):
    pending = ""
    for line in lines:
        if line.endswith("\\"):  # a recipe continued on the next line
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        try:
            commands = list(shell_commands(line))
        except ValueError:  # not a shell line: one of make's messages
            continue
        for arguments in commands:
            # A command run with variables set first (VAR=value tool ...).
            while arguments and re.fullmatch(r"[A-Za-z_]\w*=.*", arguments[0]):
                arguments = arguments[1:]
            if arguments and os.path.basename(arguments[0]) == "check_source.py":
                # tools/check_source.py SANITIZER_FLAGS OUTPUT CC FLAGS... SOURCE
                # preprocesses SOURCE as CC FLAGS -E -C would, and checks it.
                arguments = arguments[3:] + ["-E", "-C", "-o", arguments[2]]
            if arguments and is_compiler(arguments[0]):
                arguments = as_compile(arguments)
                for source in filter(SOURCE.match, arguments[1:]):
                    yield {"directory": directory, "arguments": arguments, "file": source}


def as_compile(arguments):
    """An exercise's file is preprocessed once (-E -C) and compiled from
    that (mk/exercises.mk): for an editor, the compile it stands for."""
    if "-E" not in arguments:
        return arguments
    return ["-c" if a == "-E" else a for a in arguments if a != "-C"]


def dry_run(directory, targets):
    # The dry run is a make of its own, not a job of the make that runs
    # this script: without its jobserver, and printing no folder changes.
    environment = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS")}
    make = os.environ.get("MAKE", "make")
    run = subprocess.run([make, "--no-print-directory", "-C", directory, "-n", "-B", *targets],
                         env=environment, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit(f"{run.stderr}compile_commands.py: make -n -B in {directory} failed "
                 f"(exit {run.returncode}); make's messages are above")
    return run.stdout.splitlines()


def tracked_c_files():
    """The C files git tracks; none outside a git clone (a downloaded copy)."""
    listing = subprocess.run(["git", "ls-files", "*.c"], capture_output=True, text=True)
    return listing.stdout.split() if listing.returncode == 0 else []


def groups(arguments):
    group = []
    for argument in arguments + ["--"]:
        if argument != "--":
            group.append(argument)
        elif group:
            yield group[0], group[1:]
            group = []


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    found = []
    for directory, targets in groups(sys.argv[1:]):
        found += entries(os.path.abspath(directory), dry_run(directory, targets))
    if not found:
        sys.exit("compile_commands.py: the dry runs compile nothing")
    listed = {os.path.relpath(os.path.join(e["directory"], e["file"])) for e in found}
    missing = [f for f in tracked_c_files() if f not in listed]
    if missing:
        sys.exit("compile_commands.py: no command of the build compiles " + ", ".join(missing) +
                 "; add its target to the Makefile's compile_commands.json rule")
    json.dump(found, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
