"""Feature selection by the credit a spike-and-slab network gives its inputs."""

from copy import deepcopy
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, MetaEstimatorMixin, _fit_context, clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import SelectorMixin
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods, Interval
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_feature_names,
    check_array,
    check_is_fitted,
)

from ._classifier import SaSMLPClassifier
from ._doc_link import DocLinkMixin
from ._sas import credit_masks
from ._utils import row_chunks
from .inspection._credit import credit_assignment

_SAS_ATTRIBUTES = ("spike_probs_", "slab_means_", "slab_vars_")


# Steps whose output column i is a function of input column i alone, for
# every i: input i of the network after them is raw column i. Exact types:
# a subclass may override transform.
_COLUMNWISE = (
    StandardScaler,
    MinMaxScaler,
    MaxAbsScaler,
    RobustScaler,
    QuantileTransformer,
    PowerTransformer,
    Binarizer,
)


def _not_columnwise(name, step):
    """``(name, step)`` of the first (innermost) step that may move, mix,
    add or drop columns, or None if ``step`` keeps each column in place."""
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return None
    if type(step) is Pipeline:
        for inner_name, inner in step.steps:
            found = _not_columnwise(f"{name}__{inner_name}", inner)
            if found is not None:
                return found
        return None
    if type(step) is FunctionTransformer and step.func is None:
        return None  # the identity
    if type(step) in _COLUMNWISE:
        return None
    return name, step


def _check_pipeline_steps(estimator):
    """Refuse a ``Pipeline`` whose steps before the network are not known to
    leave input ``i`` of the network raw column ``i``.

    The selector's support indexes the pipeline's input columns but is
    computed from the network's inputs; they are the same columns only when
    every earlier step transforms each column on its own, in place.
    """
    if not isinstance(estimator, Pipeline):
        return
    n_in = getattr(estimator, "n_features_in_", None)
    n_network = getattr(estimator.steps[-1][1], "n_features_in_", None)
    count = ""
    if n_in is not None and n_network is not None and n_in != n_network:
        count = f" (the steps before the network turn {n_in} features into {n_network})"
    for name, step in estimator.steps[:-1]:
        found = _not_columnwise(name, step)
        if found is not None:
            name, step = found
            kind = type(step).__name__
            raise ValueError(
                "SaSFeatureSelector selects the pipeline's input columns by the "
                "credit the network gives its own inputs, which are the same "
                "columns only if every step before the network transforms each "
                "column on its own and keeps it in its place: StandardScaler, "
                "MinMaxScaler, MaxAbsScaler, RobustScaler, QuantileTransformer, "
                "PowerTransformer, Binarizer, FunctionTransformer() without func, "
                f"'passthrough', or a Pipeline of these. Step {name!r} ({kind}) "
                f"is not one of them{count}. Put the selector inside the pipeline "
                "instead, after the steps that change the features: "
                f"make_pipeline({kind}(...), SaSFeatureSelector(SaSMLPClassifier()), "
                "SaSMLPClassifier()); or select from the network alone, "
                "SaSFeatureSelector(pipeline[-1], prefit=True) fitted on "
                "pipeline[:-1].transform(X)."
            )
    if count:
        # fitted steps of different data put together
        raise ValueError(
            "SaSFeatureSelector selects the pipeline's input columns by the "
            "credit the network gives its own inputs, but the steps before the "
            f"network turn {n_in} features into {n_network}: refit the pipeline."
        )


def _first_layer(estimator):
    """First-layer ``(m, pi, xi)`` of a fitted spike-and-slab estimator, or
    of the final step of a fitted ``Pipeline`` whose other steps keep the
    columns in place."""
    if isinstance(estimator, Pipeline):
        _check_pipeline_steps(estimator)
        estimator = estimator.steps[-1][1]
    missing = [name for name in _SAS_ATTRIBUTES if not hasattr(estimator, name)]
    if missing:
        raise ValueError(
            "SaSFeatureSelector needs a spike-and-slab estimator exposing "
            f"{', '.join(_SAS_ATTRIBUTES)} after fit, such as SaSMLPClassifier; "
            f"the fitted {estimator.__class__.__name__} has no "
            f"{', '.join(missing)}."
        )
    return estimator.slab_means_[0], estimator.spike_probs_[0], estimator.slab_vars_[0]


