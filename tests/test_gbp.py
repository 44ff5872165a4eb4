"""The gBP core: gradients, the backprop limit, numerical safety."""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.neural_network import MLPClassifier

from sklearn_sas._activations import log_softmax, softmax
from sklearn_sas._forward import forward, forward_mc
from sklearn_sas._gbp import (
    ParamVector,
    Workspace,
    init_params,
    loss_grad,
    run_epoch,
)
from sklearn_sas._losses import softmax_cross_entropy
from sklearn_sas._noise import NormalNoise, new_generator
from sklearn_sas._optimizers import SGDOptimizer
from sklearn_sas._sas import sample_sas, sas_moments, sas_param_grads


class FixedNoise:
    """Stands in for the generator: every minibatch gets the same ``eps``."""

    def __init__(self, per_layer):
        self.flat = np.concatenate([a.ravel() for a in per_layer])

    def fill(self, out):
        out[...] = self.flat
        return out


def _network(layer_units, n, *, seed, fit_intercept=True, dtype=np.float64):
    rng = np.random.default_rng(seed)
    params = init_params(
        layer_units, fit_intercept, dtype, rng, init_pi=0.0, init_xi=0.5
    )
    X = rng.normal(size=(n, layer_units[0])).astype(dtype)
    y = rng.integers(layer_units[-1], size=n)
    noise = [rng.normal(size=(n, w)) for w in layer_units[1:]]
    return params, X, y, noise, rng


def _loss(params, X, y, noise, *, sample_weight=None, alpha=0.0, spike_slab=True):
    grads = ParamVector(params.layer_units, params.fit_intercept, params.flat.dtype)
    ws = Workspace(params.layer_units, X.shape[0], params.flat.dtype)
    loss = loss_grad(
        params, grads, ws, X, y, sample_weight, alpha, FixedNoise(noise), spike_slab
    )
    return loss, grads


@pytest.mark.parametrize("where", ["interior", "edges"])
def test_gradient_matches_finite_differences(where):
    layer_units = [7, 6, 5, 4]
    params, X, y, noise, rng = _network(layer_units, 9, seed=1)
    size = params.n_connections
    if where == "interior":
        params.spike_flat[:] = rng.uniform(0.05, 0.95, size)
    else:
        # pi at both clipping edges and xi at its edge on half of the
        # connections; the other half keeps every unit's D > 0, where the
        # square root is smooth
        edge = rng.random(size) < 0.5
        params.spike_flat[:] = rng.uniform(0.1, 0.9, size)
        params.spike_flat[edge] = rng.choice([0.0, 1.0], edge.sum())
        params.slab_var_flat[edge & (rng.random(size) < 0.5)] = 0.0
        # live hidden units, so that no row's D rests on edge connections only
        params.intercepts[0][:] = 2.0
    params.intercepts[1][:] = 2.0 + rng.normal(size=layer_units[2])
    sample_weight = rng.uniform(0.5, 2.0, X.shape[0])
    alpha = 0.3

    _, grads = _loss(params, X, y, noise, sample_weight=sample_weight, alpha=alpha)
    numeric = np.empty_like(params.flat)
    step = 1e-6
    for i in range(params.flat.size):
        saved = params.flat[i]
        params.flat[i] = saved + step
        up, _ = _loss(params, X, y, noise, sample_weight=sample_weight, alpha=alpha)
        params.flat[i] = saved - step
        down, _ = _loss(params, X, y, noise, sample_weight=sample_weight, alpha=alpha)
        params.flat[i] = saved
        numeric[i] = (up - down) / (2 * step)

    numeric_view = ParamVector(layer_units, True, np.float64, numeric)
    for name in ["spike_flat", "slab_var_flat", "slab_mean_flat"]:
        analytic, approx = getattr(grads, name), getattr(numeric_view, name)
        assert np.linalg.norm(approx) > 1e-3, name
        rel = np.linalg.norm(analytic - approx) / np.linalg.norm(approx)
        assert rel < 1e-6, (name, rel)
    rel = np.linalg.norm(grads.flat - numeric) / np.linalg.norm(numeric)
    assert rel < 1e-6


