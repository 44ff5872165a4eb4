"""Concrete networks derived from a fitted spike-and-slab network: a
classifier from a SaSMLPClassifier, a regressor from a SaSMLPRegressor."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, is_regressor
from sklearn.utils.validation import check_is_fitted

from ._doc_link import DocLinkMixin
from ._forward import forward
from ._network import NetworkPredictMixin, RegressionPredictMixin
from ._sas import effective_weights
from ._utils import (
    check_finite_output,
    row_chunks,
    take_rows,
    validate_prediction_input,
)


class ConcreteNetwork(DocLinkMixin, BaseEstimator):
    """Base of the fixed networks derived from a fitted model.

    Subclasses are built by a class method from a fitted
    :class:`SaSMLPClassifier` or :class:`SaSMLPRegressor` and set ``coefs_``
    (the ``1 / sqrt(N_l)`` scale folded in, dense or scipy sparse),
    ``intercepts_``, ``masks_`` and the parent's ``n_features_in_``,
    ``feature_names_in_`` and, for a classifier, ``classes_``; this class
    computes their logits and exports them (:meth:`to_mlp`,
    :meth:`to_torch`); the output mixin of a subclass predicts from the
    logits (:class:`NetworkPredictMixin` for a classifier,
    :class:`RegressionPredictMixin` for a regressor). ``_made_by`` names how
    users obtain one.
    """

    _made_by = ""

    def _take_parent_attributes(self, parent):
        self.intercepts_ = [b.copy() for b in parent.intercepts_]
        if hasattr(parent, "classes_"):
            self.classes_ = parent.classes_
        self.n_features_in_ = parent.n_features_in_
        if hasattr(parent, "feature_names_in_"):
            self.feature_names_in_ = parent.feature_names_in_
        self.n_layers_ = parent.n_layers_
        self.n_outputs_ = parent.n_outputs_
        self.activation_ = parent.activation
        self.out_activation_ = parent.out_activation_

    def fit(self, X, y=None):
        """Not available: the network comes from a fitted model.

        Raises
        ------
        TypeError
            Always.
        """
        raise TypeError(
            f"A {type(self).__name__} is made from a fitted spike-and-slab network by "
            f"{self._made_by}; it cannot be fitted itself."
        )

    def _logits(self, X):
        dtype = self.coefs_[0].dtype
        X = validate_prediction_input(self, X, dtype)
        coefs = self._inference_weights()
        out = np.empty((X.shape[0], self.n_outputs_), dtype=dtype)
        for rows in self._row_chunks(X.shape):
            part = take_rows(X, rows, out.dtype)
            out[rows] = forward(
                part, coefs, self.intercepts_, scaled=False, activation=self.activation_
            )
        return check_finite_output(out, dtype)

    def _inference_weights(self):
        """The weights the forward pass multiplies by."""
        return self.coefs_

    def _layer_masks(self):
        """Keep-masks shaped like ``coefs_`` (True = connection present)."""
        return list(self.masks_)

    def _row_chunks(self, shape):
        """Row slices of an input of ``shape`` to predict at once."""
        widths = shape[1] + sum(w.shape[1] for w in self.coefs_)
        itemsize = np.dtype(self.coefs_[0].dtype).itemsize
        return row_chunks(shape[0], 4 * itemsize * widths)

    def to_mlp(self):
        """The network as a fitted scikit-learn ``MLPClassifier`` or
        ``MLPRegressor``.

        The MLP has the network's ``activation``, hidden widths, and dense
        copies of its weights and intercepts, in its dtype; it predicts what
        the network predicts (labels to float tolerance on near ties,
        probabilities and values to float tolerance) and converts to ONNX
        with ``skl2onnx``.

        A classifier's network becomes an ``MLPClassifier``. For two classes
        the two softmax outputs become the single logistic unit
        ``MLPClassifier`` uses, with weights ``W[:, 1] - W[:, 0]`` and bias
        ``b[1] - b[0]``: the softmax of two logits is the sigmoid of their
        difference.

        A regressor's network becomes an ``MLPRegressor`` of the same
        ``loss``: the identity output of ``"squared_error"``, or the ``exp``
        output of ``loss="poisson"`` (``MLPRegressor(loss="poisson")``
        predicts ``exp`` of its last layer, as the network does). skl2onnx
        1.20 converts the identity output only: it has no ``exp`` output
        activation.

        The MLP was not trained by scikit-learn: it has no ``loss_``;
        ``n_iter_ = t_ = 0`` and an empty ``loss_curve_`` are the state
        training starts from, so ``partial_fit`` (or ``fit`` with
        ``warm_start=True``) continues from these weights, every connection
        trainable (pruned ones included); scikit-learn refuses to train a
        hidden layer left with no unit. A plain ``fit`` starts over.

        Returns
        -------
        mlp : sklearn.neural_network.MLPClassifier or MLPRegressor
            A fitted MLP sharing no array with the network.

        Raises
        ------
        ValueError
            For a classifier of a single class, which ``MLPClassifier``
            answers with no network.

        See Also
        --------
        to_torch : The network as a PyTorch module.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SaSMLPClassifier((16,), max_iter=10, random_state=0).fit(X, y)
        >>> net = clf.sample_network(random_state=0)
        >>> mlp = net.to_mlp()
        >>> mlp.hidden_layer_sizes, mlp.out_activation_
        ((16,), 'softmax')
        >>> bool((mlp.predict(X[:50]) == net.predict(X[:50])).all())
        True
        """
        from ._export import to_mlp

        check_is_fitted(self)
        return to_mlp(self)

    def to_torch(self, masks=False):
        """The network as a PyTorch module returning logits.

        A ``torch.nn.Sequential`` of ``torch.nn.Linear`` layers with the
        hidden activation (``torch.nn.ReLU``, ...) between them, as wide as
        ``coefs_`` (narrower after ``prune(..., drop_dead_units=True)``), in
        the network's dtype (float32 or float64). Each ``Linear.weight`` is
        ``coefs_[l].T`` (torch stores ``(out, in)``), zero where a
        connection is absent. The module ends with the last ``Linear``: it
        returns logits, with no output activation. For a classifier,
        ``torch.softmax(module(x), dim=1)`` gives ``predict_proba`` and
        ``torch.nn.CrossEntropyLoss`` takes the output as it is; for a
        regressor the output is ``predict``'s values (a column per output),
        or their logarithm for ``loss="poisson"``, which
        ``torch.nn.PoissonNLLLoss(log_input=True)`` takes as it is. PyTorch
        is imported here only; it is not a dependency of this package.

        Parameters
        ----------
        masks : bool, default=False
            Attach the keep-masks to every layer with
            ``torch.nn.utils.prune.custom_from_mask``, so absent connections
            stay zero when training continues in PyTorch (``weight`` then
            derives from the parameter ``weight_orig`` and the buffer
            ``weight_mask``). Off by default: plain ``Linear`` layers save,
            script and export like any other.

        Returns
        -------
        module : torch.nn.Sequential
            A new module sharing no memory with the network.

        Raises
        ------
        TypeError
            When ``masks`` is not a bool.
        ImportError
            When PyTorch is not installed.

        See Also
        --------
        to_mlp : The network as a scikit-learn ``MLPClassifier`` or
            ``MLPRegressor``.
        """
        from ._export import to_torch

        check_is_fitted(self)
        return to_torch(self, masks)


class _SampledMixin:
    """The construction of a network sampled from a fitted model."""

    @classmethod
    def _from_sample(cls, parent, weights, masks):
        """A fitted network from sampled ``weights`` (unscaled) of ``parent``."""
        net = cls()
        net._take_parent_attributes(parent)
        net.coefs_ = [effective_weights(w) for w in weights]
        net.masks_ = masks
        kept = sum(int(mask.sum()) for mask in masks)
        net.sparsity_ = 1.0 - kept / sum(mask.size for mask in masks)
        return net


class SampledNetwork(
    ClassifierMixin, NetworkPredictMixin, _SampledMixin, ConcreteNetwork
):
    """A concrete network sampled from a spike-and-slab classifier.

    Drawn by :meth:`SaSMLPClassifier.sample_network` (or
    :meth:`~SaSMLPClassifier.sample_networks`): every connection is present
    with probability ``1 - pi`` and then has the weight
    ``m + sqrt(xi) * Normal(0, 1)``. It is an ordinary fitted classifier —
    ``predict``, ``predict_proba``, ``score``, picklable, usable wherever
    scikit-learn takes a fitted classifier — but it is not fitted itself:
    ``fit`` raises, and a clone has no network. A :class:`SaSMLPRegressor`
    draws a :class:`SampledNetworkRegressor` instead.

    Attributes
    ----------
    coefs_ : list of ndarray of shape (N_l, N_{l+1})
        Weights with the ``1 / sqrt(N_l)`` scale of the forward pass folded
        in, so that ``z = h @ coefs_[l] + intercepts_[l]``; zero where a
        connection is absent.

    intercepts_ : list of ndarray of shape (N_{l+1},)
        Biases (zeros for a network fitted without intercepts).

    masks_ : list of ndarray of bool of shape (N_l, N_{l+1})
        True where a connection is present.

    sparsity_ : float
        Fraction of all connections that are absent.

    classes_ : ndarray of shape (n_classes,)
        Class labels.

    n_features_in_ : int
        Number of input features.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Input feature names, when the parent model saw them.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier(hidden_layer_sizes=(32,), max_iter=20,
    ...                        random_state=0).fit(X, y)
    >>> net = clf.sample_network(random_state=0)
    >>> [w.shape for w in net.coefs_]
    [(64, 32), (32, 10)]
    >>> net.predict(X[:3]).shape
    (3,)
    """

    _made_by = "SaSMLPClassifier.sample_network() or sample_networks()"


class SampledNetworkRegressor(
    RegressorMixin, RegressionPredictMixin, _SampledMixin, ConcreteNetwork
):
    """A concrete network sampled from a spike-and-slab regressor.

    Drawn by :meth:`SaSMLPRegressor.sample_network` (or
    :meth:`~SaSMLPRegressor.sample_networks`) as :class:`SampledNetwork` is
    from a classifier: every connection is present with probability
    ``1 - pi`` and then has the weight ``m + sqrt(xi) * Normal(0, 1)``. An
    ordinary fitted regressor — ``predict`` (the output of this one network,
    with no predictive std), ``score`` (R^2), picklable — but not fitted
    itself: ``fit`` raises, and a clone has no network.

    Attributes
    ----------
    coefs_, intercepts_, masks_, sparsity_ : list of ndarray, float
        The sampled network, as in :class:`SampledNetwork`.

    out_activation_ : str
        ``"identity"``, or ``"exp"`` for ``loss="poisson"``.

    n_features_in_, feature_names_in_, n_layers_, n_outputs_
        As in the model it comes from.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn_sas import SaSMLPRegressor
    >>> X, y = make_friedman1(n_samples=200, random_state=0)
    >>> reg = SaSMLPRegressor((8,), max_iter=5, random_state=0).fit(X, y)
    >>> net = reg.sample_network(random_state=0)
    >>> [w.shape for w in net.coefs_]
    [(10, 8), (8, 1)]
    >>> net.predict(X[:3]).shape
    (3,)
    """

    _made_by = "SaSMLPRegressor.sample_network() or sample_networks()"


def sampled_network(parent, weights, masks):
    """The concrete network of sampled ``weights`` (unscaled) and ``masks``
    of ``parent``: a :class:`SampledNetworkRegressor` for a regressor, else
    a :class:`SampledNetwork`."""
    family = SampledNetworkRegressor if is_regressor(parent) else SampledNetwork
    return family._from_sample(parent, weights, masks)
