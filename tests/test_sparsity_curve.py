"""sparsity_curve and SparsityCurveDisplay: accuracy against sparsity."""

import copy
import subprocess
import sys
import warnings

import joblib
import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import _sparsity_curve, prune
from sklearn_sas.compression._fine_tune import fine_tune
from sklearn_sas.compression._plot import SparsityCurveDisplay
from sklearn_sas.compression._sparsity_curve import sparsity_curve

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_rgba

SPARSITIES = [0.0, 0.5, 0.8, 0.9, 0.95]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def data(digits_split):
    """Digits in [0, 1] split into (X_train, X_test, y_train, y_test)."""
    return digits_split


@pytest.fixture(scope="module")
def clf(data):
    """64x16 and 16x10 connections: 1184 in all, trained in minibatches of
    200 for 10 epochs: little credit, so that fine-tuning has much to
    recover."""
    X_train, _, y_train, _ = data
    return _fit(
        SaSMLPClassifier((16,), max_iter=10, batch_size=200, random_state=0),
        X_train,
        y_train,
    )


@pytest.fixture(scope="module")
def pipe(data):
    X_train, _, y_train, _ = data
    return _fit(
        make_pipeline(
            StandardScaler(),
            SaSMLPClassifier((16,), max_iter=10, batch_size=200, random_state=0),
        ),
        16 * X_train,
        y_train,
    )


def _pruned_accuracy(estimator, X, y, s, **options):
    return prune(estimator, rule="sparsity", sparsity=s, **options).score(X, y)


# ------------------------------------------------------------ sparsity_curve


def test_points_match_pruning_independently(clf, data):
    _, X_test, _, y_test = data
    curve = sparsity_curve(clf, X_test, y_test, sparsities=SPARSITIES)

    n = sum(pi.size for pi in clf.spike_probs_)
    assert curve.n_connections == n == 64 * 16 + 16 * 10
    np.testing.assert_array_equal(curve.sparsities, SPARSITIES)
    for i, s in enumerate(SPARSITIES):
        assert curve.accuracy[i] == _pruned_accuracy(clf, X_test, y_test, s)
        # the achieved sparsity is the requested one to within one connection
        assert abs(curve.sparsity[i] - s) * n <= 1
        assert curve.n_kept[i] == n - round(s * n)
    assert curve.sparsity == pytest.approx(1 - curve.n_kept / n)
    assert curve.compression_ratio == pytest.approx(n / curve.n_kept)
    # pruning hurts on this small network: the points are not all one value
    assert curve.accuracy[-1] < curve.accuracy[0] - 0.2


def test_no_pruning_is_the_dense_mean_network(clf, data):
    _, X_test, _, y_test = data
    curve = sparsity_curve(clf, X_test, y_test, sparsities=[0.0, 0.9])
    assert clf.inference == "mean"
    assert curve.dense_accuracy == clf.score(X_test, y_test)
    assert curve.accuracy[0] == curve.dense_accuracy
    assert curve.n_kept[0] == curve.n_connections
    assert (curve.sparsity[0], curve.compression_ratio[0]) == (0.0, 1.0)
    # the dense accuracy is there whether or not 0 is requested
    other = sparsity_curve(clf, X_test, y_test, sparsities=[0.9])
    assert other.dense_accuracy == curve.dense_accuracy


def test_dense_accuracy_keeps_the_unimportant_connections(clf, data):
    _, X_test, _, y_test = data
    model = copy.deepcopy(clf)
    # unimportant (pi >= 1 - pi_tol) but with a mean weight m (1 - pi) of 100:
    # only a network that keeps every connection has it
    model.spike_probs_[-1][:, 0] = 1 - 1e-7
    model.slab_means_[-1][:, 0] = 1e9
    assert prune(model).score(X_test, y_test) != model.score(X_test, y_test)
    curve = sparsity_curve(model, X_test, y_test, sparsities=[0.5])
    assert curve.dense_accuracy == model.score(X_test, y_test)