def test_unit_without_variance_has_no_noise_gradient():
    # one hidden unit of the second layer gets no variance (pi = xi = 0 on
    # all its incoming connections): its D is 0, Q must be 0 there, and every
    # other derivative is still exact
    layer_units = [5, 4, 3, 3]
    params, X, y, noise, rng = _network(layer_units, 7, seed=6)
    params.spike_flat[:] = rng.uniform(0.1, 0.9, params.n_connections)
    params.spike_probs[1][:, 2] = 0.0
    params.slab_vars[1][:, 2] = 0.0
    for b in params.intercepts:
        b[:] = 1.0
    loss, grads = _loss(params, X, y, noise)
    assert np.isfinite(loss) and np.all(np.isfinite(grads.flat))
    assert_array_equal(grads.slab_vars[1][:, 2], 0.0)
    # sqrt(var) has a one-sided derivative at var = 0: no finite differences
    # for that unit's pi and xi
    kink = np.zeros(params.flat.shape, dtype=bool)
    kink_view = ParamVector(layer_units, True, np.float64, kink)
    kink_view.spike_probs[1][:, 2] = True
    kink_view.slab_vars[1][:, 2] = True
    numeric = np.empty_like(params.flat)
    for i in np.flatnonzero(~kink):
        saved = params.flat[i]
        params.flat[i] = saved + 1e-6
        up, _ = _loss(params, X, y, noise)
        params.flat[i] = saved - 1e-6
        down, _ = _loss(params, X, y, noise)
        params.flat[i] = saved
        numeric[i] = (up - down) / 2e-6
    rel = np.linalg.norm(grads.flat[~kink] - numeric[~kink]) / np.linalg.norm(
        numeric[~kink]
    )
    assert rel < 1e-6


@pytest.mark.parametrize("spike_slab", [True, False])
def test_carried_scales_give_the_same_gradient_wherever_applied(
    monkeypatch, spike_slab
):
    # eight hidden layers of fan-in 40 take the carried 1 / sqrt(N) factors
    # below the threshold where they are applied, forward and backward
    from sklearn_sas import _gbp

    layer_units = [40] * 9 + [3]
    assert (40**-0.5) ** 8 < _gbp._MIN_CARRIED_SCALE < (40**-0.5) ** 7
    params, X, y, noise, rng = _network(layer_units, 6, seed=4)
    params.spike_flat[:] = rng.uniform(0, 0.5, params.n_connections)
    for b in params.intercepts:
        b[:] = 0.5
    results = {}
    for threshold in (0.0, _gbp._MIN_CARRIED_SCALE, 2.0):
        monkeypatch.setattr(_gbp, "_MIN_CARRIED_SCALE", threshold)
        results[threshold] = _loss(
            params, X, y, noise, alpha=0.1, spike_slab=spike_slab
        )
    (loss, grads), *others = results.values()
    assert np.linalg.norm(grads.slab_means[0]) > 0
    for other_loss, other_grads in others:
        assert_allclose(other_loss, loss, rtol=1e-12)
        assert_allclose(other_grads.flat, grads.flat, rtol=1e-9, atol=1e-14)


def _plain_backprop_step(weights, X, y, lr, n_classes):
    """SGD step of an ordinary ReLU MLP with ``z = h @ W / sqrt(N)``."""
    activations = [X]
    for layer, W in enumerate(weights):
        z = activations[-1] @ W / np.sqrt(W.shape[0])
        activations.append(np.maximum(z, 0) if layer < len(weights) - 1 else z)
    logits = activations[-1]
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    delta = (proba - np.eye(n_classes)[y]) / len(y)
    new = [None] * len(weights)
    for layer in range(len(weights) - 1, -1, -1):
        W, h = weights[layer], activations[layer]
        new[layer] = W - lr * (h.T @ delta) / np.sqrt(W.shape[0])
        delta = (delta @ W.T) / np.sqrt(W.shape[0]) * (h > 0)
    return new


