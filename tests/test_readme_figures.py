"""The README's measured figures are in the stored output of the commands it cites.

Text only: reads README.md and the stored outputs, runs nothing.

Which command a README block cites
----------------------------------
A block is a paragraph, a list item, a table row or a fenced code block. It
cites ``python examples/X.py`` (stored output ``examples/output/X.txt``),
``python benchmarks/X.py`` (``benchmarks/output/X.txt``) or
``python maint_tools/X.py`` (``maint_tools/output/X.txt``) when it names the
command or its output file itself; a table row through the table's "command"
column ("same": the row above's command); a table row or code block without
one through the paragraph right before it, which introduces it. A block citing
several commands passes when each figure is in one of their outputs. Blocks of
README.md citing a command are checked, one test case per (README topic,
commands), the topic being the bold lead (``**Speed**``) of the paragraph
that opened it; a command whose output is not stored fails with
"no stored output" and the figures waiting for it. In the Results section
every block with a figure must cite a command.

What a measured figure is
-------------------------
- a number with a decimal point, a ``%``, an ``x`` ratio suffix or a unit
  (``UNITS``: ms, s, KiB, MiB, nats, GFLOP/s, points, epochs); in a range or
  ``±`` pair (``1.6-2.1 points``, ``6.56 ± 0.24%``) the first number takes
  the unit of the second;
- a per-layer group of three or more numbers joined by ``/`` (``69/56/34``);
- the integers of an "N of M" count (``7034, 1354, 360 of 78400, 10000, 1000``,
  ``127 of the 784``).

What is not, and is never checked (the exclusion rules)
-------------------------------------------------------
1. anything inside a `code span`: settings, names and commands
   (`alpha=1e-3`, `sparsity=0.9`, `python benchmarks/bench_recipe.py`);
2. the cells of columns that describe the setup (``SETUP_COLUMNS``: recipe,
   data and network, pruning rule, the finding, the verdict, what is timed,
   the command);
3. a number right after a setting word (``SETTING_BEFORE``): the recipe's
   step, std and decay, a target, a version, the pi / xi bin edges
   (``step 0.1``, ``std 0.05``, ``target 40%``, ``version 0.1``, ``pi <= 0.05``);
4. numbers in scientific notation (``1e-4``): penalties and tolerances;
5. ``100 epochs``, the fixed epoch count of the recipes (``EXCLUDED``);
6. any other integer without a unit: layer shapes (784-100-100-10), seeds
   (0-2), split and training-set sizes (4,000 / 1,000), batch sizes, numbers
   of runs and networks.

How a figure matches the output
-------------------------------
The output is read as numbers with boundaries, so a figure never matches part
of a longer number (4.3 is not in 94.3). A figure matches an output number of
the same value written with at least as many decimals (README 1,040 = output
1040; 93.5 = 93.50; 18 = -18.0), and a percentage also matches the fraction
the output prints (93.5% = 0.9350, 6.56% = 0.0656; but 28% is not 0.28%). A
figure written with a ``-`` needs a negative output number; one with ``+`` or
no sign matches an unsigned or ``+`` number, and one without a sign also a
negative number ("loses 0.2 points" = -0.2). An ``x`` ratio matches only a
number written with ``x`` (12.8x = 12.8x, not 12.8); other units are not
compared. A ``/`` group matches as text, with the same boundaries, and the
numbers inside the output's groups do not count alone (18 is not in 14/18/43).
"""

import glob
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import pytest

pytestmark = pytest.mark.artefact

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
RESULTS_SECTION = "Results"

# ---------------------------------------------------------------- exclusions

SETUP_COLUMNS = {
    "recipe",  # bench_recipe's training settings
    "data, network",  # data set, layer sizes, seeds
    "rule",  # the pruning rule and its sparsity setting
    "finding",  # the paper's claim
    "held?",  # the verdict
    "what",  # what is timed: shapes, rows, connections
    "command",  # the command itself
}
SETTING_BEFORE = re.compile(
    r"(?:\bstep(?:\s+size)?(?:\s+of)?|\bstd|\bdecay|\btarget|\bversion"
    r"|\b(?:pi|xi)\s*(?:<=|>=|==|<|>))\s*$",
    re.IGNORECASE,
)
EXCLUDED = re.compile(r"^100 epochs$")