def test_everything_pruned(clf, data):
    _, X_test, _, y_test = data
    curve = sparsity_curve(clf, X_test, y_test, sparsities=[1.0])
    assert curve.n_kept.tolist() == [0]
    assert curve.sparsity.tolist() == [1.0]
    assert curve.compression_ratio.tolist() == [np.inf]
    assert curve.accuracy[0] == _pruned_accuracy(clf, X_test, y_test, 1.0)


def test_sparsities_are_sorted_and_distinct(clf, data):
    _, X_test, _, y_test = data
    curve = sparsity_curve(clf, X_test, y_test, sparsities=(0.9, 0.5, 0.9, 1))
    np.testing.assert_array_equal(curve.sparsities, [0.5, 0.9, 1.0])
    expected = [_pruned_accuracy(clf, X_test, y_test, s) for s in (0.5, 0.9, 1.0)]
    np.testing.assert_array_equal(curve.accuracy, expected)
    assert all(len(curve[key]) == 3 for key in ("sparsity", "n_kept"))


@pytest.mark.parametrize(
    "options",
    [{"scope": "layer"}, {"score": "snr"}, {"scope": "layer", "score": "spike"}],
)
def test_pruning_options_pass_through(clf, data, options):
    _, X_test, _, y_test = data
    curve = sparsity_curve(clf, X_test, y_test, sparsities=[0.8, 0.9], **options)
    default = sparsity_curve(clf, X_test, y_test, sparsities=[0.8, 0.9])
    for i, s in enumerate([0.8, 0.9]):
        pruned = prune(clf, rule="sparsity", sparsity=s, **options)
        assert curve.accuracy[i] == pruned.score(X_test, y_test)
        assert curve.n_kept[i] == pruned.n_kept_
    assert not np.array_equal(curve.accuracy, default.accuracy)


def test_layer_scope_prunes_every_layer(clf, data):
    _, X_test, _, y_test = data
    curve = sparsity_curve(clf, X_test, y_test, sparsities=[0.95], scope="layer")
    # 1024 * 0.05 = 51.2 and 160 * 0.05 = 8 connections kept
    assert curve.n_kept.tolist() == [51 + 8]


def test_sample_weight_weights_the_accuracy(clf, data):
    _, X_test, _, y_test = data
    right = prune(clf, rule="sparsity", sparsity=0.9).predict(X_test) == y_test
    assert 0 < right.mean() < 1
    # weighted by correctness at 0.9, the 0.9 point is exactly right
    curve = sparsity_curve(
        clf, X_test, y_test, sparsities=[0.5, 0.9], sample_weight=right.astype(float)
    )
    assert curve.accuracy[1] == 1.0
    assert curve.accuracy[0] == prune(clf, rule="sparsity", sparsity=0.5).score(
        X_test, y_test, sample_weight=right
    )
    assert curve.dense_accuracy == clf.score(X_test, y_test, sample_weight=right)


def test_pipeline_input_goes_through_its_steps(pipe, data):
    _, X_test, _, y_test = data
    X_raw = 16 * X_test
    curve = sparsity_curve(pipe, X_raw, y_test, sparsities=[0.5, 0.9])
    network, scaler = pipe[-1], pipe[0]
    direct = sparsity_curve(
        network, scaler.transform(X_raw), y_test, sparsities=[0.5, 0.9]
    )
    for key in ("accuracy", "sparsity", "n_kept", "compression_ratio"):
        np.testing.assert_array_equal(curve[key], direct[key])
    assert curve.dense_accuracy == pipe.score(X_raw, y_test)
    assert curve.accuracy[1] == _pruned_accuracy(pipe, X_raw, y_test, 0.9)


def test_other_models_are_a_type_error(data):
    X_train, X_test, y_train, y_test = data
    mlp = _fit(MLPClassifier((8,), max_iter=5, random_state=0), X_train, y_train)
    mlp_pipe = make_pipeline(StandardScaler(), mlp)
    _fit(mlp_pipe, X_train, y_train)
    for model in (mlp, mlp_pipe):
        with pytest.raises(TypeError, match="needs a fitted SaSMLPClassifier"):
            sparsity_curve(model, X_test, y_test)
    with pytest.raises(NotFittedError):
        sparsity_curve(SaSMLPClassifier((8,)), X_test, y_test)


