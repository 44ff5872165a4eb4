"""The matplotlib Displays of sklearn_sas.inspection."""

import inspect
import struct
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import SparsityCurveDisplay
from sklearn_sas.inspection import (
    DistributionDisplay,
    EntropyDisplay,
    LayerProfileDisplay,
    PerturbationDisplay,
    RejectionCurveDisplay,
    connection_entropy,
    credit_assignment,
    perturbation_curve,
)

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt
from matplotlib.colors import to_rgb, to_rgba
from matplotlib.ticker import PercentFormatter

FRACTIONS = [0.0, 0.5, 1.0]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _fit(digits, hidden, n_samples=None):
    X, y = digits
    if n_samples is not None:
        X, y = X[:n_samples], y[:n_samples]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # minibatches of 200: 5 epochs leave a network with few deterministic
        # connections, so that those a test sets stand out
        return SaSMLPClassifier(
            hidden, max_iter=5, batch_size=200, random_state=0
        ).fit(X, y)


@pytest.fixture(scope="module")
def clf(digits):
    """Three layers of connections: 64x8, 8x8, 8x10."""
    return _fit(digits, (8, 8))


def _legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_importing_the_package_does_not_import_matplotlib():
    code = (
        "import sklearn_sas, sklearn_sas.inspection, sys; "
        "assert 'matplotlib' not in sys.modules, 'matplotlib was imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


@pytest.mark.parametrize(
    "display",
    [
        DistributionDisplay([], [], []),
        EntropyDisplay([]),
        LayerProfileDisplay([[{"layer": 0, "sparsity": 0.5}]]),
        PerturbationDisplay({}),
    ],
    ids=lambda display: type(display).__name__,
)
def test_missing_matplotlib_is_a_clear_import_error(display, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match=f"{type(display).__name__}.plot requires"):
        display.plot()


@pytest.mark.parametrize(
    "make",
    [
        lambda est, X, y: DistributionDisplay.from_estimator(est),
        lambda est, X, y: EntropyDisplay.from_estimator(est),
        lambda est, X, y: LayerProfileDisplay.from_estimator(est),
        lambda est, X, y: LayerProfileDisplay.from_estimators([est]),
        lambda est, X, y: PerturbationDisplay.from_estimator(
            est, X, y, fractions=FRACTIONS, n_networks=1
        ),
    ],
    ids=["distribution", "entropy", "profile", "profiles", "perturbation"],
)
def test_unfitted_estimator_raises_not_fitted(make, digits):
    with pytest.raises(NotFittedError):
        make(SaSMLPClassifier((8,)), *digits)


FROM_ESTIMATOR = {
    "distribution": lambda est, X, y: DistributionDisplay.from_estimator(est),
    "entropy": lambda est, X, y: EntropyDisplay.from_estimator(est),
    "profile": lambda est, X, y: LayerProfileDisplay.from_estimator(est),
    "profiles": lambda est, X, y: LayerProfileDisplay.from_estimators([est]),
    "perturbation": lambda est, X, y: PerturbationDisplay.from_estimator(
        est, X, y, fractions=FRACTIONS, n_networks=1, random_state=0
    ),
}


@pytest.fixture(scope="module")
def pipe(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return make_pipeline(
            StandardScaler(), SaSMLPClassifier((8,), max_iter=5, random_state=0)
        ).fit(X, y)


def test_distribution_display_from_pipeline(pipe):
    network = pipe[-1]
    disp = DistributionDisplay.from_estimator(pipe, bins=5)
    assert disp.axes_.shape == (2, 3)
    for name, attr in [
        ("spike_probs", "spike_probs_"),
        ("slab_means", "slab_means_"),
        ("slab_vars", "slab_vars_"),
    ]:
        for stored, fitted in zip(getattr(disp, name), getattr(network, attr)):
            np.testing.assert_array_equal(stored, fitted)


@pytest.mark.parametrize("make", FROM_ESTIMATOR.values(), ids=FROM_ESTIMATOR.keys())
def test_from_estimator_accepts_a_pipeline(make, pipe, digits):
    """A Pipeline plots what its final network plots, on transformed data."""
    X, y = digits
    network, scaler = pipe[-1], pipe[0]
    from_pipe = make(pipe, X, y)
    expected = make(network, scaler.transform(X), y)
    for attr in ("spike_probs", "entropy", "summaries", "curves"):
        if hasattr(expected, attr):
            got, want = getattr(from_pipe, attr), getattr(expected, attr)
            if attr == "curves":
                got = [curve.errors for curve in got.values()]
                want = [curve.errors for curve in want.values()]
            if attr == "summaries":
                assert got == want
            else:
                for a, b in zip(got, want, strict=True):
                    np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("make", FROM_ESTIMATOR.values(), ids=FROM_ESTIMATOR.keys())
def test_from_estimator_rejects_other_models(make, digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
        mlp_pipe = make_pipeline(StandardScaler(), mlp).fit(X, y)
    with pytest.raises(TypeError, match="SaSMLPClassifier"):
        make(mlp, X, y)
    with pytest.raises(TypeError, match="SaSMLPClassifier"):
        make(mlp_pipe, X, y)


# -------------------------------------------------------- DistributionDisplay


def test_distribution_display_from_estimator(clf):
    disp = DistributionDisplay.from_estimator(clf, bins=7)

    assert disp.axes_.shape == (3, 3)
    assert disp.figure_ is disp.axes_[0, 0].figure
    assert disp.bounding_ax_ is None
    for name, attr in [
        ("spike_probs", "spike_probs_"),
        ("slab_means", "slab_means_"),
        ("slab_vars", "slab_vars_"),
    ]:
        for stored, fitted in zip(getattr(disp, name), getattr(clf, attr)):
            np.testing.assert_array_equal(stored, fitted)
    for ax, patches in zip(disp.axes_.flat, disp.patches_.flat):
        assert len(ax.patches) == len(patches) == 7
        assert ax.get_yscale() == "log"
    # each histogram counts every connection of its layer
    for row, pi in enumerate(clf.spike_probs_):
        for col in range(3):
            heights = [patch.get_height() for patch in disp.patches_[row, col]]
            assert sum(heights) == pi.size
    # pi is a probability: its histogram spans [0, 1] whatever the fitted values
    left = disp.patches_[0, 0][0].get_x()
    right = disp.patches_[0, 0][-1].get_x() + disp.patches_[0, 0][-1].get_width()
    assert (left, right) == pytest.approx((0.0, 1.0))
    assert disp.axes_[1, 0].get_ylabel().startswith("layer 2\N{RIGHTWARDS ARROW}3")


def test_distribution_display_layers_log_and_curve_kwargs(clf):
    disp = DistributionDisplay.from_estimator(
        clf, layers=2, bins=4, log=False, curve_kwargs={"color": "k"}
    )
    assert disp.axes_.shape == (1, 3)
    assert disp.layers == [2]
    np.testing.assert_array_equal(disp.slab_vars[0], clf.slab_vars_[2])
    assert disp.axes_[0, 0].get_ylabel().startswith("layer 3\N{RIGHTWARDS ARROW}4")
    assert disp.axes_[0, 1].get_yscale() == "linear"
    assert disp.patches_[0, 1][0].get_facecolor()[:3] == (0.0, 0.0, 0.0)


def test_distribution_display_on_given_axes(clf):
    fig, axes = plt.subplots(3, 3)
    disp = DistributionDisplay.from_estimator(clf, ax=axes, bins=5)
    assert disp.figure_ is fig
    assert disp.axes_[2, 1] is axes[2, 1]
    assert all(len(ax.patches) == 5 for ax in axes.flat)

    # a single Axes is divided into the grid
    fig2, ax = plt.subplots()
    disp.plot(ax=ax, bins=3)
    assert disp.figure_ is fig2
    assert disp.bounding_ax_ is ax
    assert not ax.axison
    assert all(sub.figure is fig2 and len(sub.patches) == 3 for sub in disp.axes_.flat)

    with pytest.raises(ValueError, match="Expected ax to have 9 Axes"):
        disp.plot(ax=plt.subplots(2, 3)[1])


@pytest.mark.parametrize("layers", [3, [-1], [], [0.5]])
def test_distribution_display_bad_layers(clf, layers):
    with pytest.raises(ValueError, match="layers must be"):
        DistributionDisplay.from_estimator(clf, layers=layers)


# ------------------------------------------------------------ EntropyDisplay


def test_entropy_display_from_estimator(clf):
    disp = EntropyDisplay.from_estimator(clf, bins=11)

    for stored, expected in zip(disp.entropy, connection_entropy(clf), strict=True):
        np.testing.assert_array_equal(stored, expected)
    assert disp.figure_ is disp.ax_.figure
    # one step outline per layer, overlaid on one Axes
    assert len(disp.ax_.patches) == len(disp.patches_) == 3
    assert _legend_texts(disp.ax_) == [
        f"layer {i + 1}\N{RIGHTWARDS ARROW}{i + 2}" for i in range(3)
    ]
    assert disp.ax_.get_ylabel() == "density (per nat)"
    assert disp.ax_.get_yscale() == "log"


def test_entropy_display_monte_carlo_and_chosen_layer(clf):
    disp = EntropyDisplay.from_estimator(
        clf, layers=[1], method="mc", n_samples=20, random_state=0
    )
    expected = connection_entropy(
        clf, method="mc", n_samples=20, random_state=0
    )[1]
    assert len(disp.entropy) == 1
    np.testing.assert_array_equal(disp.entropy[0], expected)
    assert len(disp.ax_.patches) == 1


def test_entropy_display_on_given_ax_and_replot(clf):
    fig, ax = plt.subplots()
    disp = EntropyDisplay.from_estimator(clf, ax=ax, density=False, log=False)
    assert disp.ax_ is ax
    assert disp.figure_ is fig
    assert ax.get_ylabel() == "number of connections"

    _, ax2 = plt.subplots()
    assert disp.plot(ax=ax2) is disp
    assert disp.ax_ is ax2
    assert len(ax2.patches) == 3


# ------------------------------------------------------- LayerProfileDisplay


def test_layer_profile_display_from_estimator(clf):
    disp = LayerProfileDisplay.from_estimator(clf)
    summary = credit_assignment(clf).summary()

    assert disp.summaries == [summary]
    assert disp.lines_.shape == (1, 4)
    # the fractions of connections and the entropy in nats: one Axes each
    fractions, entropy = disp.axes_
    assert disp.ax_ is None and disp.bounding_ax_ is None
    assert len(fractions.get_lines()) == 3 and len(entropy.get_lines()) == 1
    assert disp.figure_ is fractions.figure is entropy.figure
    quantities = ["sparsity", "entropy_per_connection", "vip_fraction", "uip_fraction"]
    for line, quantity in zip(disp.lines_[0], quantities):
        assert line.axes is (entropy if quantity.startswith("entropy") else fractions)
        np.testing.assert_array_equal(line.get_xdata(), [0, 1, 2])
        np.testing.assert_array_equal(
            line.get_ydata(), [row[quantity] for row in summary]
        )
    assert len(_legend_texts(fractions)) == 3
    # a single unnamed line: its Axes' label says what it is
    assert entropy.get_legend() is None
    for ax in disp.axes_:
        assert [tick.get_text() for tick in ax.get_xticklabels()] == [
            "1\N{RIGHTWARDS ARROW}2",
            "2\N{RIGHTWARDS ARROW}3",
            "3\N{RIGHTWARDS ARROW}4",
        ]


def test_layer_profile_display_single_quantity_on_given_ax(clf):
    fig, ax = plt.subplots()
    disp = LayerProfileDisplay.from_estimator(
        clf, quantities="variable_fraction", ax=ax
    )
    assert disp.ax_ is ax and disp.figure_ is fig
    assert len(ax.get_lines()) == 1
    # the quantity names the axis; with no name there is nothing to put in a legend
    assert ax.get_ylabel() == "variable fraction (fraction of connections)"
    assert ax.get_legend() is None
    assert disp.axes_.tolist() == [ax] and disp.bounding_ax_ is None

    # a fraction and a count: the given Axes is divided into one Axes each
    _, ax2 = plt.subplots()
    disp.plot(ax=ax2, quantities=("sparsity", "n_vip"))
    assert disp.ax_ is None and disp.bounding_ax_ is ax2
    assert not ax2.axison
    assert len(disp.axes_) == 2
    assert [len(sub.get_lines()) for sub in disp.axes_] == [1, 1]
    assert disp.axes_[1].get_ylabel() == "VIP connections (count)"


def test_layer_profile_display_from_estimators(clf, digits):
    # networks of different depths and training-set sizes share the axes
    small = _fit(digits, (8,), n_samples=300)
    disp = LayerProfileDisplay.from_estimators(
        [clf, small], labels=["T=1797", "T=300"], quantity="sparsity"
    )
    assert disp.lines_.shape == (2, 1)
    assert len(disp.ax_.get_lines()) == 2
    assert _legend_texts(disp.ax_) == ["T=1797", "T=300"]
    assert disp.ax_.get_ylabel().startswith("sparsity")
    np.testing.assert_array_equal(
        disp.lines_[1, 0].get_ydata(),
        [row["sparsity"] for row in credit_assignment(small).summary()],
    )
    assert len(disp.ax_.get_xticks()) == 3

    default = LayerProfileDisplay.from_estimators([clf, small])
    assert _legend_texts(default.ax_) == ["network 0", "network 1"]


def test_layer_profile_display_bad_arguments(clf):
    with pytest.raises(ValueError, match="quantities must be"):
        LayerProfileDisplay.from_estimator(clf, quantities=("shape",))
    with pytest.raises(ValueError, match="2 labels for 1 estimators"):
        LayerProfileDisplay.from_estimators([clf], labels=["a", "b"])


# ------------------------------------------------------- PerturbationDisplay


def test_perturbation_display_from_estimator(clf, digits):
    X, y = digits
    disp = PerturbationDisplay.from_estimator(
        clf, X, y, fractions=FRACTIONS, n_networks=2, random_state=0
    )
    assert list(disp.curves) == ["vip", "random", "uip"]
    assert disp.figure_ is disp.ax_.figure
    assert len(disp.ax_.get_lines()) == 3
    assert len(disp.ax_.collections) == 3  # the std bands
    for kind, label in zip(disp.curves, _legend_texts(disp.ax_)):
        assert kind in label.lower()
        expected = perturbation_curve(
            clf, X, y, fractions=FRACTIONS, kind=kind, n_networks=2, random_state=0
        )
        np.testing.assert_array_equal(disp.curves[kind].errors, expected.errors)
        np.testing.assert_array_equal(
            disp.lines_[kind].get_ydata(), expected.mean_error
        )
    assert "layer 1\N{RIGHTWARDS ARROW}2" in disp.ax_.get_xlabel()


def test_perturbation_display_kinds_share_networks(clf, digits):
    """Unperturbed (fraction 0) the kinds see the same sampled networks,
    whatever kind of random_state."""
    X, y = digits
    disp = PerturbationDisplay.from_estimator(
        clf,
        X,
        y,
        layer=1,
        fractions=[0.0, 1.0],
        kinds=("vip", "uip"),
        n_networks=2,
        random_state=np.random.RandomState(0),
    )
    np.testing.assert_array_equal(
        disp.curves["vip"].errors[0], disp.curves["uip"].errors[0]
    )
    assert len(disp.ax_.get_lines()) == 2
    assert "layer 2\N{RIGHTWARDS ARROW}3" in disp.ax_.get_xlabel()


def test_perturbation_display_on_given_ax_and_replot(clf, digits):
    X, y = digits
    fig, ax = plt.subplots()
    disp = PerturbationDisplay.from_estimator(
        clf, X, y, fractions=FRACTIONS, n_networks=1, random_state=0, ax=ax
    )
    assert disp.ax_ is ax and disp.figure_ is fig

    _, ax2 = plt.subplots()
    disp.plot(ax=ax2, show_std=False, curve_kwargs={"linestyle": "--"})
    assert disp.ax_ is ax2
    assert len(ax2.get_lines()) == 3
    assert len(ax2.collections) == 0
    assert all(band is None for band in disp.bands_.values())
    assert {line.get_linestyle() for line in ax2.get_lines()} == {"--"}


# ------------------------------------------- credit tolerances pass through


@pytest.fixture
def zeroed(clf):
    """``clf`` with 20 first-layer connections set to deterministic zeros
    (pi = xi = m = 0): UIP, but VIP under the paper's literal rule."""
    import copy

    model = copy.deepcopy(clf)
    for array in (model.spike_probs_, model.slab_vars_, model.slab_means_):
        array[0][:5, :4] = 0.0
    return model


@pytest.mark.parametrize("strict_paper", [False, True])
def test_layer_profile_display_passes_the_credit_rule(zeroed, strict_paper):
    options = {"m_tol": 1e-6, "strict_paper": strict_paper}
    expected = credit_assignment(zeroed, **options).summary()
    disp = LayerProfileDisplay.from_estimator(
        zeroed, quantities=("vip_fraction", "uip_fraction"), **options
    )
    assert disp.summaries == [expected]
    several = LayerProfileDisplay.from_estimators(
        [zeroed, zeroed], quantity="vip_fraction", **options
    )
    assert several.summaries == [expected, expected]
    for line in (disp.lines_[0, 0], several.lines_[1, 0]):
        np.testing.assert_array_equal(
            line.get_ydata(), [row["vip_fraction"] for row in expected]
        )


def test_layer_profile_display_strict_paper_changes_the_plot(zeroed):
    lines = {
        strict: LayerProfileDisplay.from_estimator(
            zeroed, quantities="vip_fraction", strict_paper=strict
        ).lines_[0, 0]
        for strict in (False, True)
    }
    default, strict = (np.asarray(lines[k].get_ydata()) for k in (False, True))
    # the 20 deterministic zeros of the 64x8 layer count as VIP only for the paper
    assert strict[0] - default[0] == pytest.approx(20 / 512)
    np.testing.assert_array_equal(strict[1:], default[1:])
    # m_tol moves every deterministic weight of magnitude up to it out of VIP
    loose = LayerProfileDisplay.from_estimators(
        [zeroed], quantity="vip_fraction", m_tol=1e6
    )
    np.testing.assert_array_equal(loose.lines_[0, 0].get_ydata(), 0.0)


def test_entropy_display_passes_m_tol(zeroed):
    # a point mass just off zero, present with probability 0.5
    zeroed.spike_probs_[0][0, 0] = 0.5
    zeroed.slab_means_[0][0, 0] = 1e-7
    default = EntropyDisplay.from_estimator(zeroed, layers=0)
    exact = EntropyDisplay.from_estimator(zeroed, layers=0, m_tol=0.0)
    assert default.entropy[0][0, 0] == 0.0
    assert exact.entropy[0][0, 0] == pytest.approx(np.log(2))
    np.testing.assert_array_equal(
        exact.entropy[0], connection_entropy(zeroed, m_tol=0.0)[0]
    )


def test_perturbation_display_passes_the_credit_rule(zeroed, digits):
    X, y = digits
    curves = {
        strict: PerturbationDisplay.from_estimator(
            zeroed, X, y, fractions=[1.0], kinds=("vip", "random_variable"),
            n_networks=1, random_state=0, strict_paper=strict, m_tol=1e-6,
        ).curves  # fmt: skip
        for strict in (False, True)
    }
    for strict, kinds in curves.items():
        n_vip = int(credit_assignment(zeroed, strict_paper=strict).vip_masks[0].sum())
        assert kinds["vip"].n_perturbed[0] == n_vip
    n_strict, n_default = (curves[k]["vip"].n_perturbed[0] for k in (True, False))
    assert n_strict == n_default + 20


def test_perturbation_display_random_variable_kind(clf, digits):
    X, y = digits
    disp = PerturbationDisplay.from_estimator(
        clf, X, y, fractions=FRACTIONS, kinds=("vip", "random_variable"),
        n_networks=2, random_state=0,
    )  # fmt: skip
    assert list(disp.lines_) == ["vip", "random_variable"]
    assert _legend_texts(disp.ax_)[1] == "random variable turned off"
    expected = perturbation_curve(
        clf, X, y, fractions=FRACTIONS, kind="random_variable", n_networks=2,
        random_state=0,
    )  # fmt: skip
    np.testing.assert_array_equal(
        disp.curves["random_variable"].errors, expected.errors
    )


# ------------------------------------------------------------- curve_kwargs


@pytest.fixture(scope="module")
def curves(clf, digits):
    X, y = digits
    return {
        kind: perturbation_curve(
            clf, X, y, fractions=FRACTIONS, kind=kind, n_networks=2, random_state=0
        )
        for kind in ("vip", "random", "uip")
    }


def _artists(disp):
    """The curves of a Display in legend order, and their colour getter."""
    if isinstance(disp, PerturbationDisplay):
        return list(disp.lines_.values()), lambda line: line.get_color()
    if isinstance(disp, LayerProfileDisplay):
        return list(disp.lines_.flat), lambda line: line.get_color()
    # EntropyDisplay: the step outline of each layer's histogram
    return [patches[0] for patches in disp.patches_], lambda p: p.get_edgecolor()


# every Display drawing several curves, three curves each, and how to plot it
MULTI_CURVE = {
    "perturbation": lambda clf, curves, **kw: PerturbationDisplay(curves).plot(**kw),
    "profile": lambda clf, curves, **kw: LayerProfileDisplay.from_estimator(
        clf, quantities=("sparsity", "entropy_per_connection", "vip_fraction"), **kw
    ),
    "profiles": lambda clf, curves, **kw: LayerProfileDisplay.from_estimators(
        [clf, clf, clf], **kw
    ),
    "entropy": lambda clf, curves, **kw: EntropyDisplay.from_estimator(clf, **kw),
    "entropy_plot": lambda clf, curves, **kw: EntropyDisplay(
        connection_entropy(clf)
    ).plot(**kw),
}
MULTI_CURVE_IDS = list(MULTI_CURVE)
MULTI_CURVE = list(MULTI_CURVE.values())


@pytest.mark.parametrize("make", MULTI_CURVE, ids=MULTI_CURVE_IDS)
def test_curve_kwargs_list_styles_each_curve(make, clf, curves):
    styles = [
        {"color": "red", "linestyle": "--"},
        {"c": "blue"},
        {"color": "green", "ls": ":"},
    ]
    disp = make(clf, curves, curve_kwargs=styles)
    artists, color = _artists(disp)
    assert len(artists) == 3
    for artist, name in zip(artists, ["red", "blue", "green"]):
        assert to_rgba(color(artist)) == to_rgba(name)
    linestyles = [artist.get_linestyle() for artist in artists]
    if isinstance(disp, EntropyDisplay):
        # Axes.hist gives its patches a dash pattern rather than a name
        assert linestyles[1] in ("-", "solid")
        assert len({str(style) for style in linestyles}) == 3
    else:
        assert linestyles == ["--", "-", ":"]
    if isinstance(disp, PerturbationDisplay):
        # each std band is shaded in the colour of its own curve
        for line, band in zip(artists, disp.bands_.values()):
            assert to_rgb(band.get_facecolor()[0]) == to_rgb(line.get_color())


@pytest.mark.parametrize("make", MULTI_CURVE, ids=MULTI_CURVE_IDS)
def test_curve_kwargs_dict_applies_to_every_curve(make, clf, curves):
    disp = make(clf, curves, curve_kwargs={"color": "purple", "linewidth": 3})
    artists, color = _artists(disp)
    assert all(to_rgba(color(artist)) == to_rgba("purple") for artist in artists)
    assert all(artist.get_linewidth() == 3 for artist in artists)
    if isinstance(disp, PerturbationDisplay):
        assert all(
            to_rgb(band.get_facecolor()[0]) == to_rgb("purple")
            for band in disp.bands_.values()
        )
    # the curves keep their own legend entries
    labels = [artist.get_label() for artist in artists]
    assert len(set(labels)) == len(labels)


def test_curve_kwargs_default_colours_differ_and_bands_follow(curves):
    disp = PerturbationDisplay(curves).plot()
    colors = [line.get_color() for line in disp.lines_.values()]
    assert len(set(colors)) == 3
    for line, band in zip(disp.lines_.values(), disp.bands_.values()):
        assert to_rgb(band.get_facecolor()[0]) == to_rgb(line.get_color())


@pytest.mark.parametrize("make", MULTI_CURVE, ids=MULTI_CURVE_IDS)
def test_curve_kwargs_wrong_length_raises(make, clf, curves):
    with pytest.raises(ValueError, match="list of 3 dicts.*got a list of 2"):
        make(clf, curves, curve_kwargs=[{"color": "red"}, {"color": "blue"}])


@pytest.mark.parametrize("make", MULTI_CURVE, ids=MULTI_CURVE_IDS)
@pytest.mark.parametrize(
    "curve_kwargs",
    ["red", [{"color": "red"}, "blue", {"color": "green"}]],
    ids=["str", "list-with-str"],
)
def test_curve_kwargs_not_dicts_raise(make, clf, curves, curve_kwargs):
    with pytest.raises(TypeError, match="curve_kwargs must be None, a dict or a list"):
        make(clf, curves, curve_kwargs=curve_kwargs)


@pytest.mark.parametrize("make", MULTI_CURVE, ids=MULTI_CURVE_IDS)
def test_matplotlib_keywords_go_in_curve_kwargs(make, clf, curves):
    # as in scikit-learn's RocCurveDisplay: no **kwargs beside curve_kwargs
    with pytest.raises(TypeError, match="unexpected keyword argument 'color'"):
        make(clf, curves, color="k")


# every Display drawing curves that may carry a legend, and how to plot it
LEGEND = {
    **dict(zip(MULTI_CURVE_IDS, MULTI_CURVE)),
    "sparsity": lambda clf, curves, **kw: SparsityCurveDisplay(
        [0.5, 0.9], [0.9, 0.7], dense_accuracy=0.95, name="net"
    ).plot(**kw),
    "rejection": lambda clf, curves, **kw: RejectionCurveDisplay.from_predictions(
        [0, 1, 1], [0, 1, 0], [0.1, 0.2, 0.3], name="net", **kw
    ),
}
# those whose legend lists every labelled curve of their Axes
SHARED_LEGEND = ["perturbation", "entropy", "entropy_plot", "sparsity", "rejection"]


@pytest.mark.parametrize("name", list(LEGEND))
def test_curves_without_labels_draw_no_legend(name, clf, curves):
    # matplotlib warns about a legend without entries: a Display draws one
    # only when a curve keeps a label
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        disp = LEGEND[name](clf, curves, curve_kwargs={"label": "_nolegend_"})
    assert disp.figure_.axes
    assert all(ax.get_legend() is None for ax in disp.figure_.axes)


@pytest.mark.parametrize("name", SHARED_LEGEND)
def test_legend_lists_the_labelled_curves_already_on_the_axes(name, clf, curves):
    _, ax = plt.subplots()
    ax.plot([0, 1], [0, 1], label="other")
    LEGEND[name](clf, curves, ax=ax, curve_kwargs={"label": "_nolegend_"})
    assert _legend_texts(ax) == ["other"]


# ------------------------------------------------------ axis labels and units


def _labels(ax):
    return ax.get_xlabel(), ax.get_ylabel()


def test_distribution_display_labels_every_axes_with_units(clf):
    disp = DistributionDisplay.from_estimator(clf, bins=5)
    units = [r"$\pi$ (probability)", r"$m$ (weight)", r"$\Xi$ (weight$^2$)"]
    for (row, col), ax in np.ndenumerate(disp.axes_):
        xlabel, ylabel = _labels(ax)
        assert xlabel == units[col]
        assert ylabel.endswith("number of connections")
    assert disp.axes_[2, 0].get_ylabel() == (
        "layer 3\N{RIGHTWARDS ARROW}4\nnumber of connections"
    )


@pytest.mark.parametrize("density", [True, False])
def test_entropy_display_labels_with_units(clf, density):
    disp = EntropyDisplay.from_estimator(clf, density=density)
    xlabel, ylabel = _labels(disp.ax_)
    assert xlabel == "connection entropy (nats)"
    assert ylabel == ("density (per nat)" if density else "number of connections")


@pytest.mark.parametrize(
    "quantities, ylabels",
    [
        (
            ("sparsity", "entropy_per_connection", "vip_fraction", "uip_fraction"),
            ["fraction of connections", "entropy per connection (nats)"],
        ),
        (
            ("entropy_per_connection",),
            ["entropy per connection (nats)"],
        ),
        (
            ("sparsity",),
            [r"sparsity $\langle\pi\rangle$ (fraction of connections)"],
        ),
        (
            ("vip_fraction", "n_vip", "n_uip", "entropy_per_connection"),
            [
                "VIP fraction (fraction of connections)",
                "number of connections",
                "entropy per connection (nats)",
            ],
        ),
    ],
)
def test_layer_profile_display_one_axes_per_unit(clf, quantities, ylabels):
    disp = LayerProfileDisplay.from_estimator(clf, quantities=quantities)
    assert [ax.get_ylabel() for ax in disp.axes_] == ylabels
    for ax in disp.axes_:
        assert ax.get_xlabel() == "layer of connections (l\N{RIGHTWARDS ARROW}l+1)"
    assert (disp.ax_ is disp.axes_[0]) == (len(ylabels) == 1)
    # a quantity is drawn on the Axes of its unit
    for quantity, line in zip(quantities, disp.lines_[0]):
        assert line.axes.get_ylabel() in ylabels
        unit = {"entropy_per_connection": "nats", "n_vip": "number", "n_uip": "number"}
        assert unit.get(quantity, "fraction") in line.axes.get_ylabel()


def test_layer_profile_display_units_on_given_axes(clf):
    fig, axes = plt.subplots(1, 2)
    disp = LayerProfileDisplay.from_estimator(clf, ax=axes)
    assert disp.axes_.tolist() == axes.tolist() and disp.figure_ is fig
    assert disp.bounding_ax_ is None

    # an Axes not made by a subplot cannot be divided
    with pytest.raises(ValueError, match="ax must be an Axes made by a subplot"):
        disp.plot(ax=plt.figure().add_axes([0, 0, 1, 1]))
    with pytest.raises(ValueError, match="Expected ax to have 2 Axes"):
        disp.plot(ax=plt.subplots(1, 3)[1])


def test_perturbation_display_labels_with_units(curves):
    disp = PerturbationDisplay(curves).plot()
    xlabel, ylabel = _labels(disp.ax_)
    assert xlabel.startswith("fraction of connections perturbed")
    assert ylabel == "test error (%)"
    # the errors stay fractions; the axis shows them in percent
    np.testing.assert_array_equal(
        disp.lines_["vip"].get_ydata(), curves["vip"].mean_error
    )
    formatter = disp.ax_.yaxis.get_major_formatter()
    assert isinstance(formatter, PercentFormatter) and formatter.xmax == 1.0


# ------------------------------------------------------ figures of examples/


def _png_size(path):
    """Width and height of a PNG, from its IHDR chunk."""
    header = Path(path).read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n" and header[12:16] == b"IHDR", path
    return struct.unpack(">II", header[16:24])


def test_example_figures_are_wide_enough_for_a_slide():
    figures = sorted((Path(__file__).parents[1] / "examples" / "figures").glob("*.png"))
    assert figures
    widths = {path.name: _png_size(path)[0] for path in figures}
    assert all(width >= 1200 for width in widths.values()), widths


# ------------------------------------------------- one shape for five Displays

ALL_DISPLAYS = [
    DistributionDisplay,
    EntropyDisplay,
    LayerProfileDisplay,
    PerturbationDisplay,
    SparsityCurveDisplay,
]


@pytest.mark.parametrize("display", ALL_DISPLAYS, ids=lambda d: d.__name__)
def test_displays_share_one_signature_shape(display):
    """Data in the constructor, positional; ``ax`` first in ``plot``; the
    matplotlib keywords in ``curve_kwargs``, never in ``**kwargs``."""

    def parameters(method):
        return inspect.signature(method).parameters

    init = list(parameters(display.__init__).values())[1:]
    assert init[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    plot = parameters(display.plot)
    assert list(plot)[:2] == ["self", "ax"]
    for method in (display.__init__, display.plot, display.from_estimator):
        kinds = [p.kind for p in parameters(method).values()]
        assert inspect.Parameter.VAR_KEYWORD not in kinds, method
    for method in (display.plot, display.from_estimator):
        assert "curve_kwargs" in parameters(method)
        assert parameters(method)["curve_kwargs"].default is None
    assert "ax" in parameters(display.from_estimator)
