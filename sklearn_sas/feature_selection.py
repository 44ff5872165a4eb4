"""Feature selection by the credit a spike-and-slab network gives its inputs."""

from copy import deepcopy

import numpy as np
from sklearn.base import _fit_context, clone
from sklearn.exceptions import NotFittedError
from sklearn.feature_selection import SelectFromModel
from sklearn.feature_selection._from_model import _calculate_threshold
from sklearn.utils import get_tags
from sklearn.utils._param_validation import HasMethods
from sklearn.utils.metadata_routing import (
    MetadataRouter,
    MethodMapping,
    _routing_enabled,
    process_routing,
)
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _check_feature_names, check_is_fitted

from ._classifier import SaSMLPClassifier
from ._doc_link import DocLinkMixin
from ._pipeline_columns import check_columnwise_pipeline
from ._sas import M_TOL, PI_TOL, XI_TOL, credit_masks, sas_moments
from ._utils import TOLERANCE_CONSTRAINTS, sas_network, zero_columns
from .inspection._credit import credit_assignment


def _first_layer(estimator):
    """First-layer ``(m, pi, xi)`` of a fitted spike-and-slab estimator, or
    of the final step of a fitted ``Pipeline`` whose other steps keep the
    columns in place."""
    check_columnwise_pipeline(estimator)
    network, _ = sas_network(estimator)
    return network.slab_means_[0], network.spike_probs_[0], network.slab_vars_[0]


def _feature_credit(m, pi, xi):
    """``sum_k (1 - pi_ik) |m_ik|``: L1 norm of each row of the mean weights."""
    m, pi, xi = (np.asarray(a, dtype=np.float64) for a in (m, pi, xi))
    mu, _, _ = sas_moments(m, pi, xi)
    return np.abs(mu).sum(axis=1)


def _estimator_has(attr):
    """Whether the (fitted, else the given or default) estimator has ``attr``;
    for ``available_if``."""

    def check(self):
        estimator = getattr(self, "estimator_", None)
        if estimator is None:
            estimator = self._get_estimator()
        return hasattr(estimator, attr)

    return check


