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

import copy
import json
import zipfile
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils import gen_batches
from sklearn.utils._param_validation import (
    Interval,
    StrOptions,
    validate_params,
)

from ._sampled import ConcreteNetwork
from ._sas import credit_masks
from ._utils import fitted_distribution, sas_network

__all__ = [
    "PruningMasks",
    "PrunedNetwork",
    "export_masks",
    "export_network",
    "load_masks",
    "prune",
    "pruning_masks",
]

_FORMAT = "sklearn_sas.masks"
_NETWORK_FORMAT = "sklearn_sas.network"
_FORMAT_VERSION = 1


class PruningMasks(list):
    """Boolean keep-masks, one per layer, with how they were made.

    A plain ``list`` of arrays of shape ``(N_l, N_{l+1})`` (True = keep), so
    it goes wherever a list of masks does; ``info`` records the rule and its
    parameters for :func:`export_masks`.

    Attributes
    ----------
    info : dict
        ``rule`` and its parameters (``threshold``, ``sparsity``, ``scope``,
        ``score``, ``pi_tol``, ``xi_tol``, ``m_tol``), where known.
    """

    def __init__(self, masks, info=None):
        super().__init__(masks)
        self.info = dict(info or {})

    @property
    def sparsity(self):
        """Fraction of all connections dropped."""
        kept = sum(int(mask.sum()) for mask in self)
        return 1.0 - kept / sum(mask.size for mask in self)


def connection_scores(estimator, score="magnitude"):
    """How much each connection is worth keeping, per layer (larger = keep).

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.
    score : {"magnitude", "snr", "spike"}, default="magnitude"
        ``"magnitude"``: ``(1 - pi) |m|``, the magnitude of the connection's
        mean weight. ``"snr"``: ``|mu| / sqrt(var)``, the signal-to-noise
        ratio of the weight (infinite for deterministic connections).
        ``"spike"``: ``1 - pi`` alone.

    Returns
    -------
    scores : list of ndarray of float64, shaped like ``spike_probs_``
    """
    slab_means, spike_probs, slab_vars = fitted_distribution(estimator)
    scores = []
    for m, pi, xi in zip(slab_means, spike_probs, slab_vars):
        m, pi, xi = (np.asarray(a, dtype=np.float64) for a in (m, pi, xi))
        mean = np.abs(m * (1 - pi))
        if score == "magnitude":
            scores.append(mean)
        elif score == "snr":
            std = np.sqrt((1 - pi) * (xi + pi * m * m))
            with np.errstate(divide="ignore", invalid="ignore"):
                snr = np.where(std > 0, mean / std, np.where(mean > 0, np.inf, 0.0))
            scores.append(snr)
        else:
            scores.append(1 - pi)
    return scores


def _keep_best(scores, n_drop):
    """Boolean keep-mask dropping exactly the ``n_drop`` lowest ``scores``
    (ties broken by position, so the count is exact)."""
    flat = np.concatenate([s.ravel() for s in scores])
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[:n_drop]] = False
    out, start = [], 0
    for s in scores:
        out.append(keep[start : start + s.size].reshape(s.shape))
        start += s.size
    return out


