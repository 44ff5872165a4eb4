"""The score (accuracy, or R^2) of the pruned network against its sparsity."""

from numbers import Integral

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._utils import sas_network, score_name
from ._fine_tune import fine_tune
from ._masks import _check_sparsity_list
from ._pruned import prune


def _check_sparsities(sparsities):
    """``sparsities`` as a sorted float array of distinct values in [0, 1]."""
    values = _check_sparsity_list(
        sparsities,
        "sparsities must be a non-empty 1-D sequence of floats in [0, 1] "
        "(fractions of connections pruned)",
    )
    return np.unique(values.astype(np.float64))


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "sparsities": ["array-like"],
        "scope": [StrOptions({"global", "layer"})],
        "score": [StrOptions({"magnitude", "snr", "spike"})],
        "fine_tune_iter": [Interval(Integral, 0, None, closed="left")],
        "X_tune": ["array-like", "sparse matrix", None],
        "y_tune": ["array-like", None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def sparsity_curve(
    estimator,
    X,
    y,
    *,
    sparsities=(0.5, 0.8, 0.9, 0.95, 0.98),
    scope="global",
    score="magnitude",
    fine_tune_iter=0,
    X_tune=None,
    y_tune=None,
    sample_weight=None,
):
    """Score of the pruned mean network at several sparsities.

    At every sparsity ``s``, the fraction ``s`` of the connections with the
    lowest ``score`` is dropped from the fitted network
    (``pruning_masks(estimator, rule="sparsity", sparsity=s)``) and the
    pruned mean network (:func:`prune`) is scored on ``X, y`` by its own
    ``score``: the accuracy of a classifier, the R^2 of a regressor. With
    ``fine_tune_iter > 0``, every point is instead pruned once from the
    original network and retrained for ``fine_tune_iter`` epochs on
    ``X_tune, y_tune`` (:func:`fine_tune`) before it is measured; the points
    are independent of each other.

    Like :func:`~sklearn.inspection.permutation_importance`, the curve is
    measured on the data it is given: pass held-out data as ``X, y``, and
    training data as ``X_tune, y_tune``, or the fine-tuned score is
    optimistic.

    Parameters
    ----------
    estimator : SaSMLPClassifier, SaSMLPRegressor or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one (``X`` and ``X_tune`` then go through its other steps, which are
        not refitted). It is left unchanged.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Evaluation data (a held-out test set).

    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Its labels, or its targets for a regressor.

    sparsities : array-like of float in [0, 1], \
            default=(0.5, 0.8, 0.9, 0.95, 0.98)
        Fractions of connections pruned. They are evaluated, and returned,
        in increasing order, each value once (as
        :func:`~sklearn.model_selection.learning_curve` does with its
        ``train_sizes``), so that the points form a curve.

    scope : {"global", "layer"}, default="global"
        Rank the connections over all layers together, or prune the fraction
        ``s`` of every layer, see :func:`pruning_masks`.

    score : {"magnitude", "snr", "spike"}, default="magnitude"
        Ranking of the connections, see :func:`connection_scores`.

    fine_tune_iter : int, default=0
        Epochs of retraining of each pruned network before it is measured
        (the ``max_iter`` of :func:`fine_tune`); 0 measures the one-shot
        pruned network.

    X_tune : {array-like, sparse matrix} of shape (n_tune_samples, \
            n_features), default=None
        Training data of the fine-tuning; needed when ``fine_tune_iter > 0``,
        ignored otherwise.

    y_tune : array-like of shape (n_tune_samples,) or (n_tune_samples, \
            n_outputs), default=None
        Its labels (targets); needed when ``fine_tune_iter > 0``, ignored otherwise.

    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the evaluation samples in the score.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        With one entry per point, in increasing order of sparsity:

        - ``sparsities``: the sparsities requested, sorted;
        - ``sparsity``: the fraction of connections the pruned network
          actually drops, the requested one to within rounding to a whole
          connection (of every layer, with ``scope="layer"``). Fine-tuning
          can drive further connections to ``pi = 1``, absent from every
          sampled network, which the pruned network drops too: the
          sparsity can then be higher;
        - ``scores``: its score on ``X, y``, the network's ``score``;
        - ``n_kept``: its number of connections;
        - ``compression_ratio``: ``n_connections / n_kept`` (``inf`` when
          none is kept);

        and ``dense_score``, the score on ``X, y`` of the mean network with
        nothing pruned (that of ``estimator.score`` with
        ``inference="mean"``), ``score_name`` (``"accuracy"`` or ``"R^2"``)
        and ``n_connections``, the number of connections of the dense
        network. For a classifier, ``accuracy`` and ``dense_accuracy`` are
        ``scores`` and ``dense_score`` under the names of their measure.

    See Also
    --------
    SparsityCurveDisplay : Plot of the curve.
    prune : The pruned mean network of one sparsity.
    fine_tune : Retraining with connections removed.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import sparsity_curve
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(
    ...     X / 16, y, random_state=0)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0)
    >>> clf = clf.fit(X_train, y_train)
    >>> curve = sparsity_curve(clf, X_test, y_test, sparsities=[0.9, 0.5])
    >>> curve.sparsities
    array([0.5, 0.9])
    >>> curve.compression_ratio.round(1)
    array([ 2., 10.])
    >>> bool(curve.accuracy[0] > curve.accuracy[1])
    True
    """
    network, preprocess = sas_network(estimator)
    sparsities = _check_sparsities(sparsities)
    if fine_tune_iter > 0 and (X_tune is None or y_tune is None):
        raise ValueError(
            f"fine_tune_iter={fine_tune_iter} retrains each pruned network: it "
            "needs training data X_tune and y_tune (the curve itself is "
            "measured on X, y)."
        )
    X_eval = X if preprocess is None else preprocess.transform(X)

    def pruned_score(net, **pruning):
        pruned = prune(net, **pruning)
        return pruned, pruned.score(X_eval, y, sample_weight=sample_weight)

    pruning = {"rule": "sparsity", "scope": scope, "score": score}
    _, dense_score = pruned_score(network, **{**pruning, "sparsity": 0.0})
    points = []
    for s in sparsities:
        if fine_tune_iter == 0:
            points.append(pruned_score(network, **pruning, sparsity=s))
            continue
        tuned = fine_tune(
            estimator, X_tune, y_tune, max_iter=fine_tune_iter, **pruning, sparsity=s
        )
        # prune's default rule drops the connections fine_tune removed (UIP
        # in its result) and those retraining made UIP: what a deployed
        # network would drop
        points.append(pruned_score(sas_network(tuned)[0]))
    n_kept = np.array([pruned.n_kept_ for pruned, _ in points])
    n_connections = sum(pi.size for pi in network.spike_probs_)
    curve = Bunch(
        sparsities=sparsities,
        sparsity=np.array([pruned.sparsity_ for pruned, _ in points]),
        scores=np.array([value for _, value in points], dtype=np.float64),
        n_kept=n_kept,
        compression_ratio=np.array(
            [pruned.compression_ratio_ for pruned, _ in points], dtype=np.float64
        ),
        dense_score=float(dense_score),
        score_name=score_name(network),
        n_connections=n_connections,
    )
    if curve.score_name == "accuracy":
        # the names of the classifier's curve before the regressor had one
        curve.accuracy, curve.dense_accuracy = curve.scores, curve.dense_score
    return curve
