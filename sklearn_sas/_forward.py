"""Prediction passes of a trained network: the deterministic pass of the
mean network or of a concrete one (:func:`forward`) and the noisy mean-field
passes of ``inference="mc"`` (:func:`forward_mc`). Training's passes, which
also keep what the backward pass needs, are ``_gbp.py``'s.

This module is plain NumPy; it knows nothing of scikit-learn.
"""

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
