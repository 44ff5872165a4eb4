"""Running under joblib's dask backend on a dask.distributed cluster."""

import warnings

import numpy as np
import pytest
from joblib import parallel_backend
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV

from sklearn_sas import SaSMLPClassifier

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    with warnings.catch_warnings():
        # the cluster's own start-up chatter is not ours to judge
        warnings.simplefilter("ignore", DeprecationWarning)
        cluster = distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False,
            dashboard_address=None,
        )  # fmt: skip
        with distributed.Client(cluster) as client:
            yield client
        cluster.close()


@pytest.fixture(scope="module")
def data(digits):
    X, y = digits
    return X[:600], y[:600]


@pytest.fixture(scope="module")
def fitted(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier((16,), max_iter=15, random_state=0).fit(*data)


def test_sample_networks_on_dask_equal_local(client, fitted):
    local = fitted.sample_networks(4, n_jobs=2, random_state=5)
    with parallel_backend("dask"):
        remote = fitted.sample_networks(4, n_jobs=2, random_state=5)
    for a, b in zip(local, remote):
        for x, z in zip(a.coefs_, b.coefs_):
            assert_array_equal(x, z)


def test_ensemble_prediction_on_dask_equals_local(client, fitted, data):
    X, _ = data
    model = fitted.set_params(inference="ensemble", n_samples=6, n_jobs=2)
    local = model.predict_proba(X)
    with parallel_backend("dask"):
        remote = model.predict_proba(X)
    # the same networks; float32 products agree to rounding (workers may split
    # BLAS threads differently)
    assert_allclose(remote, local, rtol=1e-5, atol=1e-7)
    model.set_params(inference="mean", n_jobs=None)


def test_grid_search_on_dask_equals_local(client, data):
    X, y = data
    grid = {"alpha": [1e-4, 1e-2], "hidden_layer_sizes": [(8,), (12,)]}
    search = GridSearchCV(
        SaSMLPClassifier(max_iter=5, random_state=0), grid, cv=2, n_jobs=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        local = search.fit(X, y).cv_results_["mean_test_score"]
        with parallel_backend("dask"):
            remote = search.fit(X, y).cv_results_["mean_test_score"]
    assert_allclose(remote, local, rtol=0, atol=0)
    assert search.best_params_ in [
        {"alpha": a, "hidden_layer_sizes": h}
        for a in grid["alpha"]
        for h in grid["hidden_layer_sizes"]
    ]
    assert np.isfinite(search.best_score_)
