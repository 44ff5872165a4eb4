"""Pruning masks from the learned spike probabilities, their export, and
sparse inference.

A fitted :class:`SaSMLPClassifier` says which connections a deployed
network can drop: an unimportant connection (``pi = 1``, or a slab that is
the point mass at zero) is never present.
:func:`pruning_masks` turns the distribution into keep-masks by one of
several rules, :func:`export_masks` / :func:`load_masks` store them for other
frameworks (PyTorch's ``torch.nn.utils.prune.custom_from_mask`` included),
:func:`export_network` writes a pruned network as plain NumPy arrays, and
:func:`prune` builds a :class:`PrunedNetwork` that predicts with sparse
matrices.
"""

from ._archive import export_masks, export_network, load_masks
from ._masks import PruningMasks, connection_scores, pruning_masks
from ._pruned import PrunedNetwork, prune

__all__ = [
    "PruningMasks",
    "PrunedNetwork",
    "connection_scores",
    "export_masks",
    "export_network",
    "load_masks",
    "prune",
    "pruning_masks",
]
