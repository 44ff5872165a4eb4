"""Uncertainty of one SaS fit against MLPClassifier, temperature scaling and a
deep ensemble: calibration, out-of-distribution detection, shift, rejection.

Prints tables, asserts nothing. For every seed and training set it fits, on
the same rows and with the same hidden layers,

- ``MLPClassifier`` with its defaults;
- the same ``MLPClassifier`` with temperature scaling,
  ``CalibratedClassifierCV(FrozenEstimator(mlp), method="temperature")``,
  its one scalar fitted on a held-out 10% of the training rows (stratified);
  every system is trained on the other 90%;
- a deep ensemble of 5 ``MLPClassifier`` (Lakshminarayanan et al. 2017),
  the first being the single one above, the others of other seeds;
- one ``SaSMLPClassifier`` with its defaults, scored three ways through
  ``set_params(inference=...)`` on the same fit: ``"mean"`` (the mean
  network), ``"mc"`` (100 mean-field passes) and ``"ensemble"`` (100
  sampled networks).

Training sets and what each is tested on:

- digits (scikit-learn's, 75 / 25 split, 64-100-C) trained on classes 0-4;
  the test images of classes 5-9 are unseen classes to detect (open set);
- MNIST (``load_mnist``: 4,000 / 1,000 stratified, 784-100-100-C) split the
  same way;
- MNIST with all ten classes: its test images rotated by 15, 30, 45, 60 and
  90 degrees are a shift (accuracy, NLL, ECE against the angle) and rows to
  detect (all angles pooled), and 1,000 Fashion-MNIST test images are rows
  from another data set to detect;
- Fashion-MNIST (10,000 training images, 1,000 test images) with 1,000
  MNIST test images to detect (the reverse pair).

Metrics on the in-distribution test rows: accuracy, NLL, multiclass Brier
score (sum over classes, mean over rows), ECE
(:func:`sklearn_sas.metrics.expected_calibration_error`, 15 bins), accuracy
of the rows kept when the 10 / 20 / 50% of largest predictive entropy are
rejected, fit and prediction time. Detection of out-of-distribution rows
(label 1) among the in-distribution test rows (label 0), by ``1 - max
probability``, the predictive entropy and, for the systems with members,
the mutual information: AUROC, AUPR (out-of-distribution rows positive) and
the false-positive rate at 95% true-positive rate. Every figure is the mean
over the seeds, with the standard deviation after the ``±``.

Usage::

    python benchmarks/bench_uncertainty.py               # three seeds
    python benchmarks/bench_uncertainty.py --seeds 0     # one seed
    python benchmarks/bench_uncertainty.py --quick       # smoke test, tiny data,
                                                          # seeds 0 and 1
"""

import argparse
import sys
import time
from collections import defaultdict

import numpy as np
from _bench_utils import (  # also puts an uninstalled checkout on sys.path
    blas_header,
    cpu_meter,
    digits_split,
    entropy,
    fit_quietly,
    fmt_cores,
    load_fashion_split,
    load_mnist_split,
    mutual_information,
    other_cpu,
    print_table,
)

N_ENSEMBLE = 5
ANGLES = (15, 30, 45, 60, 90)
REJECTED = (0.1, 0.2, 0.5)
CALIBRATION_FRACTION = 0.1

MLP = "MLPClassifier"
TEMPERATURE = "MLP + temperature"
ENSEMBLE = f"deep ensemble, {N_ENSEMBLE} MLP"
SAS_MEAN = "SaS mean network"
SAS_MC = "SaS mc, {n} passes"
SAS_ENSEMBLE = "SaS ensemble, {n} networks"
SCORES = ("max prob", "entropy", "MI")
ROTATED = f"MNIST rotated {ANGLES[0]}-{ANGLES[-1]} degrees"
# decimals of the columns that are not 3
_DIGITS = {"fit s": 1, "predict s": 3}


# --------------------------------------------------------------------- data


