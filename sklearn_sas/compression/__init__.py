"""Pruning, fine-tuning and deployment of spike-and-slab networks.

A fitted :class:`SaSMLPClassifier` or :class:`SaSMLPRegressor` says which
connections a deployed network can drop: an unimportant connection
(``pi = 1``, or a slab that is the point mass at zero) is never present.

- :func:`pruning_masks` turns the distribution into keep-masks by one of
  several rules, and :func:`export_masks` / :func:`load_masks` store them for
  other frameworks (PyTorch's ``torch.nn.utils.prune.custom_from_mask``
  included);
- :func:`fine_tune` retrains a network with connections removed (prune,
  retrain, repeat);
- :func:`prune` builds a :class:`PrunedNetwork` (a
  :class:`PrunedNetworkRegressor` from a regressor), a classifier with sparse
  or structurally smaller layers that exports to ``MLPClassifier`` (an
  ``MLPRegressor``; through either to ONNX) and to PyTorch;
  :func:`export_network` writes one as plain NumPy arrays;
- :func:`sparsity_curve` and :class:`SparsityCurveDisplay` show the score
  (accuracy, or R^2 for a regressor) against sparsity, to choose an
  operating point.
"""

from ._archive import export_masks, export_network, load_masks
from ._fine_tune import fine_tune
from ._masks import PruningMasks, connection_scores, pruning_masks
from ._plot import SparsityCurveDisplay
from ._pruned import PrunedNetwork, PrunedNetworkRegressor, prune
from ._sparsity_curve import sparsity_curve

__all__ = [
    "PruningMasks",
    "PrunedNetwork",
    "PrunedNetworkRegressor",
    "SparsityCurveDisplay",
    "connection_scores",
    "export_masks",
    "export_network",
    "fine_tune",
    "load_masks",
    "prune",
    "pruning_masks",
    "sparsity_curve",
]
