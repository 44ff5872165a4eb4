"""Fine-tuning a spike-and-slab network under keep-masks (prune, retrain,
repeat)."""

import copy
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import is_classifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.multiclass import unique_labels

from .._base import BaseSaSNetwork
from .._utils import NETWORK_NAMES, in_place_of_network, sas_network
from ._masks import (
    _OPTION_RULES,
    _RULES,
    _check_rule_options,
    _check_sparsity_list,
    pruning_masks,
)


def _check_masks(masks, network):
    """``masks`` as boolean arrays shaped like ``network.spike_probs_``."""
    shapes = [pi.shape for pi in network.spike_probs_]
    if len(masks) != len(shapes):
        raise ValueError(
            f"masks has {len(masks)} arrays; the network has {len(shapes)} layers "
            "of connections."
        )
    checked = []
    for layer, (mask, shape) in enumerate(zip(masks, shapes)):
        mask = np.asarray(mask)
        if mask.shape != shape:
            raise ValueError(
                f"masks[{layer}] has shape {mask.shape}; layer {layer} of the "
                f"network has shape {shape}."
            )
        if mask.dtype != bool:
            raise TypeError(
                f"masks[{layer}] must be a boolean array (True = keep), got "
                f"dtype {mask.dtype}."
            )
        checked.append(mask)
    return checked


def _sparsity_steps(rule):
    """The pruning options of each prune-and-retrain step: one step, or one
    per sparsity when ``rule`` holds a list of them.

    Options the rule does not use are refused here, before any training (a
    list of sparsities included); the other checks of the options are those
    of :func:`pruning_masks`, at the first step.
    """
    name = rule.get("rule", "uip")
    # an unknown rule is left to pruning_masks, whose message lists the rules
    if isinstance(name, str) and name in _RULES:
        _check_rule_options(
            name, {key: value for key, value in rule.items() if key in _OPTION_RULES}
        )
    sparsity = rule.get("sparsity")
    if sparsity is None or isinstance(sparsity, Real) or name != "sparsity":
        return [rule]
    steps = _check_sparsity_list(
        sparsity, "sparsity must be a float in [0, 1] or a non-empty list of them"
    )
    if np.any(np.diff(steps) <= 0):
        raise ValueError(
            "A list of sparsities prunes in steps and must increase (a pruned "
            f"connection stays pruned), got {sparsity!r}."
        )
    return [{**rule, "sparsity": float(s)} for s in steps]


