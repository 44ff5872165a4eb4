"""Spike-and-slab algebra of one connection, vectorized over whole arrays.

Each connection has the distribution

    P(w) = pi * delta(w) + (1 - pi) * Normal(w | m, xi)

This module holds the moments of that distribution and the chain rule from
the moments back to ``(m, pi, xi)``. Everything here is plain NumPy on arrays
of any shape (one layer, or all layers packed in one flat buffer) and keeps
the dtype of its inputs.
"""

import numpy as np

# Default tolerances of the credit classes and of the entropy's degenerate
# cases: pi within PI_TOL of 0 or 1, xi at most XI_TOL and |m| at most M_TOL
# count as exactly so.
PI_TOL = 1e-6
XI_TOL = 1e-8
M_TOL = 1e-6


def sas_moments(m, pi, xi, *, out=None, var_per_keep=None):
    """Mean and variance of spike-and-slab weights.

    Parameters
    ----------
    m, pi, xi : ndarray of the same shape and dtype
        Slab means, spike probabilities and slab variances.
    out : tuple of three ndarrays, default=None
        Buffers for ``(mu, var, keep)``; allocated when None.
    var_per_keep : ndarray, default=None
        Buffer receiving ``xi + pi * m**2`` (``var / (1 - pi)``), which
        :func:`sas_param_grads` needs; not kept when None.

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
    spread = var if var_per_keep is None else var_per_keep
    np.subtract(1, pi, out=keep)
    np.multiply(m, keep, out=mu)
    np.multiply(m, m, out=spread)
    spread *= pi
    spread += xi
    np.multiply(spread, keep, out=var)
    return mu, var, keep


def preactivation_moments(H, mu, var):
    """Mean ``G`` and standard deviation ``D`` of the pre-activation of one
    layer, in the notation of Li & Huang.

    Under the mean-field approximation the pre-activation of unit ``k`` for
    input row ``h`` is Gaussian, ``z = G + eps * D + b`` with
    ``eps ~ Normal(0, 1)``, where::

        G = H @ mu / sqrt(N)
        D = sqrt((H * H) @ var / N)

    ``N`` the layer's input width. This is the plain form the prediction path
    uses and the tests hold the training pass (``_gbp.layer_forward``,
    which carries the scale factors outside its arrays) to.

    Parameters
    ----------
    H : ndarray or scipy sparse matrix of shape (n, N)
        Input of the layer, rows are samples.
    mu, var : ndarray of shape (N, N_out)
        Mean and variance of the layer's weights (:func:`sas_moments`).

    Returns
    -------
    G, D : ndarray of shape (n, N_out)
        Mean and standard deviation of the pre-activation (bias excluded).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sas._sas import preactivation_moments
    >>> G, D = preactivation_moments(
    ...     np.array([[1.0, 2.0]]), np.array([[1.0], [0.5]]), np.array([[1.0], [0.5]]))
    >>> G, D
    (array([[1.41421356]]), array([[1.22474487]]))
    """
    n_in = H.shape[1]
    G = np.asarray(H @ mu)
    G *= n_in**-0.5
    # H * H for an array, H.multiply(H) for a sparse matrix
    H_sq = H * H if isinstance(H, np.ndarray) else H.multiply(H)
    D = np.asarray(H_sq @ var)
    D *= 1.0 / n_in
    np.sqrt(D, out=D)
    return G, D


def sas_param_grads(grad_mu, grad_var, m, pi, mu, keep, var_per_keep, *, out, tmp=None):
    """Chain rule from the gradient wrt ``(mu, var)`` to ``(m, pi, xi)``.

    With ``mu = m (1 - pi)`` and ``var = (1 - pi)(xi + pi m^2)``::

        dL/dm  = (1 - pi) dL/dmu + 2 pi mu dL/dvar
        dL/dpi = m (mu dL/dvar - dL/dmu) - (xi + pi m^2) dL/dvar
        dL/dxi = (1 - pi) dL/dvar

    (the usual ``-m dL/dmu + ((1 - 2 pi) m^2 - xi) dL/dvar`` for ``dL/dpi``,
    arranged to share ``mu dL/dvar`` with ``dL/dm``).

    Parameters
    ----------
    grad_mu, grad_var : ndarray
        Gradients of the loss wrt the weight means and variances.
    m, pi : ndarray
        Slab means and spike probabilities.
    mu, keep, var_per_keep : ndarray
        ``mu``, ``keep = 1 - pi`` and ``xi + pi m^2`` as filled by
        :func:`sas_moments`.
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
    mu_grad_var = np.multiply(mu, grad_var, out=tmp)
    np.multiply(grad_var, keep, out=grad_xi)
    np.multiply(pi, mu_grad_var, out=grad_m)
    grad_m *= 2
    # grad_pi's buffer is free until the end
    grad_m += np.multiply(keep, grad_mu, out=grad_pi)
    mu_grad_var -= grad_mu
    mu_grad_var *= m
    np.multiply(var_per_keep, grad_var, out=grad_pi)
    np.subtract(mu_grad_var, grad_pi, out=grad_pi)
    return grad_m, grad_pi, grad_xi


