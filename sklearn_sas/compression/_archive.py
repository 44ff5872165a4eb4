"""Masks and pruned networks as plain NumPy archives: written whole or not
at all, and read back with a clear error for any file that is not ours."""

import contextlib
import io
import json
import os
import zipfile
import zlib

import numpy as np
import scipy.sparse as sp
from sklearn.pipeline import Pipeline
from sklearn.utils._param_validation import StrOptions, validate_params

from .._utils import write_files
from ._masks import PruningMasks, pruning_masks
from ._pruned import prune

_FORMAT = "sklearn_sas.masks"
_NETWORK_FORMAT = "sklearn_sas.network"
_FORMAT_VERSION = 1
# which function writes each format, for the error of a file of the other one
_WRITERS = {_FORMAT: "export_masks", _NETWORK_FORMAT: "export_network"}
# metadata describing how an archive stores its arrays: always that of the
# call writing it, never carried over from the ``info`` of loaded masks
_STRUCTURAL = frozenset(
    {
        "format",
        "format_version",
        "version",
        "layout",
        "layer_sizes",
        "n_layers",
        "hidden_activation",
        "output_activation",
    }
)
# what reading a damaged archive raises, from zipfile, zlib and numpy
_READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    KeyError,
    NotImplementedError,
    OSError,
    ValueError,
)


def _package_version():
    from .. import __version__

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
    estimator_or_masks : SaSMLPClassifier, SaSMLPRegressor or list of ndarray
        A fitted network (its masks are made by :func:`pruning_masks` with
        the ``pruning`` options), or masks in scikit-learn's layout
        ``(N_l, N_{l+1})``, e.g. from :func:`pruning_masks` or
        :func:`load_masks` (which returns that layout whatever the layout of
        the file). Of the ``info`` of given masks, the entries describing
        how they were made (``rule`` and its parameters) are written; the
        entries describing a file (``format``, ``format_version``,
        ``version``, ``layout``, ``layer_sizes``, ``n_layers``) are always
        those of this call.

    path : str, bytes, path-like or binary file object
        Destination file (``.npz`` is added when missing, as NumPy does). The
        archive is written to a temporary file in the same folder, then
        renamed onto ``path``: a failed or interrupted write leaves an
        existing file as it was. An existing file is replaced only where
        ``open(path, "wb")`` could write it: one the user cannot write (a
        ``chmod 444`` file, for a user who cannot override permissions)
        raises ``PermissionError`` before anything is written. A symbolic
        link is followed, and the file it points to replaced. An open file
        object is written to directly.

    layout : {"sklearn", "torch"}, default="sklearn"
        ``"sklearn"`` stores each mask as ``(in_features, out_features)``
        like ``MLPClassifier.coefs_``; ``"torch"`` stores it transposed, as
        ``(out_features, in_features)``, the layout of
        ``torch.nn.Linear.weight`` and of
        ``torch.nn.utils.prune.custom_from_mask``.

    **pruning : dict
        Options of :func:`pruning_masks` when an estimator is given, checked
        as it checks them (an option that the rule does not use raises a
        ``ValueError``) before anything is written.

    Returns
    -------
    masks : PruningMasks
        The masks written, in scikit-learn's layout, whatever ``layout``;
        ``masks.info`` holds how they were made, without the entries
        describing a file.

    Raises
    ------
    ValueError
        When the masks are not 2-D boolean arrays that chain, or a pruning
        option is invalid or not used by the rule.
    TypeError
        When pruning options come with masks, ``masks.info`` holds a value
        the JSON metadata cannot store, or ``path`` is a file object open in
        text mode.
    OSError
        When writing fails; an existing file at ``path`` is left as it was.
        ``PermissionError`` for an existing file the user cannot write and
        ``IsADirectoryError`` for a folder, as ``open(path, "wb")`` raises
        them, checked before anything is written.

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
        # masks from load_masks carry the layout and sizes of the file they
        # came from: written as they are, they would describe the new file
        # wrongly (a square layer silently transposed)
        info = {key: value for key, value in info.items() if key not in _STRUCTURAL}
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
        **{k: v for k, v in masks.info.items() if k not in _STRUCTURAL},
    }
    arrays = {
        f"mask_{k}": (mask.T if layout == "torch" else mask)
        for k, mask in enumerate(masks)
    }
    _write_archive(path, metadata=_metadata_entry(metadata), **arrays)
    return masks