def rotate(X, angle):
    """28x28 images rotated by ``angle`` degrees, kept in the frame."""
    from scipy.ndimage import rotate as nd_rotate

    images = X.reshape(-1, 28, 28)
    rotated = nd_rotate(images, angle, axes=(1, 2), reshape=False, order=1)
    return np.clip(rotated, 0, 1).reshape(X.shape).astype(X.dtype)


def seen_classes(X_train, y_train, X_test, y_test, n_seen=5):
    """Training rows of classes below ``n_seen``; test rows split into seen
    (with labels) and unseen classes."""
    train = y_train < n_seen
    seen = y_test < n_seen
    return X_train[train], y_train[train], X_test[seen], y_test[seen], X_test[~seen]


def training_sets(quick, seed, announce=False):
    """``(name, hidden, X_train, y_train, X_in, y_in, {task: X_out}, rotate)``
    for every training set of one seed; ``announce`` prints where MNIST came
    from (the full set or the 5,000-image sample)."""
    if quick:
        n_mnist, n_fashion, n_test = (300, 200), 500, 200
    else:
        n_mnist, n_fashion, n_test = (4_000, 1_000), 10_000, 1_000
    X_tr, y_tr, X_te, y_te = digits_split(seed)
    # the pixels of the digits are 0-16, MNIST's 0-1
    X_tr, y_tr, X_in, y_in, X_out = seen_classes(X_tr / 16, y_tr, X_te / 16, y_te)
    yield "digits, classes 0-4", (100,), X_tr, y_tr, X_in, y_in, {
        "digits 5-9 (unseen classes)": X_out
    }, False
    X_tr, y_tr, X_te, y_te, mnist = load_mnist_split(*n_mnist, seed=seed)
    if announce:
        print(f"MNIST from {getattr(mnist, 'source', '?')}: {n_mnist[0]:,} training "
              f"and {n_mnist[1]:,} test images; Fashion-MNIST: {n_fashion:,} "
              f"training and {n_test:,} test images")  # fmt: skip
    Xs_tr, ys_tr, Xs_in, ys_in, Xs_out = seen_classes(X_tr, y_tr, X_te, y_te)
    yield "MNIST, classes 0-4", (100, 100), Xs_tr, ys_tr, Xs_in, ys_in, {
        "MNIST 5-9 (unseen classes)": Xs_out
    }, False
    F_tr, Fy_tr, F_te, Fy_te = load_fashion_split(n_fashion, seed=seed)
    rng = np.random.default_rng(seed)
    F_in = rng.choice(F_te.shape[0], size=n_test, replace=False)
    # the rotated images are made and scored angle by angle in main
    yield "MNIST", (100, 100), X_tr, y_tr, X_te, y_te, {
        "Fashion-MNIST (other data set)": F_te[F_in],
    }, True
    yield "Fashion-MNIST", (100, 100), F_tr, Fy_tr, F_te[F_in], Fy_te[F_in], {
        "MNIST (other data set)": X_te
    }, False


# ------------------------------------------------------------------ systems


class Predictions:
    """Probabilities of a system with its entropies, and the prediction time."""

    def __init__(self, proba, mi=None, seconds=0.0):
        self.proba = np.asarray(proba, dtype=np.float64)
        self.entropy = entropy(self.proba)
        self.mi = None if mi is None else np.asarray(mi, dtype=np.float64)
        self.seconds = seconds

    def score(self, kind):
        """Uncertainty score of ``kind`` (larger: less certain), or None."""
        if kind == "max prob":
            return 1 - self.proba.max(axis=1)
        return self.entropy if kind == "entropy" else self.mi


def timed(predict):
    t0 = time.perf_counter()
    out = predict()
    return out, time.perf_counter() - t0


