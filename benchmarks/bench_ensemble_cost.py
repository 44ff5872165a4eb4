"""Cost of ensemble uncertainty against plain forward passes (issue 26).

Prints tables, asserts nothing. For a ``SaSMLPClassifier`` fitted with its
defaults (784-100-100-10 on 4,000 stratified MNIST images of
``sklearn_sas.datasets.load_mnist()``; 64-100-100-10 on the digits as
``tests/test_digits.py`` splits them), it times on ``--n-rows`` rows (the
held-out images, tiled):

- ``predict_uncertainty`` with ``inference="ensemble"`` and
  ``n_samples=--n-samples`` (default 100): the figure the target is about;
- ``n_samples`` plain forward passes of the mean network: ``predict_proba``
  with ``inference="mean"`` called ``n_samples`` times (validation
  included, as a user calls it), and the core's bare ``forward`` on the mean
  network's weights ``n_samples`` times (no validation);
- the ensemble one network at a time: the ensemble's own networks (same
  seeds), each through the core's ``forward`` and the entropies, chunk by
  chunk, as ``_inference._ensemble_sums`` did before the networks were
  stacked (reproduced here, so that the two are timed in the same run).

Each is timed twice, round-robin (one call of each per round; the median of
``--repeats`` after a warm-up): wall time with the BLAS threads at their
default, and the CPU time of this process with one BLAS thread, which a busy
machine disturbs less. Ratios are of the ensemble's time to the others' in
the same column. The target: the ensemble at most 0.5x the ``n_samples``
mean-network passes.

Usage::

    python benchmarks/bench_ensemble_cost.py             # a few minutes
    python benchmarks/bench_ensemble_cost.py --quick     # smoke test
    python benchmarks/bench_ensemble_cost.py --wait-idle 600

Compare figures only within one run: the machine is shared and its speed
drifts between runs.
"""

import argparse
import copy
import platform
import sys
import time
import warnings

import numpy as np
from _bench_utils import (  # also puts an uninstalled checkout on sys.path
    blas_header,
    cpu_meter,
    digits_split,
    fit_quietly,
    fmt_cores,
    load_mnist_split,
    median_ms,
    other_cpu,
    print_table,
    time_round_robin,
    wait_idle,
)

HIDDEN = (100, 100)
SEED = 0
TARGET = 0.5


def fitted_models(quick):
    """(name, fitted estimator, held-out float32 rows) of both networks."""
    from sklearn_sas import SaSMLPClassifier

    max_iter = {"max_iter": 2} if quick else {}
    n_train, n_test = (300, 200) if quick else (4000, 1000)
    X, y, X_test, _, mnist = load_mnist_split(n_train, n_test, seed=SEED)
    X_digits, y_digits, X_digits_test, _ = digits_split(SEED)
    models = []
    for name, X_fit, y_fit, rows in (
        (f"MNIST {n_train:,} ({mnist.source}), 784-100-100-10", X, y, X_test),
        ("digits, 64-100-100-10", X_digits, y_digits, X_digits_test),
    ):
        clf = SaSMLPClassifier(HIDDEN, random_state=SEED, **max_iter)
        fit_quietly(clf, np.asarray(X_fit, dtype=np.float32), y_fit)
        models.append((name, clf, np.asarray(rows, dtype=np.float32)))
    return models


