"""Plumbing shared by the estimators."""

import contextlib
import errno
import os
from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn import get_config
from sklearn.utils import check_random_state, gen_batches
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

# the parameter constraints of the credit tolerances (defaults in _sas.py),
# shared by every function and estimator that takes them
TOLERANCE_CONSTRAINTS = {
    "pi_tol": [Interval(Real, 0, 0.5, closed="left")],
    "xi_tol": [Interval(Real, 0, None, closed="left")],
    "m_tol": [Interval(Real, 0, None, closed="left")],
}


def row_chunks(n_rows, row_bytes):
    """Row slices whose working arrays (``row_bytes`` a row) fit in
    scikit-learn's ``working_memory``."""
    budget = get_config()["working_memory"] * 2**20
    return gen_batches(n_rows, max(int(budget // max(row_bytes, 1)), 1))


def zero_columns(X):
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


def spawn_seeds(random_state, n):
    """``n`` independent seeds drawn from ``random_state``.

    Member ``k`` of an ensemble always gets seed ``k``, however the members
    are split over jobs, so the networks drawn do not depend on ``n_jobs``
    (predictions summed over other groupings agree to float tolerance).
    """
    entropy = check_random_state(random_state).randint(np.iinfo(np.int32).max)
    return np.random.SeedSequence(entropy).spawn(n)


def take_rows(X, rows, dtype):
    """Rows of ``X`` (dense or sparse) in ``dtype``.

    Prediction validates ``X`` without converting it and converts one chunk
    of rows at a time, so a large float64 input never gets a full float32
    copy.
    """
    part = X[rows]
    return part.astype(dtype, copy=False) if dtype != part.dtype else part


# what a function that takes a spike-and-slab network says it needs
NETWORK_NAMES = "SaSMLPClassifier or SaSMLPRegressor"


def score_name(network):
    """The name of what ``network.score`` measures: the accuracy of a
    classifier, the R^2 of a regressor."""
    from sklearn.base import is_regressor

    return "R^2" if is_regressor(network) else "accuracy"


def sas_network(estimator):
    """The fitted spike-and-slab network behind ``estimator`` and the steps
    that prepare its input.

    ``estimator`` is a fitted ``SaSMLPClassifier`` or ``SaSMLPRegressor``,
    or a fitted ``Pipeline`` whose final step is one. Returns ``(network,
    preprocess)``: the network, and the pipeline's leading steps (a ``Pipeline``) or
    ``None``, so a function that takes ``(estimator, X)`` can feed the
    network ``preprocess.transform(X)``.

    Any other fitted estimator exposing ``spike_probs_``, ``slab_means_``
    and ``slab_vars_`` is accepted too. Anything else (an
    ``MLPClassifier``, a ``SampledNetwork``) raises a
    ``TypeError`` that says a spike-and-slab network is needed, rather than
    a misleading "not fitted".
    """
    from sklearn.pipeline import Pipeline

    from ._base import BaseSaSNetwork

    preprocess = None
    network = estimator
    if isinstance(estimator, Pipeline):
        network = estimator.steps[-1][1]
        if len(estimator.steps) > 1:
            preprocess = estimator[:-1]
    attributes = ["spike_probs_", "slab_means_", "slab_vars_"]
    # any fitted estimator exposing the three distributions is accepted
    if not isinstance(network, BaseSaSNetwork) and not all(
        hasattr(network, name) for name in attributes
    ):
        what = type(network).__name__
        if network is not estimator:
            what = f"a Pipeline ending in {what}"
        raise TypeError(
            f"needs a fitted {NETWORK_NAMES} or a Pipeline ending in one "
            f"(the spike-and-slab distribution of every connection); got {what}."
        )
    check_is_fitted(network, attributes)
    return network, preprocess


def in_place_of_network(estimator, network):
    """``network`` where ``estimator`` had its spike-and-slab network.

    For a ``Pipeline``, a new ``Pipeline`` with copies of its leading fitted
    steps (so refitting the original leaves this one as it is) and
    ``network`` as final step, under the same name, and the other parameters
    of the original (``memory``, ``verbose``, ...); otherwise ``network``.
    """
    import copy

    from sklearn.pipeline import Pipeline

    if not isinstance(estimator, Pipeline):
        return network
    steps = copy.deepcopy(estimator.steps[:-1])
    # as clone() rebuilds an estimator, from its parameters
    params = estimator.get_params(deep=False)
    params["steps"] = [*steps, (estimator.steps[-1][0], network)]
    return type(estimator)(**params)


def validate_prediction_input(estimator, X, dtype):
    """``X`` validated for prediction by a network computing in ``dtype``.

    float input is converted chunk by chunk later (``take_rows``), not here,
    so values a float64 ``X`` holds beyond the range of a float32 network are
    refused now: converted, they would become infinite and the network would
    answer NaN (``fit`` refuses them too).
    """
    X = validate_data(
        estimator, X, reset=False, accept_sparse="csr", dtype=(np.float32, np.float64)
    )
    dtype = np.dtype(dtype)
    values = X.data if sp.issparse(X) else X
    if values.size and X.dtype.itemsize > dtype.itemsize:
        limit = np.finfo(dtype).max
        # max and min, not abs: no copy of a large X
        largest = max(values.max(), -values.min())
        if largest > limit:
            raise ValueError(
                f"Input X contains values too large for the network's {dtype} "
                f"(|x| up to {largest:.3g}, {dtype} overflows above {limit:.3g}). "
                "Scale the input, or fit with dtype='float64'."
            )
    return X


def check_finite_output(values, dtype):
    """Refuse outputs a forward pass made non-finite by overflow."""
    if not np.isfinite(values).all():
        raise ValueError(
            f"The forward pass overflowed {np.dtype(dtype)} on this input: its "
            "values are too large for the network. Scale the input (e.g. with "
            "the scaler used for training), or fit with dtype='float64'."
        )
    return values


def fitted_distribution(estimator):
    """The fitted ``(slab_means_, spike_probs_, slab_vars_)`` of a
    spike-and-slab network (or of a Pipeline's final one), one array per
    layer each."""
    network, _ = sas_network(estimator)
    return network.slab_means_, network.spike_probs_, network.slab_vars_


def check_writable(path):
    """Refuse, as ``open(path, "wb")`` would and before anything is written,
    an existing ``path`` that cannot be written in place.

    A rename onto ``path`` needs only the right to write its folder: without
    this check a file the user cannot write (``chmod 444``) would be
    replaced. A folder raises ``IsADirectoryError``, a file the user cannot
    write ``PermissionError``, both naming ``path`` as ``open`` does. Like
    ``open``, the check follows a symbolic link, and lets through a user who
    may override file permissions (root).
    """
    name = os.fsdecode(path)
    if os.path.isdir(name):
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), name)
    # open() checks the effective ids (a setuid program), os.access the real
    # ones unless told otherwise
    effective = os.access in os.supports_effective_ids
    if os.path.exists(name) and not os.access(name, os.W_OK, effective_ids=effective):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), name)


