"""Hidden-unit activations of the gBP core, in place, and their derivatives.

gBP applies the activation ``f`` of a hidden layer to the sampled
pre-activation ``z = G + eps * D`` and the backward pass multiplies by
``f'(z)``, so every activation here is exact: the derivatives are written in
terms of the output ``h = f(z)``, which the forward pass has at hand. The
names are ``MLPClassifier``'s. Plain NumPy; nothing of scikit-learn.
"""

import numpy as np

ACTIVATIONS = ("identity", "logistic", "tanh", "relu")


def activate(name, z):
    """Overwrite ``z`` with ``f(z)``; returns ``z``."""
    if name == "relu":
        np.clip(z, 0, np.inf, out=z)  # faster than np.maximum
    elif name == "tanh":
        np.tanh(z, out=z)
    elif name == "logistic":
        # 1 / (1 + exp(-z)) written through tanh: no overflow for any z
        z *= 0.5
        np.tanh(z, out=z)
        z *= 0.5
        z += 0.5
    elif name != "identity":
        raise ValueError(f"unknown activation {name!r}; expected one of {ACTIVATIONS}")
    return z


def derivative_from_output(name, h, out):
    """Write ``f'(z)`` into ``out``, given the output ``h = f(z)``."""
    if name == "relu":
        np.greater(h, 0, out=out, casting="unsafe")
    elif name == "tanh":
        np.multiply(h, h, out=out)
        np.subtract(1, out, out=out)
    elif name == "logistic":
        np.subtract(1, h, out=out)
        out *= h
    else:
        out[...] = 1
    return out


def softmax(z):
    """Row-wise softmax, stable for any logits; returns a new array."""
    out = z - z.max(axis=1, keepdims=True)
    np.exp(out, out=out)
    out /= out.sum(axis=1, keepdims=True)
    return out


def sigmoid(z):
    """Element-wise logistic function; returns a new array."""
    return activate("logistic", np.array(z, copy=True))


def log_sigmoid(z):
    """Element-wise ``log(sigmoid(z)) = -log(1 + exp(-z))``, stable for any
    logits; returns a new array."""
    out = np.negative(np.abs(z))
    np.exp(out, out=out)
    np.log1p(out, out=out)
    out += np.maximum(-z, 0)
    np.negative(out, out=out)
    return out


def log_softmax(z):
    """Row-wise log-softmax, stable for any logits."""
    shifted = z - z.max(axis=1, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return shifted


def output_proba(z, out_activation):
    """Probabilities from the logits ``z`` of an output layer: a softmax
    over classes, or (``out_activation="logistic"``, several labels per
    sample) a sigmoid per label. Returns a new array."""
    return sigmoid(z) if out_activation == "logistic" else softmax(z)


def output_values(z, out_activation):
    """Predicted values from the logits ``z`` of a regression output layer:
    ``exp(z)`` for the ``"exp"`` output of the Poisson loss, else ``z``
    itself (the identity output)."""
    return np.exp(z) if out_activation == "exp" else z


def output_log_proba(z, out_activation):
    """``log(output_proba(z))``, as that computes it wherever the
    probability is a normal float, and computed without the exponential
    where it underflows (so finite where ``log`` of the probability would be
    ``-inf``). Returns a new array."""
    proba = output_proba(z, out_activation)
    direct = log_sigmoid(z) if out_activation == "logistic" else log_softmax(z)
    representable = proba >= np.finfo(proba.dtype).tiny
    np.log(proba, out=direct, where=representable)
    return direct
