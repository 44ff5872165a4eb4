"""Fit time of SaSMLPClassifier in float32 and float64.

MNIST 4,000 images (``bench_recipe.py``'s split), network 784-100-100-10,
20 epochs, the defaults otherwise; the best of ``--repeats`` fits of each
dtype, on one BLAS thread (``OPENBLAS_NUM_THREADS=1`` is set here).

Usage::

    python maint_tools/time_dtype.py [--repeats 3]
"""

import argparse
import os
import sys
import time
import warnings

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "benchmarks"))

from _bench_utils import load_mnist_split  # noqa: E402

from sklearn_sas import SaSMLPClassifier  # noqa: E402


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args(argv)
    X, y, X_test, y_test = load_mnist_split(4000, 1000, 0)[:4]
    print("MNIST 4000, 784-100-100-10, 20 epochs, 1 BLAS thread")
    print("| dtype | best fit time (s) | test accuracy % |")
    print("|---|---|---|")
    for dtype in ("float32", "float64"):
        times = []
        for _ in range(args.repeats):
            clf = SaSMLPClassifier((100, 100), max_iter=20, dtype=dtype, random_state=0)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                start = time.perf_counter()
                clf.fit(X, y)
                times.append(time.perf_counter() - start)
        acc = clf.score(X_test, y_test)
        print(f"| {dtype} | {min(times):.2f} | {100 * acc:.1f} |", flush=True)


if __name__ == "__main__":
    main()