def _train_more(network, X, y, sample_weight, max_iter):
    """``max_iter`` more epochs of ``network``'s own training, in place.

    A warm-started ``fit`` with a fresh optimizer and fresh stopping
    bookkeeping: the loss right after pruning is above the best seen before
    it, which would otherwise count as epochs without improvement.
    """
    # the first epoch improves on these, which resets the count of epochs
    # without improvement
    network.best_loss_ = None if network.early_stopping else np.inf
    if network.early_stopping:
        network.best_validation_score_ = -np.inf
    settings = {"warm_start": network.warm_start, "max_iter": network.max_iter}
    network.set_params(warm_start=True, max_iter=max_iter)
    try:
        # a budget of epochs was asked for, not convergence
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            network.fit(X, y, sample_weight=sample_weight)
    finally:
        network.set_params(**settings)


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "masks": [list, tuple, None],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "sample_weight": ["array-like", None],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither"), None],
    },
    # pruning_masks validates the pruning options
    prefer_skip_nested_validation=False,
)
def fine_tune(
    estimator,
    X,
    y,
    *,
    masks=None,
    max_iter=10,
    sample_weight=None,
    learning_rate_init=None,
    **rule,
):
    """Retrain a fitted spike-and-slab network with connections removed.

    Every connection outside the keep-masks becomes absent (``pi = 1``,
    ``m = xi = 0``) and stays so: it gets no gradient, no L2 penalty, no
    weight decay and no optimizer state. The other connections and the
    intercepts go on with gBP training for ``max_iter`` epochs, with the
    estimator's own solver and settings and a fresh optimizer, as a
    ``warm_start`` fit. This is the prune-and-retrain step of Han et al.
    (2015); the removed connections are then exactly the UIP connections
    of the result, so :func:`prune` with its default rule drops them.

    Parameters
    ----------
    estimator : SaSMLPClassifier, SaSMLPRegressor or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one (``X`` goes through its other steps, which are not refitted). It
        is left unchanged.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Training data.

    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Target labels, of the same classes as the classifier was fitted on,
        or the regressor's targets, as many outputs as it was fitted on.

    masks : list of ndarray of bool, default=None
        Keep-masks shaped like ``spike_probs_`` (True = keep), e.g. from
        :func:`pruning_masks`. When None, they are computed by
        ``pruning_masks(estimator, **rule)``. Pass either ``masks`` or
        ``rule`` options, not both.

    max_iter : int, default=10
        Epochs of training after each pruning step. The estimator's own
        stopping rule (``tol``, ``n_iter_no_change``, ``early_stopping``)
        may end a step sooner.

    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the training samples.

    learning_rate_init : float, default=None
        Step of the retraining. None keeps the estimator's own
        ``learning_rate_init``; a value is set on the returned network (so
        its later ``partial_fit`` calls go on with it). Retraining commonly
        uses a smaller step than training: in
        ``benchmarks/bench_compression.py`` a tenth of the training step was
        the more accurate on a validation split at every sparsity.

    **rule : dict
        Options of :func:`pruning_masks` (``rule``, ``threshold``,
        ``sparsity``, ``scope``, ``score``, ``pi_tol``, ``xi_tol``,
        ``m_tol``). With ``rule="sparsity"``, ``sparsity`` may be an
        increasing list: pruning and fine-tuning then alternate, one step
        per sparsity (e.g. ``[0.5, 0.8, 0.9, 0.95]``), each step pruning
        the network the previous one retrained. An option that the rule does
        not use (``sparsity`` without ``rule="sparsity"``, ...) raises a
        ``ValueError`` before any training.

    Returns
    -------
    tuned : SaSMLPClassifier, SaSMLPRegressor or Pipeline
        A new fitted network (for a ``Pipeline``, a new ``Pipeline`` with
        copies of its fitted steps and the same settings, ``memory``,
        ``verbose``, ...). The removed connections stay absent in
        its later ``partial_fit`` and ``warm_start`` calls; a ``fit`` from
        scratch trains all connections again.

    See Also
    --------
    pruning_masks : Keep-masks by a pruning rule.
    prune : The pruned network as a sparse classifier or regressor.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import fine_tune, pruning_masks
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> tuned = fine_tune(clf, X, y, rule="sparsity", sparsity=[0.5, 0.9],
    ...                   max_iter=5)
    >>> pruning_masks(tuned).sparsity >= 0.9  # the removed ones are UIP
    True
    """
    network, preprocess = sas_network(estimator)
    if not isinstance(network, BaseSaSNetwork):
        raise TypeError(
            f"fine_tune needs a fitted {NETWORK_NAMES} or a Pipeline ending "
            f"in one, got {type(network).__name__}."
        )
    if masks is not None and rule:
        raise ValueError(
            f"Pass either masks or pruning options, not both (got masks and "
            f"{sorted(rule)})."
        )
    # the regressor's warm-started fit checks the number of outputs itself
    if is_classifier(network) and not np.array_equal(
        unique_labels(y), network.classes_
    ):
        raise ValueError(
            f"fine_tune needs y with the classes the network was fitted on, "
            f"{network.classes_.tolist()}; y has {unique_labels(y).tolist()}."
        )
    if masks is not None:
        steps = [_check_masks(masks, network)]
    else:
        # the steps differ in their sparsity only, checked here: options that
        # pruning_masks refuses fail at the first step, before any training
        steps = _sparsity_steps(rule)
    if preprocess is not None:
        X = preprocess.transform(X)
    tuned = copy.deepcopy(network)
    if learning_rate_init is not None:
        tuned.set_params(learning_rate_init=learning_rate_init)
    for step in steps:
        keep = step if masks is not None else pruning_masks(tuned, **step)
        tuned._freeze_absent(keep)
        _train_more(tuned, X, y, sample_weight, max_iter)
    return in_place_of_network(estimator, tuned)
