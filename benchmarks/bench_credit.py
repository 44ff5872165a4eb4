"""Credit-assignment benchmark: connection entropy and ensemble prediction.

Prints tables, asserts nothing. On a 784-100-100-10 ``SaSMLPClassifier``
(89,400 connections, no biases) trained on real MNIST from
``sklearn_sas.datasets.load_mnist()`` (a stratified subset, float32; the
training is not timed), it measures

(a) ``connection_entropy`` of all connections, ``method="analytic"`` and
    ``method="monte_carlo"`` with B=100 draws, against a naive per-connection
    Python loop of the paper's Monte-Carlo estimator, timed on a random subset
    of the connections and extrapolated to all of them;
(b) ``predict_proba`` with ``inference="ensemble", n_samples=100`` on 10,000
    rows (the held-out test images, tiled when fewer), against 100 plain
    forward passes: the ``predict_proba`` of 100 ``SampledNetwork`` drawn
    beforehand (the very networks of the ensemble: same seeds), the mean
    network 100 times, and the bare forward function of the core;
(c) ``n_jobs=2`` against ``n_jobs=1`` for that ensemble prediction and for
    ``sample_networks(100)``, with joblib's default (loky, processes) and
    threading backends, with BLAS threads at their default or limited to 1.

Usage::

    python benchmarks/bench_credit.py                  # full run (a few minutes)
    python benchmarks/bench_credit.py --quick          # smoke test (seconds)
    python benchmarks/bench_credit.py --repeats 7 --wait-idle 600

Compare figures only within one run: the machine is shared and its speed
drifts between runs.
"""

import argparse
import copy
import math
import os
import platform
import sys
import time
import warnings

