"""The stopping rule against the recipe: accuracy and credit, per data set.

Trains ``SaSMLPClassifier`` (the defaults otherwise) with the fixed epoch
budget of its default (``n_iter_no_change=np.inf``) and with
``MLPClassifier``'s stopping rule (``n_iter_no_change=10``, ``tol=1e-4``),
on MNIST 4,000 / 1,000 (784-100-100-10, the split of ``bench_recipe.py``)
and on the digits (raw pixels, 75 / 25, 64-100-10), and prints per seed and
on average the test accuracy of the mean network, the epochs run, and the
change in test accuracy (points) after pruning 90% and 95% of the
connections without retraining (``prune(rule="sparsity")``).

Usage::

    python benchmarks/bench_stopping_rule.py [--seeds 0 1 2] [--quick]
"""

import argparse
import warnings

import numpy as np
from _bench_utils import digits_split, load_mnist_split

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import prune

RULES = {
    "fixed budget (n_iter_no_change=inf)": {"n_iter_no_change": np.inf},
    "MLPClassifier's rule (n_iter_no_change=10, tol=1e-4)": {
        "n_iter_no_change": 10,
        "tol": 1e-4,
    },
}


def data_sets(quick):
    """``(title, hidden, load(seed))`` of every data set."""
    if quick:
        return [("digits, 3 epochs", (16,), digits_split)]
    return [
        (
            "MNIST 4000 / 1000, 784-100-100-10",
            (100, 100),
            lambda seed: load_mnist_split(4000, 1000, seed)[:4],
        ),
        ("digits (raw pixels, 75 / 25), 64-100-10", (100,), digits_split),
    ]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true", help="smoke test")
    args = parser.parse_args(argv)
    extra = {"max_iter": 3} if args.quick else {}
    for title, hidden, load in data_sets(args.quick):
        print(f"\n{title}, SaSMLPClassifier defaults otherwise")
        print("| rule | seed | test acc % | epochs | prune 90% (pts) | 95% (pts) |")
        print("|---|---|---|---|---|---|")
        for name, params in RULES.items():
            rows = []
            for seed in args.seeds:
                X_train, y_train, X_test, y_test = load(seed)
                clf = SaSMLPClassifier(
                    hidden_layer_sizes=hidden, random_state=seed, **params, **extra
                )
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    clf.fit(X_train, y_train)
                acc = clf.score(X_test, y_test)
                pruned = [
                    prune(clf, rule="sparsity", sparsity=s).score(X_test, y_test)
                    - acc
                    for s in (0.9, 0.95)
                ]
                rows.append((acc, clf.n_iter_, *pruned))
                print(
                    f"| {name} | {seed} | {100 * acc:.1f} | {clf.n_iter_} | "
                    f"{100 * pruned[0]:+.1f} | {100 * pruned[1]:+.1f} |",
                    flush=True,
                )
            acc, epochs, p90, p95 = np.mean(rows, axis=0)
            print(
                f"| {name} | mean | {100 * acc:.1f} | {epochs:.0f} | "
                f"{100 * p90:+.1f} | {100 * p95:+.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
