"""Input a float32 network cannot represent is refused at prediction, by
every network object and inference mode, instead of answering NaN."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import prune


@pytest.fixture(scope="module")
def fitted():
    X, y = load_digits(return_X_y=True)
    clf = SaSMLPClassifier((8,), max_iter=3, dtype="float32", random_state=0)
    with pytest.warns(ConvergenceWarning):
        return clf.fit(X[:300], y[:300])


def _networks(clf):
    for inference in ("mean", "mc", "ensemble"):
        yield inference, clf.set_params(inference=inference, n_samples=3)
    yield "sampled", clf.sample_network(random_state=0)
    yield "pruned", prune(clf, rule="sparsity", sparsity=0.5)


METHODS = ["predict", "predict_proba", "predict_log_proba", "predict_uncertainty"]


@pytest.mark.parametrize("sparse", [False, True])
def test_float64_input_beyond_float32_is_refused(fitted, sparse):
    X = np.zeros((4, 64))
    X[2, 10] = 1e39
    X_before = X.copy()
    X_in = sp.csr_matrix(X) if sparse else X
    for name, network in _networks(fitted):
        for method in METHODS:
            if not hasattr(network, method):
                continue
            with pytest.raises(ValueError, match="too large for the network's float32"):
                getattr(network, method)(X_in)
    np.testing.assert_array_equal(X, X_before)
    fitted.set_params(inference="mean")


@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_overflow_inside_the_network_never_answers_nan(fitted):
    # representable in float32, but the products overflow: a network either
    # refuses or, where the overflow is cut off by ReLU, answers finite values
    X = np.full((3, 64), 3e38, dtype=np.float32)
    refused = []
    for name, network in _networks(fitted):
        for method in METHODS:
            if not hasattr(network, method):
                continue
            try:
                result = getattr(network, method)(X)
            except ValueError as exc:
                assert "overflowed float32" in str(exc)
                refused.append((name, method))
                continue
            for values in result.values() if method == "predict_uncertainty" else [result]:
                if values.dtype.kind == "f":
                    assert np.isfinite(values).all(), (name, method)
    assert ("mean", "predict_proba") in refused
    fitted.set_params(inference="mean")


def test_large_finite_input_is_fine_for_a_float64_network():
    X, y = load_digits(return_X_y=True)
    clf = SaSMLPClassifier((8,), max_iter=3, dtype="float64", random_state=0)
    clf.fit(X[:300], y[:300])
    proba = clf.predict_proba(np.full((2, 64), 1e39))
    assert np.isfinite(proba).all()
