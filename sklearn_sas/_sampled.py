"""Concrete networks derived from a fitted SaSMLPClassifier."""

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._doc_link import DocLinkMixin
from ._forward import forward
from ._network import NetworkPredictMixin
from ._sas import effective_weights
from ._utils import (
    check_finite_output,
    row_chunks,
    take_rows,
    validate_prediction_input,
)


class ConcreteNetwork(
    DocLinkMixin, ClassifierMixin, NetworkPredictMixin, BaseEstimator
):
    """Base of the fixed networks derived from a fitted model.

    Subclasses are built by a class method from a fitted
    :class:`SaSMLPClassifier` and set ``coefs_`` (the ``1 / sqrt(N_l)`` scale
    folded in, dense or scipy sparse), ``intercepts_``, ``masks_`` and the
    parent's ``classes_``, ``n_features_in_`` and ``feature_names_in_``; this
    class predicts with them and exports them (:meth:`to_mlp`,
    :meth:`to_torch`). ``_made_by`` names how users obtain one.
    """

    _made_by = ""

    def _take_parent_attributes(self, parent):
        self.intercepts_ = [b.copy() for b in parent.intercepts_]
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
            f"A {type(self).__name__} is made from a fitted SaSMLPClassifier by "
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
        """The network as a fitted scikit-learn ``MLPClassifier``.

        The classifier has ``activation="relu"``, the network's hidden
        widths, and dense copies of its weights and intercepts, in its
        dtype; it predicts the same labels (to float tolerance on near
        ties) and probabilities, and converts to ONNX with ``skl2onnx``.
        For two classes the two softmax outputs become the single logistic
        unit ``MLPClassifier`` uses, with weights ``W[:, 1] - W[:, 0]`` and
        bias ``b[1] - b[0]``: the softmax of two logits is the sigmoid of
        their difference.

        The classifier was not trained by scikit-learn: it has no
        ``loss_``; ``n_iter_ = t_ = 0`` and an empty ``loss_curve_`` are
        the state training starts from, so ``partial_fit`` (or ``fit`` with
        ``warm_start=True``) continues from these weights, every connection
        trainable (pruned ones included); scikit-learn refuses to train a
        hidden layer left with no unit. A plain ``fit`` starts over.

        Returns
        -------
        mlp : sklearn.neural_network.MLPClassifier
            A fitted classifier sharing no array with the network.

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

        A ``torch.nn.Sequential`` of ``torch.nn.Linear`` layers with
        ``torch.nn.ReLU`` between them, as wide as ``coefs_`` (narrower
        after ``prune(..., drop_dead_units=True)``), in the network's dtype
        (float32 or float64). Each ``Linear.weight`` is ``coefs_[l].T``
        (torch stores ``(out, in)``), zero where a connection is absent.
        The module ends with the last ``Linear``: it returns logits, with no
        softmax, so ``torch.softmax(module(x), dim=1)`` gives
        ``predict_proba`` and ``torch.nn.CrossEntropyLoss`` takes its output
        as it is. PyTorch is imported here only; it is not a dependency of
        this package.

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
        to_mlp : The network as a scikit-learn ``MLPClassifier``.
        """
        from ._export import to_torch

        check_is_fitted(self)
        return to_torch(self, masks)


class SampledNetwork(ConcreteNetwork):
    """A concrete ReLU network sampled from a spike-and-slab network.

    Drawn by :meth:`SaSMLPClassifier.sample_network` (or
    :meth:`~SaSMLPClassifier.sample_networks`): every connection is present
    with probability ``1 - pi`` and then has the weight
    ``m + sqrt(xi) * Normal(0, 1)``. It is an ordinary fitted classifier —
    ``predict``, ``predict_proba``, ``score``, picklable, usable wherever
    scikit-learn takes a fitted classifier — but it is not fitted itself:
    ``fit`` raises, and a clone has no network.

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