def test_zero_spike_and_slab_step_is_a_backprop_step():
    # every layer has the same fan-in so that one MLPClassifier learning rate
    # matches: with W = m / sqrt(N), a step lr on m is a step lr / N on W
    layer_units = [4, 4, 4, 3]
    params, X, y, noise, _ = _network(layer_units, 12, seed=2, fit_intercept=False)
    params.spike_flat[:] = 0.0
    params.slab_var_flat[:] = 0.0
    weights = [m.copy() for m in params.slab_means]
    lr = 0.05

    # the full gBP path (noise drawn, D = 0 everywhere); pi, xi held fixed
    loss, grads = _loss(params, X, y, noise, spike_slab=True)
    assert np.all(np.isfinite(grads.flat))
    step = SGDOptimizer(params.deterministic, lr, momentum=0.0, nesterov=False)
    step.update_params(params.deterministic, grads.deterministic)

    expected = _plain_backprop_step(weights, X, y, lr, layer_units[-1])
    for got, want in zip(params.slab_means, expected):
        assert_allclose(got, want, rtol=1e-12, atol=1e-14)

    mlp = MLPClassifier(
        hidden_layer_sizes=(4, 4), solver="sgd", alpha=0.0, momentum=0.0,
        nesterovs_momentum=False, learning_rate_init=lr / 4, batch_size=len(y),
        shuffle=False, max_iter=1,
    )  # fmt: skip
    mlp.partial_fit(X, y, classes=np.arange(3))
    mlp.coefs_ = [w / 2.0 for w in weights]
    mlp.intercepts_ = [np.zeros_like(b) for b in mlp.intercepts_]
    del mlp._optimizer  # a fresh SGD state, as for our single step
    mlp.partial_fit(X, y)
    for got, want in zip(params.slab_means, mlp.coefs_):
        assert_allclose(got / 2.0, want, rtol=1e-12, atol=1e-14)
    assert loss == pytest.approx(mlp.loss_curve_[-1], rel=1e-10)


@pytest.mark.parametrize("alpha", [0.3, 1e-3])
@pytest.mark.parametrize("sample_weight", [None, "uneven"])
def test_zero_spike_and_slab_step_with_l2_is_mlpclassifier_step(alpha, sample_weight):
    # with W = m / sqrt(N), the penalty 0.5 alpha |m|^2 / B is MLPClassifier's
    # 0.5 (N alpha) |W|^2 / B: both divide by the minibatch size (its total
    # sample weight)
    layer_units = [4, 4, 4, 3]
    params, X, y, noise, _ = _network(layer_units, 12, seed=5, fit_intercept=False)
    params.spike_flat[:] = 0.0
    params.slab_var_flat[:] = 0.0
    weights = [m.copy() for m in params.slab_means]
    lr = 0.05
    sw = None if sample_weight is None else np.linspace(0.5, 2.5, len(y))
    loss, grads = _loss(params, X, y, noise, sample_weight=sw, alpha=alpha)
    step = SGDOptimizer(params.deterministic, lr, momentum=0.0, nesterov=False)
    step.update_params(params.deterministic, grads.deterministic)

    mlp = MLPClassifier(
        hidden_layer_sizes=(4, 4), solver="sgd", alpha=4 * alpha, momentum=0.0,
        nesterovs_momentum=False, learning_rate_init=lr / 4, batch_size=len(y),
        shuffle=False, max_iter=1,
    )  # fmt: skip
    mlp.partial_fit(X, y, classes=np.arange(3))
    mlp.coefs_ = [w / 2.0 for w in weights]
    mlp.intercepts_ = [np.zeros_like(b) for b in mlp.intercepts_]
    del mlp._optimizer
    mlp.partial_fit(X, y, sample_weight=sw)
    for got, want in zip(params.slab_means, mlp.coefs_):
        assert_allclose(got / 2.0, want, rtol=1e-12, atol=1e-14)
    assert loss == pytest.approx(mlp.loss_curve_[-1], rel=1e-10)


