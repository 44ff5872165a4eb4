"""The pruned mean network, a sparse classifier or regressor."""

import numpy as np
import scipy.sparse as sp
from sklearn.base import ClassifierMixin, RegressorMixin, is_regressor
from sklearn.utils import gen_batches

from .._activations import activate
from .._network import NetworkPredictMixin, RegressionPredictMixin
from .._sampled import ConcreteNetwork
from .._sas import mean_weights
from .._utils import in_place_of_network, sas_network
from ._masks import pruning_masks


class _PrunedMixin:
    """The storage and construction of a pruned mean network, whatever its
    output (see :class:`PrunedNetwork`)."""

    # scipy's sparse products run on one thread and copy their dense operand,
    # so CSR beats a dense product only at a few percent density (the
    # crossover is section 5 of benchmarks/output/bench_compression.txt): a
    # layer at least this dense is stored dense. Rows go in chunks small
    # enough to stay in cache. PrunedNetwork's docstring quotes the 3%.
    _dense_from = 0.03
    _chunk = 1024

    def _row_chunks(self, shape):
        return gen_batches(shape[0], self._chunk)

    def _layer_masks(self):
        """Keep-masks of the stored layers: ``masks_`` restricted to the
        hidden units kept (inputs and outputs are never removed)."""
        units = [slice(None), *self._kept_units, slice(None)]
        return [
            mask[rows][:, cols]
            for mask, rows, cols in zip(self.masks_, units[:-1], units[1:])
        ]

    @classmethod
    def _stored(cls, weights):
        """``weights`` as the product runs faster on: dense or CSR."""
        # a layer left without units has no density (0 / 0): dense, as
        # there is nothing to multiply
        if not weights.size or (
            np.count_nonzero(weights) >= cls._dense_from * weights.size
        ):
            return weights
        return sp.csr_array(weights)

    @classmethod
    def _from_masks(cls, parent, masks, drop_dead_units=False):
        net = cls()
        net._take_parent_attributes(parent)
        net.masks_ = masks
        weights = []
        for m, pi, mask in zip(parent.slab_means_, parent.spike_probs_, masks):
            weights.append(np.where(mask, mean_weights(m, pi), 0).astype(m.dtype))
        net._kept_units = [np.arange(w.shape[1]) for w in weights[:-1]]
        if drop_dead_units:
            live = list(masks)
            net._kept_units = _drop_dead_units(
                weights, net.intercepts_, live, net.activation_
            )
        net.coefs_ = [cls._stored(w) for w in weights]
        net.hidden_layer_sizes_ = tuple(w.shape[1] for w in weights[:-1])
        total = sum(mask.size for mask in masks)
        net.n_kept_ = sum(int(mask.sum()) for mask in masks)
        net.sparsity_ = 1.0 - net.n_kept_ / total
        net.compression_ratio_ = total / net.n_kept_ if net.n_kept_ else np.inf
        return net


