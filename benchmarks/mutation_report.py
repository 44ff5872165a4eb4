"""Score and survivors of the last mutation-testing run.

Run after ``mutmut run --max-children 2`` (configured in ``pyproject.toml``,
``[tool.mutmut]``: the modules mutated and the test files run), from the
repository root::

    python benchmarks/mutation_report.py --runtime "<minutes of the run>" \\
        > benchmarks/output/mutation.txt

It prints, per module, how many mutants the tests killed (a failing test,
or a run past mutmut's timeout: the mutant made the tests hang), how many
survived and how many no selected test reached, the score ``(killed +
timeout) / mutants``, and every surviving mutant with its diff and, when it
is listed in :data:`EQUIVALENT`, the reason it is equivalent to the original
code (no test can tell them apart). A survivor that is not listed is a gap in
the tests.
"""

import argparse
import re
import subprocess
import sys
from collections import Counter, defaultdict

# Surviving mutants that behave exactly as the original code, and why. Names
# are mutmut's (module, function, number), valid for the code they were
# recorded on; a change to the function renumbers them.
EQUIVALENT = {}

KILLED = ("killed", "timeout")


def _results():
    """``{mutant name: status}`` of every mutant of the last run."""
    done = subprocess.run(
        ["mutmut", "results", "--all", "true"], capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    status = {}
    for line in done.stdout.splitlines():
        match = re.match(r"\s*(\S+): (.+)$", line)
        if match:
            status[match[1]] = match[2].strip()
    return status


def _module(name):
    """``sklearn_sas._gbp`` of ``sklearn_sas._gbp.x_forward__mutmut_3``."""
    return name.rsplit(".", 1)[0]


def _diff(name):
    done = subprocess.run(["mutmut", "show", name], capture_output=True, text=True)
    lines = done.stdout.splitlines()
    # the header line and the file names repeat what the name says
    return "\n".join(
        line for line in lines[1:] if not line.startswith(("---", "+++"))
    ).strip()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runtime", default="not given", help="duration of the run")
    args = parser.parse_args(argv)
    status = _results()
    if not status:
        sys.exit("no mutation results: run `mutmut run --max-children 2` first")
    import mutmut

    print("Mutation testing of sklearn_sas")
    print(f"  mutmut {mutmut.__version__}, `mutmut run --max-children 2`, "
          f"runtime {args.runtime}")  # fmt: skip
    print("  score = (killed + timeout) / mutants; equivalent survivors are "
          "listed with their reason\n")
    by_module = defaultdict(Counter)
    for name, state in status.items():
        by_module[_module(name)][state] += 1
    columns = ("killed", "timeout", "survived", "no tests", "other")
    print(f"{'module':<36}{'mutants':>8}" + "".join(f"{c:>10}" for c in columns)
          + f"{'score':>8}")  # fmt: skip
    total = Counter()
    for module in sorted(by_module):
        counts = by_module[module]
        total.update(counts)
        _row(module, counts, columns)
    _row("all", total, columns)
    survivors = sorted(n for n, s in status.items() if s not in KILLED)
    unexplained = [n for n in survivors if n not in EQUIVALENT]
    print(f"\n{len(survivors)} mutants not killed: {len(survivors) - len(unexplained)} "
          f"equivalent (reason below), {len(unexplained)} not accounted for\n")  # fmt: skip
    for name in survivors:
        print(f"== {name}: {status[name]}")
        print(f"   equivalent: {EQUIVALENT.get(name, 'NO: a gap in the tests')}")
        print(_diff(name))
        print()


def _row(module, counts, columns):
    n = sum(counts.values())
    other = n - sum(counts[c] for c in columns[:-1])
    cells = [counts[c] for c in columns[:-1]] + [other]
    score = sum(counts[c] for c in KILLED) / n if n else float("nan")
    print(f"{module:<36}{n:>8}" + "".join(f"{c:>10}" for c in cells) + f"{score:>8.1%}")


if __name__ == "__main__":
    main()