import numpy as np
from _bench_utils import (  # also puts an uninstalled checkout on sys.path
    blas_header,
    cpu_meter,
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
B = 100  # Monte-Carlo draws per connection, the paper's value
XI_TOL = 1e-8  # connection_entropy's default


# ------------------------------------------------------------------ network


def train_network(X, y, epochs):
    """The paper's network trained as in the MNIST example (not timed)."""
    from sklearn.exceptions import ConvergenceWarning
    from threadpoolctl import threadpool_limits

    from sklearn_sas import SaSMLPClassifier

    clf = SaSMLPClassifier(
        HIDDEN, fit_intercept=False, batch_size=500, max_iter=epochs, tol=0.0,
        n_iter_no_change=epochs, random_state=SEED,
    )  # fmt: skip
    # one BLAS thread: not timed, and immune to a busy second core
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        clf.fit(X, y)
    return clf


# ------------------------------------------------------------- (a) entropy


def naive_entropy(m, pi, xi, n_samples, rng, xi_tol=XI_TOL):
    """The paper's Monte-Carlo entropy estimator (Eq. 8), one connection at a
    time in a Python loop, with ``n_samples`` fresh standard normals each:

        S = -pi ln[pi + (1-pi) N(0|m,xi)] - (1-pi)/B sum_s ln[(1-pi) N(eps_s|0,1)/sqrt(xi)]

    and the same degenerate cases as ``connection_entropy``."""
    out = np.empty(m.size)
    for j in range(m.size):
        p, mean, var = float(pi[j]), float(m[j]), float(xi[j])
        if p >= 1:
            out[j] = 0.0
        elif var <= xi_tol:
            binary = -(p * math.log(p) if p > 0 else 0.0) - (1 - p) * math.log(1 - p)
            out[j] = 0.0 if p <= 0 or mean == 0 else binary
        else:
            eps = rng.standard_normal(n_samples)
            normal0 = math.exp(-mean * mean / (2 * var)) / math.sqrt(2 * math.pi * var)
            spike = -p * math.log(p + (1 - p) * normal0) if p > 0 else 0.0
            density = (1 - p) * np.exp(-0.5 * eps * eps) / math.sqrt(2 * math.pi * var)
            out[j] = spike - (1 - p) * np.mean(np.log(density))
    return out


def bench_entropy(clf, repeats, n_subset):
    from sklearn_sas._sas import sas_entropy
    from sklearn_sas.inspection import connection_entropy

    n_total = sum(pi.size for pi in clf.spike_probs_)
    flat = [
        np.concatenate([np.ravel(a) for a in arrays])
        for arrays in (clf.slab_means_, clf.spike_probs_, clf.slab_vars_)
    ]
    subset = np.random.default_rng(SEED).choice(n_total, n_subset, replace=False)
    m, pi, xi = (a[subset] for a in flat)
    exact = sas_entropy(m, pi, xi, xi_tol=XI_TOL)

    snap = cpu_meter()
    times = time_round_robin(
        [
            ("analytic", {0: lambda: connection_entropy(clf, method="analytic")}),
            (
                "monte_carlo",
                {
                    0: lambda: connection_entropy(
                        clf, method="monte_carlo", n_samples=B, random_state=SEED
                    )
                },
            ),
            (
                "naive",
                {0: lambda: naive_entropy(m, pi, xi, B, np.random.default_rng(SEED))},
            ),
        ],
        repeats,
        warmup=1,
    )
    other = other_cpu(snap)
    analytic, mc, naive = (median_ms(times[k][0]) for k in times)
    naive_all = naive * n_total / n_subset

    # agreement on the subset: the Monte-Carlo estimators scatter around the
    # closed form (their exact expectation) by their B=100 sampling noise
    naive_err = np.abs(naive_entropy(m, pi, xi, B, np.random.default_rng(1)) - exact)
    mc_full = np.concatenate(
        [
            np.ravel(S)
            for S in connection_entropy(clf, method="monte_carlo", random_state=1)
        ]
    )
    mc_err = np.abs(mc_full[subset] - exact)
    analytic_full = np.concatenate([np.ravel(S) for S in connection_entropy(clf)])
    same = np.max(np.abs(analytic_full[subset] - exact))

    print(
        f"(a) Connection entropy of all {n_total:,} connections "
        f"(median of {repeats}, after 1 warm-up; round-robin)"
    )
    print_table(
        ["method", "connections", "ms", "us/connection", "x analytic"],
        [
            ['connection_entropy(method="analytic")', f"{n_total:,}",
             f"{analytic:.1f}", f"{1e3 * analytic / n_total:.3f}", "1.0"],
            [f'connection_entropy(method="monte_carlo", n_samples={B})',
             f"{n_total:,}", f"{mc:.1f}", f"{1e3 * mc / n_total:.3f}",
             f"{mc / analytic:.1f}"],
            [f"naive Python loop, B={B} (measured on a random subset)",
             f"{n_subset:,}", f"{naive:.1f}", f"{1e3 * naive / n_subset:.1f}", ""],
            ["naive Python loop, B=100: EXTRAPOLATED to all connections",
             f"{n_total:,}", f"{naive_all:.0f} (extrapolated)",
             f"{1e3 * naive / n_subset:.1f}", f"{naive_all / analytic:.0f}"],
        ],
    )  # fmt: skip
    print(
        f"  speed-up over the naive loop (extrapolated): analytic "
        f"{naive_all / analytic:.0f}x, monte_carlo {naive_all / mc:.0f}x"
    )
    print(
        f"  check on the subset: closed form vs connection_entropy(analytic) "
        f"max |diff| {same:.1e}; Monte-Carlo scatter around the closed form, "
        f"mean |diff|: naive loop {naive_err.mean():.4f}, "
        f"monte_carlo {mc_err.mean():.4f} nats; {int(np.sum(xi > XI_TOL))} of "
        f"the {n_subset:,} subset connections have xi > {XI_TOL:g} and draw "
        f"{B} normals in the loop, the others take its closed-form branches"
    )
    print(
        f"  target 'well under a second': analytic "
        f"{'yes' if analytic < 500 else 'no'} ({analytic:.1f} ms), monte_carlo "
        f"{'yes' if mc < 500 else 'no'} ({mc:.1f} ms); other processes used "
        f"{fmt_cores(other)}"
    )
    print()


# ------------------------------------------------------------ (b) ensemble


def ensemble_fn(clf, X, n_networks, n_jobs):
    """A function running ``predict_proba`` with ``inference="ensemble"`` on a
    shallow copy of the fitted ``clf`` (same arrays, own parameters)."""
    ens = copy.copy(clf).set_params(
        inference="ensemble", n_samples=n_networks, n_jobs=n_jobs
    )
    return lambda: ens.predict_proba(X)


def bench_ensemble(clf, X, n_networks, repeats, note):
    from threadpoolctl import threadpool_limits

    from sklearn_sas._activations import softmax
    from sklearn_sas._forward import forward

    networks = clf.sample_networks(n_networks, random_state=clf.random_state)

    def sampled_passes():
        total = np.zeros((X.shape[0], clf.n_outputs_), dtype=X.dtype)
        for net in networks:
            total += net.predict_proba(X)
        return total / n_networks

    def mean_passes():
        for _ in range(n_networks):
            clf.predict_proba(X)

    def bare_passes():
        for net in networks:
            softmax(forward(X, net.coefs_, net.intercepts_, scaled=False))

    ensemble = ensemble_fn(clf, X, n_networks, 1)
    X64 = X.astype(np.float64)
    ensemble64 = ensemble_fn(clf, X64, n_networks, 1)

    def sample():
        return clf.sample_networks(n_networks, random_state=clf.random_state)

    labels = {
        "ens": f'predict_proba, inference="ensemble", n_samples={n_networks}',
        "sampled": f"{n_networks} x SampledNetwork.predict_proba (drawn beforehand)",
        "mean": f'{n_networks} x predict_proba, inference="mean" (the mean network)',
        "bare": f"{n_networks} x bare _gbp.forward + softmax of the drawn networks",
        "draw": f"sample_networks({n_networks}) alone",
        "ens64": "ensemble predict_proba as above, on the same rows as float64",
    }
    fns = {"ens": ensemble, "sampled": sampled_passes, "mean": mean_passes,
           "bare": bare_passes, "draw": sample, "ens64": ensemble64}  # fmt: skip
    systems = [(k, {0: fn}) for k, fn in fns.items()]
    snap = cpu_meter()
    wall = time_round_robin(systems, repeats, 1)
    other = other_cpu(snap)
    # the CPU time of this process with one BLAS thread hardly depends on
    # what other processes do: the ratios of a busy machine
    with threadpool_limits(1):
        snap = cpu_meter()
        cpu = time_round_robin(systems, repeats, 1, clock=time.process_time)
        other_1 = other_cpu(snap)
    wall = {k: median_ms(wall[k][0]) for k in fns}
    cpu = {k: median_ms(cpu[k][0]) for k in fns}

    diff = np.max(np.abs(ensemble() - sampled_passes()))
    print(
        f"(b) Ensemble prediction on {X.shape[0]:,} rows{note}, n_jobs=1 "
        f"(median of {repeats}, after 1 warm-up; round-robin): wall time with "
        "the BLAS threads at their default, and CPU time of this process with "
        "1 BLAS thread"
    )
    print_table(
        ["what", "wall ms", "ms/network", "ensemble / this", "CPU ms, 1 thread",
         "ensemble / this"],
        [
            [labels[k], f"{wall[k]:.0f}", f"{wall[k] / n_networks:.1f}",
             "" if k == "ens" else f"{wall['ens'] / wall[k]:.2f}x",
             f"{cpu[k]:.0f}", "" if k == "ens" else f"{cpu['ens'] / cpu[k]:.2f}x"]
            for k in fns
        ],
    )  # fmt: skip
    for name, med in (("wall", wall), ("CPU, 1 thread", cpu)):
        ratio = med["ens"] / med["sampled"]
        print(
            f"  target: ensemble <= 1.2x {n_networks} plain forward passes "
            f"({name}): {'yes' if ratio <= 1.2 else 'no'} ({ratio:.2f}x the "
            f"SampledNetwork passes, {med['ens'] / med['mean']:.2f}x the mean "
            f"network, {med['ens'] / med['bare']:.2f}x the bare forward passes)"
        )
    print(
        f"  the {n_networks} networks drawn beforehand are the ensemble's own "
        f"(same seeds): max |difference| of the averaged probabilities {diff:.1e}"
    )
    print(
        f"  other processes used {fmt_cores(other)} while timing wall times, "
        f"{fmt_cores(other_1)} while timing CPU times"
    )
    print()


# ------------------------------------------------------------- (c) n_jobs


def _worker_blas_threads():
    from threadpoolctl import threadpool_info

    return max(
        (i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"),
        default=0,
    )


def loky_worker_threads():
    """BLAS threads inside joblib's default (loky) workers at n_jobs=2."""
    from joblib import Parallel, delayed

    return sorted(
        set(Parallel(n_jobs=2)(delayed(_worker_blas_threads)() for _ in range(4)))
    )


def bench_n_jobs(clf, X, n_networks, repeats):
    from joblib import parallel_config
    from threadpoolctl import threadpool_limits

    def run(fn, backend=None, blas=None):
        def call():
            with threadpool_limits(blas):
                if backend is None:
                    return fn()
                with parallel_config(backend=backend):
                    return fn()

        return call

    def draw(n_jobs):
        return lambda: clf.sample_networks(
            n_networks, n_jobs=n_jobs, random_state=clf.random_state
        )

    configs = [
        ("n_jobs=1, BLAS default threads", None, None, 1),
        ("n_jobs=1, BLAS 1 thread", None, 1, 1),
        ("n_jobs=2, loky (default backend)", None, None, 2),
        ("n_jobs=2, threading, BLAS default threads", "threading", None, 2),
        ("n_jobs=2, threading, BLAS 1 thread", "threading", 1, 2),
    ]
    systems = [
        (label, {"ensemble": run(ensemble_fn(clf, X, n_networks, n_jobs), backend,
                                 blas),
                 "sample": run(draw(n_jobs), backend, blas)})
        for label, backend, blas, n_jobs in configs
    ]  # fmt: skip
    snap = cpu_meter(children=True)
    times = time_round_robin(systems, repeats, 1)
    other = other_cpu(snap, children=True)
    med = {label: {k: median_ms(t[k]) for k in t} for label, t in times.items()}
    ref = med[configs[0][0]]
    print(
        f"(c) n_jobs=2 against n_jobs=1 (median of {repeats}, after 1 warm-up; "
        f"round-robin): ensemble predict_proba ({n_networks} networks, "
        f"{X.shape[0]:,} rows) and sample_networks({n_networks})"
    )
    print_table(
        ["configuration", "ensemble ms", "speed-up", "sample_networks ms", "speed-up"],
        [
            [label, f"{m['ensemble']:.0f}",
             f"{ref['ensemble'] / m['ensemble']:.2f}x", f"{m['sample']:.0f}",
             f"{ref['sample'] / m['sample']:.2f}x"]
            for label, m in med.items()
        ],
    )  # fmt: skip
    print(
        "  speed-up = time of the first row / time of the row. BLAS threads "
        f"in the loky workers at n_jobs=2: {loky_worker_threads()} (joblib "
        "limits them to cpu_count // n_jobs); the threading backend shares this "
        "process's BLAS pool"
    )
    print(
        f"  other processes used {fmt_cores(other)} while timing (this "
        "process's loky workers excluded)"
    )
    print()


# --------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats", type=int, default=5, help="timed calls per system (default 5)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 1,000 training images, 5 epochs, 10 networks on "
        "1,000 rows, 200 naive connections, 1 repeat",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each table, wait up to SECONDS for other processes to "
        "leave the CPUs idle (default 0: no wait)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        n_train, n_test, epochs, n_networks, n_rows, n_subset, repeats = (
            1000, 500, 5, 10, 1000, 200, 1,
        )  # fmt: skip
    else:
        n_train, n_test, epochs, n_networks, n_rows, n_subset = (
            4000, 1000, 100, 100, 10_000, 2000,
        )  # fmt: skip
        repeats = max(1, args.repeats)

    import joblib
    import sklearn

    X_train, y_train, X_test, _, mnist = load_mnist_split(n_train, n_test, SEED)
    clf = train_network(X_train, y_train, epochs)
    n_tiles = -(-n_rows // X_test.shape[0])
    X_rows = np.ascontiguousarray(np.tile(X_test, (n_tiles, 1))[:n_rows])
    note = (
        f" (the {X_test.shape[0]:,} held-out test images tiled {n_tiles} times)"
        if n_tiles > 1
        else " (held-out test images)"
    )

    layers = "-".join(map(str, (X_train.shape[1], *HIDDEN, clf.n_outputs_)))
    n_conn = sum(pi.size for pi in clf.spike_probs_)
    print(f"Credit benchmark: connection entropy and ensemble prediction, {layers}")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, joblib {joblib.__version__}, "
        f"{os.cpu_count()} CPUs ({platform.processor() or platform.machine()})"
    )
    for line in blas_header():
        print(line)
    print(
        f"  data: load_mnist() source={mnist.source!r} ({mnist.data.shape[0]} "
        f"images); network trained (not timed) on {n_train} stratified images "
        f"for {epochs} epochs, batch 500, no biases, float32: {n_conn:,} "
        f"connections, mean pi {np.mean(np.concatenate([p.ravel() for p in clf.spike_probs_])):.3f}"
    )
    if args.quick:
        print("  [--quick: smoke test only, figures not meaningful]")
    print()

    load_before = os.getloadavg()
    timed = 0.0
    sections = [
        ("(a)", lambda: bench_entropy(clf, repeats, n_subset)),
        ("(b)", lambda: bench_ensemble(clf, X_rows, n_networks, repeats, note)),
        ("(c)", lambda: bench_n_jobs(clf, X_rows, n_networks, repeats)),
    ]
    for name, section in sections:
        if args.wait_idle > 0:
            waited = wait_idle(args.wait_idle)
            print(
                f"  {name}: waited {waited:.0f} s for idle CPUs "
                f"(--wait-idle {args.wait_idle:g})",
                file=sys.stderr,
            )
        t0 = time.perf_counter()
        section()
        timed += time.perf_counter() - t0
    print(
        f"{timed:.0f} s of timing; load average (1/5/15 min) before: "
        + "/".join(f"{v:.2f}" for v in load_before)
        + ", after: "
        + "/".join(f"{v:.2f}" for v in os.getloadavg())
        + f" on {os.cpu_count()} CPUs. Other processes using more than ~0.05 "
        "cores while a table is timed skew its figures: a 2-thread BLAS call "
        "stalls when a core is taken."
    )


if __name__ == "__main__":
    main()
