"""Vectorized generalized backpropagation (gBP) of a spike-and-slab ReLU network.

Shapes follow scikit-learn's ``MLPClassifier``: rows are samples, layer ``l``
maps width ``N_l`` to ``N_{l+1}`` through arrays of shape ``(N_l, N_{l+1})``.
One layer, with ``mu`` and ``var`` the moments of its weights::

    z = H @ mu / sqrt(N_l) + eps * sqrt((H * H) @ var / N_l) + b

An activation (``relu`` by default, see :mod:`._activations`) on hidden
layers; on the output layer one of the output activations and its loss of
:mod:`._losses` (softmax, logistic units, identity or ``exp``). The
gradients are the paper's Eqs. (5)-(7) in matrix form: two matrix products
forward and four backward per layer. With ``spike_slab=False`` the same code
runs plain backpropagation on the slab means (``pi = xi = 0`` frozen): one
product forward and two backward.

This module is plain NumPy; it knows nothing of scikit-learn.
"""

from itertools import pairwise

import numpy as np

from ._activations import activate, derivative_from_output
from ._losses import OUTPUT_LOSSES
from ._sas import project_sas, sas_moments, sas_param_grads


def _split(flat, shapes):
    """Views of consecutive blocks of ``flat`` with the given shapes."""
    views, start = [], 0
    for shape in shapes:
        stop = start + int(np.prod(shape))
        views.append(flat[start:stop].reshape(shape))
        start = stop
    return views


class ParamVector:
    """All trainable arrays of a network as views of one flat buffer.

    The buffer is ordered ``[pi | xi | m | intercepts]`` (each part covering
    every layer), so the optimizer updates everything with a handful of
    in-place passes, the projection touches two contiguous segments, the L2
    penalty one (``xi`` and ``m``), the decoupled weight decay one
    (``pi``, ``xi`` and ``m``), and plain backprop one (``m`` and
    intercepts). A gradient is a ``ParamVector`` of the same layout.

    Parameters
    ----------
    layer_units : sequence of int
        Widths ``N_0, ..., N_L`` from input to output.
    fit_intercept : bool
        Whether the buffer holds one intercept vector per layer.
    dtype : dtype
        Floating dtype of the buffer.
    flat : ndarray, default=None
        Existing buffer to wrap (not copied); zeros when None.
    """

    def __init__(self, layer_units, fit_intercept, dtype, flat=None):
        self.layer_units = tuple(int(u) for u in layer_units)
        self.fit_intercept = bool(fit_intercept)
        shapes = list(pairwise(self.layer_units))
        n_conn = sum(a * b for a, b in shapes)
        n_bias = sum(self.layer_units[1:]) if fit_intercept else 0
        if flat is None:
            flat = np.zeros(3 * n_conn + n_bias, dtype=dtype)
        elif flat.shape != (3 * n_conn + n_bias,):
            raise ValueError(f"flat buffer of shape {flat.shape} does not fit")
        self.flat = flat
        self.n_connections = n_conn
        self.spike_flat = flat[:n_conn]
        self.slab_var_flat = flat[n_conn : 2 * n_conn]
        self.slab_mean_flat = flat[2 * n_conn : 3 * n_conn]
        # segments that several layers share, each one contiguous
        self.distribution = flat[: 3 * n_conn]
        self.penalized = flat[n_conn : 3 * n_conn]
        self.deterministic = flat[2 * n_conn :]
        self.spike_probs = _split(self.spike_flat, shapes)
        self.slab_vars = _split(self.slab_var_flat, shapes)
        self.slab_means = _split(self.slab_mean_flat, shapes)
        bias_shapes = [(u,) for u in self.layer_units[1:]]
        self.intercepts = (
            _split(flat[3 * n_conn :], bias_shapes) if fit_intercept else None
        )

    @classmethod
    def pack(cls, spike_probs, slab_vars, slab_means, intercepts, dtype):
        """New buffer holding copies of the given per-layer arrays."""
        layer_units = [spike_probs[0].shape[0]] + [p.shape[1] for p in spike_probs]
        parts = [*spike_probs, *slab_vars, *slab_means, *(intercepts or [])]
        flat = np.concatenate([np.ravel(p) for p in parts]).astype(dtype, copy=False)
        return cls(layer_units, intercepts is not None, dtype, flat=flat)


def init_params(
    layer_units, fit_intercept, dtype, rng, *, init_pi, init_xi, init_m_std=np.sqrt(2)
):
    """Initial distribution: ``m ~ Normal(0, init_m_std**2)``,
    ``pi = init_pi``, ``xi ~ Uniform(0, init_xi)``, zero intercepts.

    The forward pass divides by ``sqrt(N_l)``, so ``init_m_std = sqrt(2)`` is
    He's scale; Li & Huang's code starts from ``sqrt(2 / 784)`` in every layer.
    """
    params = ParamVector(layer_units, fit_intercept, dtype)
    n = params.n_connections
    params.slab_mean_flat[:] = rng.normal(0.0, init_m_std, size=n)
    params.spike_flat[:] = init_pi
    params.slab_var_flat[:] = rng.uniform(0.0, init_xi, size=n)
    return params


