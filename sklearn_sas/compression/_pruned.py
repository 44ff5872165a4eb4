"""The pruned mean network, a sparse classifier."""

import copy

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils import gen_batches

from .._sampled import ConcreteNetwork
from .._utils import sas_network
from ._masks import pruning_masks


class PrunedNetwork(ConcreteNetwork):
    """The mean network of a spike-and-slab model with connections pruned.

    Built by :func:`prune`. Each layer's weights are the mean weights
    ``mu = m (1 - pi)`` with the ``1 / sqrt(N_l)`` scale folded in, zero
    where the mask drops the connection, stored as ``scipy.sparse`` CSR
    matrices; prediction uses sparse products, except for a layer kept at
    20% density or more, which a dense product multiplies faster. A fitted
    scikit-learn classifier, picklable; ``fit`` raises.

    Attributes
    ----------
    coefs_ : list of scipy.sparse.csr_array of shape (N_l, N_{l+1})
        Pruned weights, so that ``z = h @ coefs_[l] + intercepts_[l]``.

    intercepts_ : list of ndarray of shape (N_{l+1},)
        Biases.

    masks_ : PruningMasks
        The keep-masks applied.

    n_kept_ : int
        Number of connections kept.

    sparsity_ : float
        Fraction of connections dropped.

    compression_ratio_ : float
        Dense connection count over kept count (``inf`` when none is kept).

    classes_, n_features_in_, feature_names_in_, n_layers_, n_outputs_
        As in the model it comes from.

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
    """

    _made_by = "sklearn_sas.compression.prune()"
    # scipy's sparse products run on one thread and copy their dense operand:
    # a layer at least this dense is multiplied as a dense array, and rows go
    # in chunks small enough to stay in cache (benchmarks/bench_compression.py)
    _dense_from = 0.2
    _chunk = 1024

    def _inference_weights(self):
        return [
            w.toarray() if w.nnz >= self._dense_from * w.shape[0] * w.shape[1] else w
            for w in self.coefs_
        ]

    def _row_chunks(self, shape):
        return gen_batches(shape[0], self._chunk)

    @classmethod
    def _from_masks(cls, parent, masks):
        net = cls()
        net._take_parent_attributes(parent)
        net.masks_ = masks
        net.coefs_ = []
        for m, pi, mask in zip(parent.slab_means_, parent.spike_probs_, masks):
            weights = m * (1 - pi) * np.asarray(m.shape[0] ** -0.5, m.dtype)
            net.coefs_.append(sp.csr_array(np.where(mask, weights, 0).astype(m.dtype)))
        total = sum(mask.size for mask in masks)
        net.n_kept_ = sum(int(mask.sum()) for mask in masks)
        net.sparsity_ = 1.0 - net.n_kept_ / total
        net.compression_ratio_ = total / net.n_kept_ if net.n_kept_ else np.inf
        return net


def prune(estimator, **pruning):
    """Prune a fitted spike-and-slab network into a sparse classifier.

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.
    **pruning : dict
        Options of :func:`pruning_masks` (``rule``, ``threshold``,
        ``sparsity``, ``scope``, ``score``, ``pi_tol``, ``xi_tol``,
        ``m_tol``).

    Returns
    -------
    network : PrunedNetwork or Pipeline
        The pruned network; for a ``Pipeline``, a new ``Pipeline`` with
        copies of its fitted steps and the pruned network as final step, so
        it predicts from the same input.
    """
    network, preprocess = sas_network(estimator)
    pruned = PrunedNetwork._from_masks(network, pruning_masks(network, **pruning))
    if not isinstance(estimator, Pipeline):
        return pruned
    # copies, so refitting the original pipeline leaves this one as it is
    steps = copy.deepcopy(estimator.steps[:-1])
    return Pipeline([*steps, (estimator.steps[-1][0], pruned)])
