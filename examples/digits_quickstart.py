"""Train a spike-and-slab network on scikit-learn's digits and compare with backprop.

Run with ``python examples/digits_quickstart.py``. It prints the test accuracy
and training time of ``SaSMLPClassifier`` next to ``MLPClassifier`` with the
same hidden layers, and what the spike probabilities learned per layer.
"""

import argparse
import time
import warnings

import numpy as np
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sklearn_sas import SaSMLPClassifier


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hidden", type=int, nargs="+", default=[100])
    parser.add_argument("--max-iter", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=args.seed
    )
    models = {
        "SaSMLPClassifier (gBP)": SaSMLPClassifier(
            tuple(args.hidden), max_iter=args.max_iter, random_state=args.seed
        ),
        "MLPClassifier (backprop)": MLPClassifier(
            tuple(args.hidden), max_iter=args.max_iter, random_state=args.seed
        ),
    }
    print(f"digits: {len(y_train)} training, {len(y_test)} test images, 8x8 pixels")
    print(f"{'model':<26}{'test accuracy':>14}{'epochs':>8}{'fit time':>10}")
    for name, model in models.items():
        start = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_train, y_train)
        seconds = time.perf_counter() - start
        accuracy = model.score(X_test, y_test)
        print(f"{name:<26}{accuracy:>14.4f}{model.n_iter_:>8}{seconds:>9.2f}s")

    sas = models["SaSMLPClassifier (gBP)"]
    print("\nlearned spike probabilities pi per layer")
    print(f"{'layer':<8}{'shape':>12}{'mean pi':>10}{'pi < 1e-6':>11}{'pi > 1-1e-6':>13}")
    for layer, pi in enumerate(sas.spike_probs_):
        shape = "x".join(map(str, pi.shape))
        print(
            f"{layer:<8}{shape:>12}{pi.mean():>10.3f}"
            f"{np.mean(pi <= 1e-6):>11.3f}{np.mean(pi >= 1 - 1e-6):>13.3f}"
        )


if __name__ == "__main__":
    main()