def _beside(path, kind):
    """A name in the folder of ``path`` for a file of this write, keeping the
    suffix of ``path`` (NumPy and matplotlib choose the format by it)."""
    folder, name = os.path.split(path)
    stem, dot, extension = name.rpartition(".")
    suffix = dot + extension if dot else ""
    # a short prefix of the name, so the name made is not too long
    prefix = (stem if dot else name)[:40]
    return os.path.join(folder, f".{prefix}-{os.urandom(4).hex()}.{kind}{suffix}")


def _new_temporary(path):
    """A new, empty file beside ``path``: its name."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = _beside(path, "tmp")
        try:
            # 0o666 less the umask, what open() gives a new file (mkstemp's
            # 0o600 would hide a written file from other users)
            os.close(os.open(temporary, flags, 0o666))
            return temporary
        except FileExistsError as exc:
            taken = exc
        except OSError as exc:
            # the folder is what is missing or read-only, not our name
            folder = os.path.dirname(path) or os.curdir
            raise type(exc)(exc.errno, exc.strerror, folder) from None
    raise taken


def _set_aside(target, backup):
    """Keep the file ``target`` under the name ``backup`` as well: a second
    link, so that ``target`` is never missing, or a rename where the file
    system has no links."""
    try:
        os.link(target, backup, follow_symlinks=False)
    except (OSError, NotImplementedError):
        os.replace(target, backup)


def _restore(target, backup):
    """Put back the file set aside as ``backup`` under its name ``target``."""
    try:
        unchanged = os.path.samestat(os.lstat(target), os.lstat(backup))
    except FileNotFoundError:
        unchanged = False
    if unchanged:
        # a rename between two links of one file does nothing
        os.unlink(backup)
    else:
        os.replace(backup, target)


def write_files(writers):
    """Write files whole, and all of them or none.

    Each file is written by its function to a temporary file in its own
    folder, then all are renamed into place (a rename within a folder is
    atomic), so that a failed or interrupted write (a full disk, Ctrl-C)
    leaves every earlier file as it was. An earlier file that
    ``open(path, "wb")`` could not write, or a folder, is refused before
    anything is written (:func:`check_writable`); a replaced file keeps its
    permissions, and a symbolic link is followed and the file it points to
    replaced, as writing in place would do. With several files, each earlier
    one is kept aside until all are in place: on a failure the files this
    call created are removed and those it replaced restored.

    Parameters
    ----------
    writers : dict
        Destination path (str or path-like) -> function writing a given path
        (the temporary file, whose name keeps the destination's suffix).

    Returns
    -------
    results : dict
        Destination path -> what its function returned.
    """
    for target in writers:
        check_writable(target)
    temporaries, replaced, placed, results = [], {}, [], {}
    try:
        for target, write in writers.items():
            destination = os.fsdecode(target)
            if os.path.islink(destination):
                destination = os.path.realpath(destination)
            temporary = _new_temporary(destination)
            temporaries.append((destination, temporary))
            results[target] = write(temporary)
            fd = os.open(temporary, os.O_RDWR | getattr(os, "O_BINARY", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            with contextlib.suppress(FileNotFoundError):
                # writing in place kept the permissions of the file replaced
                os.chmod(temporary, os.stat(destination).st_mode & 0o777)
        for destination, temporary in temporaries:
            # the last rename needs no way back when it is the only one
            if len(temporaries) > 1 and os.path.lexists(destination):
                backup = _beside(destination, "old")
                _set_aside(destination, backup)
                replaced[destination] = backup
            os.replace(temporary, destination)
            placed.append(destination)
    except BaseException:
        for _, temporary in temporaries:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
        for destination in placed:
            if destination not in replaced:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(destination)
        for destination, backup in replaced.items():
            with contextlib.suppress(OSError):
                _restore(destination, backup)
        raise
    for backup in replaced.values():
        with contextlib.suppress(OSError):
            os.unlink(backup)
    return results


def labels_from_scores(classes, scores, out_activation, threshold):
    """Predicted labels from the output ``scores`` of every row: the class of
    the highest score, or with one logistic output per label
    (``out_activation="logistic"``) the indicator matrix of the labels whose
    score exceeds ``threshold`` (0 for logits, 0.5 for probabilities), as
    ``MLPClassifier`` predicts multilabel targets."""
    if out_activation == "logistic":
        return (scores > threshold).astype(classes.dtype)
    return classes[np.argmax(scores, axis=1)]