# ---------------------------------------------------------------- patterns

COMMAND = re.compile(r"python\s+(examples|benchmarks|maint_tools)/(\w+)\.py\b")
OUTPUT_FILE = re.compile(r"\b(examples|benchmarks|maint_tools)/output/(\w+)\.txt\b")
CODE_SPAN = re.compile(r"`[^`\n]*`")
UNITS = r"%|ms\b|s\b|KiB\b|MiB\b|nats?\b|GFLOP/s|points?\b|epochs\b"
NUMBER = re.compile(
    r"(?<![\w.])(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<exp>[eE][+-]?\d+)?"
    rf"(?P<unit>\s?(?:{UNITS})|x(?!\w))?"
)
GROUP = re.compile(r"(?<![\w./])\d+(?:\.\d+)?(?:/\d+(?:\.\d+)?){2,}(?![\w/]|\.\d)")
INT = r"(?:\d{1,3}(?:,\d{3})+|\d+)"
COUNT = re.compile(
    rf"(?<![\w.,])(?P<n>{INT}(?:, {INT})*) of (?:the )?"
    rf"(?P<m>{INT}(?:, {INT})*)(?!\w|\.\d)"
)
PAIR_JOIN = re.compile(r"\s*(?:-|–|to|±|\+-)\s*")
SIGNS = "+-−"


@dataclass
class Figure:
    """A measured figure of the README."""

    text: str
    line: int
    group: bool = False  # a per-layer "a/b/c" group, matched as text
    sign: str = ""
    value: Decimal = Decimal(0)
    decimals: int = 0
    unit: str = ""  # "%", "x", "ms", ...; taken from the range's end if shared


@dataclass
class Block:
    """A paragraph, list item, table row or code block of a README."""

    line: int
    section: str
    topic: str
    text: str  # the checked text (setup columns left out)
    commands: tuple = ()
    figures: list = field(default_factory=list)


def commands_in(text):
    """The commands with stored output that ``text`` cites, as script paths."""
    found = {f"{d}/{name}.py" for d, name in COMMAND.findall(text)}
    found |= {f"{d}/{name}.py" for d, name in OUTPUT_FILE.findall(text)}
    return tuple(sorted(found))


def output_path(command, root=REPO):
    folder, script = command.split("/")
    return root / folder / "output" / script.replace(".py", ".txt")


def _sign_before(text, start):
    """The sign written right before position ``start``: '-' '+' or ''."""
    if start > 0 and text[start - 1] in SIGNS:
        before = text[start - 2] if start > 1 else " "
        if not (before.isalnum() or before in "._"):  # not a dash of 1.6-2.1
            return "-" if text[start - 1] in "-−" else "+"
    return ""


def _number(text, match, unit):
    num = match.group("num").replace(",", "")
    sign = _sign_before(text, match.start("num"))
    return Figure(
        text=sign + match.group(0).strip(),
        line=0,
        sign=sign,
        value=Decimal(num),
        decimals=len(num.split(".")[1]) if "." in num else 0,
        unit=unit,
    )


