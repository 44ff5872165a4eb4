"""The stopping rule against the recipe's credit, on MNIST 4,000 / 1,000.

Trains ``SaSMLPClassifier`` (hidden layers (100, 100), the defaults
otherwise) with the fixed epoch budget of version 0.2 (``n_iter_no_change=
np.inf``) and with ``MLPClassifier``'s stopping rule (``n_iter_no_change=10``,
``tol=1e-4``), and prints per seed and on average the test accuracy of the
mean network, the epochs run, and the change in test accuracy (points) after
pruning 90% and 95% of the connections without retraining
(``prune(rule="sparsity")``). The split is ``bench_recipe.py``'s.

Usage::

    python maint_tools/bench_stopping_rule.py [--seeds 0 1 2]
"""

import argparse
import os
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "benchmarks"))

from _bench_utils import load_mnist_split  # noqa: E402

from sklearn_sas import SaSMLPClassifier  # noqa: E402
from sklearn_sas.compression import prune  # noqa: E402

RULES = {
    "fixed budget (n_iter_no_change=inf)": {"n_iter_no_change": np.inf},
    "MLPClassifier's rule (n_iter_no_change=10, tol=1e-4)": {
        "n_iter_no_change": 10,
        "tol": 1e-4,
    },
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)
    print("MNIST 4000 / 1000, 784-100-100-10, SaSMLPClassifier defaults otherwise")
    print("| rule | seed | test acc % | epochs | prune 90% (pts) | prune 95% (pts) |")
    print("|---|---|---|---|---|---|")
    for name, params in RULES.items():
        rows = []
        for seed in args.seeds:
            X_train, y_train, X_test, y_test = load_mnist_split(4000, 1000, seed)[:4]
            clf = SaSMLPClassifier(
                hidden_layer_sizes=(100, 100), random_state=seed, **params
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                clf.fit(X_train, y_train)
            acc = clf.score(X_test, y_test)
            pruned = [
                prune(clf, rule="sparsity", sparsity=s).score(X_test, y_test) - acc
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
