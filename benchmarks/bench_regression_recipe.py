"""The training recipe of SaSMLPRegressor: step size, prior strength, epochs.

The regressor started from the classifier's recipe (Adam step 0.1 annealed by
the cosine schedule, ``alpha="auto"``, ``batch_size="auto"``, 100 epochs).
This sweep scores each recipe on held-out rows of
``make_friedman1(n_samples=1000, noise=1.0)`` (noise std 1: an RMSE of 1.0
is the floor) and of the diabetes data (standardized target), features
standardized, 70 / 30 splits over ``--seeds``, one hidden layer of 50 units:
R^2, RMSE, Gaussian NLL and coverage of the central 90% interval of the
mean network (``inference="mean"``, noise variance from the training
rows), the change of RMSE (in %) after pruning 90% of the connections
without retraining (``pruning_masks(rule="sparsity")``, the pruned
connections' spike probabilities set to 1), and fit time; with
``MLPRegressor``'s defaults for reference.

Usage::

    python benchmarks/bench_regression_recipe.py [--seeds 0 1 2] [--quick]
"""

import argparse
import copy
import time

import numpy as np
from _bench_utils import fit_quietly, print_table
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SaSMLPRegressor
from sklearn_sas.compression import pruning_masks

Z90 = 1.6448536269514722

RECIPES = [
    ("defaults (step 0.1, alpha auto)", {}),
    ("alpha 1e-4", {"alpha": 1e-4}),
    ("alpha 1e-5", {"alpha": 1e-5}),
    ("step 0.03", {"learning_rate_init": 0.03}),
    ("step 0.01", {"learning_rate_init": 0.01}),
    ("step 0.03, alpha 1e-4", {"learning_rate_init": 0.03, "alpha": 1e-4}),
    ("300 epochs", {"max_iter": 300}),
    ("300 epochs, alpha 1e-4", {"max_iter": 300, "alpha": 1e-4}),
]


def data_sets(quick):
    X, y = make_friedman1(n_samples=300 if quick else 1000, noise=1.0, random_state=0)
    yield "friedman1, noise 1.0", X, y
    X, y = load_diabetes(return_X_y=True)
    yield "diabetes, standardized y", X, (y - y.mean()) / y.std()


def pruned_copy(est, sparsity):
    """The mean network with the connections ``pruning_masks`` drops absent."""
    pruned = copy.deepcopy(est)
    for keep, pi in zip(pruning_masks(est, rule="sparsity", sparsity=sparsity),
                        pruned.spike_probs_):  # fmt: skip
        pi[~keep] = 1.0
    return pruned


def scores(est, X, y):
    mean, std = est.predict(X, return_std=True)
    rmse = float(np.sqrt(np.mean((y - mean) ** 2)))
    nll = float(np.mean(0.5 * np.log(2 * np.pi * std**2) + (y - mean) ** 2 / (2 * std**2)))
    cover = float(np.mean(np.abs(y - mean) <= Z90 * std))
    return {"R^2": 1 - rmse**2 / np.var(y), "RMSE": rmse, "NLL": nll, "cover 90%": cover}


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--quick", action="store_true", help="smoke test: tiny data")
    args = p.parse_args(argv)
    recipes = RECIPES[:2] if args.quick else RECIPES
    extra = {"max_iter": 3} if args.quick else {}
    print("Recipe sweep of SaSMLPRegressor, hidden (50,), held-out rows; means over "
          f"seeds {args.seeds}")  # fmt: skip
    t0 = time.perf_counter()
    for title, X, y in data_sets(args.quick):
        results = {}
        for seed in args.seeds:
            X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.3, random_state=seed)
            scaler = StandardScaler().fit(X_tr)
            X_tr, X_te = scaler.transform(X_tr), scaler.transform(X_te)
            mlp = MLPRegressor(hidden_layer_sizes=(50,), random_state=seed, max_iter=1000)
            fit_s = fit_quietly(mlp, X_tr, y_tr)
            rmse = float(np.sqrt(np.mean((y_te - mlp.predict(X_te)) ** 2)))
            row = {"R^2": 1 - rmse**2 / np.var(y_te), "RMSE": rmse, "fit s": fit_s}
            results.setdefault("MLPRegressor (defaults, max_iter 1000)", []).append(row)
            for name, params in recipes:
                est = SaSMLPRegressor((50,), random_state=seed, **{**params, **extra})
                fit_s = fit_quietly(est, X_tr, y_tr)
                row = scores(est, X_te, y_te)
                pruned_rmse = scores(pruned_copy(est, 0.9), X_te, y_te)["RMSE"]
                row["pruned 90%: RMSE change %"] = 100 * (pruned_rmse / row["RMSE"] - 1)
                row["fit s"] = fit_s
                results.setdefault(name, []).append(row)
        columns = ["R^2", "RMSE", "NLL", "cover 90%", "pruned 90%: RMSE change %", "fit s"]
        rows = []
        for name, runs in results.items():
            cells = []
            for c in columns:
                vals = [r[c] for r in runs if c in r]
                cells.append(f"{np.mean(vals):.3f}" if vals else "")
            rows.append([name, *cells])
        print(f"\n== {title}: {X.shape[0]} rows ==")
        print_table(["recipe", *columns], rows)
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")


if __name__ == "__main__":
    main()