def _state(*objects):
    return [joblib.hash(obj) for obj in objects]


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (
            {"sparsities": []},
            ValueError,
            r"^sparsities must be a non-empty 1-D sequence of floats in \[0, 1\] "
            r"\(fractions of connections pruned\), got \[\]\.$",
        ),
        ({"sparsities": [0.5, 1.5]}, ValueError, r"in \[0, 1\]"),
        ({"sparsities": [-0.1]}, ValueError, r"in \[0, 1\]"),
        ({"sparsities": [np.nan]}, ValueError, r"in \[0, 1\]"),
        ({"sparsities": [[0.5, 0.9]]}, ValueError, "1-D"),
        ({"sparsities": ["0.5"]}, ValueError, "sequence of floats"),
        ({"sparsities": [True]}, ValueError, "sequence of floats"),
        ({"sparsities": 0.5}, ValueError, "'sparsities' parameter"),
        ({"fine_tune_iter": -1}, ValueError, "'fine_tune_iter' parameter"),
        ({"fine_tune_iter": 1.5}, TypeError, "'fine_tune_iter' parameter"),
        ({"fine_tune_iter": "2"}, TypeError, "'fine_tune_iter' parameter"),
        (
            {"fine_tune_iter": 1},
            ValueError,
            r"^fine_tune_iter=1 retrains each pruned network: it needs training "
            r"data X_tune and y_tune \(the curve itself is measured on X, y\)\.$",
        ),
        ({"fine_tune_iter": 2, "X_tune": "train"}, ValueError, "X_tune and y_tune"),
        ({"fine_tune_iter": 2, "y_tune": "train"}, ValueError, "X_tune and y_tune"),
        ({"scope": "all"}, ValueError, "'scope' parameter"),
        ({"score": "size"}, ValueError, "'score' parameter"),
        # bad sparsities are refused before any fine-tuning starts
        ({"sparsities": [2.0], "fine_tune_iter": 2, "X_tune": "train",
          "y_tune": "train"}, ValueError, r"in \[0, 1\]"),  # fmt: skip
    ],
)
def test_bad_arguments_raise_and_change_nothing(
    clf, data, kwargs, error, match, monkeypatch
):
    X_train, X_test, y_train, y_test = data

    def no_training(*args, **kwargs):
        raise AssertionError("fine_tune ran before the arguments were checked")

    monkeypatch.setattr(_sparsity_curve, "fine_tune", no_training)
    train = {"X_tune": X_train, "y_tune": y_train}
    kwargs = {key: train.get(key) if value == "train" else value
              for key, value in kwargs.items()}  # fmt: skip
    before = _state(clf, X_train, X_test, y_train, y_test)
    with pytest.raises(error, match=match):
        sparsity_curve(clf, X_test, y_test, **kwargs)
    assert _state(clf, X_train, X_test, y_train, y_test) == before


def test_inputs_and_estimator_unchanged(clf, pipe, data):
    X_train, X_test, y_train, y_test = data
    weights = np.linspace(0.5, 1.5, len(y_test))
    X_list = X_test.tolist()
    before = _state(clf, pipe, X_train, X_test, y_train, y_test, weights)
    for fine_tune_iter in (0, 2):
        options = {"sparsities": [0.5, 0.9], "fine_tune_iter": fine_tune_iter}
        options.update(X_tune=X_train, y_tune=y_train, sample_weight=weights)
        sparsity_curve(clf, X_test, y_test, **options)
        sparsity_curve(pipe, 16 * X_test, y_test, **options)
        sparsity_curve(clf, X_list, list(y_test), **options)
    assert _state(clf, pipe, X_train, X_test, y_train, y_test, weights) == before
    assert X_list == X_test.tolist()


# ---------------------------------------------------------------- fine-tuning