class Workspace:
    """Reusable buffers for minibatches of up to ``batch_size`` rows.

    Row slices ``buf[:n]`` of these C-ordered buffers stay contiguous, so a
    shorter last minibatch reuses them without copies.
    """

    def __init__(self, layer_units, batch_size, dtype):
        widths = layer_units[1:]
        n_conn = sum(a * b for a, b in pairwise(layer_units))

        def per_layer(cols):
            return [np.empty((batch_size, c), dtype=dtype) for c in cols]

        self.batch_size = batch_size
        self.activations = per_layer(widths)
        self.squares = per_layer(widths[:-1])
        # f'(z) of the hidden units (the ReLU's 0/1 mask)
        self.derivatives = per_layer(widths[:-1])
        self.noise_flat = np.empty(batch_size * sum(widths), dtype=dtype)
        self.noise = _split(self.noise_flat, [(batch_size, c) for c in widths])
        self.noise_gain = per_layer(widths)
        self.deltas = per_layer(widths)
        self.q = per_layer(widths)
        self.back_tmp = per_layer(layer_units[1:-1])
        self.intercepts = [np.empty(c, dtype=dtype) for c in widths]
        self.ones = np.ones(batch_size, dtype=dtype)
        self.X = np.empty((batch_size, layer_units[0]), dtype=dtype)
        self.X_sq = np.empty_like(self.X)
        shapes = list(pairwise(layer_units))
        flat = np.empty((7, n_conn), dtype=dtype)
        self.mu_flat, self.var_flat, self.keep_flat = flat[0], flat[1], flat[2]
        self.var_per_keep_flat = flat[3]
        self.grad_mu_flat, self.grad_var_flat, self.tmp_flat = flat[4], flat[5], flat[6]
        # both gradients wrt the moments, contiguous: scratch once they are used
        self.grad_moments_flat = flat[4:6].reshape(-1)
        self.mu = _split(self.mu_flat, shapes)
        self.var = _split(self.var_flat, shapes)
        self.grad_mu = _split(self.grad_mu_flat, shapes)
        self.grad_var = _split(self.grad_var_flat, shapes)


def _matmul(a, b, out):
    # the input layer may be a scipy sparse matrix, which has no ``out=``
    if isinstance(a, np.ndarray):
        return np.matmul(a, b, out=out)
    out[...] = a @ b
    return out


# A layer's input is carried as ``H = c U``: the scalar ``c`` (a product of
# the 1 / sqrt(N) factors of the layers below) stays out of the arrays, which
# saves the passes that would apply it. Going back, ``dL/dz = e E`` likewise.
# Should a carried scalar fall below this, it is applied, so that unscaled
# arrays of deep networks stay far from overflow.
_MIN_CARRIED_SCALE = 1e-6


def layer_forward(U, U_sq, mu, var, intercept, noise, V, gain, scratch):
    """Pre-activation of one layer, up to its scale, written into ``V``.

    The layer's input is ``H = c U`` and its pre-activation is
    ``z = H mu / sqrt(N) + eps D + b`` with ``D = sqrt(H^2 var / N)``. With
    ``a = c / sqrt(N)`` this is ``z = a V`` where::

        V = U mu + eps R + b / a,    R = sqrt(U^2 var)  (so D = a R)

    ``intercept`` is ``b / a`` (or None). When ``var`` is None the layer is
    deterministic (``V = U mu + b / a``). Otherwise ``gain`` receives
    ``eps / R`` (0 where ``R == 0``), all that the backward pass needs of the
    noise; ``scratch`` is a buffer of ``V``'s shape.
    """
    _matmul(U, mu, out=V)
    if var is not None:
        R = gain
        _matmul(U_sq, var, out=R)
        np.sqrt(R, out=R)
        np.multiply(noise, R, out=scratch)
        V += scratch
        if R.min() > 0:
            np.divide(noise, R, out=gain)
        else:
            # no variance reaches a unit whose R is 0: its noise has no gradient
            zero_width = R == 0
            R[zero_width] = 1
            np.divide(noise, R, out=gain)
            gain[zero_width] = 0
    if intercept is not None:
        V += intercept
    return V


