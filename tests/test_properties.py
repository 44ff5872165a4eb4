"""Property-based tests: any input either works or is refused clearly.

Over random shapes, dtypes, label types and degenerate data, ``fit`` and
``predict`` must succeed with finite, well-formed output on valid input, and
raise a ``ValueError`` that says what is wrong on invalid input; never crash
inside NumPy and never return NaN.
"""

import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier

pd = pytest.importorskip("pandas")

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)


def _labels(kind, codes):
    if kind == "int":
        return codes
    if kind == "negative":
        return codes - 7
    if kind == "str":
        return np.array([f"class_{c}" for c in codes])
    if kind == "bool":
        return codes % 2 == 1
    return codes.astype(float) + 0.5  # non-integer floats: "continuous" to scikit-learn


def _container(kind, X):
    if kind == "float64":
        return X
    if kind == "float32":
        return X.astype(np.float32)
    if kind == "int":
        return np.round(X * 10).astype(np.int64)
    if kind == "bool":
        return X > 0
    if kind == "pandas":
        return pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    if kind == "csr":
        return sp.csr_matrix(np.where(np.abs(X) > 0.5, X, 0))
    return X.tolist()


@st.composite
def problems(draw):
    n_samples = draw(st.integers(1, 40))
    n_features = draw(st.integers(1, 6))
    n_classes = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    shape = draw(st.sampled_from(["plain", "constant", "duplicates", "one_each"]))
    if shape == "constant":
        X[:, 0] = 3.0
    elif shape == "duplicates":
        X[n_samples // 2 :] = X[0]
    codes = rng.integers(n_classes, size=n_samples)
    if shape == "one_each":
        codes = np.arange(n_samples) % n_classes
    container = draw(
        st.sampled_from(["float64", "float32", "int", "bool", "pandas", "csr", "list"])
    )
    labels = draw(st.sampled_from(["int", "negative", "str", "bool", "float"]))
    dtype = draw(st.sampled_from(["float32", "float64"]))
    return _container(container, X), _labels(labels, codes), dtype, labels


def _fit(X, y, dtype):
    clf = SaSMLPClassifier((5,), max_iter=3, batch_size=8, dtype=dtype, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # a batch_size above n_samples is clipped, with a warning
        warnings.simplefilter("ignore", UserWarning)
        return clf.fit(X, y)


@SETTINGS
@given(problems())
def test_fit_and_predict_work_or_refuse_clearly(problem):
    X, y, dtype, labels = problem
    n_classes = len(np.unique(y))
    # the invalid inputs these problems make, refused as MLPClassifier does
    if labels == "float":
        with pytest.raises(ValueError, match="Unknown label type: continuous"):
            _fit(X, y, dtype)
        return
    # valid input must be fitted, whatever its container, labels or shape
    clf = _fit(X, y, dtype)
    for inference in ("mean", "mc", "ensemble"):
        clf.set_params(inference=inference, n_samples=3)
        proba = clf.predict_proba(X)
        assert proba.shape == (len(y), n_classes)
        assert proba.dtype == np.dtype(dtype)
        assert np.all(np.isfinite(proba))
        np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-4)
        predicted = clf.predict(X)
        assert set(np.unique(predicted)) <= set(np.unique(y))
        assert predicted.dtype == np.asarray(y).dtype


@SETTINGS
@given(problems())
def test_single_class_is_predicted_everywhere(problem):
    # as MLPClassifier: y of one class is fitted, and that class predicted
    X, y, dtype, labels = problem
    y = np.full(len(y), np.asarray(y)[0])
    if labels == "float":
        return  # refused as continuous, as the test above checks
    clf = _fit(X, y, dtype)
    assert_array_equal(clf.predict(X), y)
    assert_array_equal(clf.predict_proba(X), np.ones((len(y), 1)))


@SETTINGS
@given(
    st.sampled_from(["nan", "inf", "3d", "empty", "string", "object"]),
    st.integers(2, 20),
)
def test_bad_inputs_are_refused(kind, n_samples):
    rng = np.random.default_rng(n_samples)
    X = rng.normal(size=(n_samples, 3))
    y = np.arange(n_samples) % 2
    if kind == "nan":
        X[0, 0] = np.nan
    elif kind == "inf":
        X[-1, 1] = np.inf
    elif kind == "3d":
        X = X.reshape(n_samples, 3, 1)
    elif kind == "empty":
        X, y = X[:0], y[:0]
    elif kind == "string":
        X = X.astype(str)
        X[0, 0] = "abc"
    else:
        X = X.astype(object)
        X[0, 0] = {"not": "a number"}
    with pytest.raises((ValueError, TypeError)) as info:
        SaSMLPClassifier((3,), max_iter=1).fit(X, y)
    assert str(info.value)