def fit_systems(X, y, hidden, seed, max_iter, n_samples):
    """``({system: predict(X) -> Predictions}, {system: fit seconds})``."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.frozen import FrozenEstimator
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    from sklearn_sas import SaSMLPClassifier

    X_fit, X_cal, y_fit, y_cal = train_test_split(
        X, y, test_size=CALIBRATION_FRACTION, stratify=y, random_state=seed
    )
    members, member_s = [], []
    for k in range(N_ENSEMBLE):
        mlp = MLPClassifier(hidden, random_state=N_ENSEMBLE * seed + k, **max_iter)
        member_s.append(fit_quietly(mlp, X_fit, y_fit))
        members.append(mlp)
    # a frozen model predicts the same in every fold, so the folds only pool
    # the held-out rows and their number changes nothing; 2 instead of 5
    # lets small quick-mode classes (fewer than 5 rows) through
    calibrated = CalibratedClassifierCV(
        FrozenEstimator(members[0]), method="temperature", cv=2
    )
    calibration_s = fit_quietly(calibrated, X_cal, y_cal)
    sas = SaSMLPClassifier(hidden, random_state=seed, n_samples=n_samples, **max_iter)
    sas_s = fit_quietly(sas, X_fit, y_fit)

    def single(model):
        def predict(X):
            proba, s = timed(lambda: model.predict_proba(X))
            return Predictions(proba, seconds=s)

        return predict

    def deep_ensemble(X):
        probas, s = timed(lambda: [m.predict_proba(X) for m in members])
        mi, mean = mutual_information(probas)
        return Predictions(mean, mi, s)

    def sas_mode(inference):
        def predict(X):
            sas.set_params(inference=inference)
            if inference == "mean":
                proba, s = timed(lambda: sas.predict_proba(X))
                return Predictions(proba, seconds=s)
            u, s = timed(lambda: sas.predict_uncertainty(X))
            return Predictions(u.proba, u.mutual_information, s)

        return predict

    systems = {
        MLP: single(members[0]),
        TEMPERATURE: single(calibrated),
        ENSEMBLE: deep_ensemble,
        SAS_MEAN: sas_mode("mean"),
        SAS_MC.format(n=n_samples): sas_mode("mc"),
        SAS_ENSEMBLE.format(n=n_samples): sas_mode("ensemble"),
    }
    sas_modes = (SAS_MEAN, SAS_MC.format(n=n_samples), SAS_ENSEMBLE.format(n=n_samples))
    fit_s = {
        MLP: member_s[0],
        TEMPERATURE: member_s[0] + calibration_s,
        ENSEMBLE: sum(member_s),
        **{mode: sas_s for mode in sas_modes},
    }
    return systems, fit_s


# ------------------------------------------------------------------ metrics


def calibration_metrics(pred, y):
    from sklearn_sas.metrics import expected_calibration_error

    n_classes = pred.proba.shape[1]
    p_true = pred.proba[np.arange(y.size), y]
    onehot = np.eye(n_classes)[y]
    return {
        "accuracy": np.mean(pred.proba.argmax(axis=1) == y),
        "NLL": -np.mean(np.log(np.clip(p_true, 1e-15, None))),
        "Brier": np.mean(np.sum((pred.proba - onehot) ** 2, axis=1)),
        "ECE": expected_calibration_error(
            y, pred.proba, labels=np.arange(n_classes)
        ),
    }


def rejection_accuracy(pred, y):
    """Accuracy of the rows kept after rejecting the largest entropies."""
    correct = pred.proba.argmax(axis=1) == y
    order = np.argsort(pred.entropy, kind="stable")
    return {
        f"acc, {100 * r:.0f}% rejected": np.mean(
            correct[order[: int(round((1 - r) * y.size))]]
        )
        for r in REJECTED
    }


def detection_metrics(in_score, out_score):
    from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

    labels = np.r_[np.zeros(in_score.size), np.ones(out_score.size)]
    scores = np.r_[in_score, out_score]
    fpr, tpr, _ = roc_curve(labels, scores)
    return {
        "AUROC": roc_auc_score(labels, scores),
        "AUPR": average_precision_score(labels, scores),
        "FPR at 95% TPR": fpr[np.searchsorted(tpr, 0.95, side="left")],
    }


# ------------------------------------------------------------------- output


def fmt(values, digits=3):
    """Mean ± standard deviation over the seeds; the value alone for one."""
    values = np.asarray(values, dtype=np.float64)
    if values.size == 1:
        return f"{values[0]:.{digits}f}"
    return f"{values.mean():.{digits}f} ± {values.std(ddof=1):.{digits}f}"


def print_section(title, results, keys, row_names, metrics, digits=3, note=None):
    """One table: a row per name of ``row_names``, a column per metric, each
    cell the mean ± spread of ``results[(*keys, row, metric)]``."""
    print(f"\n{title}")
    if note:
        print(note)
    rows = []
    for row in row_names:
        cells = [results.get((*keys, *row, m)) for m in metrics]
        if all(c is None for c in cells):
            continue
        rows.append(
            [" / ".join(row)]
            + [
                "n/a" if c is None else fmt(c, _DIGITS.get(m, digits))
                for c, m in zip(cells, metrics)
            ]
        )
    print_table(["system", *metrics], rows)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke test: tiny data")
    p.add_argument("--seeds", type=int, nargs="+", default=None,
                   help="training seeds (default 0 1 2; 0 1 with --quick)")  # fmt: skip
    p.add_argument("--n-samples", type=int, default=None,
                   help="passes and networks of the SaS modes (default 100; 10 "
                        "with --quick)")  # fmt: skip
    args = p.parse_args(argv)
    sys.stdout.reconfigure(line_buffering=True)
    import sklearn

    if args.seeds is None:
        args.seeds = [0, 1] if args.quick else [0, 1, 2]
    n_samples = args.n_samples or (10 if args.quick else 100)
    max_iter = {"max_iter": 3} if args.quick else {}
    systems = [MLP, TEMPERATURE, ENSEMBLE, SAS_MEAN,
               SAS_MC.format(n=n_samples), SAS_ENSEMBLE.format(n=n_samples)]  # fmt: skip
    print("Uncertainty benchmark: one SaS fit against MLPClassifier, temperature "
          "scaling and a deep ensemble")  # fmt: skip
    print(f"seeds {args.seeds}; scikit-learn {sklearn.__version__}; every system "
          f"trained on 90% of the training rows, temperature fitted on the other "
          f"10%; SaS modes over {n_samples} passes / networks"
          + ("; QUICK: tiny data, 3 epochs" if args.quick else ""))  # fmt: skip
    for line in blas_header():
        print(line)
    meter = cpu_meter()
    t0 = time.perf_counter()
    # results[(set or task, system, [score,] metric)] = one value per seed
    results = defaultdict(list)
    # training set -> (hidden layers, training rows, test rows, detection tasks)
    layout = {}
    for seed in args.seeds:
        for name, hidden, X_tr, y_tr, X_in, y_in, tasks, rotated in training_sets(
            args.quick, seed, announce=seed == args.seeds[0]
        ):
            hidden = (16, 16) if args.quick else hidden
            task_names = [*([ROTATED] if rotated else []), *tasks]
            layout[name] = (hidden, X_tr.shape[0], y_in.size, task_names)
            predictors, fit_s = fit_systems(X_tr, y_tr, hidden, seed, max_iter, n_samples)
            if rotated:
                rotated_images = {angle: rotate(X_in, angle) for angle in ANGLES}
            for system, predict in predictors.items():
                pred = predict(X_in)
                metrics = {**calibration_metrics(pred, y_in),
                           **rejection_accuracy(pred, y_in),
                           "fit s": fit_s[system], "predict s": pred.seconds}  # fmt: skip
                for metric, value in metrics.items():
                    results[(name, system, metric)].append(value)
                for task, X_out in tasks.items():
                    out = predict(X_out)
                    for kind in SCORES:
                        if pred.score(kind) is None:
                            continue
                        found = detection_metrics(pred.score(kind), out.score(kind))
                        for metric, value in found.items():
                            results[(task, system, kind, metric)].append(value)
                if rotated:
                    shifted = {}
                    for angle in ANGLES:
                        shifted[angle] = out = predict(rotated_images[angle])
                        for metric, value in calibration_metrics(out, y_in).items():
                            results[(f"{angle} degrees", system, metric)].append(value)
                        main_score = "entropy" if pred.mi is None else "MI"
                        auroc = detection_metrics(
                            pred.score(main_score), out.score(main_score)
                        )["AUROC"]
                        results[(f"{angle} degrees", system, "AUROC")].append(auroc)
                    # every angle's rows together against the upright ones
                    for kind in SCORES:
                        if pred.score(kind) is None:
                            continue
                        pooled = np.concatenate([o.score(kind) for o in shifted.values()])
                        found = detection_metrics(pred.score(kind), pooled)
                        for metric, value in found.items():
                            results[(ROTATED, system, kind, metric)].append(value)
            print(f"  .. seed {seed}, {name}: {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr, flush=True)  # fmt: skip

    in_metrics = ["accuracy", "NLL", "Brier", "ECE",
                  *(f"acc, {100 * r:.0f}% rejected" for r in REJECTED),
                  "fit s", "predict s"]  # fmt: skip
    print("\n== 1. In distribution: calibration, rejection by predictive entropy, "
          "time ==")  # fmt: skip
    for name, (hidden, n_train, n_in, _) in layout.items():
        print_section(
            f"-- {name}: {n_train:,} training rows (hidden {hidden}), {n_in:,} "
            f"test rows --",
            results, (name,), [(s,) for s in systems], in_metrics,
        )  # fmt: skip
    print("\n== 2. Out-of-distribution rows told apart from the in-distribution "
          "test rows ==")  # fmt: skip
    print("score: 1 - max probability, predictive entropy, mutual information "
          "(systems with members only); out-of-distribution rows are positive")
    for name, (_, _, n_in, tasks) in layout.items():
        for task in tasks:
            print_section(
                f"-- trained on {name}; {task} against {n_in:,} test rows --",
                results, (task,), [(s, k) for s in systems for k in SCORES],
                ["AUROC", "AUPR", "FPR at 95% TPR"],
            )  # fmt: skip
    print("\n== 3. MNIST test images rotated: accuracy, NLL and ECE against the "
          "angle ==")  # fmt: skip
    print("AUROC: the rotated images told apart from the upright ones by mutual "
          "information (systems with members) or predictive entropy")
    for angle in ANGLES:
        print_section(f"-- {angle} degrees --", results, (f"{angle} degrees",),
                      [(s,) for s in systems],
                      ["accuracy", "NLL", "ECE", "AUROC"])  # fmt: skip

    knob_section(args.quick, args.seeds[0], max_iter)
    print_targets(results, layout, n_samples)
    print(f"\nother processes used {fmt_cores(other_cpu(meter))} on average")
    print(f"done in {time.perf_counter() - t0:.0f} s")


# ------------------------------------------------- knobs at prediction time

KNOB_NETWORKS = (10, 30, 100, 300)
KNOB_TEMPERATURES = (2.0, 4.0)


def tempered(sas, spike=1.0, slab=1.0):
    """A copy of the fitted ``sas`` whose networks are drawn from a flattened
    posterior: spike probabilities with their log-odds divided by ``spike``
    (0 and 1 stay put, 0.9 becomes 0.75 at 2), slab variances times ``slab``.
    Neither is a parameter of the estimator; this measures whether one would
    pay."""
    import copy

    out = copy.deepcopy(sas)
    for pi, xi in zip(out.spike_probs_, out.slab_vars_):
        inner = (pi > 0) & (pi < 1)
        log_odds = np.log(pi[inner]) - np.log1p(-pi[inner])
        pi[inner] = 1 / (1 + np.exp(-log_odds / spike))
        xi *= slab
    return out


def knob_section(quick, seed, max_iter):
    """What a user can change without refitting, on the MNIST open set:
    the number of networks, "mc" against "ensemble", and flattened
    posteriors (:func:`tempered`)."""
    from sklearn_sas import SaSMLPClassifier

    _, (_, hidden, X_tr, y_tr, X_in, y_in, tasks, _), *_ = training_sets(quick, seed)
    X_out = next(iter(tasks.values()))
    hidden = (16, 16) if quick else hidden
    sas = SaSMLPClassifier(hidden, random_state=seed, **max_iter)
    fit_quietly(sas, X_tr, y_tr)
    variants = [(f"ensemble, {n} networks", sas, "ensemble", n) for n in KNOB_NETWORKS]
    variants.append(("mc, 100 passes", sas, "mc", 100))
    for t in KNOB_TEMPERATURES:
        variants.append((f"ensemble 100, spike temperature {t:g}",
                         tempered(sas, spike=t), "ensemble", 100))  # fmt: skip
        variants.append((f"ensemble 100, slab variance x {2 * t:g}",
                         tempered(sas, slab=2 * t), "ensemble", 100))  # fmt: skip
    rows = []
    for label, model, inference, n in variants:
        model.set_params(inference=inference, n_samples=n)
        (u_in, u_out), s = timed(
            lambda: (model.predict_uncertainty(X_in), model.predict_uncertainty(X_out))
        )
        pred = Predictions(u_in.proba, u_in.mutual_information)
        out = Predictions(u_out.proba, u_out.mutual_information)
        cal = calibration_metrics(pred, y_in)
        rows.append([
            label,
            *(f"{detection_metrics(pred.score(k), out.score(k))['AUROC']:.3f}"
              for k in ("MI", "entropy")),
            f"{100 * cal['accuracy']:.1f}", f"{cal['NLL']:.3f}", f"{cal['ECE']:.3f}",
            f"{s:.2f}",
        ])  # fmt: skip
    print(f"\n== 4. Knobs at prediction time, one SaS fit (seed {seed}) on MNIST "
          f"classes 0-4; unseen classes 5-9 to detect ==")  # fmt: skip
    print_table(["SaS prediction", "AUROC (MI)", "AUROC (entropy)", "accuracy",
                 "NLL", "ECE", "predict s"], rows)  # fmt: skip


def print_targets(results, layout, n_samples):
    """The targets of the issue, for the SaS ensemble of ``n_samples``
    networks scored by mutual information."""
    sas = SAS_ENSEMBLE.format(n=n_samples)

    def mean(*key):
        return float(np.mean(results[key]))

    print(f"\nTargets ({sas}, means over the seeds):")
    for name, (_, _, _, tasks) in layout.items():
        for task in tasks:
            if "other data set" in task:
                continue
            ours = mean(task, sas, "MI", "AUROC")
            theirs = mean(task, ENSEMBLE, "MI", "AUROC")
            print(
                f"  {task}: AUROC (mutual information) at least the deep "
                f"ensemble's: {'met' if ours >= theirs else 'MISSED'} "
                f"({ours:.3f} vs {theirs:.3f})"
            )
    for name in layout:
        ours, ts = mean(name, sas, "ECE"), mean(name, TEMPERATURE, "ECE")
        print(
            f"  {name}: ECE below the temperature-scaled MLP's or within 0.01: "
            f"{'met' if ours <= ts + 0.01 else 'MISSED'} ({ours:.3f} vs {ts:.3f})"
        )
    for name in layout:
        ours, theirs = mean(name, sas, "fit s"), mean(name, ENSEMBLE, "fit s")
        print(
            f"  {name}: fit time at most half the deep ensemble's: "
            f"{'met' if ours <= theirs / 2 else 'MISSED'} ({ours:.1f} s vs "
            f"{theirs:.1f} s)"
        )


if __name__ == "__main__":
    main()