def test_zero_spike_and_slab_matches_the_backprop_shortcut():
    layer_units = [6, 5, 3]
    params, X, y, noise, _ = _network(layer_units, 10, seed=3)
    params.spike_flat[:] = 0.0
    params.slab_var_flat[:] = 0.0
    loss_gbp, grads_gbp = _loss(params, X, y, noise, alpha=0.1, spike_slab=True)
    loss_bp, grads_bp = _loss(params, X, y, noise, alpha=0.1, spike_slab=False)
    assert loss_gbp == pytest.approx(loss_bp, rel=1e-14)
    assert_allclose(grads_gbp.deterministic, grads_bp.deterministic, rtol=1e-13)


def test_sample_weight_equals_repeated_rows_with_the_same_noise():
    layer_units = [5, 4, 3]
    params, X, y, noise, rng = _network(layer_units, 6, seed=4)
    params.spike_flat[:] = rng.uniform(0, 1, params.n_connections)
    weights = np.array([2.0, 1.0, 1.0, 3.0, 1.0, 1.0])
    repeat = np.repeat(np.arange(6), weights.astype(int))
    loss_w, grads_w = _loss(params, X, y, noise, sample_weight=weights, alpha=0.2)
    loss_r, grads_r = _loss(
        params, X[repeat], y[repeat], [a[repeat] for a in noise], alpha=0.2
    )
    assert loss_w == pytest.approx(loss_r, rel=1e-12)
    assert_allclose(grads_w.flat, grads_r.flat, rtol=1e-10, atol=1e-14)


def test_float32_stays_float32():
    layer_units = [6, 5, 3]
    params, X, y, noise, _ = _network(layer_units, 8, seed=5, dtype=np.float32)
    assert params.flat.dtype == np.float32
    loss, grads = _loss(params, X, y, [a.astype(np.float32) for a in noise])
    assert grads.flat.dtype == np.float32
    assert np.all(np.isfinite(grads.flat)) and np.isfinite(loss)
    mu, var, keep = sas_moments(
        params.slab_mean_flat, params.spike_flat, params.slab_var_flat
    )
    assert mu.dtype == var.dtype == keep.dtype == np.float32


def test_chain_rule_matches_the_textbook_formulas():
    rng = np.random.default_rng(3)
    n = 200
    m = rng.normal(size=n)
    pi = np.concatenate([rng.random(n - 40), np.zeros(20), np.ones(20)])
    xi = np.where(rng.random(n) < 0.2, 0.0, rng.random(n))
    grad_mu, grad_var = rng.normal(size=n), rng.normal(size=n)
    spread = np.empty(n)
    mu, var, keep = sas_moments(m, pi, xi, var_per_keep=spread)
    assert_allclose(mu, m * (1 - pi), rtol=1e-14)
    assert_allclose(var, (1 - pi) * (xi + pi * m**2), rtol=1e-14)
    assert_allclose(spread, xi + pi * m**2, rtol=1e-14)
    out = (np.empty(n), np.empty(n), np.empty(n))
    grad_m, grad_pi, grad_xi = sas_param_grads(
        grad_mu, grad_var, m, pi, mu, keep, spread, out=out
    )
    assert_allclose(grad_m, (1 - pi) * (grad_mu + 2 * pi * m * grad_var), atol=1e-14)
    expected_pi = -m * grad_mu + ((1 - 2 * pi) * m**2 - xi) * grad_var
    assert_allclose(grad_pi, expected_pi, rtol=1e-12, atol=1e-14)
    assert_allclose(grad_xi, (1 - pi) * grad_var, atol=1e-15)


