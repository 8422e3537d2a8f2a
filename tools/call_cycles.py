#!/usr/bin/python3
"""Call cycles among the files of a static library (make check runs it on
the runner's, built normally and with the sanitizers).

  tools/call_cycles.py ARCHIVE...

A layer's files should call one another one way, so that each can be read,
tested and changed knowing only those below it (docs/harness.md, Files).
The calls are the linker's: a file calls another when it uses a symbol the
other defines (nm), which catches what a reader of the source misses: a
C library function the harness itself defines (fork, atexit), or a call
made only in one build.  Prints each cycle, with the symbols that make
each of its calls, and exits 1 if there is one; else one line and 0.
"""
import subprocess
import sys


def symbols(archive):
    """{member: (defined, used)} of the archive's objects, by nm."""
    out = subprocess.run(["nm", archive], capture_output=True, text=True, check=True).stdout
    members, member = {}, None
    for line in out.splitlines():
        if line.endswith(".o:"):
            member = line[: -len(".o:")]
            members[member] = (set(), set())
        elif member is not None:
            fields = line.split()
            if len(fields) == 3 and fields[1] in "TDBRVW":
                members[member][0].add(fields[2])
            elif len(fields) == 2 and fields[0] == "U":
                members[member][1].add(fields[1])
    return members


def calls(members):
    """{file: {file it calls: [symbols]}}."""
    owner = {name: member for member, (defined, _) in members.items() for name in defined}
    edges = {}
    for member, (_, used) in members.items():
        for name in sorted(used):
            callee = owner.get(name)
            if callee is not None and callee != member:
                edges.setdefault(member, {}).setdefault(callee, []).append(name)
    return edges


def cycles(nodes, edges):
    """The strongly connected components of more than one file (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for callee in edges.get(node, {}):
            if callee not in index:
                visit(callee)
                low[node] = min(low[node], low[callee])
            elif callee in on_stack:
                low[node] = min(low[node], index[callee])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(nodes):
        if node not in index:
            visit(node)
    return found


def main(archives):
    if not archives:
        print("usage: tools/call_cycles.py ARCHIVE...", file=sys.stderr)
        return 2
    status = 0
    for archive in archives:
        members = symbols(archive)
        edges = calls(members)
        knots = cycles(members, edges)
        if not knots:
            print(f"{archive}: its {len(members)} files call one another one way")
        for knot in knots:
            status = 1
            print(f"{archive}: a call cycle among {', '.join(f + '.c' for f in knot)}:")
            for caller in knot:
                for callee in knot:
                    if callee in edges.get(caller, {}):
                        names = ", ".join(edges[caller][callee][:4])
                        print(f"  {caller}.c -> {callee}.c ({names})")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
