"""Training-speed benchmark of gBP against MLPClassifier.

Prints tables, asserts nothing. On real MNIST from
``sklearn_sas.datasets.load_mnist()`` (a stratified subset of ``--n-train``
images, float32), network 784-100-100-10, it measures the median time of one
training epoch, after a warm-up epoch, at batch 100 and batch 500 for

- gBP through the estimator: ``SaSMLPClassifier.partial_fit`` (one epoch per
  call, input validation and per-call setup included), float32 and float64;
- the bare gBP core: ``_gbp.run_epoch(spike_slab=True)`` on a ``ParamVector``
  and ``Workspace`` built the way ``_base.py`` builds them;
- the same core as plain backprop: ``run_epoch(spike_slab=False)``
  (``pi = xi = 0`` frozen);
- scikit-learn's ``MLPClassifier(solver="adam")`` via ``partial_fit``, on
  float64 data (its usual use) and on float32 data;
- optionally gBP written with PyTorch autograd on CPU, when ``import torch``
  works.

It also measures the machine's float32 matrix-product rate in the same run
(the network's own shapes at batch 500, and a large square product) and
prints the checks against the speed targets (benchmarks/README.md), then a
breakdown of where the time of a bare core epoch goes.

Usage::

    python benchmarks/bench_training.py            # full run (a few minutes)
    python benchmarks/bench_training.py --quick    # smoke test (seconds)
    python benchmarks/bench_training.py --repeats 11 --n-train 4000

Compare figures only within one run: the machine is shared and its speed
drifts between runs.
"""

import argparse
import functools
import importlib.util
import os
import platform
import sys
import time
import types
from itertools import pairwise

import numpy as np
from _bench_utils import (  # also puts an uninstalled checkout on sys.path
    blas_header,
    cpu_meter,
    fmt_cores,
    load_mnist_split,
    median_ms,
    other_cpu,
    print_table,
    time_calls,
    time_round_robin,
    wait_idle,
)

LAYER_UNITS = (784, 100, 100, 10)
HIDDEN = (100, 100)
BATCHES = (100, 500)
# Fixed values for the bare cores and the PyTorch version, so that the stored
# timings stay comparable: the time of an epoch does not depend on them. The
# estimators' defaults are alpha="auto" (0.02 * batch_size / n_samples) and
# learning_rate_init=0.1 annealed by learning_rate="cosine" (_classifier.py).
ALPHA = 1e-4  # L2 penalty of the bare cores
LR_GBP = 0.01  # constant Adam step of the bare cores
SEED = 0
REFERENCE = "square product (reference)"
FIT_EPOCHS = 5
FIT_LABEL = f"gBP float32, estimator fit ({FIT_EPOCHS} epochs)"
TORCH_PAUSE = 0.2  # s of sleep around each PyTorch epoch, see time_round_robin


# --------------------------------------------------------------------- FLOPs


def gbp_flops_per_sample(layer_units=LAYER_UNITS):
    """Matrix-product FLOPs of one gBP training step, per sample.

    Two products forward and four backward per layer, 2 * N_in * N_out FLOPs
    each per sample; the input layer has only two backward products (no
    gradient wrt the input).
    """
    pairs = list(pairwise(layer_units))
    total = sum((2 + 4) * 2 * a * b for a, b in pairs)
    a, b = pairs[0]
    return total - 2 * 2 * a * b


def backprop_flops_per_sample(layer_units=LAYER_UNITS):
    """Matrix-product FLOPs of one plain backprop step, per sample:
    one product forward, two backward (one for the input layer)."""
    pairs = list(pairwise(layer_units))
    total = sum((1 + 2) * 2 * a * b for a, b in pairs)
    a, b = pairs[0]
    return total - 2 * a * b


# ------------------------------------------------------------------ helpers


def load_data(n_train):
    """Stratified float32 subset of ``n_train`` MNIST images, and its source."""
    X, y, _, _, mnist = load_mnist_split(n_train, seed=SEED)
    return X, y, mnist