def _feature_credit(m, pi):
    """``sum_k (1 - pi_ik) |m_ik|``: L1 norm of each row of the mean weights."""
    m, pi = (np.asarray(a, dtype=np.float64) for a in (m, pi))
    return np.abs((1.0 - pi) * m).sum(axis=1)


def _zero_columns(X):
    """Mask of the columns of ``X`` that are 0 in every row.

    A column of a sparse matrix is zero when none of its stored entries is
    non-zero once duplicate entries are summed: explicitly stored zeros are
    zeros. NaN is not zero. ``X`` is not modified.
    """
    if sp.issparse(X):
        X = X.tocsc(copy=True)
        X.sum_duplicates()
        columns = np.repeat(np.arange(X.shape[1]), np.diff(X.indptr))
        nonzero = np.zeros(X.shape[1], dtype=bool)
        nonzero[columns[X.data != 0]] = True
        return ~nonzero
    X = check_array(X, dtype="numeric", ensure_all_finite=False)
    nonzero = np.zeros(X.shape[1], dtype=bool)
    for rows in row_chunks(X.shape[0], X.shape[1]):
        nonzero |= (X[rows] != 0).any(axis=0)
    return ~nonzero


def _calculate_threshold(credit, threshold):
    """The float threshold on ``credit`` that ``threshold`` stands for."""
    if threshold is None:
        return -np.inf
    if not isinstance(threshold, str):
        return float(threshold)
    scale, star, reference = threshold.rpartition("*")
    references = {"mean": np.mean, "median": np.median}
    try:
        value = references[reference.strip()](credit)
        if star:
            factor = float(scale.strip())
            if not np.isfinite(factor):
                # "nan*mean" would silently select nothing, "inf*mean" nothing
                raise ValueError
            value = factor * value
    except (KeyError, ValueError):
        raise ValueError(
            "threshold must be a float, 'mean', 'median' or a scaled reference "
            f"such as '1.25*mean'; got {threshold!r}."
        ) from None
    return float(value)


def _estimator_has(attr):
    """Whether the (fitted, else the given or default) estimator has ``attr``;
    for ``available_if``."""

    def check(self):
        estimator = getattr(self, "estimator_", None)
        if estimator is None:
            estimator = self._get_estimator()
        return hasattr(estimator, attr)

    return check