@pytest.mark.parametrize("options", [{}, {"scope": "layer", "score": "snr"}])
def test_fine_tuned_points_match_fine_tune(clf, data, options):
    X_train, X_test, y_train, y_test = data
    sparsities = [0.8, 0.9, 0.95]
    curve = sparsity_curve(
        clf, X_test, y_test, sparsities=sparsities, fine_tune_iter=3,
        X_tune=X_train, y_tune=y_train, **options,
    )  # fmt: skip
    one_shot = sparsity_curve(clf, X_test, y_test, sparsities=sparsities, **options)
    for i, s in enumerate(sparsities):
        # each point from the original network, measured on X, y, not on
        # the tuning data
        tuned = fine_tune(
            clf, X_train, y_train, rule="sparsity", sparsity=s, max_iter=3, **options
        )
        pruned = prune(tuned)
        assert curve.accuracy[i] == pruned.score(X_test, y_test)
        assert curve.n_kept[i] == pruned.n_kept_
        assert curve.sparsity[i] == pruned.sparsity_
        # retraining can make a few more connections absent (pi = 1)
        n_drop = curve.n_connections - curve.n_kept[i]
        assert n_drop - round(s * curve.n_connections) in range(0, 20)
    # retraining recovers accuracy lost by pruning (most where the network
    # is not yet pruned past what 16 hidden units can fit again in 3 epochs)
    assert np.all(curve.accuracy >= one_shot.accuracy)
    assert curve.accuracy[0] > one_shot.accuracy[0] + 0.15
    assert curve.dense_accuracy == one_shot.dense_accuracy


def test_fine_tuned_pipeline(pipe, data):
    X_train, X_test, y_train, y_test = data
    curve = sparsity_curve(
        pipe, 16 * X_test, y_test, sparsities=[0.9], fine_tune_iter=2,
        X_tune=16 * X_train, y_tune=y_train,
    )  # fmt: skip
    tuned = fine_tune(
        pipe, 16 * X_train, y_train, rule="sparsity", sparsity=0.9, max_iter=2
    )
    assert curve.accuracy[0] == prune(tuned).score(16 * X_test, y_test)


def test_tuning_data_is_ignored_without_fine_tuning(clf, data):
    X_train, X_test, y_train, y_test = data
    curve = sparsity_curve(
        clf, X_test, y_test, sparsities=[0.9], X_tune=X_train, y_tune=y_train
    )
    assert curve.accuracy[0] == _pruned_accuracy(clf, X_test, y_test, 0.9)


# ------------------------------------------------------- SparsityCurveDisplay


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_display_stores_its_data_and_draws_nothing():
    disp = SparsityCurveDisplay(
        sparsity=[0.5, 0.9], accuracy=[0.9, 0.7], dense_accuracy=0.95, name="net"
    )
    assert disp.sparsity == [0.5, 0.9] and disp.accuracy == [0.9, 0.7]
    assert (disp.dense_accuracy, disp.name) == (0.95, "net")
    assert not hasattr(disp, "ax_") and plt.get_fignums() == []


def test_display_plot_in_percent_with_dense_line():
    disp = SparsityCurveDisplay(
        sparsity=np.array([0.5, 0.9, 0.98]),
        accuracy=np.array([0.9, 0.7, 0.3]),
        dense_accuracy=0.95,
        name="net",
    )
    assert disp.plot() is disp
    assert disp.figure_ is disp.ax_.figure
    # the default figure size, as the other single-Axes Displays
    assert tuple(disp.figure_.get_size_inches()) == tuple(
        plt.rcParams["figure.figsize"]
    )
    np.testing.assert_allclose(disp.line_.get_xdata(), [50, 90, 98])
    np.testing.assert_array_equal(disp.line_.get_ydata(), [0.9, 0.7, 0.3])
    assert disp.dense_line_.get_ydata() == [0.95, 0.95]
    assert disp.dense_line_.get_linestyle() == "--"
    # a thin reference line, under the curve
    assert disp.dense_line_.get_linewidth() == 1
    assert to_rgba(disp.dense_line_.get_color()) == to_rgba(disp.line_.get_color())
    assert disp.ax_.get_xlabel() == "sparsity (% of connections pruned)"
    assert disp.ax_.get_ylabel() == "accuracy"
    assert _legend_texts(disp.ax_) == ["net", "net (dense)"]