@validate_params(
    {
        "estimator": [object],
        "rule": [StrOptions({"uip", "map", "threshold", "sparsity"})],
        "threshold": [Interval(Real, 0, 1, closed="right"), None],
        "sparsity": [Interval(Real, 0, 1, closed="both"), None],
        "scope": [StrOptions({"global", "layer"})],
        "score": [StrOptions({"magnitude", "snr", "spike"})],
        "pi_tol": [Interval(Real, 0, 0.5, closed="left")],
        "xi_tol": [Interval(Real, 0, None, closed="left")],
        "m_tol": [Interval(Real, 0, None, closed="left")],
    },
    prefer_skip_nested_validation=True,
)
def pruning_masks(
    estimator,
    *,
    rule="uip",
    threshold=None,
    sparsity=None,
    scope="global",
    score="magnitude",
    pi_tol=1e-6,
    xi_tol=1e-8,
    m_tol=1e-6,
):
    """Keep-masks of the connections of a fitted spike-and-slab network.

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.

    rule : {"uip", "map", "threshold", "sparsity"}, default="uip"
        - ``"uip"``: drop the unimportant connections, never present in any
          sampled network: ``pi >= 1 - pi_tol``, or ``xi <= xi_tol`` and
          ``|m| <= m_tol`` (a weight that is always zero, whatever ``pi``),
          the UIP class of
          :func:`~sklearn_sas.inspection.credit_assignment`;
        - ``"map"``: keep ``pi < 0.5``, the most probable sub-network;
        - ``"threshold"``: keep ``pi < threshold``;
        - ``"sparsity"``: drop exactly the fraction ``sparsity`` of the
          connections with the lowest ``score``, over all layers together
          (``scope="global"``) or in every layer (``scope="layer"``).

    threshold : float in (0, 1], default=None
        Spike probability from which ``rule="threshold"`` drops.

    sparsity : float in [0, 1], default=None
        Fraction of connections ``rule="sparsity"`` drops.

    scope : {"global", "layer"}, default="global"
        Where ``rule="sparsity"`` ranks connections.

    score : {"magnitude", "snr", "spike"}, default="magnitude"
        Ranking of ``rule="sparsity"``, see :func:`connection_scores`. The
        default, the expected weight magnitude ``(1 - pi)|m|``, kept the most
        accuracy of the package's scores in ``benchmarks/bench_compression.py``
        (its output is stored in ``benchmarks/output/``); ``"snr"`` and
        ``"spike"`` collapse at high sparsity, and the spike probability alone
        ties at ``pi = 0`` for many connections.

    pi_tol : float, default=1e-6
        Tolerance of ``rule="uip"`` on the spike probability, in [0, 0.5).

    xi_tol : float, default=1e-8
        Slab variances at or below it count as zero for ``rule="uip"``.

    m_tol : float, default=1e-6
        Slab means at or below it in magnitude count as zero for
        ``rule="uip"``.

    Returns
    -------
    masks : PruningMasks
        A list of boolean arrays shaped like ``spike_probs_``, True where a
        connection is kept, with the rule recorded in ``masks.info``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import pruning_masks
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> masks = pruning_masks(clf, rule="sparsity", sparsity=0.9)
    >>> round(masks.sparsity, 3)
    0.9
    """
    slab_means, spike_probs, slab_vars = fitted_distribution(estimator)
    tolerances = {"pi_tol": pi_tol, "xi_tol": xi_tol, "m_tol": m_tol}
    info = {"rule": rule, **tolerances}
    if rule == "uip":
        layers = zip(slab_means, spike_probs, slab_vars)
        # credit_masks returns (vip, uip, variable): keep all but the UIP
        masks = [~credit_masks(m, pi, xi, **tolerances)[1] for m, pi, xi in layers]
    elif rule == "map":
        masks = [pi < 0.5 for pi in spike_probs]
    elif rule == "threshold":
        if threshold is None:
            raise ValueError("rule='threshold' needs a threshold in (0, 1].")
        masks = [pi < threshold for pi in spike_probs]
        info["threshold"] = threshold
    else:
        if sparsity is None:
            raise ValueError("rule='sparsity' needs a sparsity in [0, 1].")
        scores = connection_scores(estimator, score)
        if scope == "global":
            n_drop = round(sparsity * sum(s.size for s in scores))
            masks = _keep_best(scores, n_drop)
        else:
            masks = [_keep_best([s], round(sparsity * s.size))[0] for s in scores]
        info.update(sparsity=sparsity, scope=scope, score=score)
    return PruningMasks([np.asarray(mask, dtype=bool) for mask in masks], info)


def _package_version():
    from . import __version__

    return __version__