# ----------------------------------------------------------- matmul rates


def matmul_shapes(batch):
    """The (label, a, b) operands of every product of one gBP step at
    ``batch``, with the layouts ``_gbp`` uses (transposed views included).
    Labels name the product; a shape occurring twice (mean and variance)
    is listed twice."""
    rng = np.random.default_rng(SEED)
    ops = []
    for layer, (n_in, n_out) in enumerate(pairwise(LAYER_UNITS)):
        H = rng.random((batch, n_in), dtype=np.float32)
        W = rng.random((n_in, n_out), dtype=np.float32)
        delta = rng.random((batch, n_out), dtype=np.float32)
        for kind in ("mean", "var"):
            ops.append((f"fwd  H@W      ({batch},{n_in})@({n_in},{n_out})", H, W, kind))
            ops.append(
                (f"bwd  H.T@d    ({n_in},{batch})@({batch},{n_out})", H.T, delta, kind)
            )
            if layer:
                ops.append(
                    (
                        f"bwd  d@W.T    ({batch},{n_out})@({n_out},{n_in})",
                        delta,
                        W.T,
                        kind,
                    )
                )
    return ops


def best_rate(a, b, min_time=0.2, max_reps=2000):
    """GFLOP/s of ``a @ b`` into a preallocated output: best of timed runs."""
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.float32)
    flops = 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
    for _ in range(3):
        np.matmul(a, b, out=out)
    best, spent, reps = np.inf, 0.0, 0
    while spent < min_time and reps < max_reps:
        t0 = time.perf_counter()
        np.matmul(a, b, out=out)
        dt = time.perf_counter() - t0
        best, spent, reps = min(best, dt), spent + dt, reps + 1
    return flops / best / 1e9, best


def measure_matmul(quick, previous=None):
    """Best times of the network's products at batch 500 and of a big square
    product: ``({label: [flops, best_s, count]}, (n, flops, best_s))``.
    With ``previous`` (an earlier result), keeps the better of both."""
    min_time = 0.05 if quick else 0.3
    shapes = {}
    for label, a, b, _ in matmul_shapes(500):
        if label in shapes:
            shapes[label][2] += 1
            continue
        flops = 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
        shapes[label] = [flops, best_rate(a, b, min_time)[1], 1]
    n = 1000 if quick else 2000
    A, B = square_operands(n)
    square = (n, 2.0 * n**3, best_rate(A, B, 0.3 if quick else 2.0, max_reps=50)[1])
    if previous is not None:
        for label, entry in previous[0].items():
            shapes[label][1] = min(shapes[label][1], entry[1])
        square = square[:2] + (min(square[2], previous[1][2]),)
    return shapes, square


def square_operands(n):
    """Two random float32 ``(n, n)`` matrices, the same in every call."""
    rng = np.random.default_rng(SEED)
    return rng.random((n, n), dtype=np.float32), rng.random((n, n), dtype=np.float32)


def square_product(n):
    """``(fn, flops)``: one float32 ``(n, n) @ (n, n)`` product into a
    preallocated output, the reference timed within every round."""
    A, B = square_operands(n)
    out = np.empty((n, n), dtype=np.float32)

    def fn():
        np.matmul(A, B, out=out)

    return fn, 2.0 * n**3


def same_round_shares(epoch_s, flops, reference_s, reference_flops):
    """Per round, the epoch's matrix-product rate as a share of the reference
    product's rate in the same round; both are timed back to back, so a
    change of the machine's speed during the run hits both alike."""
    return [
        (flops / t) / (reference_flops / r)
        for t, r in zip(epoch_s, reference_s, strict=True)
    ]


def network_rate(shapes):
    """GFLOP/s of all products of one gBP step, each shape by its count."""
    flops = sum(f * c for f, _, c in shapes.values())
    return flops / sum(t * c for _, t, c in shapes.values()) / 1e9


# ---------------------------------------------------------------- systems