def test_param_vector_layout_round_trips():
    rng = np.random.default_rng(0)
    params = init_params([3, 4, 2], True, np.float64, rng, init_pi=0.2, init_xi=0.1)
    params.intercepts[0][:] = 1.5
    packed = ParamVector.pack(
        params.spike_probs, params.slab_vars, params.slab_means, params.intercepts,
        np.float64,
    )  # fmt: skip
    assert_array_equal(packed.flat, params.flat)
    assert [p.shape for p in packed.spike_probs] == [(3, 4), (4, 2)]
    assert np.shares_memory(packed.spike_probs[1], packed.flat)
    assert_array_equal(params.spike_flat, 0.2)
    assert 0 <= params.slab_var_flat.min() and params.slab_var_flat.max() <= 0.1


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_is_stable_for_huge_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4 + 1, -1e4]], dtype=dtype)
    proba = softmax(z)
    assert proba.dtype == dtype
    assert np.all(np.isfinite(proba))
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-6)
    assert_allclose(proba[0], [1, 0, 0])
    log_proba = log_softmax(z)
    assert np.all(np.isfinite(log_proba))
    assert_allclose(log_proba[0], [0, -2e4, -1e4], rtol=1e-6)
    delta = np.empty_like(z)
    loss = softmax_cross_entropy(z.copy(), np.array([1, 2]), None, delta)
    assert loss == pytest.approx((2e4 + 1 + np.log1p(2 * np.exp(-1.0))) / 2, rel=1e-5)
    assert np.all(np.isfinite(delta))


def test_forward_mean_network_uses_the_moments():
    rng = np.random.default_rng(6)
    params = init_params([4, 3, 2], True, np.float64, rng, init_pi=0.4, init_xi=0.1)
    params.intercepts[1][:] = [0.5, -0.5]
    X = rng.normal(size=(5, 4))
    mus = [m * (1 - p) for m, p in zip(params.slab_means, params.spike_probs)]
    hidden = np.maximum(X @ mus[0] / 2 + params.intercepts[0], 0)
    expected = hidden @ mus[1] / np.sqrt(3) + params.intercepts[1]
    assert_allclose(forward(X, mus, params.intercepts), expected, rtol=1e-12)


def _manual_epoch(params, X, y, sample_weight, *, order, batch, alpha, lr, spike_slab,
                  weight_decay):  # fmt: skip
    """The minibatch loop of run_epoch written out: loss_grad, the decoupled
    decay of the pre-step parameters (``theta -= lr * weight_decay * theta``:
    pi, xi and m, or m alone in backprop), one plain SGD step, the
    projection; returns the size-weighted mean loss."""
    from sklearn_sas._sas import project_sas

    grads = ParamVector(params.layer_units, params.fit_intercept, params.flat.dtype)
    ws = Workspace(params.layer_units, batch, params.flat.dtype)
    noise = NormalNoise(new_generator(11))
    total = 0.0
    for start in range(0, len(y), batch):
        rows = order[start : start + batch]
        sw = None if sample_weight is None else sample_weight[rows]
        loss = loss_grad(params, grads, ws, X[rows], y[rows], sw, alpha, noise,
                         spike_slab)  # fmt: skip
        total += loss * len(rows)
        n_decayed = 3 * params.n_connections if spike_slab else params.n_connections
        start_decayed = 0 if spike_slab else 2 * params.n_connections
        decayed = params.flat[start_decayed : start_decayed + n_decayed]
        decayed -= lr * weight_decay * decayed.copy()
        if spike_slab:
            params.flat -= lr * grads.flat
            project_sas(params.spike_flat, params.slab_var_flat)
        else:
            params.deterministic -= lr * grads.deterministic
    return total / len(y)


