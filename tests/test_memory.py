"""Prediction on many rows works in bounded memory."""

import tracemalloc
import warnings

import numpy as np
import pytest
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier

N_FEATURES = 784


@pytest.fixture(scope="module")
def model():
    rng = np.random.default_rng(0)
    X = rng.random((300, N_FEATURES), dtype=np.float32)
    y = rng.integers(10, size=300)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier((32,), max_iter=2, random_state=0).fit(X, y)


@pytest.fixture(scope="module")
def big():
    return np.random.default_rng(1).random((200_000, N_FEATURES), dtype=np.float32)


def _peak(function, *args):
    tracemalloc.start()
    try:
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("inference", ["mean", "mc", "ensemble"])
def test_predict_proba_peak_memory_does_not_grow_with_rows(model, big, inference):
    model.set_params(inference=inference, n_samples=1)
    budget = 16 * 2**20
    with config_context(working_memory=16):
        proba, peak = _peak(model.predict_proba, big)
        small_proba, small_peak = _peak(model.predict_proba, big[:20_000])
    assert proba.shape == (200_000, 10)
    output = proba.nbytes
    # X is 627 MB; what prediction adds beyond its output stays near the
    # working-memory budget, at 20,000 rows as at 200,000
    assert peak - output < 4 * budget, (peak, output)
    assert peak - output < (small_peak - small_proba.nbytes) + budget
    # a row's result does not depend on the rows predicted with it
    np.testing.assert_allclose(proba[:20_000], small_proba, rtol=1e-5, atol=1e-6)
    model.set_params(inference="mean")