def layer_backward(
    U, U_sq, mu, var, E, gain, q, grad_mu, grad_var, grad_b, scales, E_in, tmp, ones
):
    """Gradients of one layer from ``dL/dz = e E``.

    With the layer as in :func:`layer_forward` and ``scales = (a, e)``, the
    paper's gradients are ``grad_mu = a e U.T E``, ``grad_var = (a e / 2)
    (U^2).T q`` with ``q = E eps / R`` (``= 2 a Q / e`` for the paper's
    ``Q = delta eps / (2 D)``), and ``grad_b = e sum(E)``. When ``E_in`` is
    given it receives ``E mu.T + U (q var.T)``, which is ``dL/dH`` of the
    input up to the factor ``e / sqrt(N)``; the caller applies the derivative
    of the activation below. ``ones`` holds at least as many ones as ``E`` has rows.
    """
    a, e = scales
    _matmul(U.T, E, out=grad_mu)
    grad_mu *= a * e
    if grad_b is not None:
        # column sums as a vector-matrix product: faster than np.sum(axis=0)
        np.matmul(ones[: E.shape[0]], E, out=grad_b)
        grad_b *= e
    if var is not None:
        np.multiply(E, gain, out=q)
        _matmul(U_sq.T, q, out=grad_var)
        grad_var *= 0.5 * a * e
    if E_in is None:
        return
    np.matmul(E, mu.T, out=E_in)
    if var is not None:
        np.matmul(q, var.T, out=tmp)
        tmp *= U
        E_in += tmp


def loss_grad(
    params,
    grads,
    ws,
    X,
    y,
    sample_weight,
    alpha,
    noise,
    spike_slab=True,
    activation="relu",
    out_activation="softmax",
):
    """Minibatch loss, with its gradient written into ``grads``.

    Parameters
    ----------
    params, grads : ParamVector
        Current parameters, and the buffer receiving the gradient (with
        ``spike_slab=False`` only its ``deterministic`` segment is written).
    ws : Workspace
        Buffers for at least ``X.shape[0]`` rows.
    X : ndarray or sparse matrix of shape (n, N_0)
        Minibatch.
    y : ndarray of int of shape (n,), or of floats of shape (n, n_out)
        Class indices for the softmax output; for the others an array of
        the targets in the dtype of the parameters (the 0/1 indicator matrix
        of the labels for ``out_activation="logistic"``).
    sample_weight : ndarray of shape (n,) or None
    alpha : float
        L2 penalty on ``m`` and ``xi``, divided by the minibatch weight like
        ``MLPClassifier``'s ``alpha``.
    noise : NormalNoise
        Source of the noise ``eps``, drawn afresh for this minibatch and used
        in both passes.
    spike_slab : bool, default=True
        False runs plain backprop on ``m`` (``pi = xi = 0`` frozen).
    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden units.
    out_activation : {"softmax", "logistic", "identity", "exp"}, \
            default="softmax"
        The output layer and its loss (``_losses.OUTPUT_LOSSES``): the
        softmax and the cross-entropy, one logistic unit per label and the
        summed binary log-loss, the identity and half the squared error, or
        ``exp`` and half the Poisson deviance.

    Returns
    -------
    loss : float
    """
    n = X.shape[0]
    n_layers = len(params.slab_means)
    bias = params.intercepts or [None] * n_layers
    if spike_slab:
        sas_moments(
            params.slab_mean_flat,
            params.spike_flat,
            params.slab_var_flat,
            out=(ws.mu_flat, ws.var_flat, ws.keep_flat),
            var_per_keep=ws.var_per_keep_flat,
        )
        noise.fill(ws.noise_flat)
        mus, variances, grad_mus = ws.mu, ws.var, ws.grad_mu
        X_sq = (
            np.multiply(X, X, out=ws.X_sq[:n])
            if isinstance(X, np.ndarray)
            else X.multiply(X).tocsr()
        )
    else:
        mus, grad_mus = params.slab_means, grads.slab_means
        variances = [None] * n_layers
        X_sq = None

    inputs, input_squares, a_scales = [X], [X_sq], []
    carried = 1.0
    for layer in range(n_layers):
        V = ws.activations[layer][:n]
        a = carried * inputs[-1].shape[1] ** -0.5
        a_scales.append(a)
        intercept = None
        if bias[layer] is not None:
            intercept = np.multiply(bias[layer], 1.0 / a, out=ws.intercepts[layer])
        layer_forward(
            inputs[-1],
            input_squares[-1],
            mus[layer],
            variances[layer],
            intercept,
            ws.noise[layer][:n],
            V,
            ws.noise_gain[layer][:n],
            ws.q[layer][:n],
        )
        if layer == n_layers - 1:
            V *= a
            break
        if activation == "relu":
            # relu(a V) = a relu(V) for a > 0: the scale carries on
            mask = np.greater(V, 0, out=ws.derivatives[layer][:n], casting="unsafe")
            V *= mask
            carried = a
            if carried < _MIN_CARRIED_SCALE:
                V *= carried
                carried = 1.0
        else:
            # no other activation commutes with the scale: apply it first
            V *= a
            activate(activation, V)
            derivative_from_output(activation, V, ws.derivatives[layer][:n])
            carried = 1.0
        inputs.append(V)
        input_squares.append(np.multiply(V, V, out=ws.squares[layer][:n]))

    loss = OUTPUT_LOSSES[out_activation](V, y, sample_weight, ws.deltas[-1][:n])

    grad_bias = grads.intercepts or [None] * n_layers
    e = 1.0
    for layer in range(n_layers - 1, -1, -1):
        E_in = ws.deltas[layer - 1][:n] if layer else None
        layer_backward(
            inputs[layer],
            input_squares[layer],
            mus[layer],
            variances[layer],
            ws.deltas[layer][:n],
            ws.noise_gain[layer][:n],
            ws.q[layer][:n],
            grad_mus[layer],
            ws.grad_var[layer],
            grad_bias[layer],
            (a_scales[layer], e),
            E_in,
            ws.back_tmp[layer - 1][:n] if layer else None,
            ws.ones,
        )
        if E_in is not None:
            if activation != "identity":
                E_in *= ws.derivatives[layer - 1][:n]
            e *= inputs[layer].shape[1] ** -0.5
            if e < _MIN_CARRIED_SCALE:
                E_in *= e
                e = 1.0
    if spike_slab:
        sas_param_grads(
            ws.grad_mu_flat,
            ws.grad_var_flat,
            params.slab_mean_flat,
            params.spike_flat,
            ws.mu_flat,
            ws.keep_flat,
            ws.var_per_keep_flat,
            out=(grads.slab_mean_flat, grads.spike_flat, grads.slab_var_flat),
            tmp=ws.tmp_flat,
        )
        penalized, grad_penalized = params.penalized, grads.penalized
    else:
        penalized, grad_penalized = params.slab_mean_flat, grads.slab_mean_flat
    # the gradients wrt the moments are spent (or unused) by now
    tmp = ws.grad_moments_flat[: penalized.size]
    if alpha:
        weight = n if sample_weight is None else float(sample_weight.sum())
        np.multiply(penalized, alpha / weight, out=tmp)
        grad_penalized += tmp
        loss += 0.5 * alpha * float(np.dot(penalized, penalized)) / weight
    return loss