@pytest.mark.parametrize("weight_decay", [0.0, 0.2])
@pytest.mark.parametrize("shuffle", [False, True])
@pytest.mark.parametrize("spike_slab", [True, False])
def test_run_epoch_is_the_minibatch_loop(shuffle, spike_slab, weight_decay):
    from sklearn_sas._gbp import run_epoch

    layer_units = [5, 4, 3]
    params, X, y, _, rng = _network(layer_units, 10, seed=9)
    params.spike_flat[:] = rng.uniform(0, 0.5, params.n_connections)
    sample_weight = rng.uniform(0.5, 2.0, 10)
    # a new buffer with the same values (a deepcopy would unlink the views)
    expected = ParamVector(layer_units, True, np.float64)
    expected.flat[:] = params.flat
    start = params.flat.copy()
    batch, lr, alpha = 4, 0.05, 0.3  # batches of 4, 4 and 2 rows
    grads = ParamVector(layer_units, True, np.float64)
    ws = Workspace(layer_units, batch, np.float64)
    optimizer = SGDOptimizer(params.flat if spike_slab else params.deterministic,
                             lr, momentum=0.0, nesterov=False)  # fmt: skip
    loss = run_epoch(
        params, grads, optimizer, ws, X, y, sample_weight, alpha=alpha,
        rng=np.random.default_rng(3), noise=NormalNoise(new_generator(11)),
        shuffle=shuffle, spike_slab=spike_slab, weight_decay=weight_decay,
    )  # fmt: skip
    order = np.random.default_rng(3).permutation(10) if shuffle else np.arange(10)
    expected_loss = _manual_epoch(
        expected, X, y, sample_weight, order=order, batch=batch, alpha=alpha, lr=lr,
        spike_slab=spike_slab, weight_decay=weight_decay,
    )  # fmt: skip
    assert loss == pytest.approx(expected_loss, rel=1e-12)
    assert_allclose(params.flat, expected.flat, rtol=1e-12, atol=1e-14)
    assert not np.allclose(params.flat, start)


def test_noisy_passes_of_sparse_input_equal_those_of_dense_input():
    import scipy.sparse as sp

    rng = np.random.default_rng(8)
    params = init_params([5, 4, 3], True, np.float64, rng, init_pi=0.3, init_xi=0.2)
    moments = [sas_moments(m, pi, xi) for m, pi, xi in
               zip(params.slab_means, params.spike_probs, params.slab_vars)]  # fmt: skip
    mus, variances = [mu for mu, _, _ in moments], [var for _, var, _ in moments]
    X = rng.normal(size=(6, 5)) * (rng.uniform(size=(6, 5)) < 0.5)
    noise = [rng.normal(size=(4, n)) for n in (4, 3)]
    dense = forward_mc(X, mus, variances, params.intercepts, noise)
    sparse = forward_mc(sp.csr_matrix(X), mus, variances, params.intercepts, noise)
    assert_allclose(sparse, dense, rtol=1e-12, atol=1e-14)


def test_forward_mc_samples_every_layer_with_the_pass_noise():
    rng = np.random.default_rng(7)
    params = init_params([4, 3, 3, 2], True, np.float64, rng, init_pi=0.3, init_xi=0.2)
    mus, variances = [], []
    for m, pi, xi in zip(params.slab_means, params.spike_probs, params.slab_vars):
        mu, var, _ = sas_moments(m, pi, xi)
        mus.append(mu)
        variances.append(var)
    X = rng.normal(size=(6, 4))
    noise = [rng.normal(size=(5, n_out)) for n_out in (3, 3, 2)]
    logits = forward_mc(X, mus, variances, params.intercepts, noise)
    assert logits.shape == (5, 6, 2)
    for k in range(5):
        h = X
        for layer, (mu, var, b) in enumerate(zip(mus, variances, params.intercepts)):
            n_in = h.shape[1]
            width = np.sqrt(h**2 @ var / n_in)
            h = h @ mu / np.sqrt(n_in) + b + noise[layer][k] * width
            if layer < 2:
                h = np.maximum(h, 0)
        assert_allclose(logits[k], h, rtol=1e-12)
    # a row's passes do not depend on the rows predicted with it
    order = [4, 0, 2]
    assert_allclose(
        forward_mc(X[order], mus, variances, params.intercepts, noise),
        logits[:, order],
        rtol=1e-12,
    )