def extract_figures(text):
    """The measured figures of ``text`` with their offsets, exclusions applied."""
    text = CODE_SPAN.sub(lambda m: " " * len(m.group(0)), text)  # rule 1
    figures = []
    for m in GROUP.finditer(text):
        figures.append((m.start(), Figure(text=m.group(0), line=0, group=True)))
    text = GROUP.sub(lambda m: " " * len(m.group(0)), text)
    counts = set()
    for m in COUNT.finditer(text):
        for name in ("n", "m"):
            pos = m.start(name)
            for item in m.group(name).split(", "):
                counts.add(pos)
                pos += len(item) + 2
    matches = list(NUMBER.finditer(text))
    units = [(m.group("unit") or "").strip() for m in matches]
    for k in range(len(matches) - 2, -1, -1):  # a range or pair shares its unit
        end = matches[k + 1].start("num")
        end -= bool(_sign_before(text, end))
        between = text[matches[k].end() : end]
        if not units[k] and units[k + 1] and PAIR_JOIN.fullmatch(between):
            units[k] = units[k + 1]
    for m, unit in zip(matches, units):
        start = m.start("num")
        sign_at = start - 1 if _sign_before(text, start) else start
        if m.group("exp"):  # rule 4
            continue
        if SETTING_BEFORE.search(text[:sign_at]):  # rule 3
            continue
        if EXCLUDED.match(f"{m.group('num')} {unit}".strip()):  # rule 5
            continue
        if "." not in m.group("num") and not unit and start not in counts:  # rule 6
            continue
        figure = _number(text, m, unit)
        if unit and not m.group("unit"):
            figure.text += f" ({unit})"
        figures.append((sign_at, figure))
    return sorted(figures, key=lambda item: item[0])


def _cells(row):
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def parse_blocks(text):
    """The blocks of a README with the commands they cite and their figures."""
    lines = text.split("\n")
    blocks = []
    section = topic = ""
    intro = ()  # commands of the paragraph right before a table or code block
    i = 0

    def add(first, body, commands):
        block = Block(first + 1, section, topic, body, commands)
        for offset, figure in extract_figures(body):
            figure.line = first + 1 + body.count("\n", 0, offset)
            block.figures.append(figure)
        blocks.append(block)

    while i < len(lines):
        line = lines[i]
        if line.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].startswith("```"):
                j += 1
            body = "\n".join(lines[i + 1 : j])
            add(i + 1, body, commands_in(body) or intro)
            intro, i = (), j + 1
        elif line.startswith("#"):
            section = topic = line.lstrip("#").strip()
            intro, i = (), i + 1
        elif not line.strip():
            i += 1
        elif line.startswith("|"):
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            header = _cells(lines[i])
            previous = ()
            for k in range(i, j):
                if k == i + 1:  # the | --- | separator
                    continue
                cells = _cells(lines[k])
                commands = intro
                if "command" in header and k > i:
                    cell = cells[header.index("command")]
                    commands = previous if cell == "same" else commands_in(cell)
                    previous = commands
                kept = [
                    c for name, c in zip(header, cells) if name not in SETUP_COLUMNS
                ]
                add(k, " | ".join(kept), commands)
            intro, i = (), j
        else:
            j = i + 1
            item = line.startswith("- ")
            while j < len(lines) and lines[j].strip():
                nxt = lines[j]
                if nxt.startswith(("|", "```", "#", "- ")):
                    break
                if item and not nxt.startswith(" "):
                    break
                j += 1
            body = "\n".join(lines[i:j])
            lead = re.match(r"\*\*(.+?)\*\*", body)
            if lead:
                topic = lead.group(1).rstrip(".")
            commands = commands_in(body)
            add(i, body, commands)
            intro, i = (commands if not item else ()), j
    return blocks


# ---------------------------------------------------------------- matching


def output_numbers(text):
    """The numbers of an output text: (sign, value, decimals, unit).

    Not the parts of a per-layer group (the 18 of 14/18/43).
    """
    found = []
    for m in NUMBER.finditer(text):
        around = text[max(m.start("num") - 1, 0) : m.start("num")]
        if "/" in around + text[m.end("num") : m.end("num") + 1]:
            continue
        num = m.group("num").replace(",", "")
        value = Decimal(num + (m.group("exp") or ""))
        decimals = len(num.split(".")[1]) if "." in num else 0
        unit = (m.group("unit") or "").strip()
        found.append((_sign_before(text, m.start("num")), value, decimals, unit))
    return found