def _metadata_entry(metadata):
    """The JSON metadata entry of an archive; numpy scalars among the options
    (``sparsity=np.float32(0.5)``) are stored as Python numbers."""

    def plain(value):
        if isinstance(value, np.generic):
            return value.item()
        raise TypeError(f"{value!r} cannot be stored in the JSON metadata.")

    return np.array(json.dumps(metadata, default=plain))


def _check_binary(file, mode):
    """Refuse a file object open in text mode, before reading or writing."""
    if isinstance(file, io.TextIOBase):
        raise TypeError(
            f"{_file_name(file)} is open in text mode: a .npz archive is binary, "
            f"open it with mode {mode!r}."
        )


def _write_archive(path, **arrays):
    """Write ``arrays`` to the ``.npz`` file ``path`` whole or not at all."""
    if hasattr(path, "write"):
        _check_binary(path, "wb")
        np.savez_compressed(path, **arrays)
        return
    target = os.fsdecode(path)
    # the name np.savez_compressed(path) would write
    if not target.endswith(".npz"):
        target += ".npz"
    write_files({target: lambda temporary: np.savez_compressed(temporary, **arrays)})


def _file_name(path):
    """``path`` as error messages name it."""
    try:
        return os.fsdecode(path)
    except TypeError:
        return str(getattr(path, "name", path))


def _read_archive(path, expected_format):
    """Arrays and metadata of one of our ``.npz`` files.

    A file that cannot be opened raises the operating system's error (e.g.
    ``FileNotFoundError``), a file object open in text mode a ``TypeError``;
    anything else wrong with it, a ``ValueError`` naming it.
    """
    name = _file_name(path)
    if hasattr(path, "read"):
        _check_binary(path, "rb")
        file = contextlib.nullcontext(path)
    else:
        file = open(os.fspath(path), "rb")
    with file as fid:
        try:
            loaded = np.load(fid, allow_pickle=False)
        except _READ_ERRORS as exc:
            raise ValueError(
                f"{name} is not a readable .npz archive (truncated or corrupted?): "
                f"{exc}"
            ) from exc
        if isinstance(loaded, np.ndarray):
            raise ValueError(
                f"{name} holds a single NumPy array (.npy), not a "
                f"{expected_format} archive (.npz)."
            )
        contents = {}
        with loaded as archive:
            for key in archive.files:
                try:
                    contents[key] = archive[key]
                except _READ_ERRORS as exc:
                    raise ValueError(
                        f"{name} is not a readable .npz archive: its entry {key!r} "
                        f"is corrupted ({exc})."
                    ) from exc
    if "metadata" not in contents:
        raise ValueError(
            f"{name} has no sklearn_sas metadata entry: it is not a "
            f"{expected_format} archive."
        )
    entry, metadata = contents.pop("metadata"), None
    if isinstance(entry, np.ndarray) and entry.ndim == 0 and entry.dtype.kind == "U":
        with contextlib.suppress(json.JSONDecodeError):
            metadata = json.loads(entry.item())
    if not isinstance(metadata, dict):
        raise ValueError(
            f"{name} has an unreadable metadata entry (not a JSON object): it "
            f"is not a {expected_format} archive."
        )
    found = metadata.get("format")
    if found != expected_format:
        writer = _WRITERS.get(found) if isinstance(found, str) else None
        written = f": it is a {found} archive, written by {writer}()" if writer else ""
        raise ValueError(
            f"{name} is not a {expected_format} file (its metadata says "
            f"format={found!r}){written}."
        )
    version = metadata.get("format_version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(
            f"{name} has an invalid format_version {version!r} in its metadata "
            f"(an integer from 1 to {_FORMAT_VERSION} expected)."
        )
    if version > _FORMAT_VERSION:
        raise ValueError(
            f"{name}: format_version {version} is newer than this version of "
            f"sklearn_sas reads ({_FORMAT_VERSION}); upgrade sklearn_sas to read it."
        )
    return contents, metadata


