"""Accuracy at every data size: SaSMLPClassifier against MLPClassifier.

Prints tables, asserts nothing. For every data set and size it trains

- ``MLPClassifier`` with its own defaults and the same hidden layers;
- ``SaSMLPClassifier`` with the defaults of this version (cosine-annealed
  step, ``alpha="auto"``);
- ``SaSMLPClassifier`` with the recipe of version 0.1.x ("before": a
  constant step of 0.1 and ``alpha=1e-3`` at every size);

and prints test and training accuracy, the change of test accuracy after
pruning 90% and 95% of the connections without retraining
(``prune(rule="sparsity")``, global ranking by ``(1 - pi)|m|``) and fit
times. Training accuracy is measured on (at most) 10,000 training rows.

Data:

- Fashion-MNIST (``load_fashion_mnist``; real images, not tuned on) at
  1,000 / 4,000 / 10,000 / 30,000 / 60,000 stratified training rows, tested
  on its 10,000 test images, network 784-100-100-10;
- MNIST 4,000 / 1,000 (``load_mnist``, the split of ``bench_recipe.py``)
  and scikit-learn's digits (75 / 25), the sets the recipe was first
  chosen on;
- a SYNTHETIC tabular problem (``_bench_utils.synthetic_tabular``: 24
  standardized numeric columns and 6 one-hot categories, 5 classes) at
  10,000 and 40,000 training rows, tested on 10,000 rows;

then an open-set split of Fashion-MNIST: networks trained on the 30,000
training images of classes 0-4 are shown the 10,000 test images, and the
mutual information between the prediction and the network (over 100
networks sampled from one SaS fit; over 5 ``MLPClassifier`` of seeds 0-4, a
deep ensemble) must tell the images of the unseen classes 5-9 apart:
AUROC, with accuracy on the seen classes.

Usage::

    python benchmarks/bench_scale_accuracy.py            # about 45 minutes
    python benchmarks/bench_scale_accuracy.py --no-before  # new defaults only
    python benchmarks/bench_scale_accuracy.py --quick    # smoke test
    # the user guide's figure, from the stored output of a full run
    python benchmarks/bench_scale_accuracy.py --from-output \
        benchmarks/output/bench_scale_accuracy.txt --plot docs/images/scale_accuracy.png

One training seed per size (binomial standard error of an accuracy near
0.87 on 10,000 test images: 0.34 point).
"""

import argparse
import io
import sys
import time

import numpy as np
from _bench_utils import (  # also puts an uninstalled checkout on sys.path
    digits_split,
    fit_quietly,
    load_fashion_split,
    load_mnist_split,
    mutual_information,
    print_table,
    synthetic_tabular,
)

BEFORE = {"learning_rate": "constant", "alpha": 1e-3, "batch_size": 200}
SPARSITIES = (0.9, 0.95)
N_ENSEMBLE = 5


def evaluate(est, X_train, y_train, X_test, y_test, sas):
    from sklearn_sas.compression import prune

    acc = est.score(X_test, y_test)
    out = {"test": acc, "train": est.score(X_train[:10_000], y_train[:10_000])}
    if sas:
        out["pruned"] = [
            prune(est, rule="sparsity", sparsity=s).score(X_test, y_test) - acc
            for s in SPARSITIES
        ]
    return out


def pct(x):
    return f"{100 * x:.1f}"


def pts(x):
    return f"{100 * x:+.1f}"