def figure_in(figure, out_text, out_numbers):
    """Whether the output (text and its numbers) shows ``figure``."""
    if figure.group:
        pattern = r"(?<![\w./])" + re.escape(figure.text) + r"(?![\w/]|\.\d)"
        return re.search(pattern, out_text) is not None
    for sign, value, decimals, unit in out_numbers:
        if figure.sign == "-" and sign != "-":
            continue
        if figure.sign == "+" and sign == "-":
            continue
        if figure.unit == "x" and unit != "x":  # a ratio matches a ratio
            continue
        if value == figure.value and decimals >= figure.decimals:
            return True
        if (  # the fraction of a percentage, not a percentage itself
            figure.unit == "%"
            and unit != "%"
            and value == figure.value / 100
            and decimals >= figure.decimals + 2
        ):
            return True
    return False


def readme_cases(text):
    """Checked blocks grouped by (topic, commands): {key: [(figure, ...)]}."""
    cases = {}
    for block in parse_blocks(text):
        if block.commands and block.figures:
            key = (f"{block.section}/{block.topic}", block.commands)
            cases.setdefault(key, []).extend(block.figures)
    return cases


def check_case(commands, figures, root=REPO, name="README.md"):
    """Problems of one case: missing outputs, then figures not in them."""
    outputs = {}
    problems = []
    for command in commands:
        path = output_path(command, root)
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            outputs[path] = (text, output_numbers(text))
        else:
            rel = path.relative_to(root).as_posix()
            waiting = "\n".join(f"    {name}:{f.line}: {f.text}" for f in figures)
            problems.append(
                f"no stored output {rel} (of `python {command}`); "
                f"README figures waiting for it:\n{waiting}"
            )
    if problems:
        return problems
    searched = ", ".join(p.relative_to(root).as_posix() for p in outputs)
    for figure in figures:
        if not any(figure_in(figure, *pair) for pair in outputs.values()):
            problems.append(f"{name}:{figure.line}: {figure.text!r} not in {searched}")
    return problems


def check_readme(text, root=REPO, name="README.md"):
    """All problems of a README text, keyed like ``readme_cases``."""
    return {
        key: check_case(key[1], figures, root, name)
        for key, figures in readme_cases(text).items()
    }


# ---------------------------------------------------------------- the README

README_TEXT = README.read_text(encoding="utf-8")
CASES = readme_cases(README_TEXT)


def _case_id(key):
    topic, commands = key
    return f"{topic.split('/', 1)[1]} <- {' + '.join(commands)}"


@pytest.mark.parametrize("key", sorted(CASES), ids=_case_id)
def test_readme_figures_in_stored_output(key):
    problems = check_case(key[1], CASES[key])
    assert not problems, (
        f"README figures of {_case_id(key)} not in the stored output:\n"
        + "\n".join(problems)
    )


def test_results_figures_cite_a_command():
    uncited = [
        f"README.md:{f.line}: {f.text!r}"
        for block in parse_blocks(README_TEXT)
        if block.section == RESULTS_SECTION and not block.commands
        for f in block.figures
    ]
    assert not uncited, (
        "figures of the Results section that cite no command "
        "(`python examples/X.py` / `python benchmarks/X.py`):\n" + "\n".join(uncited)
    )


def test_parser_reaches_the_results():
    # guards against a README restructuring that leaves the checks with nothing
    blocks = [b for b in parse_blocks(README_TEXT) if b.section == RESULTS_SECTION]
    cited = {c for b in blocks for c in b.commands}
    checked = {c for b in blocks if b.figures for c in b.commands}
    assert cited and cited == checked, f"commands without figures: {cited - checked}"
    assert sum(len(b.figures) for b in blocks) >= 150


