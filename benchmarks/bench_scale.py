"""Scaling out: ensemble prediction and GridSearchCV on 1 and 2 workers.

Prints wall times of

- ``SaSMLPClassifier.predict_proba`` with ``inference="ensemble"``
  (``n_samples`` sampled networks, joblib-parallel over networks);
- ``GridSearchCV`` over a small grid of ``SaSMLPClassifier`` parameters;

with joblib's default process backend (loky) and with joblib's dask backend
on a local ``dask.distributed`` cluster, on 1 and 2 workers, and checks that
every configuration gives the same result as the serial run. Real MNIST from
``load_mnist()``; compare figures within one run only.

    python benchmarks/bench_scale.py            # about a minute
    python benchmarks/bench_scale.py --quick    # smoke test
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bench_utils import (  # noqa: E402
    blas_header,
    cpu_meter,
    fmt_cores,
    load_mnist_split,
    other_cpu,
    print_table,
    wait_idle,
)


def _best_of(fn, repeats):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smoke test")
    parser.add_argument("--repeats", type=int, default=3, help="best of N (default 3)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS")
    args = parser.parse_args(argv)

    from joblib import parallel_backend
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import GridSearchCV

    from sklearn_sas import SaSMLPClassifier

    warnings.simplefilter("ignore", ConvergenceWarning)
    n_train, n_rows, n_networks, epochs = (
        (500, 2_000, 8, 2) if args.quick else (4_000, 10_000, 100, 20)
    )
    repeats = 1 if args.quick else args.repeats
    X, y, X_test, _, mnist = load_mnist_split(n_train, 1_000)
    rows = np.ascontiguousarray(np.resize(X_test, (n_rows, X_test.shape[1])))
    print("Scaling benchmark: ensemble prediction and GridSearchCV, 1 and 2 workers")
    print(*blas_header(), sep="\n")
    print(
        f"  data: load_mnist() source={mnist.source!r}; {n_train} training images; "
        f"{n_rows} rows to predict (the 1,000 test images tiled)"
    )
    model = SaSMLPClassifier(
        (100, 100), batch_size=500, max_iter=epochs, random_state=0
    ).fit(X, y)
    model.set_params(inference="ensemble", n_samples=n_networks)
    grid = {"alpha": [1e-4, 1e-3], "learning_rate_init": [0.003, 0.01]}
    search = GridSearchCV(
        SaSMLPClassifier((32,), batch_size=200, max_iter=max(epochs // 2, 1),
                         random_state=0),
        grid, cv=3,
    )  # fmt: skip

    try:
        import distributed
    except ImportError:
        distributed = None
        print("  dask rows skipped: dask.distributed is not installed")

    def configurations():
        for n_jobs in (1, 2):
            yield "loky", n_jobs, None
        if distributed is not None:
            for n_workers in (1, 2):
                cluster = distributed.LocalCluster(
                    n_workers=n_workers, threads_per_worker=1, processes=True,
                    dashboard_address=None,
                )  # fmt: skip
                client = distributed.Client(cluster)
                try:
                    yield "dask", n_workers, client
                finally:
                    client.close()
                    cluster.close()

    if args.wait_idle:
        wait_idle(args.wait_idle)
    reference = {}
    table = []
    snap = cpu_meter(children=True)
    for backend, workers, client in configurations():
        model.set_params(n_jobs=workers)
        search.set_params(n_jobs=workers)
        if backend == "loky":
            predict_s, proba = _best_of(lambda: model.predict_proba(rows), repeats)
            search_s, fitted = _best_of(lambda: search.fit(X, y), repeats)
        else:
            with parallel_backend("dask"):
                predict_s, proba = _best_of(lambda: model.predict_proba(rows), repeats)
                search_s, fitted = _best_of(lambda: search.fit(X, y), repeats)
        scores = fitted.cv_results_["mean_test_score"].copy()
        reference.setdefault("proba", proba)
        reference.setdefault("scores", scores)
        same = np.allclose(proba, reference["proba"], rtol=1e-5, atol=1e-7) and (
            np.array_equal(scores, reference["scores"])
        )
        table.append([backend, workers, predict_s, search_s, "yes" if same else "NO"])
    other = other_cpu(snap, children=True)

    base = {row[0]: row for row in table if row[1] == 1}
    print(
        f"\nwall time, best of {repeats} (ensemble: {n_networks} networks on "
        f"{n_rows} rows, 784-100-100-10; GridSearchCV: {len(search.param_grid['alpha']) * 2}"
        " candidates x 3 folds, 784-32-10)"
    )
    print_table(
        ["backend", "workers", "ensemble s", "speed-up", "GridSearchCV s", "speed-up",
         "same results as loky/1"],  # fmt: skip
        [
            [b, w, f"{p:.2f}", f"{base[b][2] / p:.2f}x", f"{s:.2f}",
             f"{base[b][3] / s:.2f}x", same]  # fmt: skip
            for b, w, p, s, same in table
        ],
    )
    print(f"  CPU used by other processes while timing: {fmt_cores(other)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
