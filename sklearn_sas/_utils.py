"""Plumbing shared by the estimators."""

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils.validation import check_is_fitted, validate_data


def row_chunks(n_rows, row_bytes):
    """Row slices whose working arrays (``row_bytes`` a row) fit in
    scikit-learn's ``working_memory``."""
    budget = get_config()["working_memory"] * 2**20
    return gen_batches(n_rows, max(int(budget // max(row_bytes, 1)), 1))


def spawn_seeds(random_state, n):
    """``n`` independent seeds drawn from ``random_state``.

    Member ``k`` of an ensemble always gets seed ``k``, however the members
    are split over jobs, so the networks drawn do not depend on ``n_jobs``
    (predictions summed over other groupings agree to float tolerance).
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


def sas_network(estimator):
    """The fitted ``SaSMLPClassifier`` behind ``estimator`` and the steps
    that prepare its input.

    ``estimator`` is a fitted ``SaSMLPClassifier`` or a fitted ``Pipeline``
    whose final step is one. Returns ``(network, preprocess)``: the
    classifier, and the pipeline's leading steps (a ``Pipeline``) or
    ``None``, so a function that takes ``(estimator, X)`` can feed the
    network ``preprocess.transform(X)``.

    Any other fitted estimator exposing ``spike_probs_``, ``slab_means_``
    and ``slab_vars_`` is accepted too. Anything else (an
    ``MLPClassifier``, a ``SampledNetwork``) raises a
    ``TypeError`` that says a spike-and-slab network is needed, rather than
    a misleading "not fitted".
    """
    from sklearn.pipeline import Pipeline

    from ._classifier import SaSMLPClassifier

    preprocess = None
    network = estimator
    if isinstance(estimator, Pipeline):
        network = estimator.steps[-1][1]
        if len(estimator.steps) > 1:
            preprocess = estimator[:-1]
    attributes = ["spike_probs_", "slab_means_", "slab_vars_"]
    # any fitted estimator exposing the three distributions is accepted
    if not isinstance(network, SaSMLPClassifier) and not all(
        hasattr(network, name) for name in attributes
    ):
        what = type(network).__name__
        if network is not estimator:
            what = f"a Pipeline ending in {what}"
        raise TypeError(
            "needs a fitted SaSMLPClassifier or a Pipeline ending in one "
            f"(the spike-and-slab distribution of every connection); got {what}."
        )
    check_is_fitted(network, attributes)
    return network, preprocess


def in_place_of_network(estimator, network):
    """``network`` where ``estimator`` had its spike-and-slab network.

    For a ``Pipeline``, a new ``Pipeline`` with copies of its leading fitted
    steps (so refitting the original leaves this one as it is) and
    ``network`` as final step, under the same name, and the other parameters
    of the original (``memory``, ``verbose``, ...); otherwise ``network``.
    """
    import copy

    from sklearn.pipeline import Pipeline

    if not isinstance(estimator, Pipeline):
        return network
    steps = copy.deepcopy(estimator.steps[:-1])
    # as clone() rebuilds an estimator, from its parameters
    params = estimator.get_params(deep=False)
    params["steps"] = [*steps, (estimator.steps[-1][0], network)]
    return type(estimator)(**params)

def validate_prediction_input(estimator, X, dtype):
    """``X`` validated for prediction by a network computing in ``dtype``.

    float input is converted chunk by chunk later (``take_rows``), not here,
    so values a float64 ``X`` holds beyond the range of a float32 network are
    refused now: converted, they would become infinite and the network would
    answer NaN (``fit`` refuses them too).
    """
    X = validate_data(
        estimator, X, reset=False, accept_sparse="csr", dtype=(np.float32, np.float64)
    )
    dtype = np.dtype(dtype)
    values = X.data if sp.issparse(X) else X
    if values.size and X.dtype.itemsize > dtype.itemsize:
        limit = np.finfo(dtype).max
        # max and min, not abs: no copy of a large X
        largest = max(values.max(), -values.min())
        if largest > limit:
            raise ValueError(
                f"Input X contains values too large for the network's {dtype} "
                f"(|x| up to {largest:.3g}, {dtype} overflows above {limit:.3g}). "
                "Scale the input, or fit with dtype='float64'."
            )
    return X


def check_finite_output(values, dtype):
    """Refuse outputs a forward pass made non-finite by overflow."""
    if not np.isfinite(values).all():
        raise ValueError(
            f"The forward pass overflowed {np.dtype(dtype)} on this input: its "
            "values are too large for the network. Scale the input (e.g. with "
            "the scaler used for training), or fit with dtype='float64'."
        )
    return values


def fitted_distribution(estimator):
    """The fitted ``(slab_means_, spike_probs_, slab_vars_)`` of a
    spike-and-slab network (or of a Pipeline's final one), one array per
    layer each."""
    network, _ = sas_network(estimator)
    return network.slab_means_, network.spike_probs_, network.slab_vars_


def labels_from_scores(classes, scores, out_activation, threshold):
    """Predicted labels from the output ``scores`` of every row: the class of
    the highest score, or with one logistic output per label
    (``out_activation="logistic"``) the indicator matrix of the labels whose
    score exceeds ``threshold`` (0 for logits, 0.5 for probabilities), as
    ``MLPClassifier`` predicts multilabel targets."""
    if out_activation == "logistic":
        return (scores > threshold).astype(classes.dtype)
    return classes[np.argmax(scores, axis=1)]