class PrunedNetwork(
    ClassifierMixin, NetworkPredictMixin, _PrunedMixin, ConcreteNetwork
):
    """The mean network of a spike-and-slab classifier with connections
    pruned.

    Built by :func:`prune`. Each layer's weights are the mean weights
    ``mu = m (1 - pi)`` with the ``1 / sqrt(N_l)`` scale folded in, zero
    where the mask drops the connection. A layer is stored as a dense array
    when at least 3% of its weights are nonzero, which a dense product
    multiplies faster, and as a ``scipy.sparse`` CSR array otherwise,
    decided once, when the network is built. With ``drop_dead_units`` the
    hidden units that no longer compute anything are removed, so the layers
    shrink. A fitted scikit-learn classifier, picklable; ``fit`` raises.
    A :class:`~sklearn_sas.SaSMLPRegressor` prunes into a
    :class:`PrunedNetworkRegressor` instead.

    Attributes
    ----------
    coefs_ : list of {ndarray, scipy.sparse.csr_array} of shape (N_l, N_{l+1})
        Pruned weights, so that ``z = h @ coefs_[l] + intercepts_[l]``; the
        widths are those of ``hidden_layer_sizes_``.

    intercepts_ : list of ndarray of shape (N_{l+1},)
        Biases; with ``drop_dead_units``, the constant output of every
        removed unit that had no input is folded into the next layer's.

    hidden_layer_sizes_ : tuple of int
        Widths of the hidden layers as stored: the model's widths, less the
        units ``drop_dead_units`` removed (a width can be 0; the network
        then predicts the same probabilities for every input).

    masks_ : PruningMasks
        The keep-masks applied, shaped like the model's layers (full width,
        whatever ``drop_dead_units`` removed).

    n_kept_ : int
        Number of connections the masks keep (connections of removed units
        included).

    sparsity_ : float
        Fraction of connections the masks drop.

    compression_ratio_ : float
        Dense connection count over ``n_kept_`` (``inf`` when none is kept).

    classes_, n_features_in_, feature_names_in_, n_layers_, n_outputs_
        As in the model it comes from.

    See Also
    --------
    prune : Build a PrunedNetwork.
    PrunedNetworkRegressor : The pruned network of a regressor.
    PrunedNetwork.to_mlp : The network as a scikit-learn ``MLPClassifier``.
    PrunedNetwork.to_torch : The network as a PyTorch module.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import prune
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> pruned = prune(clf, rule="sparsity", sparsity=0.8)
    >>> round(pruned.compression_ratio_, 1)
    5.0
    >>> pruned.hidden_layer_sizes_
    (32,)
    """

    _made_by = "sklearn_sas.compression.prune()"


class PrunedNetworkRegressor(
    RegressorMixin, RegressionPredictMixin, _PrunedMixin, ConcreteNetwork
):
    """The mean network of a spike-and-slab regressor with connections
    pruned.

    Built by :func:`prune` from a fitted
    :class:`~sklearn_sas.SaSMLPRegressor`, stored and reduced as
    :class:`PrunedNetwork` is from a classifier. A fitted scikit-learn
    regressor: ``predict`` is the pruned mean network's output (what the
    model's ``predict`` with ``inference="mean"`` returns when nothing is
    pruned), ``score`` its R^2; picklable; ``fit`` raises.

    Attributes
    ----------
    coefs_ : list of {ndarray, scipy.sparse.csr_array} of shape (N_l, N_{l+1})
        Pruned weights, so that ``z = h @ coefs_[l] + intercepts_[l]``.

    intercepts_ : list of ndarray of shape (N_{l+1},)
        Biases, with the constant output of removed units folded in.

    hidden_layer_sizes_ : tuple of int
        Widths of the hidden layers as stored.

    masks_ : PruningMasks
        The keep-masks applied, shaped like the model's layers.

    n_kept_ : int
        Number of connections the masks keep.

    sparsity_ : float
        Fraction of connections the masks drop.

    compression_ratio_ : float
        Dense connection count over ``n_kept_`` (``inf`` when none is kept).

    out_activation_ : str
        ``"identity"``, or ``"exp"`` for ``loss="poisson"``.

    n_features_in_, feature_names_in_, n_layers_, n_outputs_
        As in the model it comes from.

    See Also
    --------
    prune : Build a PrunedNetworkRegressor.
    PrunedNetwork : The pruned network of a classifier.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn_sas import SaSMLPRegressor
    >>> from sklearn_sas.compression import prune
    >>> X, y = make_friedman1(n_samples=200, random_state=0)
    >>> reg = SaSMLPRegressor((8,), max_iter=5, random_state=0).fit(X, y)
    >>> pruned = prune(reg, rule="sparsity", sparsity=0.5)
    >>> round(pruned.compression_ratio_, 1)
    2.0
    >>> pruned.predict(X[:3]).shape
    (3,)
    """

    _made_by = "sklearn_sas.compression.prune()"


