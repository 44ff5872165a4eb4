"""Ensemble prediction with the sampled networks stacked (issue 26, item 4):
the stacked pass equals the networks run one by one, and a row's result does
not depend on the chunk it is predicted in."""

import copy
import tracemalloc
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import config_context
from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier
from sklearn_sas._activations import ACTIVATIONS
from sklearn_sas._forward import (
    forward,
    forward_stacked,
    stack_networks,
    stacked_work,
)
from sklearn_sas._inference import (
    MIN_STACKING_SAVING,
    draw_networks,
    member_sums,
    proba_and_plogp,
)
from sklearn_sas._sas import effective_weights, sample_sas
from sklearn_sas._utils import spawn_seeds


def _networks(widths, n_networks, rng, dtype=np.float32):
    """Concrete networks drawn from one random spike-and-slab distribution
    in which some connections are deterministic (``xi = 0`` and ``pi`` 0 or
    1), some absent, and the rest vary; the second unit of the first layer
    has only deterministic inputs. Returns the networks and the mask of the
    first layer's deterministic connections."""
    params = []
    for n_in, n_out in zip(widths[:-1], widths[1:]):
        m = rng.normal(size=(n_in, n_out)).astype(dtype)
        varies = rng.random((n_in, n_out)) < 0.5
        # deterministic: pi 0 or 1 and xi = 0; varying: a slab of variance
        # 0.2, present always or with probability 0.7
        pi = np.where(varies, rng.choice([0.0, 0.3], size=m.shape), 0.0)
        pi[~varies & (rng.random(m.shape) < 0.5)] = 1
        xi = np.where(varies, 0.2, 0.0)
        params.append((m, pi.astype(dtype), xi.astype(dtype)))
    params[0][1][:, 1] = rng.choice([0.0, 1.0], size=widths[0])
    params[0][2][:, 1] = 0
    deterministic = params[0][2] == 0
    networks = [
        [effective_weights(sample_sas(*p, rng)[0]) for p in params]
        for _ in range(n_networks)
    ]
    return networks, deterministic


def _inputs(rng, n, n_features, dtype=np.float32):
    """Rows with some features zero in every row (the stacked pass leaves
    those out) and other zeros scattered."""
    X = rng.normal(size=(n, n_features)).astype(dtype)
    X[:, [0, 3]] = 0
    X[rng.random(X.shape) < 0.3] = 0
    return X


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("widths", [(9, 7, 5, 4), (9, 6), (9, 8, 3)])
@pytest.mark.parametrize("with_intercepts", [True, False])
def test_forward_stacked_equals_each_network(activation, widths, with_intercepts):
    rng = np.random.default_rng(0)
    n_networks = 11  # distinct from every width and from the rows
    networks, deterministic = _networks(widths, n_networks, rng)
    X = _inputs(rng, 13, widths[0])
    intercepts = (
        [rng.normal(size=n).astype(np.float32) for n in widths[1:]]
        if with_intercepts
        else None
    )
    stacked = stack_networks(networks)
    # the deterministic connections are the shared ones
    for unit, rows in enumerate(stacked.inputs):
        assert_array_equal(rows, np.flatnonzero(~deterministic[:, unit]))
        assert stacked.varying[unit].shape == (n_networks, rows.size)
    assert stacked.inputs[1].size == 0
    assert_array_equal(stacked.shared[~deterministic], 0)
    assert_array_equal(stacked.shared[deterministic], networks[0][0][deterministic])

    logits = forward_stacked(X, stacked, intercepts, activation=activation)
    expected = np.stack(
        [
            forward(X, weights, intercepts, scaled=False, activation=activation)
            for weights in networks
        ]
    )
    assert logits.shape == (n_networks, 13, widths[-1])
    assert logits.dtype == np.float32
    assert_allclose(logits, expected, rtol=1e-5, atol=1e-5)
    # sparse rows take the same path through their columns
    sparse = forward_stacked(sp.csr_matrix(X), stacked, intercepts, activation)
    assert_allclose(sparse, expected, rtol=1e-5, atol=1e-5)