def accuracy_section(cases, hidden_of, before, max_iter):
    from sklearn.neural_network import MLPClassifier

    from sklearn_sas import SaSMLPClassifier

    print("\n== 1. Test accuracy (training accuracy) at every data size ==")
    recipes = [("new", {})] + ([("before", BEFORE)] if before else [])
    header = ["data, training rows", "MLP", *(
        c for name, _ in recipes
        for c in (f"SaS {name}", "vs MLP", "pruned 90%", "95%")
    ), "fit s MLP / " + " / ".join(name for name, _ in recipes)]  # fmt: skip
    rows, checks = [], []
    for title, load in cases:
        X_train, y_train, X_test, y_test = load()
        hidden = hidden_of(title)
        mlp = MLPClassifier(hidden, random_state=0, **max_iter)
        times = [fit_quietly(mlp, X_train, y_train)]
        ref = evaluate(mlp, X_train, y_train, X_test, y_test, sas=False)
        row = [f"{title}, {X_train.shape[0]:,}", f"{pct(ref['test'])} ({pct(ref['train'])})"]
        for name, params in recipes:
            sas = SaSMLPClassifier(hidden, random_state=0, **params, **max_iter)
            times.append(fit_quietly(sas, X_train, y_train))
            res = evaluate(sas, X_train, y_train, X_test, y_test, sas=True)
            row += [
                f"{pct(res['test'])} ({pct(res['train'])})",
                pts(res["test"] - ref["test"]),
                *(pts(p) for p in res["pruned"]),
            ]
            if name == "new":
                checks.append((title, X_train.shape[0], res["test"] - ref["test"],
                               res["pruned"][0]))  # fmt: skip
        row.append(" / ".join(f"{t:.0f}" for t in times))
        rows.append(row)
        print(f"  .. {row[0]}: {row[1]} | {row[2]}", file=sys.stderr, flush=True)
    print(
        "columns: test accuracy % (training accuracy on up to 10,000 training "
        "rows); SaS against MLP in points; change of SaS test accuracy in "
        "points after pruning 90% / 95% of the connections without retraining; "
        "fit times in seconds"
    )
    print_table(header, rows)
    return checks


def open_set_section(load, hidden, before, max_iter):
    from sklearn.metrics import roc_auc_score
    from sklearn.neural_network import MLPClassifier

    from sklearn_sas import SaSMLPClassifier

    X_train, y_train, X_test, y_test = load()
    seen = y_train < 5
    X_train, y_train = X_train[seen], y_train[seen]
    unseen = y_test >= 5
    print(
        f"\n== 2. Open set: trained on classes 0-4 ({X_train.shape[0]:,} rows), "
        f"{int(unseen.sum()):,} test images of classes 5-9 to detect among "
        f"{y_test.shape[0]:,} =="
    )
    header = ["model", "AUROC (mutual information)", "AUROC (1 - max prob)",
              "accuracy on classes 0-4", "fit s"]  # fmt: skip
    rows, scores = [], {}

    def add(name, mi, proba, fit_s):
        auroc = roc_auc_score(unseen, mi)
        scores[name] = auroc
        acc = np.mean(proba.argmax(axis=1)[~unseen] == y_test[~unseen])
        rows.append([name, f"{auroc:.3f}", f"{roc_auc_score(unseen, -proba.max(1)):.3f}",
                     pct(acc), f"{fit_s:.0f}"])  # fmt: skip
        print(f"  .. {name}: {auroc:.3f}", file=sys.stderr, flush=True)

    members, fit_s = [], 0.0
    for seed in range(N_ENSEMBLE):
        mlp = MLPClassifier(hidden, random_state=seed, **max_iter)
        fit_s += fit_quietly(mlp, X_train, y_train)
        members.append(mlp.predict_proba(X_test))
    add(f"deep ensemble, {N_ENSEMBLE} MLPClassifier", *mutual_information(members), fit_s)
    recipes = [("new", {})] + ([("before", BEFORE)] if before else [])
    for name, params in recipes:
        sas = SaSMLPClassifier(hidden, random_state=0, **params, **max_iter)
        fit_s = fit_quietly(sas, X_train, y_train)
        for inference in ("ensemble", "mc"):
            sas.set_params(inference=inference, n_samples=100)
            u = sas.predict_uncertainty(X_test)
            label = "100 sampled networks" if inference == "ensemble" else "100 mc passes"
            add(f"SaS {name}, {label}", u.mutual_information, u.proba, fit_s)
    print_table(header, rows)
    return scores