def build_core(X, y, batch, dtype, spike_slab, seed=SEED):
    """Parameters, buffers and optimizer as ``SaSMLPClassifier._train`` builds
    them; returns a function running one epoch."""
    from sklearn_sas._gbp import ParamVector, Workspace, init_params, run_epoch
    from sklearn_sas._noise import NormalNoise, new_generator
    from sklearn_sas._optimizers import AdamOptimizer

    dtype = np.dtype(dtype)
    X = np.ascontiguousarray(X, dtype=dtype)
    rng = new_generator(seed)
    noise = NormalNoise(rng)
    params = init_params(LAYER_UNITS, True, dtype, rng, init_pi=0.0, init_xi=0.01)
    grads = ParamVector(LAYER_UNITS, True, dtype)
    ws = Workspace(LAYER_UNITS, batch, dtype)
    # plain backprop steps only the ``deterministic`` segment (m, intercepts),
    # so its optimizer state must have that segment's size
    opt = AdamOptimizer(params.flat if spike_slab else params.deterministic, LR_GBP)

    def epoch():
        return run_epoch(
            params, grads, opt, ws, X, y, None, alpha=ALPHA, rng=rng, noise=noise,
            shuffle=True, spike_slab=spike_slab,
        )  # fmt: skip

    return epoch, (params, grads, opt, ws, X, noise, rng)


def core_epochs(X, y, dtype, spike_slab):
    """{batch: function running one bare core epoch}, after a warm-up epoch."""
    out = {}
    for batch in BATCHES:
        out[batch] = build_core(X, y, batch, dtype, spike_slab)[0]
        out[batch]()  # warm-up epoch
    return out


def estimator_epochs(X, y, dtype):
    """{batch: one ``SaSMLPClassifier.partial_fit`` epoch}, after the first
    call (with ``classes``) as warm-up. X is passed in the estimator's dtype,
    so each call pays validation and per-call setup but no conversion."""
    from sklearn_sas import SaSMLPClassifier

    X = np.ascontiguousarray(X, dtype=dtype)
    classes = np.unique(y)
    out = {}
    for batch in BATCHES:
        clf = SaSMLPClassifier(
            hidden_layer_sizes=HIDDEN, batch_size=batch, dtype=dtype, max_iter=1,
            random_state=SEED,
        )  # fmt: skip
        clf.partial_fit(X, y, classes=classes)  # warm-up epoch
        out[batch] = functools.partial(clf.partial_fit, X, y)
    return out