def test_display_plot_options():
    disp = SparsityCurveDisplay(sparsity=[0.5, 0.9], accuracy=[0.9, 0.7])
    disp.plot()
    # nothing named, nothing to put in a legend
    assert disp.dense_line_ is None and disp.ax_.get_legend() is None
    assert len(disp.ax_.get_lines()) == 1

    disp.dense_accuracy = 0.95
    fig, ax = plt.subplots()
    disp.plot(ax=ax, name="renamed", curve_kwargs={"color": "red", "ls": ":"})
    assert disp.ax_ is ax and disp.figure_ is fig
    assert _legend_texts(ax) == ["renamed", "renamed (dense)"]
    assert disp.name is None
    assert disp.line_.get_linestyle() == ":"
    assert to_rgba(disp.dense_line_.get_color()) == to_rgba("red")

    disp.plot(show_dense=False)
    assert disp.dense_line_ is None and len(disp.ax_.get_lines()) == 1

    with pytest.raises(TypeError, match="curve_kwargs must be None, a dict"):
        disp.plot(curve_kwargs="red")


def test_two_displays_share_one_axes(clf, pipe, data):
    X_train, X_test, y_train, y_test = data
    first = SparsityCurveDisplay.from_estimator(
        clf, X_test, y_test, sparsities=[0.5, 0.9], name="small"
    )
    second = SparsityCurveDisplay.from_estimator(
        pipe, 16 * X_test, y_test, sparsities=[0.8, 0.95], name="scaled",
        ax=first.ax_,
    )  # fmt: skip
    ax = first.ax_
    assert second.ax_ is ax and second.figure_ is first.figure_
    assert len(ax.get_lines()) == 4
    assert _legend_texts(ax) == ["small", "small (dense)", "scaled", "scaled (dense)"]
    # each curve keeps its own data and colour
    assert first.line_ in ax.get_lines() and second.line_ in ax.get_lines()
    # achieved sparsities, in percent, to within a connection of the requested
    np.testing.assert_allclose(first.line_.get_xdata(), [50, 90], atol=0.1)
    np.testing.assert_allclose(second.line_.get_xdata(), [80, 95], atol=0.1)
    assert first.line_.get_color() != second.line_.get_color()
    assert to_rgba(second.dense_line_.get_color()) == to_rgba(second.line_.get_color())


def test_display_from_estimator_draws_the_curve(clf, data):
    _, X_test, _, y_test = data
    disp = SparsityCurveDisplay.from_estimator(
        clf, X_test, y_test, sparsities=SPARSITIES
    )
    curve = sparsity_curve(clf, X_test, y_test, sparsities=SPARSITIES)
    assert disp.name == "SaSMLPClassifier"
    np.testing.assert_array_equal(disp.sparsity, curve.sparsity)
    np.testing.assert_array_equal(disp.accuracy, curve.accuracy)
    assert disp.dense_accuracy == curve.dense_accuracy
    np.testing.assert_allclose(disp.line_.get_xdata(), 100 * curve.sparsity)
    np.testing.assert_array_equal(disp.line_.get_ydata(), curve.accuracy)
    assert disp.dense_line_.get_ydata()[0] == curve.dense_accuracy


def test_display_from_pipeline(pipe, data):
    _, X_test, _, y_test = data
    disp = SparsityCurveDisplay.from_estimator(
        pipe, 16 * X_test, y_test, sparsities=[0.5, 0.9], show_dense=False
    )
    curve = sparsity_curve(pipe, 16 * X_test, y_test, sparsities=[0.5, 0.9])
    assert disp.name == "SaSMLPClassifier"
    assert disp.dense_line_ is None
    np.testing.assert_array_equal(disp.line_.get_ydata(), curve.accuracy)