def test_forward_stacked_of_identical_networks_is_the_network():
    rng = np.random.default_rng(1)
    networks, _ = _networks((6, 5, 3), 1, rng, dtype=np.float64)
    stacked = stack_networks(networks * 4)
    # every connection is shared: no per-network products in the first layer
    assert all(rows.size == 0 for rows in stacked.inputs)
    X = _inputs(rng, 8, 6, np.float64)
    logits = forward_stacked(X, stacked, None)
    assert logits.dtype == np.float64
    expected = forward(X, networks[0], None, scaled=False)
    for member in logits:
        assert_allclose(member, expected, rtol=1e-12, atol=1e-12)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return (X[:400] / 16.0).astype(np.float32), y[:400]


def _fit(X, y, **params):
    params = {"hidden_layer_sizes": (12, 9), "max_iter": 8, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier(**params).fit(X, y)


def _with_pruned_and_deterministic(model, deterministic=0.4, seed=0):
    """``model`` with the connections of inputs 5-9 pruned in every layer's
    first rows (pi = 1), a random share ``deterministic`` of the others
    deterministic (pi = 0, xi = 0) and the rest as fitted (variable)."""
    model = copy.deepcopy(model)
    rng = np.random.default_rng(seed)
    for pi, xi in zip(model.spike_probs_, model.slab_vars_):
        pi[5:10] = 1
        fixed = rng.random(pi.shape) < deterministic
        pi[fixed] = 0
        xi[fixed] = 0
    return model


def _runs_stacked(model):
    """Whether ``member_sums`` runs the ensemble's networks stacked."""
    params = (model.slab_means_, model.spike_probs_, model.slab_vars_)
    seeds = spawn_seeds(model.random_state, model.n_samples)
    networks = [
        [effective_weights(w) for w in weights]
        for weights, _ in draw_networks(params, seeds)
    ]
    return stacked_work(stack_networks(networks)) <= 1 - MIN_STACKING_SAVING


def _one_network_at_a_time(model, X):
    """Sums of the probabilities and of ``p ln p`` over the networks that
    ``sample_networks`` draws with the ensemble's seed, each run alone."""
    networks = model.sample_networks(model.n_samples, random_state=model.random_state)
    sums = None
    for net in networks:
        logits = forward(
            X, net.coefs_, net.intercepts_, scaled=False, activation=model.activation
        )
        member = proba_and_plogp(logits, model.out_activation_)
        sums = member if sums is None else [s + m for s, m in zip(sums, member)]
    return sums


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("target", ["multiclass", "binary", "multilabel"])
@pytest.mark.parametrize("first_layer", ["mostly shared", "varying"])
def test_ensemble_equals_the_networks_one_by_one(
    digits, activation, target, first_layer
):
    X, y = digits
    if target == "binary":
        y = y % 2
    elif target == "multilabel":
        y = np.column_stack([y % 2, y < 5, y == 0])
    model = _fit(X, y, activation=activation, n_samples=7)
    if first_layer == "mostly shared":
        model = _with_pruned_and_deterministic(model, 0.9)
    else:
        np.maximum(model.slab_vars_[0], 0.01, out=model.slab_vars_[0])
    # stacking saves work when most first-layer connections are shared
    assert _runs_stacked(model) == (first_layer == "mostly shared")
    assert np.all(X[:, 0] == 0)  # digits: a pixel zero in every row
    rows = X[:150]
    proba_sum, plogp_sum = member_sums(model, rows, "ensemble")
    expected_proba, expected_plogp = _one_network_at_a_time(model, rows)
    assert_allclose(proba_sum, expected_proba, rtol=1e-5, atol=1e-6)
    assert_allclose(plogp_sum, expected_plogp, rtol=1e-5, atol=1e-5)
    # what the user sees is made of those sums
    u = model.set_params(inference="ensemble").predict_uncertainty(rows)
    assert_allclose(u.proba, expected_proba / 7, rtol=1e-5, atol=1e-6)
    assert_allclose(u.expected_entropy, -expected_plogp / 7, rtol=1e-5, atol=1e-5)


def test_ensemble_on_sparse_rows_equals_dense_rows(digits):
    X, y = digits
    model = _with_pruned_and_deterministic(_fit(X, y, n_samples=5), 0.9)
    model.set_params(inference="ensemble")
    assert _runs_stacked(model)
    dense = model.predict_uncertainty(X[:100])
    sparse = model.predict_uncertainty(sp.csr_matrix(X[:100]))
    for name in ("proba", "expected_entropy", "mutual_information"):
        assert_allclose(sparse[name], dense[name], rtol=1e-5, atol=1e-6)


def test_a_rows_result_does_not_depend_on_its_chunk(digits):
    X, y = digits
    model = _with_pruned_and_deterministic(_fit(X, y, n_samples=9), 0.9)
    model.set_params(inference="ensemble")
    assert _runs_stacked(model)
    whole = model.predict_uncertainty(X)
    # the chunk holds the activations of all n_samples networks
    with config_context(working_memory=0.2):
        chunks = list(model._chunks(X, model.n_samples))
        assert len(chunks) > 3
        chunked = model.predict_uncertainty(X)
    for name in ("proba", "expected_entropy", "predictive_entropy"):
        assert_allclose(chunked[name], whole[name], rtol=1e-5, atol=1e-6)
    # and predicted alone or among others, a row gets the same numbers
    alone = model.predict_uncertainty(X[17:18])
    assert_allclose(alone.proba, whole.proba[17:18], rtol=1e-5, atol=1e-6)


def test_ensemble_memory_is_bounded_by_the_budget(digits):
    X, y = digits
    model = _with_pruned_and_deterministic(_fit(X, y, n_samples=20), 0.9)
    model.set_params(inference="ensemble")
    assert _runs_stacked(model)
    rows = np.tile(X, (100, 1))  # 40,000 rows, 10 MB
    budget_mb = 1
    with config_context(working_memory=budget_mb):
        tracemalloc.start()
        try:
            result = model.predict_uncertainty(rows)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    output = sum(value.nbytes for value in result.values())
    # the activations of 20 networks on all rows would take 40,000 x 20 x
    # (12 + 9 + 10) x 4 bytes = 99 MB at least; chunked, prediction holds
    # the networks, one chunk's activations and arrays the size of its
    # output (the sums, then the entropies)
    assert peak < 4 * output + budget_mb * 2**20, (peak, output)


@pytest.mark.parametrize("out_activation", ["softmax", "logistic"])
def test_proba_and_plogp_on_extreme_logits_and_strided_views(out_activation):
    from sklearn_sas._activations import output_log_proba

    rng = np.random.default_rng(0)
    units_first = rng.normal(scale=5, size=(4, 3, 6)).astype(np.float32)
    units_first[:, 0, 0] = [200, -1e4, 100, 0]  # probabilities underflow to 0
    logits = units_first.transpose(1, 2, 0)  # outputs last, not contiguous
    proba, plogp = proba_and_plogp(logits, out_activation)
    flat = np.ascontiguousarray(logits).reshape(-1, 4)
    log_p = output_log_proba(flat, out_activation)
    expected = np.exp(log_p) * log_p
    if out_activation == "logistic":
        log_q = output_log_proba(-flat, out_activation)
        expected += np.exp(log_q) * log_q
    else:
        expected = expected.sum(axis=1)
    assert np.all(np.isfinite(plogp))
    assert_allclose(proba.reshape(-1, 4), np.exp(log_p), rtol=1e-5, atol=1e-7)
    assert_allclose(plogp.reshape(expected.shape), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("loss", ["squared_error", "poisson"])
def test_regressor_ensemble_equals_the_networks_one_by_one(digits, loss):
    from functools import partial

    from sklearn_sas import SaSMLPRegressor
    from sklearn_sas._inference import output_and_square

    X, y = digits
    targets = np.column_stack([y, y % 3]).astype(np.float32) / 9
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SaSMLPRegressor(
            (12, 9), loss=loss, max_iter=8, random_state=0, n_samples=6
        ).fit(X, targets)
    model = _with_pruned_and_deterministic(model, 0.9)
    assert _runs_stacked(model)
    summarize = partial(output_and_square, out_activation=model.out_activation_)
    total, total_sq = member_sums(model, X[:120], "ensemble", summarize)
    # (sample_networks needs classes_: the ensemble's draws directly)
    params = (model.slab_means_, model.spike_probs_, model.slab_vars_)
    draws = draw_networks(params, spawn_seeds(model.random_state, 6))
    outputs = [
        summarize(
            forward(X[:120], [effective_weights(w) for w in weights],
                    model.intercepts_, scaled=False, activation=model.activation)
        )
        for weights, _ in draws
    ]  # fmt: skip
    assert_allclose(total, sum(o for o, _ in outputs), rtol=1e-5, atol=1e-6)
    assert_allclose(total_sq, sum(sq for _, sq in outputs), rtol=1e-5, atol=1e-6)
