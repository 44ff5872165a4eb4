"""Accuracy part of ``bench_compression.py``: train, prune, retrain, score.

Sections 1 and 2 of that benchmark. For one network shape:

- the retraining step of (b) ``fine_tune`` and of (d) masked backprop is
  chosen, for each method and each sparsity separately, from each network's
  own training step times ``STEP_FACTORS``, by accuracy on a validation split
  of the training images (networks trained on the rest); the test images are
  not looked at;
- then, for each training seed, both networks are trained on all the
  training images, pruned at every sparsity and retrained with every step
  factor, and scored on the test images. The tables give the mean over the
  seeds; the targets are checked on the means at the chosen steps, and each
  seed's figures are printed too.
"""

import copy
import time
import warnings

import numpy as np
from _bench_utils import print_table

SPARSITIES = (0.5, 0.8, 0.9, 0.95, 0.98)
DEPLOYED_SPARSITIES = (0.9, 0.95)
# retraining runs with each network's own training step times these: the
# step it was trained with, and a tenth of it (prune-and-retrain commonly
# retrains with a smaller step); on a tie of validation accuracy the first
# (the network's own step) is kept
STEP_FACTORS = (1.0, 0.1)
METHODS = {"b": "SaS + fine_tune", "d": "MLP magnitude + masked backprop"}


# ------------------------------------------------------------------ training

# the recipe of version 0.1.x, which the stored run of bench_compression.py
# measured (a constant step and alpha=1e-3 at every size; see bench_recipe.py
# and bench_scale_accuracy.py for the defaults of this version)
RECIPE_0_1_X = {"learning_rate": "constant", "alpha": 1e-3}


def train_models(X, y, hidden, epochs, batch, seed):
    """A SaSMLPClassifier and an MLPClassifier trained for exactly ``epochs``
    epochs each (no early stop); returns them and their fit times (s)."""
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
    sas = SaSMLPClassifier(
        **common, **RECIPE_0_1_X, fit_intercept=True, dtype="float32"
    )
    mlp = MLPClassifier(**common)
    times = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        for name, est in (("sas", sas), ("mlp", mlp)):
            t0 = time.perf_counter()
            est.fit(X, y)
            times[name] = time.perf_counter() - t0
    return sas, mlp, times


def magnitude_masks(mlp, sparsity):
    """Han et al.'s global magnitude pruning of an MLPClassifier: keep-masks
    dropping the fraction ``sparsity`` of the smallest ``|w|``, with the
    ranking (ties by position) of ``pruning_masks(rule="sparsity")``."""
    from sklearn_sas.compression._masks import _keep_best

    scores = [np.abs(w) for w in mlp.coefs_]
    return _keep_best(scores, round(sparsity * sum(s.size for s in scores)))


def masked_mlp(mlp, masks):
    pruned = copy.deepcopy(mlp)
    pruned.coefs_ = [w * keep for w, keep in zip(mlp.coefs_, masks)]
    return pruned


def retrain_masked_mlp(mlp, masks, X, y, epochs, batch, seed):
    """Masked backprop retraining of a pruned MLPClassifier: ``epochs``
    epochs of its own Adam steps (a fresh optimizer, as ``fine_tune`` starts
    one), one ``partial_fit`` per shuffled minibatch, with the pruned weights
    set back to zero after every step. The forward pass then always sees
    them at zero and Adam updates each weight from its own gradients only,
    so the kept weights follow exactly the updates of gradient masking."""
    net = masked_mlp(mlp, masks)
    del net._optimizer
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(X.shape[0])
        for start in range(0, X.shape[0], batch):
            rows = order[start : start + batch]
            net.partial_fit(X[rows], y[rows])
            for w, keep in zip(net.coefs_, masks):
                w *= keep
    return net