def project_sas(pi, xi):
    """Project parameters back to their domain in place: pi to [0, 1], xi >= 0."""
    np.clip(pi, 0, 1, out=pi)
    # np.clip, not np.maximum(xi, 0): the faster of the two on large buffers
    np.clip(xi, 0, np.inf, out=xi)


def sample_sas(m, pi, xi, rng):
    """Draw one concrete weight array from the spike-and-slab distribution.

    Each connection is kept with probability ``1 - pi``; a kept weight is
    ``m + sqrt(xi) * Normal(0, 1)``, an absent one is 0.

    Parameters
    ----------
    m, pi, xi : ndarray of the same shape
        Slab means, spike probabilities and slab variances.
    rng : numpy.random.Generator

    Returns
    -------
    weights : ndarray
        The sampled weights, dtype of ``m``.
    mask : ndarray of bool
        True where the connection is present.
    """
    # u >= pi has probability 1 - pi for u ~ Uniform[0, 1)
    mask = rng.random(m.shape, dtype=m.dtype) >= pi
    weights = rng.standard_normal(m.shape, dtype=m.dtype)
    weights *= np.sqrt(xi)
    weights += m
    weights *= mask
    return weights, mask


def _log_normal_at_zero(m, xi):
    """ln Normal(0 | m, xi), with -inf where xi == 0 (and m != 0)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_density = -0.5 * m * m / xi - 0.5 * np.log(2 * np.pi * xi)
    return np.where(xi > 0, log_density, np.where(m == 0, np.inf, -np.inf))


def _entropy(m, pi, xi, slab_term, xi_tol, m_tol):
    """Combine the spike term with the slab term and the degenerate cases."""
    m, pi, xi = (np.asarray(a, dtype=np.float64) for a in (m, pi, xi))
    with np.errstate(divide="ignore", invalid="ignore"):
        log_pi = np.log(pi)
        log_keep = np.log1p(-pi)
        # ln[pi + (1 - pi) Normal(0 | m, xi)], computed in the log domain
        spike = np.logaddexp(log_pi, log_keep + _log_normal_at_zero(m, xi))
        entropy = -pi * spike + (1 - pi) * slab_term(log_keep, xi)
        binary = -np.where(pi > 0, pi * log_pi, 0) - np.where(
            pi < 1, (1 - pi) * log_keep, 0
        )
    point_mass = xi <= xi_tol
    entropy = np.where(point_mass, binary, entropy)
    # a deterministic weight (pi = 1, or xi ~ 0 with pi = 0 or m ~ 0) has none
    deterministic = (pi >= 1) | (point_mass & ((pi <= 0) | (np.abs(m) <= m_tol)))
    return np.where(deterministic, 0.0, entropy)


def sas_entropy(m, pi, xi, *, xi_tol=XI_TOL, m_tol=M_TOL):
    """Entropy of each connection's spike-and-slab distribution, closed form.

    The exact expectation of the paper's Monte-Carlo estimator (Eq. 8)::

        S = -pi ln[pi + (1 - pi) N(0 | m, xi)] - (1 - pi) ln(1 - pi)
            + (1 - pi) / 2 ln(2 pi e xi)

    with the paper's degenerate cases: ``pi = 1`` gives 0; ``xi <= xi_tol``
    gives 0 when ``pi = 0`` or ``|m| <= m_tol`` (a deterministic weight) and
    the binary entropy ``-pi ln pi - (1 - pi) ln(1 - pi)`` otherwise.

    Parameters
    ----------
    m, pi, xi : ndarray of the same shape
        Slab means, spike probabilities and slab variances.
    xi_tol : float, default=1e-8
        Slab variances at or below it count as zero.
    m_tol : float, default=1e-6
        Slab means at or below it in magnitude count as zero.

    Returns
    -------
    entropy : ndarray of float64, same shape

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sas._sas import sas_entropy
    >>> m, pi, xi = np.array([0.3, 1.0]), np.array([0.0, 1.0]), np.array([0.5, 0.2])
    >>> S = sas_entropy(m, pi, xi)
    >>> bool(np.isclose(S[0], 0.5 * np.log(2 * np.pi * np.e * 0.5))), float(S[1])
    (True, 0.0)
    """

    def slab_term(log_keep, xi):
        return -log_keep + 0.5 * np.log(2 * np.pi * np.e * xi)

    return _entropy(m, pi, xi, slab_term, xi_tol, m_tol)


def sas_entropy_mc(m, pi, xi, n_samples, rng, *, xi_tol=XI_TOL, m_tol=M_TOL):
    """Entropy of each connection by the paper's Monte-Carlo estimator (Eq. 8).

    ``S = -pi ln[pi + (1 - pi) N(0 | m, xi)]
    - (1 - pi) / B sum_s ln[(1 - pi) N(eps_s | 0, 1) / sqrt(xi)]``, with
    ``B = n_samples`` standard normal draws ``eps_s`` per connection and the
    same degenerate cases as :func:`sas_entropy`. The delta term inside the
    paper's logarithm is zero almost surely and drops out.

    Parameters
    ----------
    m, pi, xi : ndarray of the same shape
    n_samples : int
        Number of draws ``B`` per connection.
    rng : numpy.random.Generator
    xi_tol : float, default=1e-8
    m_tol : float, default=1e-6

    Returns
    -------
    entropy : ndarray of float64, same shape
    """
    # The estimator depends on the draws only through sum_s eps_s^2, which is
    # chi-square with B degrees of freedom: one draw per connection gives
    # exactly the estimator's distribution without B arrays of normals.
    mean_square = rng.chisquare(n_samples, size=np.shape(m)) / n_samples

    def slab_term(log_keep, xi):
        mean_log_normal = -0.5 * np.log(2 * np.pi) - 0.5 * mean_square
        return -(log_keep + mean_log_normal - 0.5 * np.log(xi))

    return _entropy(m, pi, xi, slab_term, xi_tol, m_tol)


def credit_masks(
    m, pi, xi, *, pi_tol=PI_TOL, xi_tol=XI_TOL, m_tol=M_TOL, strict_paper=False
):
    """Split connections into very important, unimportant and variable.

    ``pi delta(w) + (1 - pi) Normal(w | m, xi)`` is the point mass
    ``delta(w)`` whatever ``pi`` is when ``xi = 0`` and ``m = 0``: such a
    connection is always absent, like one with ``pi = 1``. Li & Huang's
    definition, with this degenerate case made explicit:

    - very important (VIP): ``pi <= pi_tol``, ``xi <= xi_tol`` and
      ``|m| > m_tol``, a deterministic non-zero weight, always present;
    - unimportant (UIP): ``pi >= 1 - pi_tol``, or ``xi <= xi_tol`` and
      ``|m| <= m_tol``, always absent (prunable);
    - variable: everything else.

    Parameters
    ----------
    m, pi, xi : ndarray of the same shape
        Slab means, spike probabilities and slab variances.
    pi_tol, xi_tol, m_tol : float
        Tolerances: ``pi`` within ``pi_tol`` of 0 or 1, ``xi`` at most
        ``xi_tol`` and ``|m|`` at most ``m_tol`` count as exactly so.
    strict_paper : bool, default=False
        The paper's literal rule instead: VIP is ``pi <= pi_tol`` and
        ``xi <= xi_tol`` (whatever ``m``), UIP ``pi >= 1 - pi_tol``.

    Returns
    -------
    vip, uip, variable : ndarray of bool
        Disjoint masks covering every connection.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sas._sas import credit_masks
    >>> m, pi, xi = np.array([0.5, 0.0, 0.5]), np.zeros(3), np.array([0.0, 0.0, 0.1])
    >>> [mask.tolist() for mask in credit_masks(m, pi, xi)]
    [[True, False, False], [False, True, False], [False, False, True]]
    >>> [mask.tolist() for mask in credit_masks(m, pi, xi, strict_paper=True)]
    [[True, True, False], [False, False, False], [False, False, True]]
    """
    uip = pi >= 1 - pi_tol
    deterministic = xi <= xi_tol
    vip = (pi <= pi_tol) & deterministic
    if not strict_paper:
        zero_point_mass = deterministic & (np.abs(m) <= m_tol)
        uip |= zero_point_mass
        vip &= ~zero_point_mass
    return vip, uip, ~(vip | uip)


def effective_weights(weights):
    """Weights of the forward pass written ``z = h @ W + b``.

    The networks divide a layer's product by ``sqrt(N_l)`` (its input
    width, ``weights.shape[0]``); folding that scale into the weights gives
    the ``coefs_`` of ``MLPClassifier``. Returns a new array in the dtype of
    ``weights``; every concrete network (mean, sampled, pruned) is made
    through here.
    """
    return weights * np.asarray(weights.shape[0] ** -0.5, weights.dtype)


def mean_weights(m, pi):
    """Effective weights of the mean network: ``(1 - pi) m / sqrt(N_l)``."""
    return effective_weights(m * (1 - pi))