def _drop_dead_units(weights, intercepts, masks, activation="relu"):
    """Remove, in place, the hidden units that compute nothing.

    A unit with no kept input outputs the constant ``f(b_j)`` (``f`` the
    ``activation``): its contribution ``f(b_j) * W_next[j, :]`` joins the next layer's
    intercepts. A unit with no kept output influences nothing. Removing a
    unit removes connections of its neighbours, which can leave them dead
    in turn, in either direction, so the sweep repeats until nothing
    changes. ``weights`` (zero where masked), ``intercepts`` and ``masks``
    are lists, one entry per layer, replaced by the reduced arrays.

    Returns the indices of the kept units of every hidden layer.
    """
    kept = [np.arange(w.shape[1]) for w in weights[:-1]]
    changed = True
    while changed:
        changed = False
        # hidden layer k sits between weights[k - 1] (in) and weights[k] (out)
        for k in range(1, len(weights)):
            no_input = ~masks[k - 1].any(axis=0)
            keep = ~no_input & masks[k].any(axis=1)
            if keep.all():
                continue
            # dropped weights are zero: a unit without outputs folds nothing.
            # Summed in float64 and rounded once to the network's dtype
            constant = activate(
                activation, intercepts[k - 1][no_input].astype(np.float64)
            )
            folded = intercepts[k] + constant @ weights[k][no_input]
            intercepts[k] = folded.astype(intercepts[k].dtype)
            weights[k - 1] = weights[k - 1][:, keep]
            masks[k - 1] = masks[k - 1][:, keep]
            weights[k], masks[k] = weights[k][keep], masks[k][keep]
            intercepts[k - 1] = intercepts[k - 1][keep]
            kept[k - 1] = kept[k - 1][keep]
            changed = True
    return kept


def prune(estimator, *, drop_dead_units=False, **pruning):
    """Prune a fitted spike-and-slab network into a sparse classifier or
    regressor.

    Parameters
    ----------
    estimator : SaSMLPClassifier, SaSMLPRegressor or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.

    drop_dead_units : bool, default=False
        Also remove the hidden units left without any kept incoming
        connection (their constant output ``f(b)`` is folded into the
        next layer's intercepts) or without any kept outgoing connection,
        repeatedly, until none is left; the predictions stay the same (to
        float tolerance), the layers get narrower. Input features and
        output units are never removed. A hidden layer can lose all its
        units: the network then predicts the same for every input.

    **pruning : dict
        Options of :func:`pruning_masks` (``rule``, ``threshold``,
        ``sparsity``, ``scope``, ``score``, ``pi_tol``, ``xi_tol``,
        ``m_tol``), checked as it checks them: an option that the rule does
        not use (``sparsity`` without ``rule="sparsity"``, ...) raises a
        ``ValueError``.

    Returns
    -------
    network : PrunedNetwork, PrunedNetworkRegressor or Pipeline
        The pruned network (a :class:`PrunedNetworkRegressor` for a
        regressor, whose ``predict`` at ``sparsity=0`` is the model's with
        ``inference="mean"``); for a ``Pipeline``, a new ``Pipeline`` with
        copies of its fitted steps and the pruned network as final step, so
        it predicts from the same input, and the same settings (``memory``,
        ``verbose``, ...).

    Raises
    ------
    TypeError
        When ``drop_dead_units`` is not a bool, or ``estimator`` is not a
        fitted spike-and-slab network.
    ValueError
        When the pruning options are invalid, or one of them is not used by
        the rule.

    See Also
    --------
    pruning_masks : The keep-masks applied.
    PrunedNetwork.to_mlp : The network as a scikit-learn ``MLPClassifier``.
    PrunedNetwork.to_torch : The network as a PyTorch module.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import prune
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> pruned = prune(clf, rule="sparsity", sparsity=1.0, drop_dead_units=True)
    >>> pruned.hidden_layer_sizes_
    (0,)
    >>> sparse = prune(clf, rule="sparsity", sparsity=0.95)
    >>> small = prune(clf, rule="sparsity", sparsity=0.95, drop_dead_units=True)
    >>> small.hidden_layer_sizes_[0] < sparse.hidden_layer_sizes_[0]
    True
    >>> np.allclose(small.predict_proba(X), sparse.predict_proba(X), atol=1e-5)
    True
    """
    if not isinstance(drop_dead_units, (bool, np.bool_)):
        raise TypeError(
            f"drop_dead_units must be True or False; got {drop_dead_units!r}."
        )
    network, preprocess = sas_network(estimator)
    masks = pruning_masks(network, **pruning)
    family = PrunedNetworkRegressor if is_regressor(network) else PrunedNetwork
    pruned = family._from_masks(network, masks, bool(drop_dead_units))
    return in_place_of_network(estimator, pruned)