@validate_params(
    {
        "estimator_or_masks": [object],
        "path": [object],
        "layout": [StrOptions({"sklearn", "torch"})],
    },
    prefer_skip_nested_validation=True,
)
def export_masks(estimator_or_masks, path, *, layout="sklearn", **pruning):
    """Write pruning masks to one ``.npz`` file.

    The file holds ``mask_0``, ``mask_1``, ... (boolean) and ``metadata``, a
    JSON string with the layer sizes, the rule and its parameters, the
    tolerances, the package version and the layout. It is a plain NumPy
    archive: ``np.load(path)`` reads it anywhere.

    Parameters
    ----------
    estimator_or_masks : SaSMLPClassifier or list of ndarray
        A fitted network (its masks are made by :func:`pruning_masks` with
        the ``pruning`` options), or masks in scikit-learn's layout
        ``(N_l, N_{l+1})``, e.g. from :func:`pruning_masks`.

    path : str or path-like
        Destination file (NumPy adds ``.npz`` when missing).

    layout : {"sklearn", "torch"}, default="sklearn"
        ``"sklearn"`` stores each mask as ``(in_features, out_features)``
        like ``MLPClassifier.coefs_``; ``"torch"`` stores it transposed, as
        ``(out_features, in_features)``, the layout of
        ``torch.nn.Linear.weight`` and of
        ``torch.nn.utils.prune.custom_from_mask``.

    **pruning : dict
        Options of :func:`pruning_masks` when an estimator is given.

    Returns
    -------
    masks : PruningMasks
        The masks written, in scikit-learn's layout.

    See Also
    --------
    load_masks : Read them back.

    Examples
    --------
    >>> import os, tempfile
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import export_masks, load_masks
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> path = os.path.join(tempfile.mkdtemp(), "masks.npz")
    >>> masks = export_masks(clf, path, layout="torch", rule="map")
    >>> [m.shape for m in load_masks(path)]
    [(64, 32), (32, 10)]
    """
    if isinstance(estimator_or_masks, (list, tuple)):
        if pruning:
            raise TypeError(
                "pruning options apply to an estimator, not to given masks: "
                f"{sorted(pruning)}"
            )
        masks = [np.asarray(mask) for mask in estimator_or_masks]
        if not masks or any(m.ndim != 2 or m.dtype != bool for m in masks):
            raise ValueError("masks must be a non-empty list of 2-D boolean arrays.")
        for a, b in zip(masks, masks[1:]):
            if a.shape[1] != b.shape[0]:
                raise ValueError(
                    f"consecutive masks do not chain: {a.shape} then {b.shape}."
                )
        info = getattr(estimator_or_masks, "info", {})
        masks = PruningMasks(masks, info)
    else:
        masks = pruning_masks(estimator_or_masks, **pruning)
    layer_sizes = [masks[0].shape[0]] + [m.shape[1] for m in masks]
    metadata = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "layout": layout,
        "layer_sizes": layer_sizes,
        "n_layers": len(masks),
        "version": _package_version(),
        **masks.info,
    }
    arrays = {
        f"mask_{k}": (mask.T if layout == "torch" else mask)
        for k, mask in enumerate(masks)
    }
    np.savez_compressed(path, metadata=_metadata_entry(metadata), **arrays)
    return masks


def _metadata_entry(metadata):
    """The JSON metadata entry of an archive; numpy scalars among the options
    (``sparsity=np.float32(0.5)``) are stored as Python numbers."""

    def plain(value):
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"{value!r} cannot be stored in the JSON metadata.")

    return np.array(json.dumps(metadata, default=plain))


