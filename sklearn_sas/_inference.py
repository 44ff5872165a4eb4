"""Stochastic inference of a fitted spike-and-slab network: averages over
mean-field passes (``inference="mc"``) or sampled networks
(``"ensemble"``), the entropies of :meth:`predict_uncertainty` and the
moments of the regressor's outputs."""

from functools import partial

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.parallel import Parallel, delayed

from ._activations import log_sigmoid
from ._forward import (
    forward,
    forward_mc,
    forward_stacked,
    stack_networks,
    stacked_work,
)
from ._sas import effective_weights, sample_sas
from ._utils import check_finite_output, spawn_seeds, take_rows


def draw_networks(params, seeds):
    """Unscaled weights and masks of one network per seed."""
    out = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        draws = [sample_sas(m, pi, xi, rng) for m, pi, xi in zip(*params)]
        out.append(([w for w, _ in draws], [mask for _, mask in draws]))
    return out


def proba_and_plogp(logits, out_activation):
    """Probabilities from ``logits`` (last axis: the outputs), and the
    negative entropies: ``sum_c p ln p`` over the classes of a softmax, or
    per label ``p ln p + (1 - p) ln(1 - p)`` for logistic outputs (the
    labels of a multilabel network are separate Bernoulli variables).

    The logarithms are those of a log-softmax and of :func:`log_sigmoid`,
    finite where a probability underflows to 0; one exponential per value
    gives both the probabilities and their logarithms, as this runs on the
    logits of every member of an ensemble. ``logits`` may be any strided
    view (the outputs need not be contiguous): nothing is reshaped.
    """
    if out_activation == "logistic":
        # log(1 - p) = log(sigmoid(-z))
        log_proba, log_rest = log_sigmoid(logits), log_sigmoid(-logits)
        proba = np.exp(log_proba)
        plogp = proba * log_proba
        plogp += np.exp(log_rest) * log_rest
        return proba, plogp
    log_proba = logits - logits.max(axis=-1, keepdims=True)
    proba = np.exp(log_proba)
    total = proba.sum(axis=-1, keepdims=True)
    proba /= total
    log_proba -= np.log(total)
    log_proba *= proba
    return proba, log_proba.sum(axis=-1)


# Running all networks at once holds the activations of every network: when
# that saves less than this share of the products, the extra memory traffic
# costs more than it saves (measured on the digits, 64-100-100-10, where the
# second layer dominates; see benchmarks/bench_ensemble_cost.py).
MIN_STACKING_SAVING = 0.25


def output_and_square(logits, out_activation):
    """The outputs of a regression network from its ``logits`` (``exp`` or
    the identity), and their squares, both in float64 so that the sums of
    many members keep the variance ``E[y^2] - E[y]^2``."""
    outputs = np.array(logits, dtype=np.float64)
    if out_activation == "exp":
        np.exp(outputs, out=outputs)
    return outputs, outputs * outputs


def _add_rows(sums, rows, parts, n_rows):
    """Add ``parts`` to the ``rows`` of ``sums`` (arrays of ``n_rows`` rows
    shaped as the parts, made at the first call); returns ``sums``."""
    if sums is None:
        sums = [np.zeros((n_rows, *p.shape[1:]), dtype=p.dtype) for p in parts]
    for total, part in zip(sums, parts):
        total[rows] += part
    return sums


def _ensemble_sums(params, intercepts, seeds, X, chunk_rows, hidden, summarize):
    """Sums over the networks drawn from ``seeds`` of the two arrays
    ``summarize(logits)`` gives. Rows go in chunks, each converted once and
    run through all networks at once (:func:`forward_stacked`), or through
    one network after the other where stacking saves little work.
    ``chunk_rows`` is the chunk for all networks at once; ``hidden`` is the
    hidden activation."""
    dtype = params[0][0].dtype
    networks = [
        [effective_weights(w) for w in weights]
        for weights, _ in draw_networks(params, seeds)
    ]
    stacked = stack_networks(networks)
    if stacked_work(stacked) <= 1 - MIN_STACKING_SAVING:
        networks = None
    else:
        stacked = None
        # one network's activations at a time
        chunk_rows *= len(seeds)
    sums = None
    for rows in gen_batches(X.shape[0], chunk_rows):
        part = take_rows(X, rows, dtype)
        if stacked is not None:
            logits = forward_stacked(part, stacked, intercepts, activation=hidden)
            parts = [member.sum(axis=0) for member in summarize(logits)]
            sums = _add_rows(sums, rows, parts, X.shape[0])
            continue
        for coefs in networks:
            logits = forward(part, coefs, intercepts, scaled=False, activation=hidden)
            sums = _add_rows(sums, rows, summarize(logits), X.shape[0])
    return sums


def member_sums(estimator, X, method, summarize=None):
    """Sums over the ``n_samples`` members of ``method`` ("mc" passes or
    "ensemble" networks) of the two arrays ``summarize(logits)`` gives for
    the logits of a member (last axis: the outputs), for a fitted
    ``estimator``. By default the probabilities and the negative entropies
    (see :func:`proba_and_plogp`)."""
    if summarize is None:
        summarize = partial(proba_and_plogp, out_activation=estimator.out_activation_)
    hidden = estimator.activation
    n_samples = estimator.n_samples
    if method == "ensemble":
        params = (estimator.slab_means_, estimator.spike_probs_, estimator.slab_vars_)
        seeds = spawn_seeds(estimator.random_state, n_samples)
        n_jobs = min(effective_n_jobs(estimator.n_jobs), n_samples)
        # the chunk holds the activations of every network: sized for all
        # n_samples of them, so that the jobs together stay within the budget
        chunk_rows = next(iter(estimator._chunks(X, n_samples))).stop
        parts = Parallel(n_jobs=n_jobs)(
            delayed(_ensemble_sums)(
                params, estimator.intercepts_, group, X, chunk_rows, hidden, summarize
            )
            for group in np.array_split(np.asarray(seeds, dtype=object), n_jobs)
        )
        proba_sum, plogp_sum = (sum(sums) for sums in zip(*parts))
        return check_finite_output(proba_sum, proba_sum.dtype), plogp_sum
    # the draws of every pass are shared by all rows (forward_mc), so a
    # row's result depends neither on the other rows nor on the chunking
    # (beyond the float rounding of BLAS)
    mus, variances = estimator._moments()
    dtype = mus[0].dtype
    seed = check_random_state(estimator.random_state).randint(np.iinfo(np.int32).max)
    rng = np.random.default_rng(seed)
    noise = [rng.standard_normal((n_samples, mu.shape[1]), dtype=dtype) for mu in mus]
    sums = None
    for rows in estimator._chunks(X, n_samples):
        logits = forward_mc(
            take_rows(X, rows, dtype),
            mus,
            variances,
            estimator.intercepts_,
            noise,
            activation=hidden,
        )
        parts = [part.sum(axis=0) for part in summarize(logits)]
        sums = _add_rows(sums, rows, parts, X.shape[0])
    proba_sum, plogp_sum = sums
    return check_finite_output(proba_sum, dtype), plogp_sum
