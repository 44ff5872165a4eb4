"""Spike-and-slab algebra of one connection, vectorized over whole arrays.

Each connection has the distribution

    P(w) = pi * delta(w) + (1 - pi) * Normal(w | m, xi)

This module holds the moments of that distribution and the chain rule from
the moments back to ``(m, pi, xi)``. Everything here is plain NumPy on arrays
of any shape (one layer, or all layers packed in one flat buffer) and keeps
the dtype of its inputs.
"""

import numpy as np


def sas_moments(m, pi, xi, *, out=None):
    """Mean and variance of spike-and-slab weights.

    Parameters
    ----------
    m, pi, xi : ndarray of the same shape and dtype
        Slab means, spike probabilities and slab variances.
    out : tuple of three ndarrays, default=None
        Buffers for ``(mu, var, keep)``; allocated when None.

    Returns
    -------
    mu : ndarray
        ``m * (1 - pi)``, the mean weight.
    var : ndarray
        ``(1 - pi) * (xi + pi * m**2)``, the weight variance.
    keep : ndarray
        ``1 - pi``, the probability that the connection is present (the
        chain rule needs it again).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sas._sas import sas_moments
    >>> mu, var, keep = sas_moments(np.array([2.0]), np.array([0.5]), np.array([1.0]))
    >>> mu, var
    (array([1.]), array([1.5]))
    """
    if out is None:
        mu, var, keep = np.empty_like(m), np.empty_like(m), np.empty_like(m)
    else:
        mu, var, keep = out
    np.subtract(1, pi, out=keep)
    np.multiply(m, keep, out=mu)
    np.multiply(m, m, out=var)
    var *= pi
    var += xi
    var *= keep
    return mu, var, keep


def sas_param_grads(grad_mu, grad_var, m, pi, xi, keep, *, out, tmp=None):
    """Chain rule from the gradient wrt ``(mu, var)`` to ``(m, pi, xi)``.

    With ``mu = m (1 - pi)`` and ``var = (1 - pi)(xi + pi m^2)``::

        dL/dm  = (1 - pi) * (dL/dmu + 2 pi m dL/dvar)
        dL/dpi = -m dL/dmu + ((1 - 2 pi) m^2 - xi) dL/dvar
        dL/dxi = (1 - pi) dL/dvar

    Parameters
    ----------
    grad_mu, grad_var : ndarray
        Gradients of the loss wrt the weight means and variances.
    m, pi, xi, keep : ndarray
        Parameters and ``keep = 1 - pi`` as returned by :func:`sas_moments`.
    out : tuple of three ndarrays
        Buffers receiving the gradients wrt ``(m, pi, xi)``.
    tmp : ndarray, default=None
        Scratch buffer of the same shape; allocated when None.

    Returns
    -------
    grad_m, grad_pi, grad_xi : ndarray
        The buffers of ``out``, filled.
    """
    grad_m, grad_pi, grad_xi = out
    if tmp is None:
        tmp = np.empty_like(m)
    np.multiply(grad_var, keep, out=grad_xi)
    # (1 - 2 pi) m^2 - xi == m (m - 2 pi m) - xi, sharing pi * m with grad_m
    np.multiply(pi, m, out=tmp)
    np.multiply(tmp, grad_var, out=grad_m)
    grad_m *= 2
    grad_m += grad_mu
    grad_m *= keep
    tmp *= -2
    tmp += m
    tmp *= m
    tmp -= xi
    tmp *= grad_var
    np.multiply(grad_mu, m, out=grad_pi)
    np.subtract(tmp, grad_pi, out=grad_pi)
    return grad_m, grad_pi, grad_xi


def project_sas(pi, xi):
    """Project parameters back to their domain in place: pi to [0, 1], xi >= 0."""
    np.clip(pi, 0, 1, out=pi)
    np.maximum(xi, 0, out=xi)