@pytest.mark.parametrize("make_rng", [new_generator, np.random.default_rng])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [200_001, 200_000])
def test_normal_noise_is_standard_normal(dtype, size, make_rng):
    from scipy import stats

    out = np.empty(size, dtype=dtype)
    NormalNoise(make_rng(0)).fill(out)
    assert out.dtype == dtype and np.all(np.isfinite(out))
    assert abs(out.mean()) < 5 / np.sqrt(size)
    assert abs(out.var() - 1) < 5 * np.sqrt(2 / size)
    assert stats.kstest(out, "norm").pvalue > 1e-3
    # the two halves (cosine and sine branches) are independent normals
    half = size // 2
    assert abs(np.corrcoef(out[:half], out[half : 2 * half])[0, 1]) < 5 / np.sqrt(half)
    again = np.empty_like(out)
    NormalNoise(make_rng(0)).fill(again)
    assert_array_equal(out, again)


def test_normal_noise_works_in_the_dtype_of_its_output():
    # the cosines are computed in a scratch buffer of the output's dtype, so
    # float32 noise is made in float32 and float64 noise in float64
    noise = NormalNoise(new_generator(0))
    for dtype in (np.float32, np.float64, np.float32):
        out = noise.fill(np.empty(10, dtype=dtype))
        assert out.dtype == dtype and np.isfinite(out).all()
        assert noise._scratch.dtype == dtype


def test_workspace_buffers_are_in_the_training_dtype():
    ws = Workspace([6, 5, 3], 4, np.float32)
    arrays = []
    for value in vars(ws).values():
        if isinstance(value, np.ndarray):
            arrays.append(value)
        elif isinstance(value, (list, tuple)):
            arrays.extend(v for v in value if isinstance(v, np.ndarray))
    assert len(arrays) > 10
    assert {a.dtype for a in arrays} == {np.dtype(np.float32)}


def test_loss_and_gradient_of_sparse_input_equal_those_of_dense_input():
    params, X, y, noise, rng = _network([6, 5, 3], 8, seed=4)
    X[rng.random(X.shape) < 0.5] = 0
    for spike_slab in (True, False):
        dense_loss, dense = _loss(params, X, y, noise, spike_slab=spike_slab)
        sparse_loss, sparse = _loss(
            params, sp.csr_matrix(X), y, noise, spike_slab=spike_slab
        )
        assert sparse_loss == pytest.approx(dense_loss, rel=1e-12)
        assert_allclose(sparse.flat, dense.flat, rtol=1e-10, atol=1e-13)


def test_loss_grad_defaults_to_the_spike_and_slab_gradient():
    params, X, y, noise, _ = _network([6, 5, 3], 8, seed=4)
    params.spike_flat[:] = 0.3
    grads = ParamVector(params.layer_units, params.fit_intercept, params.flat.dtype)
    ws = Workspace(params.layer_units, X.shape[0], params.flat.dtype)
    loss = loss_grad(params, grads, ws, X, y, None, 0.0, FixedNoise(noise))
    expected_loss, expected = _loss(params, X, y, noise, spike_slab=True)
    assert loss == expected_loss
    assert_array_equal(grads.flat, expected.flat)
    assert np.any(grads.spike_flat != 0)


@pytest.mark.parametrize("n_classes", [3, 20])
def test_cross_entropy_is_stable_for_rows_of_very_different_scales(n_classes):
    # the shift by each row's own maximum keeps exp() finite: a shift by any
    # other column, or by the maximum over all rows, overflows or underflows
    rng = np.random.default_rng(n_classes)
    z = rng.normal(size=(4, n_classes))
    z[0, -1] += 3000.0
    z[1, 1] += 3000.0
    z[2] -= 3000.0
    z[3, 0] += 3000.0
    y = np.array([n_classes - 1, 0, 2, 0])
    shifted = z - z.max(axis=1, keepdims=True)
    log_proba = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    delta = np.empty_like(z)
    # exp() of the other classes underflows to 0, as it should
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        loss = softmax_cross_entropy(z.copy(), y, None, delta)
    assert loss == pytest.approx(-log_proba[np.arange(4), y].mean(), rel=1e-10)
    expected = np.exp(log_proba)
    expected[np.arange(4), y] -= 1
    assert_allclose(delta, expected / 4, rtol=1e-10, atol=1e-15)