def load_masks(path):
    """Read masks written by :func:`export_masks`.

    Parameters
    ----------
    path : str, bytes, path-like or binary file object
        An ``.npz`` file written by :func:`export_masks`.

    Returns
    -------
    masks : PruningMasks
        The masks in scikit-learn's layout ``(N_l, N_{l+1})`` whatever the
        stored layout (a ``"torch"`` file's masks are transposed back), with
        the stored metadata in ``masks.info``. Its ``layout``,
        ``layer_sizes``, ``n_layers``, ``format_version`` and ``version``
        describe the file read, not the arrays in memory;
        :func:`export_masks` ignores them and writes its own.

    Raises
    ------
    ValueError
        When the file is not a masks archive (a ``.npy`` array, another
        archive, a network from :func:`export_network`), is truncated or
        corrupted, was written by a newer format version, or its arrays
        disagree with its metadata. The message names the file.
    TypeError
        When ``path`` is a file object open in text mode (open it with
        ``"rb"``).
    OSError
        When the file cannot be opened (``FileNotFoundError``, ...).
    """
    arrays, metadata = _read_archive(path, _FORMAT)
    path = _file_name(path)
    sizes, layout = metadata.get("layer_sizes"), metadata.get("layout")
    if layout not in ("sklearn", "torch"):
        raise ValueError(
            f"{path} has an invalid layout {layout!r} in its metadata "
            "('sklearn' or 'torch' expected)."
        )
    if (
        not isinstance(sizes, list)
        or len(sizes) < 2
        or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in sizes)
    ):
        raise ValueError(
            f"{path}: layer_sizes should be a list of at least two positive "
            f"integers in its metadata, found {sizes!r}."
        )
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


def export_network(estimator, path, **pruning):
    """Write a pruned mean network as plain NumPy arrays.

    The ``.npz`` file holds ``coef_0``, ``coef_1``, ... (dense, the mean
    weights with the ``1 / sqrt(N_l)`` scale folded in and the pruned
    connections zeroed, shape ``(N_l, N_{l+1})``), ``intercept_0``, ...,
    for a classifier ``classes``, and a JSON ``metadata`` entry. Loading
    needs only NumPy::

        archive = np.load(path)
        h = X
        for k in range(n_layers):
            h = h @ archive[f"coef_{k}"] + archive[f"intercept_{k}"]
            if k < n_layers - 1:
                h = np.maximum(h, 0)  # the metadata's hidden_activation
        labels = archive["classes"][h.argmax(axis=1)]

    A regressor's archive has no ``classes``: its prediction is ``h``
    itself, or ``np.exp(h)`` when the metadata's ``output_activation`` is
    ``"exp"`` (``loss="poisson"``).

    Parameters
    ----------
    estimator : SaSMLPClassifier or SaSMLPRegressor
        A fitted spike-and-slab network (not a ``Pipeline``: the archive
        holds the network only).
    path : str, bytes, path-like or binary file object
        Destination file, written as by :func:`export_masks`: ``.npz`` is
        added when missing, a failed or interrupted write leaves an
        existing file as it was, and an existing file the user cannot write
        is refused (``PermissionError``) before anything is written.
    **pruning : dict
        Options of :func:`pruning_masks`, checked as it checks them (an
        option that the rule does not use raises a ``ValueError``) before
        anything is written.

    Returns
    -------
    network : PrunedNetwork or PrunedNetworkRegressor
        The network written.

    Raises
    ------
    ValueError
        When a pruning option is invalid or not used by the rule.
    TypeError
        When ``estimator`` is a ``Pipeline``, or ``path`` a file object open
        in text mode.
    OSError
        When writing fails; an existing file at ``path`` is left as it was.
        ``PermissionError`` and ``IsADirectoryError`` as for
        :func:`export_masks`.
    """
    if isinstance(estimator, Pipeline):
        # a silent export of the final step alone would expect transformed input
        raise TypeError(
            "export_network writes the spike-and-slab network only, not the "
            "other steps of a Pipeline: export its final step "
            "(pipeline[-1]) and transform the input with pipeline[:-1]."
        )
    network = prune(estimator, **pruning)
    metadata = {
        "format": _NETWORK_FORMAT,
        "format_version": _FORMAT_VERSION,
        "n_layers": len(network.coefs_),
        "hidden_activation": network.activation_,
        "output_activation": network.out_activation_,
        "sparsity": network.sparsity_,
        "version": _package_version(),
        **{k: v for k, v in network.masks_.info.items() if k not in _STRUCTURAL},
    }
    arrays = {
        f"coef_{k}": w.toarray() if sp.issparse(w) else w
        for k, w in enumerate(network.coefs_)
    }
    arrays.update({f"intercept_{k}": b for k, b in enumerate(network.intercepts_)})
    if hasattr(network, "classes_"):
        # fit turns labels into a numeric or text array, never an object
        # array, which np.load would need pickle to read
        arrays["classes"] = network.classes_
    _write_archive(path, metadata=_metadata_entry(metadata), **arrays)
    return network