class Tee:
    """A stream writing to several streams."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def fashion_rows(text):
    """``{column: [(rows, test %, train %)]}`` of the Fashion-MNIST rows of
    section 1 of a printed run, for the columns MLP, SaS new, SaS before."""
    curves = {}
    header = None
    for line in text.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "data, training rows":
            header = cells
        elif header and cells[0].startswith("Fashion-MNIST, "):
            n = int(cells[0].split(", ")[1].replace(",", ""))
            for name, cell in zip(header[1:], cells[1:]):
                if name in ("MLP", "SaS new", "SaS before"):
                    test, train = cell.replace("(", "").replace(")", "").split()
                    curves.setdefault(name, []).append((n, float(test), float(train)))
    return curves


def plot_fashion(text, path):
    """Test and training accuracy against training rows (Fashion-MNIST)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {
        "MLP": "MLPClassifier (defaults)",
        "SaS new": "SaSMLPClassifier (defaults)",
        "SaS before": "SaSMLPClassifier, recipe of 0.1.x",
    }
    fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=150)
    for (name, points), color in zip(fashion_rows(text).items(), ("C0", "C1", "C2")):
        n, test, train = np.array(points).T
        ax.plot(n, test, "o-", color=color, label=f"{labels[name]}, test")
        ax.plot(n, train, "o--", color=color, alpha=0.6, label="training")
    ax.set_xscale("log")
    ax.set_xlabel("training images (Fashion-MNIST, log scale)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title("784-100-100-10, tested on the 10,000 test images")
    ax.legend(fontsize=7, ncol=2)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    print(f"figure written to {path}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="smoke test: tiny data")
    p.add_argument("--no-before", action="store_true",
                   help="skip the recipe of version 0.1.x")  # fmt: skip
    p.add_argument("--plot", metavar="PNG", help="draw the Fashion-MNIST curves")
    p.add_argument("--from-output", metavar="TXT",
                   help="no run: draw --plot from the stored output of one")  # fmt: skip
    args = p.parse_args(argv)
    if args.from_output:
        with open(args.from_output) as f:
            plot_fashion(f.read(), args.plot or "scale_accuracy.png")
        return
    sys.stdout.reconfigure(line_buffering=True)
    captured = io.StringIO()
    if args.plot:
        sys.stdout = Tee(sys.stdout, captured)
    before = not args.no_before
    if args.quick:
        fashion_sizes, tabular_sizes, mnist = (500,), (1000,), (300, 200)
        max_iter = {"max_iter": 3}
    else:
        fashion_sizes = (1_000, 4_000, 10_000, 30_000, 60_000)
        tabular_sizes = (10_000, 40_000)
        mnist, max_iter = (4_000, 1_000), {}
    cases = [("Fashion-MNIST", lambda n=n: load_fashion_split(n)) for n in fashion_sizes]
    cases += [
        ("MNIST", lambda: load_mnist_split(*mnist)[:4]),
        ("digits", digits_split),
    ]
    cases += [("tabular (synthetic)", lambda n=n: synthetic_tabular(n))
              for n in tabular_sizes]  # fmt: skip

    def hidden_of(title):
        return (16, 16) if args.quick else (100,) if title == "digits" else (100, 100)

    print("Accuracy at every data size: SaSMLPClassifier against MLPClassifier")
    print("networks: 784-100-100-10 (Fashion-MNIST, MNIST), 64-100-10 (digits), "
          "57-100-100-5 (tabular); seed 0; "
          f"before = version 0.1.x recipe {BEFORE}")  # fmt: skip
    t0 = time.perf_counter()
    checks = accuracy_section(cases, hidden_of, before, max_iter)
    n_open = 1000 if args.quick else 60_000
    scores = open_set_section(
        lambda: load_fashion_split(n_open), hidden_of("open set"), before, max_iter
    )
    print("\nTargets (new defaults):")
    for title, n, gap, pruned90 in checks:
        print(
            f"  {title}, {n:,} rows: within 0.5 point of MLPClassifier: "
            f"{'met' if gap >= -0.005 else 'MISSED'} ({pts(gap)}); 90% pruning "
            f"within 1 point: {'met' if pruned90 >= -0.01 else 'MISSED'} "
            f"({pts(pruned90)})"
        )
    ensemble = scores[f"deep ensemble, {N_ENSEMBLE} MLPClassifier"]
    new = scores["SaS new, 100 sampled networks"]
    print(
        f"  open-set AUROC at least the deep ensemble's: "
        f"{'met' if new >= ensemble else 'MISSED'} ({new:.3f} vs {ensemble:.3f})"
    )
    print(f"\ndone in {time.perf_counter() - t0:.0f} s")
    if args.plot:
        # the curves are read back from what was printed, as --from-output does
        plot_fashion(captured.getvalue(), args.plot)


if __name__ == "__main__":
    main()