def test_edited_figure_fails():
    # the real README and outputs: a figure changed to a value no output prints
    row = "| **95.4%** | **83/78/51** | **1/0/4** | **+0.0** | **+0.0** | **+0.0** |"
    assert row in README_TEXT
    before = {p for ps in check_readme(README_TEXT).values() for p in ps}
    for old, new in (("**95.4%**", "**95.7%**"), ("**+0.0**", "**-2.6**"),
                     ("**83/78/51**", "**83/78/52**")):  # fmt: skip
        edited = README_TEXT.replace(row, row.replace(old, new))
        problems = {p for ps in check_readme(edited).values() for p in ps} - before
        assert len(problems) == 1, problems
        (problem,) = problems
        line = README_TEXT[: README_TEXT.index(row)].count("\n") + 1
        assert problem == (
            f"README.md:{line}: {new.strip('*')!r} not in "
            "benchmarks/output/bench_recipe.txt"
        )


# ---------------------------------------------------------------- the matcher

FAKE_OUTPUT = """\
accuracy 94.3% (MLP 0.9350), per seed 94.1 95.0
| 80% | +0.0 | -0.2 | -18.0 | 69/56/34 | 12.8x | 1040 | 7034 -> 1354 of 78400
error 0.0656 std 0.0024
"""
FAKE_README = """\
## Results

**Fake** (`python benchmarks/bench_fake.py`, step 0.3, seeds 0-2, `alpha=1e-3`,
784-100-10, 4,000 / 1,000, 100 epochs, target 40%, pi <= 0.05, decay 1e-4)

| recipe | accuracy | pruned 80% | memory |
| --- | --- | --- | --- |
| step 0.01, 97.1% | 94.3% (MLPClassifier 93.5%) | +0.0, -0.2 points, loses 18 points | 1,040 KiB, 12.8x, 69/56/34 |

Unchecked, no command: 99.9%.

The error (`benchmarks/output/bench_fake.txt`) is 6.56 ± 0.24%; 7034 of the 78400.
"""


@pytest.fixture
def fake_root(tmp_path):
    (tmp_path / "benchmarks" / "output").mkdir(parents=True)
    (tmp_path / "benchmarks" / "output" / "bench_fake.txt").write_text(FAKE_OUTPUT)
    return tmp_path


def _problems(text, root):
    return [p for ps in check_readme(text, root).values() for p in ps]


def test_matcher_extracts_measured_figures_only():
    texts = [f.text for b in parse_blocks(FAKE_README) for f in b.figures]
    assert texts == [
        "80%", "94.3%", "93.5%", "+0.0", "-0.2 points", "18 points",
        "1,040 KiB", "12.8x", "69/56/34", "99.9%",
        "6.56 (%)", "0.24%", "7034", "78400",
    ]  # fmt: skip
    # not: step 0.3 / 0.01 (setting), 97.1% (recipe column), seeds 0-2 and
    # shapes and sizes (integers), `alpha=1e-3` (code), 1e-4 (scientific),
    # 100 epochs, target 40%, pi <= 0.05


def test_matcher_accepts_the_output_formats(fake_root):
    # 94.3% = 94.3%, 93.5% = 0.9350, 1,040 = 1040, 18 points = -18.0,
    # 6.56 ± 0.24% = 0.0656 and 0.0024; 99.9% cites no command
    assert _problems(FAKE_README, fake_root) == []


@pytest.mark.parametrize(
    "old, new",
    [
        ("94.3% (MLP", "94.2% (MLP"),  # another value
        ("0.9350", "0.94"),  # 93.5% needs 0.935 or more digits
        ("accuracy 94.3%", "accuracy 194.3%"),  # nor inside a longer number
        ("| -0.2 |", "| +0.2 |"),  # README -0.2 needs a negative number
        ("| +0.0 |", "| -0.0 |"),  # README +0.0 rejects a negative one
        ("| 1040 |", "| 1041 |"),
        ("0.0656", "0.066"),  # rounded: fewer decimals than the README's 6.56%
        ("69/56/34", "169/56/34"),  # a group matches whole
        ("7034 ->", "7035 ->"),
    ],
)
def test_matcher_rejects_other_values(fake_root, old, new):
    path = fake_root / "benchmarks" / "output" / "bench_fake.txt"
    assert old in FAKE_OUTPUT
    path.write_text(FAKE_OUTPUT.replace(old, new))
    problems = _problems(FAKE_README, fake_root)
    assert len(problems) == 1, problems
    assert "benchmarks/output/bench_fake.txt" in problems[0]
    assert re.match(r"README\.md:\d+: ", problems[0])


