"""sklearn_sas.metrics: the expected calibration error."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_sas.metrics import expected_calibration_error


def test_hand_computed_case():
    # confidences 0.95 (right), 0.85 (wrong), 0.55 (right), 0.45 (wrong) in
    # 5 bins of width 0.2: (0.8, 1] holds the first two, accuracy 1/2 and
    # confidence 0.9, a gap of 0.4 on half the rows; (0.4, 0.6] holds the
    # other two, accuracy 1/2 and confidence 0.5, no gap
    y_proba = np.array(
        [
            [0.95, 0.05, 0.00],
            [0.85, 0.10, 0.05],
            [0.20, 0.55, 0.25],
            [0.45, 0.35, 0.20],
        ]
    )
    y_true = [0, 1, 1, 2]
    assert expected_calibration_error(y_true, y_proba, n_bins=5) == pytest.approx(0.2)
    # one bin: |accuracy - mean confidence| = |0.5 - 0.7|
    assert expected_calibration_error(y_true, y_proba, n_bins=1) == pytest.approx(0.2)


def test_hand_computed_case_default_bins():
    # 15 bins: confidences 0.95 in (0.933, 1], 0.85 in (0.8, 0.867], 0.55
    # in (0.533, 0.6], 0.7 in (0.667, 0.733], each alone: the mean of
    # |1 - 0.95|, |0 - 0.85|, |1 - 0.55|, |0 - 0.7|
    y_proba = np.array([[0.95, 0.05], [0.85, 0.15], [0.45, 0.55], [0.7, 0.3]])
    y_true = [0, 1, 1, 1]
    expected = (0.05 + 0.85 + 0.45 + 0.7) / 4
    assert expected_calibration_error(y_true, y_proba) == pytest.approx(expected)


def test_one_bin_is_gap_between_accuracy_and_mean_confidence():
    rng = np.random.default_rng(0)
    y_proba = rng.dirichlet(np.ones(4), size=200)
    y_true = rng.integers(0, 4, size=200)
    accuracy = np.mean(y_proba.argmax(axis=1) == y_true)
    gap = abs(accuracy - y_proba.max(axis=1).mean())
    assert expected_calibration_error(y_true, y_proba, n_bins=1) == pytest.approx(gap)


def test_perfect_calibration_is_zero():
    # confident and right, or at confidence 0.5 and right half the time
    y_proba = np.array([[1.0, 0.0], [0.0, 1.0], [0.5, 0.5], [0.5, 0.5]])
    y_true = [0, 1, 0, 1]
    assert expected_calibration_error(y_true, y_proba) == 0.0
    assert expected_calibration_error(y_true, y_proba, n_bins=1) == 0.0


def test_labels_strings_and_binary_1d():
    y_proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    as_indices = expected_calibration_error([0, 1, 1], y_proba)
    assert expected_calibration_error(["ham", "spam", "spam"], y_proba) == as_indices
    assert expected_calibration_error([0, 1, 1], y_proba[:, 1]) == pytest.approx(
        as_indices
    )
    # a class missing from y_true needs the labels of the columns
    with pytest.raises(ValueError, match="labels="):
        expected_calibration_error([1, 1, 1], y_proba)
    assert expected_calibration_error([1, 1, 1], y_proba, labels=[0, 1]) == (
        pytest.approx((0.9 + 0.3 + 0.6) / 3)
    )


def test_sample_weight_is_repetition():
    y_proba = np.array([[0.9, 0.1], [0.3, 0.7], [0.6, 0.4]])
    y_true = [0, 0, 1]
    weighted = expected_calibration_error(y_true, y_proba, sample_weight=[2, 1, 3])
    repeated = expected_calibration_error(
        np.repeat(y_true, [2, 1, 3]), np.repeat(y_proba, [2, 1, 3], axis=0)
    )
    assert weighted == pytest.approx(repeated)


def test_float32_rows_that_sum_to_one_within_float32_precision():
    rng = np.random.default_rng(0)
    y_proba = rng.dirichlet(np.ones(10), size=1000).astype(np.float32)
    y_true = rng.integers(0, 10, size=1000)
    ece = expected_calibration_error(y_true, y_proba)
    assert 0 <= ece <= 1
    # cast to float64, they still sum to 1 within float32's precision only
    assert expected_calibration_error(y_true, y_proba.astype(np.float64)) == (
        pytest.approx(ece)
    )
    assert expected_calibration_error(y_true, y_proba * (1 + 5e-6)) == (
        pytest.approx(ece, abs=1e-4)
    )


@pytest.mark.parametrize(
    "y_true, y_proba, kwargs, match",
    [
        ([0, 1], [[0.5, 0.6], [0.5, 0.5]], {}, "sum to 1"),
        ([0, 1], [[1.5, -0.5], [0.5, 0.5]], {}, r"\[0, 1\]"),
        ([0, 1, 1], [[0.5, 0.5], [0.5, 0.5]], {}, "inconsistent numbers"),
        ([0, 1, 2], [[0.5, 0.5]] * 3, {}, "3 labels but y_proba has 2"),
        ([0, 1], [[0.5, 0.5]] * 2, {"labels": [0, 1, 2]}, "labels holds 3"),
        ([0, 3], [[0.5, 0.5]] * 2, {"labels": [0, 1]}, "not in labels"),
        ([0, 1], np.full((2, 2, 1), 0.5), {}, "y_proba"),
        ([0, 1], [[0.5, 0.5]] * 2, {"sample_weight": [0, 0]}, "non-zero"),
    ],
)
def test_bad_input_raises(y_true, y_proba, kwargs, match):
    with pytest.raises(ValueError, match=match):
        expected_calibration_error(y_true, y_proba, **kwargs)


@pytest.mark.parametrize("n_bins", [0, 1.5, "15"])
def test_bad_n_bins(n_bins):
    with pytest.raises(InvalidParameterError, match="n_bins"):
        expected_calibration_error([0, 1], [[1.0, 0.0], [0.0, 1.0]], n_bins=n_bins)
