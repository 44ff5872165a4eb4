"""Metrics of predicted probabilities that scikit-learn does not provide."""

from numbers import Integral

import numpy as np
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_array, column_or_1d
from sklearn.utils._param_validation import Interval, validate_params
from sklearn.utils.validation import _check_sample_weight, check_consistent_length

__all__ = ["expected_calibration_error"]

_SUM_TOLERANCE = 1e-4


@validate_params(
    {
        "y_true": ["array-like"],
        "y_proba": ["array-like"],
        "n_bins": [Interval(Integral, 1, None, closed="left")],
        "labels": ["array-like", None],
        "sample_weight": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def expected_calibration_error(
    y_true, y_proba, *, n_bins=15, labels=None, sample_weight=None
):
    """Expected calibration error (ECE) of the top-label confidence.

    The top-label confidence of a row is its largest predicted probability,
    and its prediction the class of that column. The confidences are put in
    ``n_bins`` equal-width bins of ``[0, 1]`` (bin ``b`` holds the
    confidences in ``(b / n_bins, (b + 1) / n_bins]``, the first one 0
    too), and the error is the mean over the bins of the gap between the
    accuracy of a bin's rows and their mean confidence, weighted by the
    bin's share of rows::

        ECE = sum_b (n_b / n) * |accuracy_b - confidence_b|

    0 is perfect calibration: among the rows predicted with confidence
    ``c``, a fraction ``c`` is right. This is the estimator of Guo et al.
    (2017) with their 15 bins, the one the calibration and deep-ensemble
    literature reports; :func:`sklearn.calibration.calibration_curve` gives
    the reliability curve of one class behind it.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.

    y_proba : array-like of shape (n_samples, n_classes) or (n_samples,)
        Predicted probabilities, as returned by a classifier's
        ``predict_proba``, each row summing to 1 (within 1e-4, which
        float32 probabilities meet). The columns are ordered
        as the sorted labels (``labels``, or those of ``y_true``), as a
        classifier's ``classes_`` are. A 1-d array is the probability of
        the second of two classes.

    n_bins : int, default=15
        Number of equal-width bins of the confidence.

    labels : array-like of shape (n_classes,), default=None
        The labels of the columns of ``y_proba``, sorted. None means the
        sorted labels found in ``y_true``, which must then number
        ``n_classes``: pass ``labels=estimator.classes_`` when some class is
        missing from ``y_true``.

    sample_weight : array-like of shape (n_samples,), default=None
        Weights of the rows, in the bins' accuracies, confidences and shares.

    Returns
    -------
    ece : float
        Expected calibration error, in [0, 1].

    Raises
    ------
    ValueError
        When ``y_proba`` is not 1-d or 2-d, has values outside [0, 1], or
        rows that do not sum to 1 within 1e-4; when its number of columns is
        not the number of labels; when ``y_true`` holds a label not in
        ``labels``; when the lengths differ; when the sample weights are all
        zero.

    See Also
    --------
    sklearn.calibration.calibration_curve : Reliability curve of one class.
    sklearn.metrics.log_loss : Negative log-likelihood of the true labels.

    References
    ----------
    C. Guo, G. Pleiss, Y. Sun and K. Q. Weinberger, "On calibration of
    modern neural networks", ICML 2017, arXiv:1706.04599.

    Examples
    --------
    >>> from sklearn_sas.metrics import expected_calibration_error
    >>> y_true = [0, 1, 1, 0]
    >>> y_proba = [[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.6, 0.4]]
    >>> round(expected_calibration_error(y_true, y_proba, n_bins=3), 3)
    0.2

    The last row, alone in the bin of ``(1/3, 2/3]``, is right with
    confidence 0.6 (a gap of 0.4 on a quarter of the rows); the others, in
    ``(2/3, 1]``, are right two times in three with mean confidence 0.8 (a
    gap of 0.133 on three quarters).
    """
    y_proba = check_array(
        y_proba,
        ensure_2d=False,
        allow_nd=True,  # refused below, with a message that names y_proba
        dtype=[np.float64, np.float32],
        input_name="y_proba",
    )
    y_true = column_or_1d(y_true, warn=True)
    check_consistent_length(y_true, y_proba, sample_weight)
    if y_proba.ndim == 1:
        y_proba = np.column_stack([1 - y_proba, y_proba])
    elif y_proba.ndim != 2:
        raise ValueError(
            f"y_proba must be of shape (n_samples, n_classes) or (n_samples,), "
            f"got an array of shape {y_proba.shape}."
        )
    if y_proba.min() < 0 or y_proba.max() > 1:
        raise ValueError(
            f"y_proba must hold probabilities in [0, 1], got values in "
            f"[{y_proba.min()}, {y_proba.max()}]."
        )
    row_sums = y_proba.sum(axis=1)
    # float32 probabilities (a float32 network's) sum to 1 within ~1e-6 only,
    # also once cast to float64: the tolerance cannot be float64's precision
    off = np.flatnonzero(~np.isclose(row_sums, 1, rtol=0, atol=_SUM_TOLERANCE))
    if off.size:
        raise ValueError(
            f"The rows of y_proba must sum to 1; {off.size} do not, the first "
            f"(row {off[0]}) sums to {row_sums[off[0]]}."
        )
    sample_weight = _check_sample_weight(sample_weight, y_proba)

    encoder = LabelEncoder().fit(y_true if labels is None else column_or_1d(labels))
    n_classes = y_proba.shape[1]
    if encoder.classes_.shape[0] != n_classes:
        if labels is None:
            raise ValueError(
                f"y_true holds {encoder.classes_.shape[0]} labels but y_proba "
                f"has {n_classes} columns; pass the labels of the columns as "
                f"labels= (e.g. labels=estimator.classes_). Labels of y_true: "
                f"{encoder.classes_}."
            )
        raise ValueError(
            f"labels holds {encoder.classes_.shape[0]} labels but y_proba has "
            f"{n_classes} columns."
        )
    unknown = np.setdiff1d(y_true, encoder.classes_)
    if unknown.size:
        raise ValueError(
            f"y_true holds labels that are not in labels: {unknown}; the "
            f"columns of y_proba are {encoder.classes_}."
        )
    true_column = encoder.transform(y_true)

    confidence = y_proba.max(axis=1).astype(np.float64)
    correct = (y_proba.argmax(axis=1) == true_column).astype(np.float64)
    edges = np.linspace(0, 1, n_bins + 1)
    # right-closed bins, as Guo et al.'s: a confidence on an edge goes to the
    # bin below it
    bins = np.searchsorted(edges[1:-1], confidence, side="left")
    weight_of_bin = np.bincount(bins, weights=sample_weight, minlength=n_bins)
    correct_of_bin = np.bincount(
        bins, weights=sample_weight * correct, minlength=n_bins
    )
    confidence_of_bin = np.bincount(
        bins, weights=sample_weight * confidence, minlength=n_bins
    )
    total = weight_of_bin.sum()  # positive: _check_sample_weight saw to it
    # |sum of correct - sum of confidence| over the bin's weight, times the
    # bin's share of the weight, is the same gap without dividing by the bin
    return float(np.abs(correct_of_bin - confidence_of_bin).sum() / total)
