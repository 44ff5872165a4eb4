"""Plumbing shared by the estimators."""

import numpy as np
from sklearn import get_config
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.validation import check_is_fitted


def row_chunks(n_rows, row_bytes):
    """Row slices whose working arrays (``row_bytes`` a row) fit in
    scikit-learn's ``working_memory``."""
    budget = get_config()["working_memory"] * 2**20
    return gen_batches(n_rows, max(int(budget // max(row_bytes, 1)), 1))


def spawn_seeds(random_state, n):
    """``n`` independent seeds drawn from ``random_state``.

    Member ``k`` of an ensemble always gets seed ``k``, however the members
    are split over jobs, so results do not depend on ``n_jobs``.
    """
    entropy = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.SeedSequence(entropy).spawn(n)


def take_rows(X, rows, dtype):
    """Rows of ``X`` (dense or sparse) in ``dtype``.

    Prediction validates ``X`` without converting it and converts one chunk
    of rows at a time, so a large float64 input never gets a full float32
    copy.
    """
    part = X[rows]
    return part.astype(dtype, copy=False) if dtype != part.dtype else part


def fitted_distribution(estimator):
    """The fitted ``(slab_means_, spike_probs_, slab_vars_)`` of a
    spike-and-slab network, one array per layer each."""
    check_is_fitted(estimator, ["spike_probs_", "slab_means_", "slab_vars_"])
    return estimator.slab_means_, estimator.spike_probs_, estimator.slab_vars_
