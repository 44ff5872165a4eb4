"""The training pass against the pre-activation moments in the paper's notation.

``_sas.preactivation_moments`` computes ``G = H @ mu / sqrt(N)`` and
``D = sqrt((H * H) @ var / N)`` as DESIGN.md section 1 writes them. The fast
path of training (``_gbp.layer_forward``, ``_gbp.loss_grad``) carries the
``1 / sqrt(N)`` factors outside its arrays; these tests hold it to the plain
form, in float32 and float64.
"""

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal

from sklearn_sas._gbp import (
    ParamVector,
    Workspace,
    init_params,
    layer_forward,
    loss_grad,
)
from sklearn_sas._noise import NormalNoise, new_generator
from sklearn_sas._sas import preactivation_moments, sas_moments

# float32 rounds each of the N terms of a product: a few ulps of the largest
RTOL = {np.float32: 1e-5, np.float64: 1e-12}


def _layer(rng, n, n_in, n_out, dtype):
    """A ReLU-like input and the weight moments of one layer, with one unit
    that no variance reaches (``D = 0``)."""
    H = np.maximum(rng.normal(size=(n, n_in)), 0).astype(dtype)
    m = rng.normal(size=(n_in, n_out)).astype(dtype)
    pi = rng.uniform(0, 0.9, size=(n_in, n_out)).astype(dtype)
    xi = rng.uniform(0, 0.5, size=(n_in, n_out)).astype(dtype)
    pi[:, 0], xi[:, 0] = 0, 0
    mu, var, _ = sas_moments(m, pi, xi)
    return H, mu, var


def _close(actual, expected, dtype):
    scale = max(float(np.abs(expected).max()), 1.0)
    assert_allclose(actual, expected, rtol=RTOL[dtype], atol=RTOL[dtype] * scale)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_preactivation_moments_in_the_paper_s_notation(dtype):
    rng = np.random.default_rng(0)
    H, mu, var = _layer(rng, 6, 5, 4, dtype)
    G, D = preactivation_moments(H, mu, var)
    assert G.dtype == D.dtype == dtype and G.shape == D.shape == (6, 4)
    H64, mu64, var64 = (a.astype(np.float64) for a in (H, mu, var))
    _close(G, H64 @ mu64 / np.sqrt(5), dtype)
    _close(D, np.sqrt((H64 * H64) @ var64 / 5), dtype)
    assert_array_equal(D[:, 0], 0)
    # a sparse input gives the same moments
    G_sparse, D_sparse = preactivation_moments(sp.csr_matrix(H), mu, var)
    _close(G_sparse, G, dtype)
    _close(D_sparse, D, dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("carried", [1.0, 0.3])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_layer_forward_agrees_with_the_paper_s_notation(dtype, carried, fit_intercept):
    rng = np.random.default_rng(1)
    n, n_in, n_out = 7, 6, 5
    U, mu, var = _layer(rng, n, n_in, n_out, dtype)
    eps = rng.normal(size=(n, n_out)).astype(dtype)
    b = rng.normal(size=n_out).astype(dtype) if fit_intercept else None
    # the fast path: input H = c U, pre-activation z = a V with a = c / sqrt(N)
    a = carried * n_in**-0.5
    V, gain, scratch = (np.empty((n, n_out), dtype=dtype) for _ in range(3))
    intercept = None if b is None else (b / a).astype(dtype)
    layer_forward(U, U * U, mu, var, intercept, eps, V, gain, scratch)
    # the paper's notation
    G, D = preactivation_moments((carried * U).astype(dtype), mu, var)
    z = G + eps * D + (0 if b is None else b)
    _close(a * V, z, dtype)
    # gain = eps / R with D = a R, and 0 where no variance reaches the unit
    width = D > 0
    assert not width[:, 0].any() and width[:, 1:].all()
    _close(gain[width], (eps * a)[width] / D[width], dtype)
    assert_array_equal(gain[~width], 0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_training_loss_is_that_of_the_paper_s_forward_pass(dtype):
    # the whole training pass: scales carried through the ReLU layers
    rng = np.random.default_rng(2)
    layer_units, n = [8, 7, 6, 3], 9
    params = init_params(layer_units, True, dtype, rng, init_pi=0.2, init_xi=0.3)
    params.intercepts[0][:] = rng.normal(size=7)
    X = rng.normal(size=(n, layer_units[0])).astype(dtype)
    y = rng.integers(layer_units[-1], size=n)
    grads = ParamVector(layer_units, True, dtype)
    ws = Workspace(layer_units, n, dtype)
    noise = NormalNoise(new_generator(3))
    loss = loss_grad(params, grads, ws, X, y, None, 0.0, noise)
    # the draws of this minibatch stay in the workspace
    eps = [noise_of_layer[:n] for noise_of_layer in ws.noise]

    h = X
    layers = zip(params.slab_means, params.spike_probs, params.slab_vars)
    for layer, (m, pi, xi) in enumerate(layers):
        mu, var, _ = sas_moments(m, pi, xi)
        G, D = preactivation_moments(h, mu, var)
        z = G + eps[layer] * D + params.intercepts[layer]
        h = np.maximum(z, 0) if layer < len(eps) - 1 else z
    z = h.astype(np.float64)
    log_proba = z - z.max(axis=1, keepdims=True)
    log_proba -= np.log(np.exp(log_proba).sum(axis=1, keepdims=True))
    expected = -log_proba[np.arange(n), y].mean()
    assert_allclose(loss, expected, rtol=10 * RTOL[dtype])