class SaSFeatureSelector(
    DocLinkMixin, MetaEstimatorMixin, SelectorMixin, BaseEstimator
):
    """Select the input features a spike-and-slab network gives credit to.

    The meta-transformer counterpart of
    :class:`~sklearn.feature_selection.SelectFromModel` for spike-and-slab
    networks. After training, every connection of the first layer leaving
    input feature ``i`` carries a spike probability ``pi_ik`` (the
    probability that the connection is absent), a slab mean ``m_ik`` and a
    slab variance ``xi_ik``. A feature all of whose outgoing connections are
    unimportant (UIP: ``pi_ik >= 1 - pi_tol``, or ``xi_ik <= xi_tol`` and
    ``|m_ik| <= m_tol``, a weight that is always zero) is never used by the
    network: it carries no credit and is always dropped. So is, when the
    selector trains the network (``prefit=False``), a feature that is zero in
    every row it is trained on: it carried no evidence, and its
    :attr:`feature_credit_` is 0 whatever the network made of its
    connections (:attr:`blank_features_`). With a ``threshold``, the
    features whose :attr:`feature_credit_` is below it are dropped as well.

    Parameters
    ----------
    estimator : object, default=None
        A spike-and-slab network, fitted if ``prefit=True``: any estimator
        exposing ``spike_probs_``, ``slab_means_`` and ``slab_vars_`` (lists
        of per-layer arrays of shape ``(N_l, N_{l+1})``, layer 0 rows being
        the input features) after fit. None means ``SaSMLPClassifier()``.
        A ``Pipeline`` ending in one is accepted if every step before the
        network transforms each column on its own and keeps it in its
        place, so that input ``i`` of the network is column ``i`` of ``X``:
        ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``,
        ``RobustScaler``, ``QuantileTransformer``, ``PowerTransformer``,
        ``Binarizer``, ``FunctionTransformer()`` without ``func``,
        ``"passthrough"`` or a ``Pipeline`` of these (those classes exactly,
        not subclasses). Any other step (``PCA``, ``ColumnTransformer``,
        ``Normalizer``, ``SimpleImputer``, ...) raises a ``ValueError``: put
        the selector inside the pipeline, after such steps.

    prefit : bool, default=False
        Whether ``estimator`` is already fitted. If True, ``fit`` does not
        train it but stores a deep copy of it, and ``transform`` can be
        called without ``fit``. If False, ``fit`` trains a clone of
        ``estimator`` and ``partial_fit`` updates it.

    threshold : float, str or None, default=None
        Features whose :attr:`feature_credit_` is greater than or equal to
        the threshold are kept (unless all their connections are UIP or they
        are in :attr:`blank_features_`). A string is ``"mean"`` or
        ``"median"`` of the credits, optionally scaled, e.g. ``"1.25*mean"``.
        None keeps every feature that is neither all-UIP nor blank.

    pi_tol : float, default=1e-6
        Tolerance on the spike probability of the VIP and UIP classes of
        :func:`~sklearn_sas.inspection.credit_assignment`: a connection with
        ``pi >= 1 - pi_tol`` is unimportant (UIP), one with ``pi <= pi_tol``,
        ``xi <= xi_tol`` and ``|m| > m_tol`` very important (VIP). In
        [0, 0.5).

    xi_tol : float, default=1e-8
        Slab variances at or below it count as zero, for the VIP and UIP
        classes and the connection entropy.

    m_tol : float, default=1e-6
        Slab means at or below it in magnitude count as zero: a connection
        with ``xi <= xi_tol`` and ``|m| <= m_tol`` is always absent (UIP),
        whatever its spike probability.

    Attributes
    ----------
    estimator_ : estimator
        The spike-and-slab network the features are selected from: a deep
        copy of ``estimator`` if ``prefit=True``, otherwise a clone of it
        (or a ``SaSMLPClassifier()``) fitted by ``fit`` or ``partial_fit``.

    connection_entropy_ : list of ndarray of shape (N_l, N_{l+1})
        Entropy of every connection, one array per layer
        (:func:`~sklearn_sas.inspection.connection_entropy`).

    vip_masks_ : list of ndarray of bool of shape (N_l, N_{l+1})
        Very important connections of every layer.

    uip_masks_ : list of ndarray of bool of shape (N_l, N_{l+1})
        Unimportant connections of every layer. Like
        :attr:`connection_entropy_` and :attr:`vip_masks_`, the network's
        own classes, also for the features in :attr:`blank_features_`.

    blank_features_ : ndarray of bool of shape (n_features_in_,)
        The features that are zero in every row the selector trained the
        network on: the ``X`` of ``fit``, or every ``X`` given to
        ``partial_fit`` since the first call (or the last ``fit``). They are
        never selected and their :attr:`feature_credit_` is 0. All False
        if ``prefit=True``: the ``X`` given to ``fit`` then is not the
        training data, and the selector reports the network's own credit.

    feature_credit_ : ndarray of shape (n_features_in_,)
        Credit of every input feature, ``sum_k (1 - pi_ik) |m_ik|`` (see
        Notes); 0 for the features in :attr:`blank_features_`.

    n_features_in_ : int
        Number of features seen during :term:`fit`, that of ``estimator_``.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X`
        has feature names that are all strings.

    threshold_ : float
        The threshold on :attr:`feature_credit_` for the current
        ``threshold`` (``-inf`` when it is None).

    See Also
    --------
    sklearn.feature_selection.SelectFromModel : Select features from the
        coefficients or importances of any estimator.
    sklearn_sas.inspection.credit_assignment : VIP, UIP and variable
        connections of every layer.

    Notes
    -----
    The credit of input feature ``i`` is::

        feature_credit_[i] = sum_k (1 - pi_ik) |m_ik|

    the L1 norm of row ``i`` of the first-layer mean weights
    ``mu = (1 - pi) * m``: the weights the mean network (``inference="mean"``)
    applies to the feature, so this is the ``coef_``-based importance of
    ``SelectFromModel`` (``norm_order=1``) for the mean network. It is also
    the expected number of present outgoing connections ``sum_k (1 - pi_ik)``
    weighted by their slab magnitude: it vanishes when every connection is
    absent or has a zero slab mean, and it ignores the slab variances, which
    add noise but no directed signal. The common ``1 / sqrt(N_0)`` scaling of
    the forward pass is left out; it does not change the ranking.

    As with any weight-based importance, features should share a scale (use
    e.g. ``StandardScaler`` first).

    A feature that is zero in every training row gets no gradient from the
    data, only from the penalty: with the coupled L2 penalty ``alpha``, its
    slab variances are projected to exactly 0 and its slab means shrink
    geometrically, so its connections end as deterministic zeros (UIP) only
    after enough updates. On the 1,797 digits with the default recipe
    (pixels 0, 32 and 39 are 0 in every image; hidden layers ``(64,)`` or
    ``(100,)``, seeds 0-4) they are all UIP after 50 epochs
    (``max_iter=50``), but none is after 10 or 30 epochs and only some are
    after 40: their slab means are still up to 0.5 after 10 epochs and 2e-4
    after 30, above ``m_tol``. On 1,347 of the images (fewer batches an
    epoch) it takes 60 epochs. With the authors' decoupled decay
    (``weight_decay``, no ``alpha``) they keep about their initial values.
    When the selector trains the network it sees the data and drops such a
    feature whatever the number of epochs (:attr:`blank_features_`). With
    ``prefit=True`` it has no training data and reports the network's own
    credit, in which such a feature may be kept: remove it beforehand then
    (``VarianceThreshold``).

    The support indexes the columns of ``X``, the credit the inputs of the
    network; in a ``Pipeline`` they are the same columns only if the steps
    before the network transform each column on its own, in place (see
    ``estimator``). A step that reorders, selects, mixes or adds columns (a
    ``ColumnTransformer``, even one keeping the order, ``PCA``, or
    ``Normalizer``, which divides each row by its norm) is refused rather
    than mapped back, as ``SelectFromModel`` has no column mapping either;
    ``make_pipeline(PCA(), SaSFeatureSelector(...), clf)`` selects among the
    components instead.

    Changing ``threshold``, ``pi_tol``, ``xi_tol`` or ``m_tol`` after fit
    changes the selection without refitting, as in ``SelectFromModel``
    (:attr:`vip_masks_` and :attr:`uip_masks_` keep the tolerances of the
    fit).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSFeatureSelector, SaSMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X = X / 16
    >>> net = SaSMLPClassifier((16,), max_iter=20, random_state=0)
    >>> selector = SaSFeatureSelector(net, threshold="mean").fit(X, y)
    >>> selector.feature_credit_.shape
    (64,)
    >>> [mask.shape for mask in selector.uip_masks_]
    [(64, 16), (16, 10)]
    >>> bool(selector.threshold_ == selector.feature_credit_.mean())
    True
    >>> selector.transform(X).shape
    (1797, 33)
    >>> bool((selector.feature_credit_[selector.get_support()]
    ...       >= selector.threshold_).all())
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods("fit"), None],
        "prefit": ["boolean"],
        "threshold": [Interval(Real, None, None, closed="both"), str, None],
        "pi_tol": [Interval(Real, 0, 0.5, closed="left")],
        "xi_tol": [Interval(Real, 0, None, closed="left")],
        "m_tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        estimator=None,
        *,
        prefit=False,
        threshold=None,
        pi_tol=1e-6,
        xi_tol=1e-8,
        m_tol=1e-6,
    ):
        self.estimator = estimator
        self.prefit = prefit
        self.threshold = threshold
        self.pi_tol = pi_tol
        self.xi_tol = xi_tol
        self.m_tol = m_tol

    def _get_estimator(self):
        """``estimator``, or the default ``SaSMLPClassifier()`` when None."""
        return SaSMLPClassifier() if self.estimator is None else self.estimator

    def _check_prefit(self):
        """``estimator`` after checking it is fitted, as ``prefit=True`` needs."""
        message = "When `prefit=True`, `estimator` is expected to be a fitted estimator"
        if self.estimator is None:
            raise NotFittedError(f"{message}, got None.")
        try:
            check_is_fitted(self.estimator)
        except NotFittedError as exc:
            raise NotFittedError(f"{message}.") from exc
        _check_pipeline_steps(self.estimator)
        return self.estimator

    def _get_support_mask(self):
        if self.prefit:
            estimator = self._check_prefit()
            estimator = getattr(self, "estimator_", estimator)
        else:
            check_is_fitted(self, "estimator_")
            estimator = self.estimator_
        m, pi, xi = _first_layer(estimator)
        _, uip, _ = credit_masks(m, pi, xi, **self._tolerances())
        credit, blank = self._credit(m, pi)
        mask = ~np.all(uip, axis=1) & ~blank
        mask &= credit >= _calculate_threshold(credit, self.threshold)
        return mask

    def _credit(self, m, pi):
        """The feature credit and the mask of the blank features.

        The one place where the training data enter the selection: the
        credit of the network (first-layer slab means ``m`` and spike
        probabilities ``pi``), set to 0 for the features zero in every
        training row (``blank_features_``; none before fit or with
        ``prefit=True``).
        """
        credit = _feature_credit(m, pi)
        blank = getattr(self, "blank_features_", None)
        if blank is None:
            blank = np.zeros(credit.shape, dtype=bool)
        credit[blank] = 0.0
        return credit, blank

    def _tolerances(self):
        """The tolerances of the credit classes, as keyword arguments."""
        return {"pi_tol": self.pi_tol, "xi_tol": self.xi_tol, "m_tol": self.m_tol}

    def _record(self, X, reset):
        """Feature names, the blank features and the credit attributes of
        ``estimator_``, which was trained on ``X`` unless ``prefit``.

        ``reset`` starts the blank features over (``fit`` and the first
        ``partial_fit``); otherwise a feature stays blank only if it is zero
        in ``X`` too.
        """
        m, pi, _ = _first_layer(self.estimator_)
        n_features = m.shape[0]
        if self.prefit:
            blank = np.zeros(n_features, dtype=bool)
        else:
            blank = _zero_columns(X)
            if not reset:
                blank &= self.blank_features_
        if hasattr(self.estimator_, "feature_names_in_"):
            self.feature_names_in_ = self.estimator_.feature_names_in_
        else:
            _check_feature_names(self, X, reset=reset)
        credit = credit_assignment(self.estimator_, **self._tolerances())
        self.connection_entropy_ = credit.entropy
        self.vip_masks_ = credit.vip_masks
        self.uip_masks_ = credit.uip_masks
        self.blank_features_ = blank
        self.feature_credit_, _ = self._credit(m, pi)
        # an invalid threshold string fails here rather than in transform
        _calculate_threshold(self.feature_credit_, self.threshold)

    @_fit_context(
        # SaSFeatureSelector.estimator is not validated yet
        prefer_skip_nested_validation=False
    )
    def fit(self, X, y=None, **fit_params):
        """Fit the spike-and-slab network and compute the feature credit.

        Unless ``prefit=True``, the features that are zero in every row of
        ``X`` are the :attr:`blank_features_`: never selected, of credit 0.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training input samples. With ``prefit=True``, only their
            number of features and feature names are used.

        y : array-like of shape (n_samples,), default=None
            The target values; the class labels of a classifier.

        **fit_params : dict
            - If `enable_metadata_routing=False` (default): parameters passed
              directly to the `fit` method of the network, e.g.
              ``sample_weight``. Ignored if `prefit=True`.

            - If `enable_metadata_routing=True`: parameters routed to the
              `fit` method of the network. Ignored if `prefit=True`.

        Returns
        -------
        self : object
            Fitted selector.
        """
        if self.prefit:
            self.estimator_ = deepcopy(self._check_prefit())
        else:
            # a pipeline the selection cannot be mapped through is refused
            # before it is trained
            _check_pipeline_steps(self._get_estimator())
            if _routing_enabled():
                fit_params = process_routing(self, "fit", **fit_params).estimator.fit
            self.estimator_ = clone(self._get_estimator())
            self.estimator_.fit(X, y, **fit_params)
        self._record(X, reset=True)
        return self

    @available_if(_estimator_has("partial_fit"))
    @_fit_context(
        # SaSFeatureSelector.estimator is not validated yet
        prefer_skip_nested_validation=False
    )
    def partial_fit(self, X, y=None, **partial_fit_params):
        """Train the network for one more epoch and update the feature credit.

        Unless ``prefit=True``, a feature stays in :attr:`blank_features_`
        (never selected, of credit 0) while it is zero in every row given
        since the first call; ``fit`` starts over. A first call that fails
        leaves the selector unfitted.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            The training input samples. With ``prefit=True``, only those of
            the first call are used, for their number of features and
            feature names.

        y : array-like of shape (n_samples,), default=None
            The target values; the class labels of a classifier.

        **partial_fit_params : dict
            - If `enable_metadata_routing=False` (default): parameters passed
              directly to the `partial_fit` method of the network, e.g.
              ``classes`` (required by ``SaSMLPClassifier`` on the first
              call). Ignored if `prefit=True`.

            - If `enable_metadata_routing=True`: parameters routed to the
              `partial_fit` method of the network. Ignored if `prefit=True`.

        Returns
        -------
        self : object
            Fitted selector.
        """
        first_call = not hasattr(self, "estimator_")
        if self.prefit:
            if first_call:
                self.estimator_ = deepcopy(self._check_prefit())
                self._record(X, reset=True)
            return self
        if _routing_enabled():
            partial_fit_params = process_routing(
                self, "partial_fit", **partial_fit_params
            ).estimator.partial_fit
        # a first call that fails leaves the selector unfitted
        estimator = clone(self._get_estimator()) if first_call else self.estimator_
        estimator.partial_fit(X, y, **partial_fit_params)
        self.estimator_ = estimator
        self._record(X, reset=first_call)
        return self

    @property
    def threshold_(self):
        """Threshold on ``feature_credit_`` for the current ``threshold``."""
        check_is_fitted(self, "estimator_")
        m, pi, _ = _first_layer(self.estimator_)
        credit, _ = self._credit(m, pi)
        return _calculate_threshold(credit, self.threshold)

    @property
    def n_features_in_(self):
        """Number of features seen during `fit`."""
        # For consistency with other estimators we raise an AttributeError so
        # that hasattr() fails if the selector isn't fitted.
        try:
            check_is_fitted(self)
        except NotFittedError as nfe:
            raise AttributeError(
                f"{self.__class__.__name__} object has no n_features_in_ attribute."
            ) from nfe
        return self.estimator_.n_features_in_

    def get_metadata_routing(self):
        """Get metadata routing of this object.

        Please check :ref:`User Guide <metadata_routing>` on how the routing
        mechanism works.

        Returns
        -------
        routing : MetadataRouter
            A :class:`~sklearn.utils.metadata_routing.MetadataRouter`
            encapsulating routing information.
        """
        return MetadataRouter(owner=self).add(
            estimator=self._get_estimator(),
            method_mapping=MethodMapping()
            .add(caller="partial_fit", callee="partial_fit")
            .add(caller="fit", callee="fit"),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        estimator_tags = get_tags(self._get_estimator())
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        tags.target_tags.required = (
            not self.prefit and estimator_tags.target_tags.required
        )
        return tags