def tiled(rows, n_rows):
    reps = -(-n_rows // rows.shape[0])
    return np.ascontiguousarray(np.tile(rows, (reps, 1))[:n_rows])


def one_network_at_a_time(clf, X, n_samples):
    """The sums of the ensemble with its networks run one by one, chunk by
    chunk: ``_inference._ensemble_sums`` before the networks were stacked."""
    from sklearn.utils import gen_batches

    from sklearn_sas._forward import forward
    from sklearn_sas._inference import draw_networks, proba_and_plogp
    from sklearn_sas._sas import effective_weights
    from sklearn_sas._utils import spawn_seeds, take_rows

    params = (clf.slab_means_, clf.spike_probs_, clf.slab_vars_)
    seeds = spawn_seeds(clf.random_state, n_samples)
    networks = [
        [effective_weights(w) for w in weights]
        for weights, _ in draw_networks(params, seeds)
    ]
    dtype = params[0][0].dtype
    proba_sum = np.zeros((X.shape[0], clf.n_outputs_), dtype=dtype)
    plogp_sum = np.zeros(X.shape[0], dtype=dtype)
    chunk_rows = next(iter(clf._chunks(X, 1))).stop
    for rows in gen_batches(X.shape[0], chunk_rows):
        part = take_rows(X, rows, dtype)
        for coefs in networks:
            logits = forward(part, coefs, clf.intercepts_, scaled=False)
            proba, plogp = proba_and_plogp(logits, clf.out_activation_)
            proba_sum[rows] += proba
            plogp_sum[rows] += plogp
    return proba_sum, plogp_sum


def time_model(clf, X, n_samples, repeats):
    """Wall (BLAS default threads) and CPU (1 BLAS thread) medians in ms of
    every system, the CPU used by other processes while timing, and the
    largest difference between the stacked and the one-by-one ensemble."""
    from threadpoolctl import threadpool_limits

    from sklearn_sas._forward import forward

    ensemble = copy.deepcopy(clf).set_params(inference="ensemble", n_samples=n_samples)
    mean = copy.deepcopy(clf).set_params(inference="mean")
    coefs, intercepts = mean.coefs_, mean.intercepts_

    def mean_passes():
        for _ in range(n_samples):
            mean.predict_proba(X)

    def bare_passes():
        for _ in range(n_samples):
            forward(X, coefs, intercepts, scaled=False)

    systems = [
        ("ensemble", {"": lambda: ensemble.predict_uncertainty(X)}),
        ("mean", {"": mean_passes}),
        ("bare", {"": bare_passes}),
        ("one by one", {"": lambda: one_network_at_a_time(clf, X, n_samples)}),
    ]
    snap = cpu_meter()
    wall = time_round_robin(systems, repeats, 1)
    other_wall = other_cpu(snap)
    with threadpool_limits(1):
        snap = cpu_meter()
        cpu = time_round_robin(systems, repeats, 1, clock=time.process_time)
        other_1 = other_cpu(snap)
    stacked = ensemble.predict_uncertainty(X).proba
    by_one = one_network_at_a_time(clf, X, n_samples)[0] / n_samples
    medians = {
        label: (median_ms(wall[label][""]), median_ms(cpu[label][""]))
        for label, _ in systems
    }
    return medians, (other_wall, other_1), float(np.abs(stacked - by_one).max())


def report(name, n_rows, n_samples, medians, others, max_diff):
    labels = {
        "ensemble": (
            f'predict_uncertainty, inference="ensemble", n_samples={n_samples}'
        ),
        "mean": f'{n_samples} x predict_proba, inference="mean" (the mean network)',
        "bare": f"{n_samples} x bare _forward.forward of the mean network",
        "one by one": (
            f"the {n_samples} networks one at a time (the code before stacking)"
        ),
    }
    ens_wall, ens_cpu = medians["ensemble"]
    rows = []
    for key, label in labels.items():
        w, c = medians[key]
        rows.append(
            [
                label,
                f"{w:.0f}",
                "" if key == "ensemble" else f"{ens_wall / w:.2f}x",
                f"{c:.0f}",
                "" if key == "ensemble" else f"{ens_cpu / c:.2f}x",
            ]
        )
    print(f"\n== {name}: {n_rows:,} rows, {n_samples} networks ==")
    header = ["what", "wall ms", "ensemble / this", "CPU ms, 1 thread",
              "ensemble / this"]  # fmt: skip
    print_table(header, rows)
    for clock, col in (("wall", 0), ("CPU, 1 thread", 1)):
        ratio = medians["ensemble"][col] / medians["mean"][col]
        before = medians["one by one"][col] / medians["mean"][col]
        met = "yes" if ratio <= TARGET else "MISSED"
        print(
            f"  target: ensemble <= {TARGET}x {n_samples} mean-network passes "
            f"({clock}): {met} ({ratio:.2f}x; one network at a time: {before:.2f}x)"
        )
    print(
        "  stacked ensemble against one network at a time: max |difference| "
        f"of the averaged probabilities {max_diff:.1e}"
    )
    print(
        f"  other processes used {fmt_cores(others[0])} while timing wall times, "
        f"{fmt_cores(others[1])} while timing CPU times"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--n-rows", type=int, default=10_000)
    parser.add_argument("--n-samples", type=int, default=100)
    parser.add_argument(
        "--wait-idle", type=float, default=0, metavar="SECONDS",
        help="wait up to this long for quiet CPUs before each model",
    )  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.n_rows, args.n_samples = 1, 500, 10
    import sklearn

    import sklearn_sas

    print("Ensemble cost benchmark: predict_uncertainty against plain forward passes")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, sklearn_sas from "
        f"{sklearn_sas.__path__[0]}"
    )
    print("\n".join(blas_header()))
    print(
        f"  median of {args.repeats} after 1 warm-up, round-robin; models fitted "
        "(not timed) with SaSMLPClassifier's defaults, random_state=0, float32"
    )
    sys.stdout.flush()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        models = fitted_models(args.quick)
    for name, clf, rows in models:
        if args.wait_idle > 0:
            wait_idle(args.wait_idle)
        X = tiled(rows, args.n_rows)
        medians, others, max_diff = time_model(clf, X, args.n_samples, args.repeats)
        report(name, args.n_rows, args.n_samples, medians, others, max_diff)
        sys.stdout.flush()
    print(f"\n{time.perf_counter() - start:.0f} s in all")


if __name__ == "__main__":
    main()