def _read_archive(path, expected_format):
    """Arrays and metadata of one of our ``.npz`` files, or a clear error."""
    try:
        with np.load(path, allow_pickle=False) as archive:
            contents = {name: archive[name] for name in archive.files}
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as exc:
        raise ValueError(
            f"{path} is not a readable .npz archive (truncated or corrupted?): {exc}"
        ) from exc
    try:
        metadata = json.loads(str(contents.pop("metadata")))
    except (KeyError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} has no sklearn_sas metadata entry.") from exc
    if not isinstance(metadata, dict) or metadata.get("format") != expected_format:
        raise ValueError(
            f"{path} is not a {expected_format} file (its metadata says "
            f"format={metadata.get('format') if isinstance(metadata, dict) else None!r})."
        )
    return contents, metadata


def load_masks(path):
    """Read masks written by :func:`export_masks`.

    Parameters
    ----------
    path : str or path-like
        An ``.npz`` file written by :func:`export_masks`.

    Returns
    -------
    masks : PruningMasks
        The masks in scikit-learn's layout ``(N_l, N_{l+1})`` whatever the
        stored layout, with the stored metadata in ``masks.info``.

    Raises
    ------
    ValueError
        When the file is not ours, is truncated or corrupted, or its arrays
        disagree with its metadata.
    """
    arrays, metadata = _read_archive(path, _FORMAT)
    sizes, layout = metadata.get("layer_sizes"), metadata.get("layout")
    if layout not in ("sklearn", "torch") or not isinstance(sizes, list):
        raise ValueError(f"{path} has incomplete metadata: {metadata}.")
    masks = []
    for k, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        mask = arrays.get(f"mask_{k}")
        expected = (n_out, n_in) if layout == "torch" else (n_in, n_out)
        if mask is None or mask.shape != tuple(expected) or mask.dtype != bool:
            found = None if mask is None else (mask.shape, str(mask.dtype))
            raise ValueError(
                f"{path}: mask_{k} should be a boolean array of shape "
                f"{tuple(expected)} by its metadata, found {found}."
            )
        masks.append(mask.T if layout == "torch" else mask)
    if len(arrays) != len(masks):
        raise ValueError(f"{path} holds arrays its metadata does not describe.")
    info = {key: value for key, value in metadata.items() if key not in ("format",)}
    return PruningMasks(masks, info)


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


def export_network(estimator, path, **pruning):
    """Write a pruned mean network as plain NumPy arrays.

    The ``.npz`` file holds ``coef_0``, ``coef_1``, ... (dense, the mean
    weights with the ``1 / sqrt(N_l)`` scale folded in and the pruned
    connections zeroed, shape ``(N_l, N_{l+1})``), ``intercept_0``, ...,
    ``classes`` and a JSON ``metadata`` entry. Loading needs only NumPy::

        archive = np.load(path)
        h = X
        for k in range(n_layers):
            h = h @ archive[f"coef_{k}"] + archive[f"intercept_{k}"]
            if k < n_layers - 1:
                h = np.maximum(h, 0)
        labels = archive["classes"][h.argmax(axis=1)]

    Parameters
    ----------
    estimator : SaSMLPClassifier
        A fitted spike-and-slab network.
    path : str or path-like
        Destination file.
    **pruning : dict
        Options of :func:`pruning_masks`.

    Returns
    -------
    network : PrunedNetwork
        The network written.
    """
    network = prune(estimator, **pruning)
    metadata = {
        "format": _NETWORK_FORMAT,
        "format_version": _FORMAT_VERSION,
        "n_layers": len(network.coefs_),
        "hidden_activation": "relu",
        "output_activation": "softmax",
        "sparsity": network.sparsity_,
        "version": _package_version(),
        **network.masks_.info,
    }
    arrays = {f"coef_{k}": w.toarray() for k, w in enumerate(network.coefs_)}
    arrays.update({f"intercept_{k}": b for k, b in enumerate(network.intercepts_)})
    classes = network.classes_
    if classes.dtype == object:
        # object arrays would need pickle to load; labels become strings
        classes = classes.astype(str)
    np.savez_compressed(
        path, metadata=_metadata_entry(metadata), classes=classes, **arrays
    )
    return network