def test_display_from_estimator_fine_tuned(clf, data):
    X_train, X_test, y_train, y_test = data
    options = {"sparsities": [0.9, 0.95], "fine_tune_iter": 2}
    options.update(X_tune=X_train, y_tune=y_train)
    disp = SparsityCurveDisplay.from_estimator(clf, X_test, y_test, **options)
    curve = sparsity_curve(clf, X_test, y_test, **options)
    assert disp.name == "SaSMLPClassifier + fine-tuning (2 epochs)"
    np.testing.assert_array_equal(disp.line_.get_ydata(), curve.accuracy)
    with pytest.raises(ValueError, match="X_tune and y_tune"):
        SparsityCurveDisplay.from_estimator(clf, X_test, y_test, fine_tune_iter=2)


def test_display_from_estimator_rejects_other_models(data):
    X_train, X_test, y_train, y_test = data
    mlp = _fit(MLPClassifier((8,), max_iter=5, random_state=0), X_train, y_train)
    with pytest.raises(TypeError, match="SaSMLPClassifier"):
        SparsityCurveDisplay.from_estimator(mlp, X_test, y_test)


def test_missing_matplotlib_is_a_clear_import_error(clf, data, monkeypatch):
    _, X_test, _, y_test = data
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    disp = SparsityCurveDisplay(sparsity=[0.5], accuracy=[0.9])
    with pytest.raises(ImportError, match="SparsityCurveDisplay.plot requires"):
        disp.plot()
    with pytest.raises(
        ImportError, match="SparsityCurveDisplay.from_estimator requires"
    ):
        SparsityCurveDisplay.from_estimator(clf, X_test, y_test)


def test_importing_the_modules_does_not_import_matplotlib():
    code = (
        "import sys, sklearn_sas.compression._plot, "
        "sklearn_sas.compression._sparsity_curve; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_display_without_a_name_labels_the_dense_line_alone():
    disp = SparsityCurveDisplay(
        sparsity=[0.5, 0.9], accuracy=[0.9, 0.7], dense_accuracy=0.95
    ).plot()
    assert _legend_texts(disp.ax_) == ["dense"]


def test_display_from_estimator_passes_every_option(clf, data):
    X_train, X_test, y_train, y_test = data
    weights = np.where(y_test == 3, 4.0, 1.0)
    options = {
        "sparsities": [0.6, 0.9],
        "scope": "layer",
        "score": "snr",
        "sample_weight": weights,
        "fine_tune_iter": 1,
        "X_tune": X_train,
        "y_tune": y_train,
    }
    disp = SparsityCurveDisplay.from_estimator(
        clf, X_test, y_test, curve_kwargs={"color": "red"}, **options
    )
    curve = sparsity_curve(clf, X_test, y_test, **options)
    np.testing.assert_array_equal(disp.accuracy, curve.accuracy)
    np.testing.assert_array_equal(disp.sparsity, curve.sparsity)
    assert disp.dense_accuracy == curve.dense_accuracy
    assert disp.name == "SaSMLPClassifier + fine-tuning (1 epoch)"
    assert to_rgba(disp.line_.get_color()) == to_rgba("red")
    # the options change the curve: it is not the default one
    default = sparsity_curve(clf, X_test, y_test, sparsities=[0.6, 0.9])
    assert not np.array_equal(curve.accuracy, default.accuracy)


def test_dense_line_is_labelled_after_the_curve_label():
    # issue 22, item 12: a label of curve_kwargs relabelled the curve only
    disp = SparsityCurveDisplay(
        sparsity=[0.5, 0.9], accuracy=[0.9, 0.7], dense_accuracy=0.95, name="x"
    ).plot(curve_kwargs={"label": "pruned"})
    assert _legend_texts(disp.ax_) == ["pruned", "pruned (dense)"]
    disp.plot(ax=disp.ax_, name="y", curve_kwargs=[{"label": "z"}])
    assert _legend_texts(disp.ax_)[2:] == ["z", "z (dense)"]