def test_matcher_boundaries():
    (figure,) = [f for _, f in extract_figures("error 4.3%")]
    for output, found in (("94.3", False), ("4.35", False), ("4.3", True),
                          ("0.043", True), ("0.043%", False), ("x4.3", False),
                          ("(4.30)", True), ("1/4.3/2", False)):  # fmt: skip
        assert figure_in(figure, output, output_numbers(output)) is found, output
    (ratio,) = [f for _, f in extract_figures("12.8x smaller")]
    for output, found in (("12.8x", True), ("12.80x", True), ("12.8", False)):
        assert figure_in(ratio, output, output_numbers(output)) is found, output


def test_matcher_reports_line_and_missing_output(fake_root):
    edited = FAKE_README.replace("loses 18 points", "loses 19 points")
    problems = _problems(edited, fake_root)
    assert problems == [
        "README.md:8: '19 points' not in benchmarks/output/bench_fake.txt"
    ]
    (fake_root / "benchmarks" / "output" / "bench_fake.txt").unlink()
    problems = _problems(FAKE_README, fake_root)
    assert problems and all(p.startswith("no stored output") for p in problems)
    assert "README.md:8: 1,040 KiB" in problems[0] + problems[-1]


# ---------------------------------------------------------------- cited paths

DOCS = [
    "README.md",
    "benchmarks/README.md",
    "examples/README.md",
    "maint_tools/README.md",
]
# files of another repository the docs name: the authors' code, Chan-Li/SAS-model
EXTERNAL = {
    "MNIST/DNN-SAS-MNIST.py",  # the authors' code
    "sklearn/neural_network/tests/test_mlp.py",  # in the installed scikit-learn
}
PATH = re.compile(
    r"(?<![\w./-])(?:[\w.*<>-]+/)*[\w*<>-]+"
    r"\.(?:py|txt|md|png|toml|npz|json|cfg|yml|yaml)(?![\w/])"
)
# where bare names live
SOURCES = ["sklearn_sas", "examples", "benchmarks", "maint_tools", "tests"]


def cited_paths(text):
    """Relative file paths cited in a Markdown text, with their line numbers.

    Everywhere outside fenced code blocks (code spans, links, prose), and
    inside them the scripts of ``python X.py`` commands; URLs, templates
    (``<script>.txt``) and files of other repositories are left out.
    """
    found = []
    fenced = False
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("```"):
            fenced = not fenced
            continue
        if fenced:
            candidates = re.findall(r"python\s+(\S+\.py)", line)
        else:
            line = re.sub(r"https?://\S+", " ", line)
            candidates = PATH.findall(line)
        for path in candidates:
            if "<" in path or path in EXTERNAL:
                continue
            found.append((number, path))
    return found


def path_exists(path, doc_dir):
    bases = [REPO, doc_dir]
    if "*" in path:
        return any(glob.glob(str(base / path)) for base in bases)
    if any((base / path).exists() for base in bases):
        return True
    if "/" not in path:  # a bare file name: somewhere in the repository's sources
        return any(next((REPO / d).rglob(path), None) for d in SOURCES)
    return False


@pytest.mark.parametrize("doc", DOCS)
def test_cited_paths_exist(doc):
    text = (REPO / doc).read_text(encoding="utf-8")
    cited = cited_paths(text)
    assert cited
    missing = [
        f"{doc}:{line}: {path}"
        for line, path in cited
        if not path_exists(path, (REPO / doc).parent)
    ]
    assert not missing, "cited files that are not in the repository:\n" + "\n".join(
        missing
    )
