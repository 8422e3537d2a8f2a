"""The checks of tests/editor/'s scripts, run and counted alike."""
import subprocess
import xml.etree.ElementTree as ElementTree

# What a check may raise when a binary's output or a file is not what it
# should be: a problem to report, not a crash of the script.
PROBLEMS = (AssertionError, OSError, ValueError, LookupError, StopIteration,
            ElementTree.ParseError, subprocess.SubprocessError)


def run_checks(name, checks):
    """Runs each (description, check) of `checks`, a check returning its
    problems (none: it holds); prints "NAME: ok ..." or "NAME: FAILED ..."
    with the first ten problems, then "NAME: N passed, M failed".  Returns
    the exit status: 1 if any failed."""
    failed = 0
    for description, check in checks:
        try:
            problems = check()
        except PROBLEMS as error:
            problems = [str(error) or repr(error)]
        if problems:
            failed += 1
            print(f"{name}: FAILED {description}:\n  " + "\n  ".join(problems[:10]))
        else:
            print(f"{name}: ok {description}")
    print(f"{name}: {len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0