def _take_rows(X, idx, out):
    if isinstance(X, np.ndarray):
        # indices are valid; mode="clip" spares NumPy a buffered, checked copy
        return np.take(X, idx, axis=0, out=out[: len(idx)], mode="clip")
    return X[idx]


def run_epoch(
    params,
    grads,
    optimizer,
    ws,
    X,
    y,
    sample_weight,
    *,
    alpha,
    rng,
    noise,
    shuffle,
    spike_slab=True,
    weight_decay=0.0,
    activation="relu",
    out_activation="softmax",
):
    """One pass over the data in minibatches of ``ws.batch_size`` rows.

    ``rng`` shuffles the rows, ``noise`` (a :class:`NormalNoise`) draws
    ``eps``. Each minibatch takes one optimizer step, followed by the
    projection of ``pi`` to [0, 1] and ``xi`` to >= 0. A ``weight_decay``
    is decoupled from the gradient, as in Li & Huang's code: with the
    optimizer's current step size ``lr``, every ``theta`` of ``pi``, ``xi``
    and ``m`` (only ``m`` with ``spike_slab=False``) becomes
    ``theta - lr * (step + weight_decay * theta)``. ``activation`` and
    ``out_activation`` are :func:`loss_grad`'s. Returns the mean
    minibatch loss weighted by minibatch size, as ``MLPClassifier`` reports
    it; a non-finite loss ends the epoch at once and is returned.
    """
    n_samples = X.shape[0]
    order = rng.permutation(n_samples) if shuffle else None
    batch_size = ws.batch_size
    total = 0.0
    for start in range(0, n_samples, batch_size):
        stop = min(start + batch_size, n_samples)
        if order is None:
            rows = slice(start, stop)
            X_batch = X[rows]
        else:
            rows = order[start:stop]
            X_batch = _take_rows(X, rows, ws.X)
        sw = None if sample_weight is None else sample_weight[rows]
        loss = loss_grad(
            params, grads, ws, X_batch, y[rows], sw, alpha, noise, spike_slab,
            activation, out_activation,
        )  # fmt: skip
        if not np.isfinite(loss):
            return loss
        total += loss * (stop - start)
        if weight_decay:
            # shrinking before the step decays the pre-step theta, as the
            # authors' update does
            decayed = params.distribution if spike_slab else params.slab_mean_flat
            decayed *= 1.0 - optimizer.learning_rate * weight_decay
        if spike_slab:
            optimizer.update_params(params.flat, grads.flat)
            project_sas(params.spike_flat, params.slab_var_flat)
        else:
            optimizer.update_params(params.deterministic, grads.deterministic)
    return total / n_samples
