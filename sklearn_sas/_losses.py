"""Losses of the output layer of the gBP core and their gradients.

Each loss takes the sampled output pre-activation ``z`` of a minibatch, the
targets, the sample weights (or None) and a buffer ``delta`` of ``z``'s
shape; it writes ``dL/dz`` into ``delta`` and returns the loss, a mean over
the samples weighted by ``sample_weight``. ``OUTPUT_LOSSES`` maps the output
activation to its loss, as ``MLPClassifier`` and ``MLPRegressor`` pair them:
the softmax with the cross-entropy, one logistic unit per label with the
binary log-loss, the identity with half the squared error and ``exp`` with
half the Poisson deviance.

This module is plain NumPy; it knows nothing of scikit-learn.
"""

import numpy as np

from ._activations import activate


def _weighted_mean(losses, sample_weight, delta):
    """Mean of the per-sample ``losses`` weighted by ``sample_weight``; scales
    the per-sample gradients in ``delta`` by the same weights."""
    if sample_weight is None:
        delta *= 1.0 / delta.shape[0]
        return float(losses.mean(dtype=np.float64))
    sw_sum = float(sample_weight.sum(dtype=np.float64))
    delta *= (sample_weight / sw_sum)[:, None]
    return float(np.dot(sample_weight, losses)) / sw_sum


def _row_max(z):
    """Maximum of each row, shape ``(n, 1)``."""
    if z.shape[1] > 16:
        return z.max(axis=1, keepdims=True)
    # NumPy reduces short rows slowly; a pass per column is faster for few
    out = z[:, :1].copy()
    for column in range(1, z.shape[1]):
        np.maximum(out, z[:, column : column + 1], out=out)
    return out


def softmax_cross_entropy(z, y, sample_weight, delta):
    """Mean cross-entropy of logits ``z`` for class indices ``y``.

    Writes ``dL/dz = w * (softmax(z) - onehot(y)) / sum(w)`` into ``delta``
    and overwrites ``z`` with the shifted logits; stable for any logits.
    """
    n = z.shape[0]
    rows = np.arange(n)
    z -= _row_max(z)
    np.exp(z, out=delta)
    # row sums as a matrix-vector product: faster than a reduction of short rows
    norm = delta @ np.ones(delta.shape[1], dtype=delta.dtype)
    log_lik = z[rows, y]
    log_lik -= np.log(norm)
    delta /= norm[:, None]
    delta[rows, y] -= 1
    np.negative(log_lik, out=log_lik)
    return _weighted_mean(log_lik, sample_weight, delta)


def logistic_cross_entropy(z, Y, sample_weight, delta):
    """Mean over samples of the binary log-loss of logits ``z``, summed over
    the labels of the indicator matrix ``Y``.

    Writes ``dL/dz = w * (sigmoid(z) - Y) / sum(w)`` into ``delta``; stable
    for any logits (``log(1 + exp(z)) - Y z`` through ``log1p`` of a
    non-positive exponent).
    """
    np.negative(np.abs(z), out=delta)
    np.exp(delta, out=delta)
    np.log1p(delta, out=delta)
    per_sample = np.maximum(z, 0)
    per_sample += delta
    per_sample -= Y * z
    losses = per_sample.sum(axis=1, dtype=np.float64)
    delta[...] = z
    activate("logistic", delta)
    delta -= Y
    return _weighted_mean(losses, sample_weight, delta)


def half_squared_error(z, Y, sample_weight, delta):
    """``MLPRegressor``'s squared loss of the outputs ``z`` for the targets
    ``Y`` (both of shape ``(n, n_outputs)``): half the squared error,
    averaged over the outputs and the samples.

    Writes ``dL/dz = w * (z - Y) / sum(w)`` into ``delta``: as in
    ``MLPRegressor``, that is the gradient of the squared error summed (not
    averaged) over the outputs, the same for a single output.
    """
    np.subtract(z, Y, out=delta)
    losses = np.einsum("ij,ij->i", delta, delta, dtype=np.float64)
    losses *= 0.5 / delta.shape[1]
    return _weighted_mean(losses, sample_weight, delta)


def half_poisson_deviance(z, Y, sample_weight, delta):
    """``MLPRegressor``'s Poisson loss of the log-means ``z`` for the counts
    ``Y`` (non-negative, of shape ``(n, n_outputs)``): half the Poisson
    deviance ``Y log(Y / exp(z)) - Y + exp(z)``, summed over the outputs and
    averaged over the samples.

    Writes ``dL/dz = w * (exp(z) - Y) / sum(w)`` into ``delta``. A ``z`` so
    large that ``exp(z)`` overflows gives an infinite loss, which the caller
    reports.
    """
    np.exp(z, out=delta)
    per_output = delta - Y * z
    per_output -= Y
    # Y log Y, 0 where Y is 0
    positive = Y > 0
    per_output += np.log(Y, where=positive, out=np.zeros_like(delta)) * Y
    losses = per_output.sum(axis=1, dtype=np.float64)
    delta -= Y
    return _weighted_mean(losses, sample_weight, delta)


# the loss each output activation is trained with
OUTPUT_LOSSES = {
    "softmax": softmax_cross_entropy,
    "logistic": logistic_cross_entropy,
    "identity": half_squared_error,
    "exp": half_poisson_deviance,
}
