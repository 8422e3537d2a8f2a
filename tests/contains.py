#!/usr/bin/python3
"""Checks that a test binary's output holds the messages expected of it.

  tests/contains.py MESSAGES OUTPUT

MESSAGES is blocks of lines, a blank line between blocks.  Each block must
appear in OUTPUT as consecutive lines, each output line containing its
block's line (so a quote may leave out the start of a line, as CUnit's
"1. file:line  - ", or its end, as an address).  A report's stack is one
block: its frames must come in that order, one after the other.

Prints each block that is not there; exit status 1 if any.
"""
import sys


def blocks(text):
    block = []
    for line in text.splitlines():
        if line.strip():
            block.append(line)
        elif block:
            yield block
            block = []
    if block:
        yield block


def found(block, output):
    return any(all(block[j] in output[i + j] for j in range(len(block)))
               for i in range(len(output) - len(block) + 1))


def main(messages_path, output_path):
    with open(output_path, errors="replace") as f:
        output = f.read().splitlines()
    with open(messages_path) as f:
        missing = [block for block in blocks(f.read()) if not found(block, output)]
    for block in missing:
        print("\n".join(block) + "\n")
    return 1 if missing else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: tests/contains.py MESSAGES OUTPUT")
    sys.exit(main(sys.argv[1], sys.argv[2]))