def with_step(estimator, factor):
    """A copy of a fitted MLPClassifier whose training step is ``factor``
    times its own: the step of its retraining (``fine_tune`` takes the step
    of a SaS network's retraining as ``learning_rate_init``)."""
    est = copy.deepcopy(estimator)
    return est.set_params(learning_rate_init=factor * est.learning_rate_init)


def prune_and_retrain(sas, mlp, X, y, X_eval, y_eval, epochs, batch, seed, keep=()):
    """Accuracy on ``(X_eval, y_eval)`` of the dense networks (``"sas"``,
    ``"mlp"``), of (a) and (c) at each sparsity (``("a", s)``) and of (b)
    and (d) at each sparsity and step factor (``("b", s, f)``), retraining on
    ``(X, y)``; and the fine-tuned SaS networks at the sparsities ``keep``
    (``{(s, f): network}``)."""
    from sklearn_sas.compression import fine_tune, prune, pruning_masks

    acc = {"sas": sas.score(X_eval, y_eval), "mlp": mlp.score(X_eval, y_eval)}
    tuned, seconds = {}, {"b": 0.0, "d": 0.0}
    for s in SPARSITIES:
        masks = pruning_masks(sas, rule="sparsity", sparsity=s)
        acc["a", s] = prune(sas, rule="sparsity", sparsity=s).score(X_eval, y_eval)
        mlp_masks = magnitude_masks(mlp, s)
        acc["c", s] = masked_mlp(mlp, mlp_masks).score(X_eval, y_eval)
        for f in STEP_FACTORS:
            t0 = time.perf_counter()
            net = fine_tune(
                sas, X, y, masks=masks, max_iter=epochs,
                learning_rate_init=f * sas.learning_rate_init,
            )  # fmt: skip
            seconds["b"] += time.perf_counter() - t0
            acc["b", s, f] = net.score(X_eval, y_eval)
            if s in keep:
                tuned[s, f] = net
            t0 = time.perf_counter()
            net = retrain_masked_mlp(
                with_step(mlp, f), mlp_masks, X, y, epochs, batch, seed
            )
            seconds["d"] += time.perf_counter() - t0
            acc["d", s, f] = net.score(X_eval, y_eval)
    return acc, tuned, seconds


# ------------------------------------------------------------------- output


def pct(x, digits=1):
    return f"{100 * x:.{digits}f}%"


def signed_pts(x):
    return f"{100 * x:+.1f}"


def acc_cell(acc, base):
    return f"{acc:.4f} ({signed_pts(acc - base)})"


def step_label(factor):
    return f"x{factor:g}"


# ----------------------------------------------------------------- sections


def choose_steps(ctx, hidden):
    """Section 1: the step factor of (b) and of (d) at each sparsity, by
    validation accuracy. Returns ``{(method, sparsity): factor}``."""
    from sklearn.model_selection import train_test_split

    X, y = ctx["data"][:2]
    E, batch, seed = ctx["tune_epochs"], ctx["batch"], ctx["seeds"][0]
    X_fit, X_val, y_fit, y_val = train_test_split(
        X, y, test_size=ctx["val_fraction"], stratify=y, random_state=ctx["split_seed"]
    )
    sas, mlp, _ = train_models(X_fit, y_fit, hidden, ctx["epochs"], batch, seed)
    acc, _, _ = prune_and_retrain(sas, mlp, X_fit, y_fit, X_val, y_val, E, batch, seed)
    chosen, rows = {}, []
    for s in SPARSITIES:
        row = [pct(s, 0)]
        for method in METHODS:
            # max keeps the first of equal accuracies: the network's own step
            chosen[method, s] = max(STEP_FACTORS, key=lambda f: acc[method, s, f])
            row += [f"{acc[method, s, f]:.4f}" for f in STEP_FACTORS]
            row.append(step_label(chosen[method, s]))
        rows.append(row)
    print(
        f"1. Retraining step chosen on a validation split: {X_fit.shape[0]} of "
        f"the training images train (seed {seed}, {ctx['epochs']} epochs), "
        f"{X_val.shape[0]} held out (stratified, seed {ctx['split_seed']}) "
        f"score the retrained networks ({E} epochs); validation accuracy "
        f"(dense: SaS {acc['sas']:.4f}, MLP {acc['mlp']:.4f})"
    )
    header = ["sparsity"]
    for method, name in METHODS.items():
        header += [f"({method}) {name}, step {step_label(f)}" for f in STEP_FACTORS]
        header.append(f"({method}) chosen")
    print_table(header, rows)
    print(
        f"  step factors {', '.join(map(step_label, STEP_FACTORS))} of each "
        "network's own training step, the most accurate on validation kept "
        "(a tie keeps the first); the test images are not used"
    )
    print()
    return chosen


