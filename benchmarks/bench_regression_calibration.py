"""Calibration of SaSMLPRegressor's predictive distribution.

On held-out rows of ``make_friedman1(n_samples=1000, noise=1.0)`` (raw
targets, noise std 1) and of the diabetes data (standardized targets),
features standardized, 70 / 30 splits over ``--seeds``, prints for each
``inference`` mode and for the noise variance estimated on the training rows
(the default) or on held-out rows (``early_stopping=True``): R^2, RMSE, the
Gaussian negative log-likelihood per row, the coverage of the central 90%
interval ``mean +- 1.645 std`` (0.90 is calibrated) and its mean width, each
a mean over the seeds. Also the coverage without the noise variance (the
epistemic part alone), and ``MLPRegressor``'s R^2 with its defaults.

Usage::

    python benchmarks/bench_regression_calibration.py [--seeds 0 1 2] [--quick]
"""

import argparse

import numpy as np
from _bench_utils import fit_quietly, print_table
from sklearn.datasets import load_diabetes, make_friedman1
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPRegressor
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SaSMLPRegressor

Z90 = 1.6448536269514722  # the 95% quantile of the standard normal


def data_sets(quick):
    """``(title, X, y)`` of every data set."""
    X, y = make_friedman1(n_samples=300 if quick else 1000, noise=1.0, random_state=0)
    sets = [("friedman1, noise 1.0", X, y)]
    X, y = load_diabetes(return_X_y=True)
    sets.append(("diabetes, standardized y", X, (y - y.mean()) / y.std()))
    return sets


def split(X, y, seed):
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.3, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), y_train, scaler.transform(X_test), y_test


def metrics(y, mean, std, noise_variance):
    """R^2, RMSE, Gaussian NLL, 90% coverage and width, and the coverage of
    the epistemic std alone."""
    variance = std**2
    nll = 0.5 * np.mean(np.log(2 * np.pi * variance) + (y - mean) ** 2 / variance)
    inside = np.abs(y - mean) <= Z90 * std
    epistemic = np.sqrt(np.maximum(variance - noise_variance, 0))
    return {
        "R^2": r2_score(y, mean),
        "RMSE": np.sqrt(np.mean((y - mean) ** 2)),
        "NLL": nll,
        "cover 90%": inside.mean(),
        "width 90%": 2 * Z90 * std.mean(),
        "cover 90%, epistemic only": np.mean(np.abs(y - mean) <= Z90 * epistemic),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    seeds = args.seeds[:1] if args.quick else args.seeds
    max_iter = 5 if args.quick else 100
    print("Calibration of SaSMLPRegressor on held-out rows")
    print(f"seeds {seeds}, max_iter {max_iter}, other parameters the defaults\n")
    for title, X, y in data_sets(args.quick):
        results, mlp_r2 = {}, []
        for seed in seeds:
            X_train, y_train, X_test, y_test = split(X, y, seed)
            mlp = MLPRegressor(random_state=seed, max_iter=10 * max_iter)
            fit_quietly(mlp, X_train, y_train)
            mlp_r2.append(r2_score(y_test, mlp.predict(X_test)))
            for noise_rows, early in (("training", False), ("held out", True)):
                est = SaSMLPRegressor(
                    max_iter=max_iter, early_stopping=early, random_state=seed
                )
                fit_quietly(est, X_train, y_train)
                for inference in ("mean", "mc", "ensemble"):
                    est.set_params(inference=inference)
                    mean, std = est.predict(X_test, return_std=True)
                    row = metrics(y_test, mean, std, est.noise_variance_)
                    row["noise std"] = np.sqrt(est.noise_variance_[0])
                    results.setdefault((inference, noise_rows), []).append(row)
        print(f"== {title}: {len(y)} rows ==")
        names = list(next(iter(results.values()))[0])
        rows = [
            [inference, noise_rows]
            + [f"{np.mean([r[name] for r in runs]):.3f}" for name in names]
            for (inference, noise_rows), runs in results.items()
        ]
        print_table(["inference", "noise variance from", *names], rows)
        print(f"MLPRegressor (defaults, max_iter {10 * max_iter}) R^2: "
              f"{np.mean(mlp_r2):.3f}\n")  # fmt: skip


if __name__ == "__main__":
    main()
