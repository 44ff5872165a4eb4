"""Prediction passes of a trained network: the deterministic pass of the
mean network or of a concrete one (:func:`forward`), the noisy mean-field
passes of ``inference="mc"`` (:func:`forward_mc`) and the passes of many
concrete networks at once (:func:`forward_stacked`, ``"ensemble"``).
Training's passes, which also keep what the backward pass needs, are
``_gbp.py``'s.

This module is plain NumPy; it knows nothing of scikit-learn.
"""

from typing import NamedTuple

import numpy as np

from ._activations import activate
from ._sas import preactivation_moments


def forward(X, mus, intercepts, scaled=True, activation="relu"):
    """Logits of a batch through the deterministic network with weights
    ``mus``.

    ``scaled=False`` means the ``1 / sqrt(N)`` factor is already in the
    weights (concrete networks: ``z = h @ W + b``). ``X`` and the weights
    may be dense or sparse (scipy); returns a new dense array. ``activation``
    is that of the hidden units. The noisy mean-field passes are
    :func:`forward_mc`'s.
    """
    n_layers = len(mus)
    H = X
    for layer in range(n_layers):
        n_in = H.shape[1]
        z = H @ mus[layer]
        # sparse input times sparse weights (a pruned network) is sparse
        z = z.toarray() if hasattr(z, "toarray") else np.asarray(z)
        if scaled:
            z *= n_in**-0.5
        if intercepts is not None:
            z += intercepts[layer]
        if layer < n_layers - 1:
            activate(activation, z)
        H = z
    return H


def forward_mc(X, mus, variances, intercepts, noise, activation="relu"):
    """Logits of mean-field passes, shape ``(n_passes, n, n_out)``.

    ``noise[l]`` of shape ``(n_passes, N_{l+1})`` holds the standard normal
    draws of layer ``l`` in every pass: pass ``k`` samples the pre-activation
    of unit ``j`` of every row as ``G + noise[l][k, j] * D``. Sharing a
    pass's draws among the rows gives each row the same law as fresh draws
    would (passes and units stay independent), and makes a row's result
    independent of the other rows predicted with it (to float tolerance:
    BLAS may round a product differently by its shape). The input layer's
    ``(G, D)`` are the same in every pass, so they are computed once; the
    passes run stacked along the rows through the layers above.
    ``activation`` is that of the hidden units.
    """
    n_passes, n = noise[0].shape[0], X.shape[0]
    H = X
    for layer, (mu, var) in enumerate(zip(mus, variances)):
        G, D = preactivation_moments(H, mu, var)
        if intercepts is not None:
            G += intercepts[layer]
        if layer == 0:
            z = np.multiply(D, noise[0][:, None, :])
            z += G
        else:
            z = D.reshape(n_passes, n, -1)
            z *= noise[layer][:, None, :]
            z += G.reshape(n_passes, n, -1)
        if layer < len(mus) - 1:
            # the activation, then the passes stacked along the rows
            H = activate(activation, z).reshape(n_passes * n, -1)
    return z


def mean_output_moments(X, mus, variances, intercepts, activation="relu"):
    """Mean ``G`` and variance ``D^2`` of the output pre-activation of the
    mean network, each of shape ``(n, n_out)``.

    The hidden layers are the mean network's (``eps = 0``); the output
    layer's pre-activation is the Gaussian ``G + eps * D`` of the mean-field
    model given them, so ``D^2`` is the variance the output layer's weights
    alone put on a row's output (the variance the hidden layers' weights add
    is left out). ``G`` is what :func:`forward` returns.
    """
    H = X
    if len(mus) > 1:
        H = forward(X, mus[:-1], intercepts[:-1], activation=activation)
        activate(activation, H)
    G, D = preactivation_moments(H, mus[-1], variances[-1])
    G += intercepts[-1]
    return G, np.square(D, out=D)


class StackedNetworks(NamedTuple):
    """The effective weights of ``n_networks`` concrete networks of one
    architecture, arranged for :func:`forward_stacked`.

    The first layer is split into the connections whose weight is the same
    in every network (``shared``, of shape ``(N_0, N_1)``, zero elsewhere)
    and, for each unit ``j`` of the first hidden layer, the inputs
    ``inputs[j]`` whose connection to it differs between networks, with
    those weights, ``varying[j]`` of shape ``(n_networks, len(inputs[j]))``.
    ``deeper[l - 1]`` holds layer ``l >= 1`` of every network transposed,
    shape ``(n_networks, N_{l+1}, N_l)``.
    """

    n_networks: int
    shared: np.ndarray
    inputs: list
    varying: list
    deeper: list