def test_forward_of_sparse_input_through_sparse_weights():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, 5)) * (rng.random((6, 5)) < 0.4)
    weights = [rng.normal(size=(5, 4)) * (rng.random((5, 4)) < 0.5),
               rng.normal(size=(4, 3))]  # fmt: skip
    intercepts = [rng.normal(size=4), rng.normal(size=3)]
    dense = forward(X, weights, intercepts, scaled=False)
    sparse = forward(
        sp.csr_array(X), [sp.csr_array(w) for w in weights], intercepts, scaled=False
    )
    assert isinstance(sparse, np.ndarray)
    assert_allclose(sparse, dense, rtol=1e-12, atol=1e-14)
    hidden = np.maximum(X @ weights[0] + intercepts[0], 0)
    assert_allclose(dense, hidden @ weights[1] + intercepts[1], rtol=1e-12)


def test_initial_distribution_has_the_asked_moments():
    rng = np.random.default_rng(0)
    params = init_params(
        [200, 100, 10], True, np.float64, rng, init_pi=0.25, init_xi=0.4,
        init_m_std=0.1,
    )  # fmt: skip
    m = params.slab_mean_flat
    # 21,000 draws: the standard errors are about 1e-3 (mean) and 5e-4 (sd)
    assert abs(m.mean()) < 0.005
    assert m.std() == pytest.approx(0.1, rel=0.02)
    assert_array_equal(params.spike_flat, 0.25)
    xi = params.slab_var_flat
    assert 0 <= xi.min() and xi.max() < 0.4 and xi.mean() == pytest.approx(0.2, rel=0.02)
    assert all(np.all(b == 0) for b in params.intercepts)


def test_param_vector_without_intercepts_holds_the_distribution_only():
    params = ParamVector([4, 3, 2], False, np.float32)
    n_conn = 4 * 3 + 3 * 2
    assert params.flat.shape == (3 * n_conn,)
    assert params.intercepts is None
    assert params.deterministic.shape == (n_conn,)
    with pytest.raises(ValueError, match=r"flat buffer of shape \(55,\) does not fit"):
        ParamVector([4, 3, 2], False, np.float32, flat=np.zeros(55, np.float32))


def test_run_epoch_has_no_weight_decay_by_default():
    params, X, y, _, _ = _network([5, 4, 3], 12, seed=2)
    results = []
    for decay in ({}, {"weight_decay": 0.0}):
        state = ParamVector(
            params.layer_units, True, np.float64, flat=params.flat.copy()
        )
        grads = ParamVector(params.layer_units, True, np.float64)
        ws = Workspace(params.layer_units, 4, np.float64)
        run_epoch(
            state, grads, SGDOptimizer(state.flat, 0.1), ws, X, y, None,
            alpha=0.0, rng=np.random.default_rng(0),
            noise=NormalNoise(np.random.default_rng(1)), shuffle=True, **decay,
        )  # fmt: skip
        results.append(state.flat)
    assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sample_sas_draws_the_mask_then_the_slab_in_the_weights_dtype(dtype):
    # the documented draw order and dtype make a seed give the same sampled
    # network in every version
    rng = np.random.default_rng(3)
    shape = (40, 30)
    m = rng.normal(size=shape).astype(dtype)
    pi = rng.random(shape).astype(dtype)
    xi = rng.random(shape).astype(dtype)
    weights, mask = sample_sas(m, pi, xi, np.random.default_rng(11))
    draws = np.random.default_rng(11)
    expected_mask = draws.random(shape, dtype=dtype) >= pi
    slab = m + np.sqrt(xi) * draws.standard_normal(shape, dtype=dtype)
    assert weights.dtype == dtype
    assert_array_equal(mask, expected_mask)
    assert_allclose(weights, np.where(expected_mask, slab, 0), rtol=1e-6)