def estimator_fit_epochs(X, y, dtype, n_epochs):
    """{batch: a fresh ``SaSMLPClassifier.fit`` of ``n_epochs`` epochs}: the
    epochs of a fit run back to back, as in real use; one validation and
    initialization per call are included (the caller divides the time by
    ``n_epochs``)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning

    from sklearn_sas import SaSMLPClassifier

    X = np.ascontiguousarray(X, dtype=dtype)

    def fit(batch):
        clf = SaSMLPClassifier(
            hidden_layer_sizes=HIDDEN, batch_size=batch, dtype=dtype,
            max_iter=n_epochs, random_state=SEED,
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X, y)

    out = {batch: functools.partial(fit, batch) for batch in BATCHES}
    for fn in out.values():
        fn()  # warm-up
    return out


def mlp_epochs(X, y, dtype):
    """{batch: one ``MLPClassifier.partial_fit`` epoch}, after a warm-up call."""
    from sklearn.neural_network import MLPClassifier

    X = np.ascontiguousarray(X, dtype=dtype)
    classes = np.unique(y)
    out = {}
    for batch in BATCHES:
        clf = MLPClassifier(
            hidden_layer_sizes=HIDDEN, solver="adam", batch_size=batch,
            random_state=SEED,
        )  # fmt: skip
        clf.partial_fit(X, y, classes=classes)  # warm-up epoch
        out[batch] = functools.partial(clf.partial_fit, X, y)
    return out


def torch_epoch_fn(X, y, batch, torch):
    """gBP written with PyTorch autograd, float32, Adam, projection after
    every step; same math and default hyper-parameters as the NumPy core."""
    g = torch.Generator().manual_seed(SEED)
    Xt = torch.from_numpy(np.ascontiguousarray(X, dtype=np.float32))
    yt = torch.from_numpy(y)
    ms, pis, xis, bs = [], [], [], []
    for n_in, n_out in pairwise(LAYER_UNITS):
        ms.append((torch.randn(n_in, n_out, generator=g) * 2**0.5).requires_grad_())
        pis.append(torch.zeros(n_in, n_out, requires_grad=True))
        xis.append((torch.rand(n_in, n_out, generator=g) * 0.01).requires_grad_())
        bs.append(torch.zeros(n_out, requires_grad=True))
    opt = torch.optim.Adam([*pis, *xis, *ms, *bs], lr=LR_GBP)
    n = Xt.shape[0]

    def step(xb, yb):
        h = xb
        last = len(ms) - 1
        for layer, (m, pi, xi, b) in enumerate(zip(ms, pis, xis, bs)):
            n_in = h.shape[1]
            keep = 1 - pi
            mu = m * keep
            var = keep * (xi + pi * m * m)
            G = h @ mu / n_in**0.5
            # clamp: zero gradient where D = 0, as the NumPy core's where=D>0
            D = torch.sqrt(((h * h) @ var / n_in).clamp_min(1e-30))
            z = G + torch.randn(G.shape, generator=g) * D + b
            h = z if layer == last else torch.relu(z)
        loss = torch.nn.functional.cross_entropy(h, yb)
        penalty = sum((m * m).sum() + (xi * xi).sum() for m, xi in zip(ms, xis))
        loss = loss + 0.5 * ALPHA * penalty / xb.shape[0]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        with torch.no_grad():
            for pi, xi in zip(pis, xis):
                pi.clamp_(0, 1)
                xi.clamp_(min=0)
        return loss

    def epoch():
        order = torch.randperm(n, generator=g)
        for start in range(0, n, batch):
            rows = order[start : start + batch]
            step(Xt[rows], yt[rows])

    return epoch


def torch_epochs(X, y):
    """{batch: one epoch of gBP in PyTorch autograd}, float32, 2 threads."""
    import torch

    torch.set_num_threads(2)
    out = {}
    for batch in BATCHES:
        out[batch] = torch_epoch_fn(X, y, batch, torch)
        out[batch]()  # warm-up epoch
    return out, torch


# -------------------------------------------------------------- breakdown


def _timed(spent, key, fn):
    """``fn`` wrapped to add its wall time to ``spent[key]``."""

    def wrapper(*args, **kwargs):
        t0 = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[key] += time.perf_counter() - t0

    return wrapper


class _TimedNoise:
    """A ``NormalNoise`` whose ``fill`` is timed."""

    def __init__(self, noise, spent):
        self.fill = _timed(spent, "noise", noise.fill)


def breakdown(X, y, batch, dtype, repeats):
    """Where the time of a bare core epoch (``spike_slab=True``) goes.

    Runs real epochs with the core's helpers wrapped in timers, for the
    duration of this function only: ``np.matmul`` as ``_gbp`` sees it (a
    copy of the numpy namespace whose ``matmul`` is timed), ``_take_rows``,
    ``sas_moments``/``sas_param_grads``, ``layer_forward``/``layer_backward``,
    ``softmax_cross_entropy``, ``project_sas``, the optimizer step and the
    noise source's ``fill``. Nothing is replayed out of context, so
    cache effects are those of a real epoch. Returns the un-instrumented
    epoch time, the instrumented one and its parts (the fastest of
    ``repeats`` epochs each), and the number of steps per epoch.
    """
    import sklearn_sas._gbp as gbp

    epoch, (params, grads, opt, ws, Xd, noise, rng) = build_core(
        X, y, batch, dtype, True
    )
    epoch()  # warm-up
    plain = min(time_calls(epoch, repeats, warmup=0))

    names = ["np", "_take_rows", "sas_moments", "sas_param_grads",
             "layer_forward", "layer_backward", "project_sas"]  # fmt: skip
    saved = {name: getattr(gbp, name) for name in names}
    # the output loss is looked up in _losses.OUTPUT_LOSSES at every step
    saved_softmax = gbp.OUTPUT_LOSSES["softmax"]
    spent = dict.fromkeys(
        ["matmul", "layers", "noise", "gather", "chain", "softmax", "adam"], 0.0
    )
    numpy_copy = types.SimpleNamespace(**vars(np))
    numpy_copy.matmul = _timed(spent, "matmul", np.matmul)
    timed_noise = _TimedNoise(noise, spent)
    step = _timed(spent, "adam", opt.update_params)
    timed_opt = types.SimpleNamespace(update_params=step)
    runs = []
    try:
        gbp.np = numpy_copy
        gbp._take_rows = _timed(spent, "gather", saved["_take_rows"])
        gbp.sas_moments = _timed(spent, "chain", saved["sas_moments"])
        gbp.sas_param_grads = _timed(spent, "chain", saved["sas_param_grads"])
        gbp.layer_forward = _timed(spent, "layers", saved["layer_forward"])
        gbp.layer_backward = _timed(spent, "layers", saved["layer_backward"])
        gbp.OUTPUT_LOSSES["softmax"] = _timed(spent, "softmax", saved_softmax)
        gbp.project_sas = _timed(spent, "adam", saved["project_sas"])
        for _ in range(repeats + 1):  # the first one is a warm-up
            for key in spent:
                spent[key] = 0.0
            t0 = time.perf_counter()
            gbp.run_epoch(
                params, grads, timed_opt, ws, Xd, y, None,
                alpha=ALPHA, rng=rng, noise=timed_noise, shuffle=True,
                spike_slab=True,
            )  # fmt: skip
            runs.append((time.perf_counter() - t0, dict(spent)))
    finally:
        for name, value in saved.items():
            setattr(gbp, name, value)
        gbp.OUTPUT_LOSSES["softmax"] = saved_softmax
    total, parts = min(runs[1:], key=lambda run: run[0])
    rows = [
        ("matrix products (np.matmul)", parts["matmul"]),
        (
            "elementwise inside layer_forward/backward",
            parts["layers"] - parts["matmul"],
        ),
        ("noise eps (NormalNoise.fill)", parts["noise"]),
        ("row gathering (X, np.take)", parts["gather"]),
        ("moments + chain rule (sas_moments/grads)", parts["chain"]),
        ("softmax + cross-entropy", parts["softmax"]),
        ("Adam step + projection (pi, xi)", parts["adam"]),
    ]
    rows.append(
        ("rest: X^2, relu/square, L2 penalty, loop", total - sum(t for _, t in rows))
    )
    return plain, total, rows, -(-Xd.shape[0] // batch)


# ------------------------------------------------------------------ output


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeats",
        type=int,
        default=7,
        help="epochs timed per configuration (default 7)",
    )
    parser.add_argument(
        "--n-train", type=int, default=4000, help="training images (default 4000)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="smoke test: 500 images, 2 repeats"
    )
    parser.add_argument(
        "--wait-idle",
        type=float,
        default=0,
        metavar="SECONDS",
        help="before timing, wait up to SECONDS for other "
        "processes to leave the CPUs idle (default 0: no wait)",
    )
    parser.add_argument(
        "--no-torch", action="store_true", help="skip the PyTorch autograd row"
    )
    parser.add_argument(
        "--no-breakdown", action="store_true", help="skip the breakdown of a core epoch"
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.n_train = 2, 500
    repeats = max(1, args.repeats)

    import sklearn

    X, y, mnist = load_data(args.n_train)
    n = X.shape[0]
    print(
        "Training benchmark: gBP (sklearn_sas) vs MLPClassifier, network "
        + "-".join(map(str, LAYER_UNITS))
    )
    print(
        f"  python {platform.python_version()}, numpy {np.__version__}, "
        f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs "
        f"({platform.processor() or platform.machine()})"
    )
    for line in blas_header():
        print(line)
    print(
        f"  data: load_mnist() source={mnist.source!r} ({mnist.data.shape[0]} "
        f"images available); using {n} training images (stratified), "
        f"float32, {X.shape[1]} features"
    )
    print(
        f"  ms/epoch: median of {repeats} epochs after 1 warm-up epoch"
        + ("  [--quick: smoke test only, figures not meaningful]" if args.quick else "")
    )
    print()

    if args.wait_idle > 0:
        waited = wait_idle(args.wait_idle)
        print(
            f"  waited {waited:.0f} s for idle CPUs (--wait-idle {args.wait_idle:g})",
            file=sys.stderr,
        )
    meter = cpu_meter()
    first_matmul = measure_matmul(args.quick)
    gbp_f = gbp_flops_per_sample() * n
    bp_f = backprop_flops_per_sample() * n

    # ---- systems
    load_before = os.getloadavg()
    mlp = "MLPClassifier adam, float64 data"
    numpy_systems = [
        (mlp, mlp_epochs(X, y, np.float64), bp_f),
        ("MLPClassifier adam, float32 data", mlp_epochs(X, y, np.float32), bp_f),
        (
            "gBP float32, estimator partial_fit",
            estimator_epochs(X, y, "float32"),
            gbp_f,
        ),
        ("gBP float32, core run_epoch", core_epochs(X, y, "float32", True), gbp_f),
        (
            FIT_LABEL,
            estimator_fit_epochs(X, y, "float32", FIT_EPOCHS),
            gbp_f,
        ),
        (
            "gBP float64, estimator partial_fit",
            estimator_epochs(X, y, "float64"),
            gbp_f,
        ),
        ("gBP float64, core run_epoch", core_epochs(X, y, "float64", True), gbp_f),
        ("backprop core (pi=xi=0), float32", core_epochs(X, y, "float32", False), bp_f),
        ("backprop core (pi=xi=0), float64", core_epochs(X, y, "float64", False), bp_f),
    ]
    torch_label = "gBP PyTorch autograd, float32"
    torch_systems, torch_note = [], None
    if args.no_torch:
        torch_note = "PyTorch row skipped (--no-torch)"
    elif importlib.util.find_spec("torch") is None:
        torch_note = "PyTorch row skipped: `import torch` is not available"
    else:
        try:
            fns, torch = torch_epochs(X, y)
            torch_systems = [(torch_label, fns)]
            torch_note = (
                f"PyTorch {torch.__version__}, CPU, "
                f"torch.set_num_threads({torch.get_num_threads()}); timed in the "
                f"same rounds, with {TORCH_PAUSE:g} s pauses before and after each "
                "of its epochs (either thread pool spins for a while after its "
                "last call and slows the other)"
            )
        except Exception as exc:  # noqa: BLE001 - any failure only skips the row
            torch_note = f"PyTorch row skipped: {type(exc).__name__}: {exc}"
    reference_fn, reference_flops = square_product(1000 if args.quick else 2000)
    reference_fn()  # warm-up
    t0 = time.perf_counter()
    timing_meter = cpu_meter()
    times = time_round_robin(
        [(lab, fns) for lab, fns, _ in numpy_systems]
        + [(REFERENCE, {"square": reference_fn})]
        + torch_systems,
        repeats,
        0,
        isolate={torch_label},
        pause=TORCH_PAUSE,
    )
    timing_other = other_cpu(timing_meter)
    reference_s = times.pop(REFERENCE)["square"]
    for b in BATCHES:
        times[FIT_LABEL][b] = [t / FIT_EPOCHS for t in times[FIT_LABEL][b]]
    print(f"  timed the systems in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    results = [(lab, times[lab], flops) for lab, _, flops in numpy_systems]
    if torch_systems:
        results.append((torch_label, times[torch_label], gbp_f))
    del numpy_systems, torch_systems
    load_after = os.getloadavg()

    # ---- matmul rate, measured before and after the systems: the best counts
    shapes, square = measure_matmul(args.quick, first_matmul)
    square_rate = square[1] / square[2] / 1e9
    net_rate = network_rate(shapes)
    sq_n = square[0]
    print(
        "float32 matrix-product rate (np.matmul into a preallocated out=; "
        "best time of repeated runs, measured before and after the training "
        "runs)"
    )
    print_table(
        ["product (gBP shapes at batch 500)", "count/step", "ms", "GFLOP/s"],
        [
            (label, c, f"{1e3 * t:.3f}", f"{f / t / 1e9:.1f}")
            for label, (f, t, c) in shapes.items()
        ],
    )
    print(
        f"  all products of one gBP step at batch 500 (each shape weighted by "
        f"its count): {net_rate:.1f} GFLOP/s"
    )
    print(
        f"  large square ({sq_n}x{sq_n})@({sq_n}x{sq_n}) float32: "
        f"{square_rate:.1f} GFLOP/s  <- the 'matmul peak' used below "
        f"(at the start of the run: "
        f"{first_matmul[1][1] / first_matmul[1][2] / 1e9:.1f})"
    )
    print()

    print(
        f"FLOPs per epoch ({n} samples): gBP {gbp_f / 1e9:.3f} GFLOP "
        f"({gbp_flops_per_sample()} per sample), backprop {bp_f / 1e9:.3f} GFLOP "
        f"({backprop_flops_per_sample()} per sample)"
    )
    print(
        f"  FLOP floor of a gBP epoch at the square rate: "
        f"{1e3 * gbp_f / (square_rate * 1e9):.1f} ms; at the network-shape "
        f"rate: {1e3 * gbp_f / (net_rate * 1e9):.1f} ms"
    )
    print()

    med = {label: {b: median_ms(t[b]) for b in BATCHES} for label, t, _ in results}
    ref = med[mlp]
    header = [
        "system",
        "ms/ep b100",
        "ms/ep b500",
        "x MLP b100",
        "x MLP b500",
        "GFLOP/s b100",
        "% peak b100",
        "GFLOP/s b500",
        "% peak b500",
    ]
    table = []
    for label, _, flops in results:
        m = med[label]
        cells = [
            label,
            f"{m[100]:.1f}",
            f"{m[500]:.1f}",
            f"{m[100] / ref[100]:.2f}",
            f"{m[500] / ref[500]:.2f}",
        ]
        for b in BATCHES:
            rate = flops / (m[b] / 1e3) / 1e9
            cells += [f"{rate:.1f}", f"{100 * rate / square_rate:.0f}%"]
        table.append(cells)
    print(
        f"Training time per epoch ({n} images, median of {repeats}); "
        "'x MLP' = ratio to MLPClassifier (float64 data) at the same batch;"
    )
    print(
        f"GFLOP/s counts matrix-product FLOPs only (gBP {gbp_flops_per_sample()}, "
        f"backprop {backprop_flops_per_sample()} per sample); '% peak' is "
        f"against the large square float32 rate ({square_rate:.1f} GFLOP/s)"
    )
    print_table(header, table)
    print("  Systems timed round-robin (one epoch of each system per round).")
    if torch_note:
        print(f"  {torch_note}")
    print(
        "  load average (1/5/15 min) before timing: "
        + "/".join(f"{v:.2f}" for v in load_before)
        + ", after: "
        + "/".join(f"{v:.2f}" for v in load_after)
        + f" on {os.cpu_count()} CPUs"
    )
    print(
        f"  CPU used by other processes while timing: {fmt_cores(timing_other)}, "
        f"whole run {fmt_cores(other_cpu(meter))} (anything above ~0.05 skews "
        "the figures: 2-thread BLAS calls stall when a core is taken)"
    )
    print()
    print("Spread (min / median / max ms per epoch)")
    print_table(
        ["system", "batch 100", "batch 500"],
        [
            [label]
            + [
                f"{1e3 * min(t[b]):.1f} / {median_ms(t[b]):.1f} / {1e3 * max(t[b]):.1f}"
                for b in BATCHES
            ]
            for label, t, _ in results
        ],
    )
    print()

    # ---- the speed targets of benchmarks/README.md
    results_times = [(label, t) for label, t, _ in results]
    ref_rates = [reference_flops / r / 1e9 for r in reference_s]
    print(
        f"Square product timed in every round ({REFERENCE}): "
        f"{min(ref_rates):.1f} / {np.median(ref_rates):.1f} / {max(ref_rates):.1f} "
        "GFLOP/s (min / median / max over the rounds)"
    )
    print()
    print("Speed targets (benchmarks/README.md; batch 500 unless stated, same run)")
    torch_ms = med.get("gBP PyTorch autograd, float32")
    for label in (
        "gBP float32, estimator partial_fit",
        "gBP float32, core run_epoch",
        FIT_LABEL,
    ):
        m = med[label]
        ratio = m[500] / ref[500]
        rate = gbp_f / (m[500] / 1e3) / 1e9
        pct = 100 * rate / square_rate
        print(f"  [{label}]")
        print(
            f"    gBP float32 epoch within 2x of MLPClassifier at batch 500: "
            f"{'yes' if ratio <= 2 else 'no'} ({ratio:.2f}x: {m[500]:.1f} ms vs "
            f"{ref[500]:.1f} ms)"
        )
        epochs = dict(results_times)[label][500]
        shares = same_round_shares(epochs, gbp_f, reference_s, reference_flops)
        same_round = 100 * float(np.median(shares))
        print(
            f"    at least 40% of the matmul rate at batch 500: "
            f"{'yes' if same_round >= 40 else 'no'} ({same_round:.0f}%, median "
            f"over {len(shares)} rounds of the epoch's rate over the square "
            f"product's rate timed in the same round; range "
            f"{100 * min(shares):.0f}-{100 * max(shares):.0f}%)"
        )
        print(
            f"      against rates measured outside the rounds: {pct:.0f}% of the "
            f"best square rate {square_rate:.1f} GFLOP/s, "
            f"{100 * rate / net_rate:.0f}% of the network-shape rate "
            f"{net_rate:.1f} GFLOP/s"
        )
        if torch_ms:
            for b in BATCHES:
                ok = m[b] <= torch_ms[b]
                print(
                    f"    at or below the PyTorch autograd figure at batch {b}: "
                    f"{'yes' if ok else 'no'} ({m[b]:.1f} ms vs "
                    f"{torch_ms[b]:.1f} ms, {m[b] / torch_ms[b]:.2f}x)"
                )
        else:
            print(
                "    at or below the PyTorch autograd figure: not checked "
                "(no PyTorch row)"
            )
    print()

    # ---- breakdown
    if not args.no_breakdown:
        for dtype in ("float32",):
            for b in BATCHES:
                snap = cpu_meter()
                plain, total, rows, n_batches = breakdown(X, y, b, dtype, repeats)
                print(
                    f"Breakdown of a bare gBP core epoch, {dtype}, batch {b}: "
                    f"{n_batches} steps, {1e3 * plain:.1f} ms/epoch plain, "
                    f"{1e3 * total:.1f} ms with the timers (fastest of {repeats} "
                    f"epochs each; other processes used "
                    f"{fmt_cores(other_cpu(snap))})"
                )
                print_table(
                    ["part", "ms/epoch", "share", "us/step"],
                    [
                        (
                            label,
                            f"{1e3 * t:.1f}",
                            f"{100 * t / total:.0f}%",
                            f"{1e6 * t / n_batches:.0f}",
                        )
                        for label, t in rows
                    ],
                )
                print()


if __name__ == "__main__":
    main()