def _target_lines(label, base, b, d):
    ok95 = base - b[0.95] <= 0.005
    ok98 = base - b[0.98] <= 0.015
    beats = [s for s in SPARSITIES if b[s] >= d[s]]
    return (
        f"  {label}: target 95% sparse with fine-tuning within 0.5 point of "
        f"the dense SaS network: {'met' if ok95 else 'NOT met'} "
        f"({signed_pts(b[0.95] - base)} points); target 98% within 1.5 points: "
        f"{'met' if ok98 else 'NOT met'} ({signed_pts(b[0.98] - base)} points); "
        f"target (b) at least as accurate as (d) at every sparsity: "
        f"{'met' if len(beats) == len(SPARSITIES) else 'NOT met'} (at "
        f"{', '.join(pct(s, 0) for s in beats) or 'none'})"
    )


def accuracy_section(ctx, hidden, chosen):
    """Section 2: test accuracy, mean over the seeds. Returns the first
    seed's SaS network, its fine-tuned networks at the deployed sparsities
    and chosen steps (for the deployment section) and its dense accuracy."""
    from sklearn_sas.compression import fine_tune, prune

    X, y, X_test, y_test = ctx["data"]
    E, batch, seeds = ctx["tune_epochs"], ctx["batch"], ctx["seeds"]
    runs, fits, first = [], [], None
    for seed in seeds:
        sas, mlp, fit_s = train_models(X, y, hidden, ctx["epochs"], batch, seed)
        keep = DEPLOYED_SPARSITIES if first is None else ()
        acc, tuned, tune_s = prune_and_retrain(
            sas, mlp, X, y, X_test, y_test, E, batch, seed, keep=keep
        )
        runs.append(acc)
        fits.append((fit_s, tune_s))
        if first is None:
            first = (sas, mlp, tuned)
    mean = {key: float(np.mean([r[key] for r in runs])) for key in runs[0]}
    for method in METHODS:
        for s in SPARSITIES:
            per_seed = [r[method, s, chosen[method, s]] for r in runs]
            mean[method, s, "chosen"] = float(np.mean(per_seed))
    base, mlp_base = mean["sas"], mean["mlp"]
    seed_list = ", ".join(map(str, seeds))
    print(
        f"2. Test accuracy at each global sparsity, mean over {len(seeds)} "
        f"training seeds ({seed_list}; each: dense training, pruning and "
        f"retraining) (change in points vs the network's own dense accuracy, "
        f"mean: SaS mean network {base:.4f}, MLP {mlp_base:.4f}); retraining "
        f"{E} epochs for (b) and (d) with each network's own training step (SaS "
        f"{first[0].learning_rate_init:g}, MLP {first[1].learning_rate_init:g}) "
        f"times {' and '.join(f'{f:g}' for f in STEP_FACTORS)}, and at the step "
        "chosen in section 1"
    )
    columns = list(STEP_FACTORS) + ["chosen"]
    rows = []
    for s in SPARSITIES:
        rows.append(
            [pct(s, 0), f"{1 / (1 - s):.0f}x", acc_cell(mean["a", s], base)]
            + [acc_cell(mean["b", s, f], base) for f in columns]
            + [acc_cell(mean["c", s], mlp_base)]
            + [acc_cell(mean["d", s, f], mlp_base) for f in columns]
        )
    names = [step_label(f) if f != "chosen" else "chosen step" for f in columns]
    print_table(
        ["sparsity", "ratio", "(a) SaS pruned"]
        + [f"(b) SaS + fine_tune {E} ep, {n}" for n in names]
        + ["(c) MLP magnitude"]
        + [f"(d) MLP magnitude + masked backprop {E} ep, {n}" for n in names],
        rows,
    )
    fit_sas = np.mean([f["sas"] for f, _ in fits])
    fit_mlp = np.mean([f["mlp"] for f, _ in fits])
    tune_b = np.mean([t["b"] for _, t in fits])
    tune_d = np.mean([t["d"] for _, t in fits])
    print(
        f"  per seed, mean time: training SaS {fit_sas:.1f} s, MLP {fit_mlp:.1f} "
        f"s; fine_tune {tune_b:.1f} s and masked MLP retraining {tune_d:.1f} s "
        f"for the {len(SPARSITIES) * len(STEP_FACTORS)} retrainings of each"
    )
    seed_rows = []
    for s in SPARSITIES:
        b = [r["b", s, chosen["b", s]] for r in runs]
        d = [r["d", s, chosen["d", s]] for r in runs]
        seed_rows.append(
            [
                pct(s, 0),
                "/".join(f"{r['a', s]:.3f}" for r in runs),
                "/".join(f"{v:.3f}" for v in b),
                "/".join(f"{r['c', s]:.3f}" for r in runs),
                "/".join(f"{v:.3f}" for v in d),
                f"{sum(bi >= di for bi, di in zip(b, d))} of {len(seeds)}",
            ]
        )
    dense_rows = "/".join(f"{r['sas']:.3f}" for r in runs)
    mlp_rows = "/".join(f"{r['mlp']:.3f}" for r in runs)
    print(
        f"  each seed ({seed_list}) at the chosen steps; dense SaS {dense_rows}, "
        f"dense MLP {mlp_rows}"
    )
    print_table(
        ["sparsity", "(a) per seed", "(b) per seed", "(c) per seed", "(d) per seed",
         "seeds with (b) >= (d)"],  # fmt: skip
        seed_rows,
    )
    for label, f in [(f"retraining step {step_label(f)}", f) for f in STEP_FACTORS] + [
        ("retraining step chosen in section 1 (the targets)", "chosen")
    ]:
        b = {s: mean["b", s, f] for s in SPARSITIES}
        d = {s: mean["d", s, f] for s in SPARSITIES}
        print(_target_lines(f"mean, {label}", base, b, d))
    sas, _, tuned = first
    tuned = {s: tuned[s, chosen["b", s]] for s in DEPLOYED_SPARSITIES}
    last = SPARSITIES[-1]
    t0 = time.perf_counter()
    steps = fine_tune(
        sas, X, y, rule="sparsity", sparsity=list(SPARSITIES), max_iter=E,
        learning_rate_init=chosen["b", last] * sas.learning_rate_init,
    )  # fmt: skip
    steps_s = time.perf_counter() - t0
    pruned = prune(steps)
    print(
        f"  for information, (b') seed {seeds[0]}: fine_tune in steps "
        f"sparsity={list(SPARSITIES)}, step {step_label(chosen['b', last])} (chosen "
        f"at {pct(last, 0)}), {E} epochs per step ({E * len(SPARSITIES)} in all, "
        f"{steps_s:.1f} s): {pruned.sparsity_:.1%} sparse, test acc "
        f"{acc_cell(pruned.score(X_test, y_test), runs[0]['sas'])} (vs this "
        "seed's dense SaS network)"
    )
    print()
    return sas, tuned, runs[0]["sas"]
