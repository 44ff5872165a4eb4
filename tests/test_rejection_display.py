"""RejectionCurveDisplay: accuracy and fraction kept against an uncertainty threshold."""

import sys
import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.inspection import RejectionCurveDisplay

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def digits(digits):
    X, y = digits
    return X[:600], y[:600], X[600:900], y[600:900]


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def clf(digits):
    X, y, _, _ = digits
    return _fit(
        SaSMLPClassifier(
            (16,), max_iter=5, random_state=0, inference="ensemble", n_samples=10
        ),
        X,
        y,
    )


@pytest.mark.parametrize(
    "uncertainty", ["mutual_information", "predictive_entropy", "expected_entropy"]
)
def test_from_estimator_data(clf, digits, uncertainty):
    _, _, X_test, y_test = digits
    disp = RejectionCurveDisplay.from_estimator(
        clf, X_test, y_test, uncertainty=uncertainty
    )
    scores = clf.predict_uncertainty(X_test)[uncertainty]
    # one point per distinct score, increasing, the last keeping every row
    np.testing.assert_array_equal(disp.thresholds, np.unique(scores))
    assert np.all(np.diff(disp.fraction_kept) > 0)
    assert disp.fraction_kept[-1] == 1.0
    assert disp.fraction_kept[0] == np.mean(scores == scores.min())
    # every row kept: the accuracy of the ensemble the estimator predicts with
    assert disp.accuracy[-1] == pytest.approx(clf.score(X_test, y_test))
    # at each threshold, the accuracy of the rows at or below it
    y_pred = clf.predict(X_test)
    for i in (0, len(disp.thresholds) // 2):
        kept = scores <= disp.thresholds[i]
        assert disp.accuracy[i] == pytest.approx(np.mean(y_pred[kept] == y_test[kept]))
        assert disp.fraction_kept[i] == pytest.approx(kept.mean())
    assert uncertainty.replace("_", " ") in disp.ax_.get_xlabel()


def test_rejecting_uncertain_rows_raises_accuracy(clf, digits):
    _, _, X_test, y_test = digits
    disp = RejectionCurveDisplay.from_estimator(
        clf, X_test, y_test, uncertainty="predictive_entropy"
    )
    half = np.searchsorted(disp.fraction_kept, 0.5)
    assert disp.accuracy[half] > disp.accuracy[-1]


def test_plot_sets_artists_and_labels(clf, digits):
    _, _, X_test, y_test = digits
    disp = RejectionCurveDisplay.from_estimator(clf, X_test, y_test, name="SaS")
    assert isinstance(disp.line_, matplotlib.lines.Line2D)
    assert isinstance(disp.kept_line_, matplotlib.lines.Line2D)
    assert disp.ax_ is disp.line_.axes
    assert disp.figure_ is disp.ax_.figure
    np.testing.assert_array_equal(disp.line_.get_xdata(), disp.thresholds)
    np.testing.assert_array_equal(disp.line_.get_ydata(), disp.accuracy)
    np.testing.assert_array_equal(disp.kept_line_.get_ydata(), disp.fraction_kept)
    labels = [t.get_text() for t in disp.ax_.get_legend().get_texts()]
    assert labels == ["SaS: accuracy of the rows kept", "SaS: fraction of rows kept"]


def test_plot_on_given_ax_and_curve_kwargs(clf, digits):
    _, _, X_test, y_test = digits
    fig, ax = plt.subplots()
    disp = RejectionCurveDisplay.from_estimator(
        clf,
        X_test,
        y_test,
        ax=ax,
        curve_kwargs=[{"color": "red"}, {"color": "blue", "linestyle": ":"}],
    )
    assert disp.ax_ is ax and disp.figure_ is fig
    assert disp.line_.get_color() == "red"
    assert disp.kept_line_.get_linestyle() == ":"
    # a second model on the same axes
    other = RejectionCurveDisplay(
        thresholds=disp.thresholds,
        accuracy=disp.accuracy,
        fraction_kept=disp.fraction_kept,
    ).plot(ax=ax, name="again", curve_kwargs={"alpha": 0.5})
    assert other.ax_ is ax and len(ax.get_lines()) == 4
    with pytest.raises(ValueError, match="list of 2 dicts"):
        disp.plot(curve_kwargs=[{}])


def test_from_estimator_accepts_a_pipeline(digits):
    X, y, X_test, y_test = digits
    pipe = _fit(
        make_pipeline(
            StandardScaler(),
            SaSMLPClassifier((8,), max_iter=3, random_state=0, inference="ensemble",
                             n_samples=5),  # fmt: skip
        ),
        X,
        y,
    )
    disp = RejectionCurveDisplay.from_estimator(pipe, X_test, y_test)
    assert disp.accuracy[-1] == pytest.approx(pipe.score(X_test, y_test))


def test_from_estimator_rejects_other_models_and_bad_arguments(clf, digits):
    X, y, X_test, y_test = digits
    mlp = _fit(MLPClassifier((8,), max_iter=3, random_state=0), X, y)
    with pytest.raises(TypeError, match="SaSMLPClassifier"):
        RejectionCurveDisplay.from_estimator(mlp, X_test, y_test)
    with pytest.raises(NotFittedError):
        RejectionCurveDisplay.from_estimator(SaSMLPClassifier(), X_test, y_test)
    with pytest.raises(ValueError, match="uncertainty must be one of"):
        RejectionCurveDisplay.from_estimator(clf, X_test, y_test, uncertainty="max")


def test_from_predictions_with_ties():
    y_true = np.array([0, 1, 1, 0, 1, 1])
    y_pred = np.array([0, 1, 0, 0, 0, 1])
    scores = np.array([0.3, 0.1, 0.9, 0.1, 0.5, 0.3])
    disp = RejectionCurveDisplay.from_predictions(y_true, y_pred, scores)
    np.testing.assert_array_equal(disp.thresholds, [0.1, 0.3, 0.5, 0.9])
    np.testing.assert_allclose(disp.fraction_kept, [2 / 6, 4 / 6, 5 / 6, 1])
    np.testing.assert_allclose(disp.accuracy, [1, 1, 4 / 5, 4 / 6])
    assert disp.ax_.get_xlabel().startswith("threshold on the uncertainty")


def test_from_predictions_string_labels_and_any_scores():
    disp = RejectionCurveDisplay.from_predictions(
        ["a", "b", "b"], ["a", "a", "b"], [-3.0, 2.0, 0.0],
        uncertainty_name="margin",
    )  # fmt: skip
    np.testing.assert_array_equal(disp.thresholds, [-3.0, 0.0, 2.0])
    np.testing.assert_allclose(disp.accuracy, [1, 1, 2 / 3])
    assert "margin" in disp.ax_.get_xlabel()


@pytest.mark.parametrize(
    "scores, match",
    [
        ([0.1, 0.2], "inconsistent numbers"),
        ([[0.1], [0.2], [0.3]], r"shape \(n_samples,\)"),
        ([0.1, np.nan, 0.3], "NaN"),
    ],
)
def test_from_predictions_bad_scores(scores, match):
    with pytest.raises(ValueError, match=match):
        RejectionCurveDisplay.from_predictions([0, 1, 1], [0, 1, 0], scores)


def test_missing_matplotlib_is_a_clear_import_error(monkeypatch):
    display = RejectionCurveDisplay(
        thresholds=np.array([0.0]), accuracy=np.array([1.0]),
        fraction_kept=np.array([1.0]),
    )  # fmt: skip
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="RejectionCurveDisplay.plot requires"):
        display.plot()


def test_from_estimator_follows_mc_inference(clf, digits):
    _, _, X_test, y_test = digits
    mc = _fit_copy_mc(clf)
    disp = RejectionCurveDisplay.from_estimator(mc, X_test, y_test)
    scores = mc.predict_uncertainty(X_test).mutual_information
    np.testing.assert_array_equal(disp.thresholds, np.unique(scores))
    assert disp.accuracy[-1] == pytest.approx(mc.score(X_test, y_test))


def _fit_copy_mc(clf):
    """A copy of the fitted ``clf`` predicting with mean-field passes."""
    import copy

    return copy.deepcopy(clf).set_params(inference="mc")