class SaSFeatureSelector(DocLinkMixin, SelectFromModel):
    """Select the input features a spike-and-slab network gives credit to.

    :class:`~sklearn.feature_selection.SelectFromModel` with the network's
    credit as importance (:attr:`feature_credit_`, see Notes). A feature all
    of whose first-layer connections are unimportant (UIP: ``pi_ik >= 1 -
    pi_tol``, or ``xi_ik <= xi_tol`` and ``|m_ik| <= m_tol``, a weight that
    is always zero) is never used by the network and always dropped; so is,
    when the selector trains the network, a feature zero in every training
    row (:attr:`blank_features_`). With a ``threshold``, the features whose
    credit is below it are dropped as well.

    Parameters
    ----------
    estimator : object, default=None
        A spike-and-slab network, fitted if ``prefit=True``: any estimator
        exposing ``spike_probs_``, ``slab_means_`` and ``slab_vars_`` (lists
        of per-layer arrays of shape ``(N_l, N_{l+1})``, layer 0 rows being
        the input features) after fit. None means ``SaSMLPClassifier()``.
        A ``Pipeline`` ending in one is accepted if every step before the
        network keeps each column in its place (see Notes).

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
    ``mu = (1 - pi) * m``, the weights of the mean network
    (``inference="mean"``): the ``coef_``-based importance of
    ``SelectFromModel`` (``norm_order=1``). It vanishes when every
    connection is absent or has a zero slab mean and ignores the slab
    variances, which add noise but no directed signal; the ``1 / sqrt(N_0)``
    scaling of the forward pass, common to all, is left out. As with any
    weight-based importance, features should share a scale.

    A feature zero in every training row gets no gradient from the data,
    only from the penalty: its connections become UIP only after enough
    updates (measured in the :ref:`user guide <feature_selection>`). With
    ``prefit=True`` the selector has no training data and reports the
    network's own credit, in which such a feature may be kept: remove it
    beforehand then (``VarianceThreshold``).

    The support indexes the columns of ``X``, the credit the inputs of the
    network. In a ``Pipeline`` they are the same columns only if every step
    before the network transforms each column on its own, in place:
    ``StandardScaler``, ``MinMaxScaler``, ``MaxAbsScaler``,
    ``RobustScaler``, ``QuantileTransformer``, ``PowerTransformer``,
    ``Binarizer``, ``FunctionTransformer()`` without ``func``,
    ``"passthrough"`` or a ``Pipeline`` of these (those classes exactly, not
    subclasses). Any other step (``PCA``, ``ColumnTransformer``,
    ``Normalizer``, ...) is refused with a ``ValueError`` rather than mapped
    back, as ``SelectFromModel`` has no column mapping either: put the
    selector inside the pipeline, after such steps.

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
    (1797, 31)
    >>> bool((selector.feature_credit_[selector.get_support()]
    ...       >= selector.threshold_).all())
    True
    """

    _parameter_constraints: dict = {
        "estimator": [HasMethods("fit"), None],
        "prefit": SelectFromModel._parameter_constraints["prefit"],
        "threshold": SelectFromModel._parameter_constraints["threshold"],
        **TOLERANCE_CONSTRAINTS,
    }

    def __init__(
        self,
        estimator=None,
        *,
        prefit=False,
        threshold=None,
        pi_tol=PI_TOL,
        xi_tol=XI_TOL,
        m_tol=M_TOL,
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
        check_columnwise_pipeline(self.estimator)
        return self.estimator

    def _get_support_mask(self):
        # the importance is the credit; a feature all of whose connections
        # are UIP is dropped whatever the threshold, for the network never
        # uses it
        if self.prefit:
            estimator = getattr(self, "estimator_", self._check_prefit())
        else:
            check_is_fitted(self, "estimator_")
            estimator = self.estimator_
        m, pi, xi = _first_layer(estimator)
        _, uip, _ = credit_masks(m, pi, xi, **self._tolerances())
        credit, blank = self._credit(m, pi, xi)
        mask = ~np.all(uip, axis=1) & ~blank
        mask &= credit >= self._threshold(credit)
        return mask

    def _credit(self, m, pi, xi):
        """The feature credit and the mask of the blank features.

        The one place where the training data enter the selection: the
        credit of the network (its first-layer ``m``, ``pi`` and ``xi``),
        set to 0 for the features zero in every training row
        (``blank_features_``; none before fit or with ``prefit=True``).
        """
        credit = _feature_credit(m, pi, xi)
        blank = getattr(self, "blank_features_", None)
        if blank is None:
            blank = np.zeros(credit.shape, dtype=bool)
        credit[blank] = 0.0
        return credit, blank

    def _threshold(self, credit):
        """The float threshold on ``credit`` that ``threshold`` stands for:
        scikit-learn's reading of it, None keeping every feature, and a
        scaled reference refused when it is not finite ("nan*mean" would
        silently select nothing)."""
        threshold = -np.inf if self.threshold is None else self.threshold
        message = (
            "threshold must be a float, 'mean', 'median' or a scaled reference "
            f"such as '1.25*mean'; got {self.threshold!r}."
        )
        try:
            # the estimator only serves the default threshold, never used here
            value = float(_calculate_threshold(None, credit, threshold))
        except ValueError:
            raise ValueError(message) from None
        if isinstance(threshold, str) and not np.isfinite(value):
            raise ValueError(message)
        return value

    def _tolerances(self):
        """The tolerances of the credit classes, as keyword arguments."""
        return {"pi_tol": self.pi_tol, "xi_tol": self.xi_tol, "m_tol": self.m_tol}

    def _train(self, estimator, method, X, y, params):
        """``estimator`` after its ``fit`` or ``partial_fit`` (``method``)
        on ``X, y``, with the metadata routed to it when routing is on."""
        if _routing_enabled():
            routed = process_routing(self, method, **params)
            params = getattr(routed.estimator, method)
        getattr(estimator, method)(X, y, **params)
        return estimator

    def _record(self, X, reset):
        """Feature names, the blank features and the credit attributes of
        ``estimator_``, which was trained on ``X`` unless ``prefit``.

        ``reset`` starts the blank features over (``fit`` and the first
        ``partial_fit``); otherwise a feature stays blank only if it is zero
        in ``X`` too.
        """
        m, pi, xi = _first_layer(self.estimator_)
        if self.prefit:
            blank = np.zeros(m.shape[0], dtype=bool)
        else:
            blank = zero_columns(X)
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
        self.feature_credit_, _ = self._credit(m, pi, xi)
        # an invalid threshold string fails here rather than in transform
        self._threshold(self.feature_credit_)

    # SelectFromModel.fit and partial_fit need a given estimator; these also
    # check a pipeline before training it, and keep a failed first
    # partial_fit from leaving a half-trained estimator_
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
            Passed to the ``fit`` of the network (e.g. ``sample_weight``), or
            routed to it if `enable_metadata_routing=True`. Ignored if
            `prefit=True`.

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
            check_columnwise_pipeline(self._get_estimator())
            estimator = clone(self._get_estimator())
            self.estimator_ = self._train(estimator, "fit", X, y, fit_params)
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
            Passed to the ``partial_fit`` of the network (e.g. ``classes``,
            which ``SaSMLPClassifier`` needs on the first call), or routed to
            it if `enable_metadata_routing=True`. Ignored if `prefit=True`.

        Returns
        -------
        self : object
            Fitted selector.
        """
        first_call = not hasattr(self, "estimator_")
        if self.prefit:
            return self.fit(X) if first_call else self
        estimator = clone(self._get_estimator()) if first_call else self.estimator_
        self.estimator_ = self._train(
            estimator, "partial_fit", X, y, partial_fit_params
        )
        self._record(X, reset=first_call)
        return self

    @property
    def threshold_(self):
        """Threshold on ``feature_credit_`` for the current ``threshold``."""
        check_is_fitted(self, "estimator_")
        credit, _ = self._credit(*_first_layer(self.estimator_))
        return self._threshold(credit)

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
        # SelectFromModel's tags read `estimator`, which may be None here
        tags = super(SelectFromModel, self).__sklearn_tags__()
        estimator_tags = get_tags(self._get_estimator())
        tags.input_tags.sparse = estimator_tags.input_tags.sparse
        tags.input_tags.allow_nan = estimator_tags.input_tags.allow_nan
        tags.target_tags.required = (
            not self.prefit and estimator_tags.target_tags.required
        )
        return tags