def stack_networks(networks):
    """Arrange concrete networks for :func:`forward_stacked`.

    ``networks`` is a list, one entry per network, of its effective weights
    (``z = h @ W + b``), one array per layer. A connection is shared when it
    has bitwise the same weight in every network: connections a
    spike-and-slab distribution makes deterministic (``xi = 0`` and ``pi``
    0 or 1, or ``m = 0``) always are, and the first layer's product needs
    them once for all networks rather than once per network.
    """
    first = np.stack([weights[0] for weights in networks])
    is_shared = (first == first[0]).all(axis=0)
    inputs = [np.flatnonzero(~column) for column in is_shared.T]
    return StackedNetworks(
        n_networks=len(networks),
        shared=np.where(is_shared, first[0], 0).astype(first.dtype, copy=False),
        inputs=inputs,
        varying=[
            np.ascontiguousarray(first[:, rows, unit])
            for unit, rows in enumerate(inputs)
        ],
        deeper=[
            np.stack([weights[layer].T for weights in networks])
            for layer in range(1, len(networks[0]))
        ],
    )


def stacked_work(stacked):
    """Multiply-adds per row of :func:`forward_stacked` over those of running
    the networks of ``stacked`` one by one through :func:`forward` (before
    leaving out the inputs a batch has at zero)."""
    n_in, n_units = stacked.shared.shape
    deeper = sum(weights.shape[1] * weights.shape[2] for weights in stacked.deeper)
    varying = sum(rows.size for rows in stacked.inputs)
    one_by_one = stacked.n_networks * (n_in * n_units + deeper)
    return (n_in * n_units + stacked.n_networks * (varying + deeper)) / one_by_one


def _first_layer_stacked(X, stacked, intercept):
    """Pre-activations of the first layer in every network, units first:
    shape ``(N_1, n_networks, n)``. ``intercept`` may be None.

    ``X @ W_k = X @ shared + X @ (W_k - shared)``, and column ``j`` of the
    second term involves only the inputs ``inputs[j]``: for each unit one
    product ``varying[j] @ X[:, inputs[j]].T`` serves all networks. Inputs
    that are zero in every row of ``X`` add nothing and are left out
    (``X`` and the weights are finite).
    """
    n_units = stacked.shared.shape[1]
    z = np.empty((n_units, stacked.n_networks, X.shape[0]), stacked.shared.dtype)
    common = X @ stacked.shared
    common = (common.toarray() if hasattr(common, "toarray") else common).T
    if intercept is not None:
        common = common + intercept[:, None]
    if hasattr(X, "tocsc"):
        X_columns = X.tocsc()
        for unit, (rows, weights) in enumerate(zip(stacked.inputs, stacked.varying)):
            z[unit] = (X_columns[:, rows] @ weights.T).T
            z[unit] += common[unit]
        return z
    X_t = np.ascontiguousarray(X.T)
    nonzero = X_t.any(axis=1)
    for unit, (rows, weights) in enumerate(zip(stacked.inputs, stacked.varying)):
        used = nonzero[rows]
        if not used.all():
            rows, weights = rows[used], weights[:, used]
        # (fancy indexing gathers rows twice as fast as np.take with out=)
        np.matmul(weights, X_t[rows], out=z[unit])
        # added while the unit's block is in cache
        z[unit] += common[unit]
    return z


def forward_stacked(X, stacked, intercepts, activation="relu"):
    """Logits of every network of ``stacked`` (:func:`stack_networks`) on a
    batch, shape ``(n_networks, n, n_out)``; the same as :func:`forward`
    with ``scaled=False`` on each network, to float rounding.

    The first layer is :func:`_first_layer_stacked`'s; each layer above is
    one batched product over the networks. The activations stay units first,
    ``(N_l, n_networks, n)``: every product then reads and writes its
    operands in place (rows of a network are contiguous); the logits
    returned are a transposed view of that layout. ``X`` may be dense or
    sparse (scipy);
    ``activation`` is that of the hidden units. Working memory is a few
    arrays of ``n_networks * n * N_l`` values: callers bound it by the rows
    of ``X``.
    """
    z = _first_layer_stacked(X, stacked, None if intercepts is None else intercepts[0])
    n_layers = 1 + len(stacked.deeper)
    for layer in range(n_layers):
        if layer:
            weights_t = stacked.deeper[layer - 1]
            h, z = z, np.empty((weights_t.shape[1], *z.shape[1:]), z.dtype)
            np.matmul(weights_t, h.transpose(1, 0, 2), out=z.transpose(1, 0, 2))
            if intercepts is not None:
                z += intercepts[layer][:, None, None]
        if layer < n_layers - 1:
            activate(activation, z)
    return z.transpose(1, 2, 0)
