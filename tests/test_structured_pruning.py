"""Structured pruning: prune(..., drop_dead_units=True) and the storage of
the pruned layers."""

import copy
import pickle
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import PrunedNetwork, prune, pruning_masks

WIDTHS = (16, 8)


def _fit(X, y, **params):
    params = {"hidden_layer_sizes": WIDTHS, "max_iter": 5, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier(**params).fit(X, y)


@pytest.fixture(scope="module", params=["float32", "float64"])
def fitted(request, digits):
    return _fit(*digits, dtype=request.param)


def _tolerances(net):
    return {"rtol": 1e-5, "atol": 1e-6} if net.coefs_[0].dtype == np.float32 else {
        "rtol": 1e-12, "atol": 1e-14}  # fmt: skip


def _dense(weights):
    return weights.toarray() if sp.issparse(weights) else weights


def _live_units(masks):
    """Hidden units on a path of kept connections from an input to an output,
    by reachability (independent of the removal sweeps of prune): exactly
    the units that removing dead units repeatedly leaves."""
    reach = [np.ones(masks[0].shape[0], dtype=bool)]
    for mask in masks:
        reach.append((reach[-1].astype(int) @ mask.astype(int)) > 0)
    back = [np.ones(masks[-1].shape[1], dtype=bool)]
    for mask in masks[::-1]:
        back.insert(0, (mask.astype(int) @ back[0].astype(int)) > 0)
    return [np.flatnonzero(r & b) for r, b in zip(reach[1:-1], back[1:-1])]


@pytest.mark.parametrize(
    "pruning",
    [dict(rule="sparsity", sparsity=s) for s in (0.5, 0.9, 0.97, 0.99)]
    + [dict(rule="sparsity", sparsity=0.95, scope="layer"), dict(rule="map")],
)
def test_dropping_dead_units_keeps_the_predictions(fitted, digits, pruning):
    X, _ = digits
    full = prune(fitted, **pruning)
    small = prune(fitted, drop_dead_units=True, **pruning)
    assert_allclose(small.predict_proba(X), full.predict_proba(X), **_tolerances(full))
    assert_array_equal(small.predict(X), full.predict(X))
    # the units kept are the reachable ones, and the layers are that wide
    masks = pruning_masks(fitted, **pruning)
    live = _live_units(masks)
    for kept, expected in zip(small._kept_units, live):
        assert_array_equal(kept, expected)
    assert small.hidden_layer_sizes_ == tuple(len(units) for units in live)
    assert [w.shape for w in small.coefs_] == [
        (a, b) for a, b in zip((64, *small.hidden_layer_sizes_),
                               (*small.hidden_layer_sizes_, 10))
    ]  # fmt: skip
    assert [b.shape for b in small.intercepts_] == [
        (n,) for n in (*small.hidden_layer_sizes_, 10)
    ]
    assert all(b.dtype == fitted.intercepts_[0].dtype for b in small.intercepts_)
    # masks_ and the connection counts stay those of the full-width masks
    for a, b in zip(small.masks_, masks):
        assert_array_equal(a, b)
    assert small.masks_.info == masks.info
    assert (small.n_kept_, small.sparsity_, small.compression_ratio_) == (
        full.n_kept_, full.sparsity_, full.compression_ratio_)  # fmt: skip
    # the reduced masks are the full ones on the kept units, and the stored
    # weights are the full network's there
    units = [np.arange(64), *small._kept_units, np.arange(10)]
    for k, (mask, w) in enumerate(zip(small._layer_masks(), small.coefs_)):
        rows, cols = units[k], units[k + 1]
        assert_array_equal(mask, masks[k][np.ix_(rows, cols)])
        assert_array_equal(_dense(w), _dense(full.coefs_[k])[np.ix_(rows, cols)])
    restored = pickle.loads(pickle.dumps(small))
    assert_array_equal(restored.predict_proba(X), small.predict_proba(X))


def test_high_sparsity_removes_units(fitted):
    small = prune(fitted, rule="sparsity", sparsity=0.97, drop_dead_units=True)
    assert sum(small.hidden_layer_sizes_) < sum(WIDTHS)


def test_without_dropping_the_widths_stay(fitted):
    pruned = prune(fitted, rule="sparsity", sparsity=0.99)
    assert pruned.hidden_layer_sizes_ == WIDTHS
    assert [len(units) for units in pruned._kept_units] == list(WIDTHS)
    assert all((units == np.arange(len(units))).all() for units in pruned._kept_units)
    for a, b in zip(pruned._layer_masks(), pruned.masks_):
        assert_array_equal(a, b)
    # nothing to drop: the same network either way
    same = prune(fitted, rule="sparsity", sparsity=0.0, drop_dead_units=True)
    assert same.hidden_layer_sizes_ == WIDTHS
    for a, b in zip(same.coefs_, prune(fitted, rule="sparsity", sparsity=0.0).coefs_):
        assert_array_equal(_dense(a), _dense(b))


def _constructed(fitted):
    """A parent and hand-made masks whose dead units are known.

    Hidden layer 1 (16 units): unit 3 has no input and a positive bias (its
    constant must be folded into layer 2), unit 9 has no input and a
    negative bias (relu(b) = 0, so nothing is folded; folding b would be
    wrong), unit 5 has no output, unit 7's only output goes to unit 2 of
    layer 2, which has no output: unit 7 dies after it (a backward cascade).
    Hidden layer 2 (8 units): unit 4's only input comes from unit 3 of layer
    1, so it becomes a constant too (a forward cascade) and is folded into
    the outputs.
    """
    parent = copy.deepcopy(fitted)
    masks = [np.ones(pi.shape, dtype=bool) for pi in parent.spike_probs_]
    b1, b2, _ = parent.intercepts_
    b1[3], b1[9], b2[4] = 0.5, -0.7, 0.3
    masks[0][:, [3, 9]] = False
    masks[1][5, :] = False
    masks[1][7, :] = False
    masks[1][7, 2] = True
    masks[2][2, :] = False
    masks[1][:, 4] = False
    masks[1][3, 4] = True
    # a positive weight from unit 3 to unit 4: unit 4's constant is positive
    parent.slab_means_[1][3, 4], parent.spike_probs_[1][3, 4] = 2.0, 0.0
    return parent, masks


def _masked_forward(parent, masks, X):
    """Probabilities of the full-width masked network, by hand."""
    h = X
    for k, (m, pi, b, mask) in enumerate(
        zip(parent.slab_means_, parent.spike_probs_, parent.intercepts_, masks)
    ):
        m, pi, b = (a.astype(np.float64) for a in (m, pi, b))
        h = h @ (np.where(mask, m * (1 - pi), 0) / np.sqrt(m.shape[0])) + b
        if k < len(masks) - 1:
            h = np.maximum(h, 0)
    proba = np.exp(h - h.max(axis=1, keepdims=True))
    return proba / proba.sum(axis=1, keepdims=True)


def test_constructed_dead_units_are_removed_and_folded(fitted, digits):
    X, _ = digits
    parent, masks = _constructed(fitted)
    net = PrunedNetwork._from_masks(parent, masks, drop_dead_units=True)
    layer_1 = [u for u in range(16) if u not in (3, 5, 7, 9)]
    layer_2 = [u for u in range(8) if u not in (2, 4)]
    assert net.hidden_layer_sizes_ == (12, 6)
    assert_array_equal(net._kept_units[0], layer_1)
    assert_array_equal(net._kept_units[1], layer_2)
    # the constants, by hand: unit 3 gives relu(0.5) through its weights to
    # layer 2, unit 9 gives relu(-0.7) = 0, and unit 4 of layer 2 outputs
    # relu(0.3 + 0.5 * w), which reaches the outputs
    w1 = (parent.slab_means_[1] * (1 - parent.spike_probs_[1])).astype(np.float64) / 4
    w2 = (parent.slab_means_[2] * (1 - parent.spike_probs_[2])).astype(np.float64)
    w2 = np.where(masks[2], w2, 0) / np.sqrt(8)
    b1, b2, b3 = parent.intercepts_
    assert_allclose(net.intercepts_[0], b1[layer_1])
    assert_allclose(net.intercepts_[1], (b2 + 0.5 * w1[3])[layer_2], rtol=1e-6)
    unit_4 = 0.3 + 0.5 * w1[3, 4]
    assert unit_4 > 0.3
    assert_allclose(net.intercepts_[2], b3 + unit_4 * w2[4], rtol=1e-6, atol=1e-7)
    expected = _masked_forward(parent, masks, X)
    assert_allclose(net.predict_proba(X), expected, **_tolerances(net))
    full = PrunedNetwork._from_masks(parent, masks)
    assert full.hidden_layer_sizes_ == WIDTHS
    assert_allclose(full.predict_proba(X), expected, **_tolerances(net))
    assert_array_equal(net.predict(X), full.predict(X))


@pytest.mark.parametrize("where", ["inputs", "outputs", "everything"])
def test_a_layer_left_without_units_predicts_a_constant(fitted, digits, where):
    X, _ = digits
    parent = copy.deepcopy(fitted)
    parent.intercepts_[0][:] = np.linspace(-1, 1, 16)
    parent.intercepts_[1][:] = np.linspace(-0.5, 1, 8)
    masks = [np.ones(pi.shape, dtype=bool) for pi in parent.spike_probs_]
    if where == "inputs":
        # layer 1 is a constant folded into layer 2, which has no input left
        masks[0][:] = False
    elif where == "outputs":
        # nothing reaches the outputs: layer 2, then layer 1, go
        masks[2][:] = False
    else:
        masks = [~mask for mask in masks]
    net = PrunedNetwork._from_masks(parent, masks, drop_dead_units=True)
    assert net.hidden_layer_sizes_ == (0, 0)
    assert [w.shape for w in net.coefs_] == [(64, 0), (0, 0), (0, 10)]
    # no weights, no density: stored dense, which needs no special case
    assert all(type(w) is np.ndarray for w in net.coefs_)
    proba = net.predict_proba(X)
    # the same row for every input, the one of the full-width network
    assert_allclose(proba, np.broadcast_to(proba[0], proba.shape), rtol=1e-7)
    assert_allclose(proba, _masked_forward(parent, masks, X), **_tolerances(net))
    logits = net.intercepts_[-1]
    assert_allclose(proba[0], np.exp(logits) / np.exp(logits).sum(), rtol=1e-5)
    assert (net.predict(X) == net.classes_[logits.argmax()]).all()
    assert_allclose(net.predict_proba(sp.csr_array(X)), proba, rtol=1e-6)
    if where == "inputs":
        # the folded constants make the outputs differ from the raw biases
        assert not np.allclose(logits, parent.intercepts_[-1])


def test_layers_are_stored_dense_or_csr_by_density(fitted, digits, monkeypatch):
    X, _ = digits
    nets = [prune(fitted, rule="sparsity", sparsity=s, drop_dead_units=drop)
            for s in (0.5, 0.8, 0.9, 0.97) for drop in (False, True)]  # fmt: skip
    seen = set()
    for net in nets:
        for w in net.coefs_:
            size = w.shape[0] * w.shape[1]
            nonzero = w.nnz if sp.issparse(w) else np.count_nonzero(w)
            dense = nonzero >= PrunedNetwork._dense_from * size
            assert isinstance(w, np.ndarray) == dense
            assert dense or (isinstance(w, sp.csr_array) and w.format == "csr")
            assert w.dtype == fitted.slab_means_[0].dtype
            seen.add(dense)
        # decided once: the forward pass multiplies the stored layers
        assert all(a is b for a, b in zip(net._inference_weights(), net.coefs_))
    assert seen == {True, False}
    # the threshold is the class constant
    monkeypatch.setattr(PrunedNetwork, "_dense_from", 0.0)
    dense = prune(fitted, rule="sparsity", sparsity=0.97)
    assert all(isinstance(w, np.ndarray) for w in dense.coefs_)
    monkeypatch.setattr(PrunedNetwork, "_dense_from", 1.01)
    sparse = prune(fitted, rule="sparsity", sparsity=0.5)
    assert all(sp.issparse(w) for w in sparse.coefs_)
    monkeypatch.undo()
    reference = prune(fitted, rule="sparsity", sparsity=0.5)
    assert_allclose(sparse.predict_proba(X), reference.predict_proba(X), rtol=1e-5)


def test_drop_dead_units_must_be_a_bool(fitted):
    for value in ("yes", 1, None):
        with pytest.raises(TypeError, match="drop_dead_units must be True or False"):
            prune(fitted, rule="map", drop_dead_units=value)
    assert prune(fitted, rule="map", drop_dead_units=np.True_).hidden_layer_sizes_


def test_pipelines_drop_dead_units_too(digits):
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(
            StandardScaler(), SaSMLPClassifier(WIDTHS, max_iter=5, random_state=0)
        ).fit(X, y)
    pruned = prune(pipe, rule="sparsity", sparsity=0.97, drop_dead_units=True)
    alone = prune(pipe[-1], rule="sparsity", sparsity=0.97, drop_dead_units=True)
    assert pruned[-1].hidden_layer_sizes_ == alone.hidden_layer_sizes_
    assert sum(alone.hidden_layer_sizes_) < sum(WIDTHS)
    assert_array_equal(pruned.predict(X), alone.predict(pipe[:-1].transform(X)))
