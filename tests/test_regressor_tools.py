"""Everything that takes the classifier takes the regressor: inspection,
feature selection, masks, pruning, fine-tuning, sparsity curves, sampled
networks and exports, on a fitted SaSMLPRegressor and on a Pipeline ending
in one."""

import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import is_regressor
from sklearn.datasets import make_friedman1
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SampledNetworkRegressor, SaSFeatureSelector, SaSMLPRegressor
from sklearn_sas.compression import (
    PrunedNetworkRegressor,
    SparsityCurveDisplay,
    export_masks,
    export_network,
    fine_tune,
    load_masks,
    prune,
    pruning_masks,
    sparsity_curve,
)
from sklearn_sas.inspection import (
    DistributionDisplay,
    EntropyDisplay,
    LayerProfileDisplay,
    PerturbationDisplay,
    connection_entropy,
    credit_assignment,
    perturbation_curve,
)

SMALL = {"hidden_layer_sizes": (8,), "max_iter": 5, "random_state": 0}


def _fit(estimator, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return estimator.fit(X, y)


@pytest.fixture(scope="module")
def data():
    """Standardized friedman1 rows, a target and two targets."""
    X, y = make_friedman1(n_samples=200, noise=0.5, random_state=0)
    X = StandardScaler().fit_transform(X)
    y = (y - y.mean()) / y.std()
    y2 = np.column_stack([y, np.sin(2 * X[:, 0])])
    return X, y, y2


@pytest.fixture(scope="module")
def reg(data):
    X, y, _ = data
    return _fit(SaSMLPRegressor(**SMALL), X, y)


@pytest.fixture(scope="module")
def reg2(data):
    """Two outputs."""
    X, _, y2 = data
    return _fit(SaSMLPRegressor(**SMALL), X, y2)


@pytest.fixture(scope="module")
def poisson(data):
    X, y, _ = data
    return _fit(SaSMLPRegressor(loss="poisson", **SMALL), X, np.exp(y / 2))


@pytest.fixture(scope="module")
def pipe(data):
    """A Pipeline on raw (unscaled) rows: 3 x + 1."""
    X, y, _ = data
    return _fit(make_pipeline(StandardScaler(), SaSMLPRegressor(**SMALL)), 3 * X + 1, y)


def _forward(X, coefs, intercepts, out_activation="identity"):
    """The ReLU network of scaled weights ``coefs``, in NumPy."""
    h = X
    for k, (w, b) in enumerate(zip(coefs, intercepts)):
        h = h @ w + b
        if k < len(coefs) - 1:
            h = np.maximum(h, 0)
    return np.exp(h) if out_activation == "exp" else h


def _mean_coefs(network, masks=None):
    """The mean network's scaled weights, zero outside ``masks``."""
    coefs = [
        (1 - pi) * m / np.sqrt(m.shape[0])
        for m, pi in zip(network.slab_means_, network.spike_probs_)
    ]
    if masks is None:
        return coefs
    return [np.where(mask, w, 0) for w, mask in zip(coefs, masks)]


def _squeeze(y):
    return y.ravel() if y.ndim == 2 and y.shape[1] == 1 else y


# ---------------------------------------------------------- sampled networks


@pytest.mark.parametrize("which", ["reg", "reg2", "poisson"])
def test_sampled_regressor_predicts_with_its_sampled_weights(data, which, request):
    X, y, y2 = data
    model = request.getfixturevalue(which)
    net = model.sample_network(random_state=3)
    assert isinstance(net, SampledNetworkRegressor) and is_regressor(net)
    assert not hasattr(net, "classes_") and not hasattr(net, "predict_proba")
    expected = _forward(X, net.coefs_, net.intercepts_, model.out_activation_)
    assert_allclose(net.predict(X), _squeeze(expected), rtol=1e-12)
    for coef, mask in zip(net.coefs_, net.masks_):
        assert_array_equal(coef[~mask], 0)
    # a draw, not the mean network
    assert not np.allclose(net.predict(X), model.predict(X))
    target = {"reg": y, "reg2": y2, "poisson": np.exp(y / 2)}[which]
    assert net.score(X, target) == pytest.approx(r2_score(target, net.predict(X)))


def test_sampled_regressors_follow_the_learned_distribution(reg):
    nets = reg.sample_networks(400, random_state=0)
    for layer, mean in enumerate(_mean_coefs(reg)):
        m, pi = reg.slab_means_[layer], reg.spike_probs_[layer]
        xi = reg.slab_vars_[layer]
        draws = np.stack([net.coefs_[layer] for net in nets])
        # the standard error of the mean of 400 draws of variance v / N_l
        std = np.sqrt((1 - pi) * (xi + pi * m**2) / m.shape[0] / len(nets))
        assert np.all(np.abs(draws.mean(axis=0) - mean) <= 5 * std + 1e-12)


def test_sampling_a_pipeline_network(data, pipe):
    X, _, _ = data
    net = pipe[-1].sample_network(random_state=0)
    Xt = pipe[:-1].transform(3 * X + 1)
    assert_allclose(net.predict(Xt), _forward(Xt, net.coefs_, net.intercepts_).ravel())


def test_sampled_regressor_cannot_be_fitted(data, reg):
    X, y, _ = data
    with pytest.raises(TypeError, match="SaSMLPRegressor.sample_network"):
        reg.sample_network(random_state=0).fit(X, y)


# -------------------------------------------------------------------- to_mlp


@pytest.mark.parametrize("which", ["reg", "reg2", "poisson"])
def test_to_mlp_gives_an_mlp_regressor_predicting_the_mean(data, which, request):
    X, _, _ = data
    model = request.getfixturevalue(which)
    mlp = model.to_mlp()
    assert isinstance(mlp, MLPRegressor)
    assert mlp.out_activation_ == model.out_activation_
    assert mlp.loss == ("poisson" if which == "poisson" else "squared_error")
    assert_allclose(mlp.predict(X), model.predict(X), rtol=1e-10, atol=1e-12)
    net = model.sample_network(random_state=1)
    assert_allclose(net.to_mlp().predict(X), net.predict(X), rtol=1e-10, atol=1e-12)


def test_to_mlp_of_a_regressor_trains_on_from_its_weights(data, reg):
    X, y, _ = data
    mlp = reg.to_mlp()
    before = [w.copy() for w in mlp.coefs_]
    mlp.partial_fit(X, y)
    assert mlp.n_iter_ == 1
    assert not np.allclose(mlp.coefs_[0], before[0])
    assert np.abs(mlp.coefs_[0] - before[0]).max() < 0.1


def test_to_torch_of_a_regressor(data, reg2):
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    X, _, _ = data
    net = prune(reg2, rule="sparsity", sparsity=0.5)
    module = net.to_torch()
    with torch.no_grad():
        out = module(torch.from_numpy(X)).numpy()
    assert_allclose(out, net.predict(X), rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("which", ["reg", "reg2"])
def test_onnx_of_a_regressor_predicts_like_it(data, which, request):
    skl2onnx = pytest.importorskip(
        "skl2onnx", reason="skl2onnx (the onnx extra) converts MLPRegressor"
    )
    rt = pytest.importorskip("onnxruntime", reason="onnxruntime runs ONNX models")
    X, _, _ = data
    model = request.getfixturevalue(which)
    for net in (model, prune(model, rule="sparsity", sparsity=0.7)):
        X32 = X.astype(np.float32)
        onx = skl2onnx.to_onnx(net.to_mlp(), X32[:1])
        session = rt.InferenceSession(
            onx.SerializeToString(), providers=["CPUExecutionProvider"]
        )
        (got,) = session.run(None, {session.get_inputs()[0].name: X32})
        # skl2onnx 1.20 stacks several outputs into one column, row by row
        assert got.shape == (X.shape[0] * model.n_outputs_, 1)
        got = _squeeze(got.reshape(X.shape[0], -1))
        assert_allclose(got, net.predict(X), rtol=1e-4, atol=1e-5)


# --------------------------------------------------------------------- prune


@pytest.mark.parametrize("which", ["reg", "reg2", "poisson"])
def test_prune_at_sparsity_zero_is_the_dense_mean_network(data, which, request):
    X, _, _ = data
    model = request.getfixturevalue(which)
    pruned = prune(model, rule="sparsity", sparsity=0.0)
    assert isinstance(pruned, PrunedNetworkRegressor) and is_regressor(pruned)
    assert_allclose(pruned.predict(X), model.predict(X), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("drop_dead_units", [False, True])
def test_pruned_regressor_is_the_masked_mean_network(data, reg2, drop_dead_units):
    X, _, y2 = data
    pruned = prune(reg2, rule="sparsity", sparsity=0.6, drop_dead_units=drop_dead_units)
    masks = pruning_masks(reg2, rule="sparsity", sparsity=0.6)
    expected = _forward(X, _mean_coefs(reg2, masks), reg2.intercepts_)
    assert_allclose(pruned.predict(X), expected, rtol=1e-10, atol=1e-12)
    assert pruned.score(X, y2) == pytest.approx(r2_score(y2, expected))
    assert pruned.sparsity_ == pytest.approx(0.6, abs=0.01)


def test_prune_a_pipeline(data, pipe):
    X, _, _ = data
    pruned = prune(pipe, rule="sparsity", sparsity=0.0)
    assert_allclose(pruned.predict(3 * X + 1), pipe.predict(3 * X + 1), rtol=1e-10)
    assert isinstance(pruned[-1], PrunedNetworkRegressor)


# ------------------------------------------------------------ sparsity curve


def test_sparsity_curve_scores_are_r2_computed_by_hand(data, reg):
    X, y, _ = data
    curve = sparsity_curve(reg, X, y, sparsities=[0.3, 0.8])
    assert curve.score_name == "R^2" and "accuracy" not in curve
    for i, s in enumerate(curve.sparsities):
        masks = pruning_masks(reg, rule="sparsity", sparsity=s)
        by_hand = r2_score(y, _forward(X, _mean_coefs(reg, masks), reg.intercepts_))
        assert curve.scores[i] == pytest.approx(by_hand, rel=1e-10)
    assert curve.dense_score == pytest.approx(r2_score(y, reg.predict(X)))
    assert curve.scores[1] < curve.scores[0]


def test_sparsity_curve_of_a_pipeline_and_fine_tuned(data, pipe):
    X, y, _ = data
    curve = sparsity_curve(pipe, 3 * X + 1, y, sparsities=[0.5])
    assert curve.dense_score == pytest.approx(pipe.score(3 * X + 1, y))
    assert curve.scores[0] == pytest.approx(
        prune(pipe, rule="sparsity", sparsity=0.5).score(3 * X + 1, y)
    )
    tuned = sparsity_curve(
        pipe, 3 * X + 1, y, sparsities=[0.9], fine_tune_iter=2,
        X_tune=3 * X + 1, y_tune=y,
    )  # fmt: skip
    assert tuned.sparsity[0] >= 0.9 - 0.01


def test_sparsity_curve_display_of_a_regressor(data, reg):
    pytest.importorskip("matplotlib")
    X, y, _ = data
    disp = SparsityCurveDisplay.from_estimator(reg, X, y, sparsities=[0.5, 0.9])
    curve = sparsity_curve(reg, X, y, sparsities=[0.5, 0.9])
    assert disp.ax_.get_ylabel() == "R^2"
    assert_array_equal(disp.line_.get_ydata(), curve.scores)
    assert disp.dense_line_.get_ydata()[0] == curve.dense_score


# -------------------------------------------------------------- perturbation


def test_perturbation_errors_are_one_minus_r2_of_the_sampled_networks(data, reg2):
    X, _, y2 = data
    curve = perturbation_curve(
        reg2, X, y2, fractions=[0, 1], kind="random", n_networks=3, random_state=7
    )
    assert curve.score_name == "R^2"
    # the same seeds draw the same networks; fraction 0 perturbs nothing
    nets = reg2.sample_networks(3, random_state=7)
    for k, net in enumerate(nets):
        by_hand = 1 - r2_score(y2, _forward(X, net.coefs_, net.intercepts_))
        assert curve.errors[0, k] == pytest.approx(by_hand, rel=1e-10)
    assert_allclose(curve.mean_error, curve.errors.mean(axis=1))
    if curve.n_perturbed[1]:
        assert not np.array_equal(curve.errors[1], curve.errors[0])


def test_perturbation_of_a_pipeline_and_its_display(data, pipe):
    pytest.importorskip("matplotlib")
    X, y, _ = data
    Xt = pipe[:-1].transform(3 * X + 1)
    options = {"fractions": [0, 0.5], "n_networks": 2, "random_state": 0}
    curve = perturbation_curve(pipe, 3 * X + 1, y, **options)
    assert_array_equal(
        curve.errors, perturbation_curve(pipe[-1], Xt, y, **options).errors
    )
    disp = PerturbationDisplay.from_estimator(pipe, 3 * X + 1, y, **options)
    assert disp.ax_.get_ylabel() == "test 1 - R^2"
    assert_array_equal(disp.lines_["vip"].get_ydata(), curve.mean_error)


# ----------------------------------------------------------------- fine_tune


@pytest.mark.parametrize("which", ["reg", "reg2"])
def test_fine_tune_keeps_removed_connections_at_zero(data, which, request):
    X, y, y2 = data
    model = request.getfixturevalue(which)
    target = y if which == "reg" else y2
    masks = pruning_masks(model, rule="sparsity", sparsity=0.5)
    before = [m.copy() for m in model.slab_means_]
    tuned = fine_tune(model, X, target, masks=masks, max_iter=3)
    for layer, keep in enumerate(masks):
        assert_array_equal(tuned.spike_probs_[layer][~keep], 1)
        assert_array_equal(tuned.slab_means_[layer][~keep], 0)
        assert_array_equal(tuned.slab_vars_[layer][~keep], 0)
        assert_array_equal(model.slab_means_[layer], before[layer])
    # the kept connections trained on
    assert not np.allclose(tuned.slab_means_[0][masks[0]], before[0][masks[0]])
    assert np.all(~np.concatenate([p.ravel() for p in pruning_masks(tuned)])
                  [~np.concatenate([k.ravel() for k in masks])])  # fmt: skip
    pruned = prune(tuned)
    expected = _forward(X, _mean_coefs(tuned, masks), tuned.intercepts_)
    assert_allclose(pruned.predict(X), _squeeze(expected), rtol=1e-9, atol=1e-12)


def test_fine_tune_a_pipeline_and_refuse_other_targets(data, pipe, reg2):
    X, y, y2 = data
    tuned = fine_tune(pipe, 3 * X + 1, y, rule="sparsity", sparsity=0.5, max_iter=2)
    assert isinstance(tuned[-1], SaSMLPRegressor)
    assert pruning_masks(tuned[-1]).sparsity >= 0.5 - 0.01
    before = reg2.slab_means_[0].copy()
    with pytest.raises(ValueError, match="not of the kind the network was fitted"):
        fine_tune(reg2, X, np.column_stack([y2, y]), rule="sparsity", sparsity=0.5)
    assert_array_equal(reg2.slab_means_[0], before)


# ---------------------------------------------------------- export_network


@pytest.mark.parametrize("which", ["reg2", "poisson"])
def test_export_network_round_trip(data, which, request, tmp_path):
    X, _, _ = data
    model = request.getfixturevalue(which)
    pruned = export_network(model, tmp_path / "net", rule="sparsity", sparsity=0.5)
    with np.load(tmp_path / "net.npz") as archive:
        assert "classes" not in archive
        meta = json.loads(str(archive["metadata"]))
        n = meta["n_layers"]
        coefs = [archive[f"coef_{k}"] for k in range(n)]
        intercepts = [archive[f"intercept_{k}"] for k in range(n)]
    assert meta["output_activation"] == model.out_activation_
    loaded = _forward(X, coefs, intercepts, meta["output_activation"])
    assert_allclose(_squeeze(loaded), pruned.predict(X), rtol=1e-12)
    assert_allclose(
        _squeeze(loaded),
        prune(model, rule="sparsity", sparsity=0.5).predict(X),
        rtol=1e-12,
    )


# --------------------------------- what worked before: credit, masks, Displays


def test_inspection_of_a_pipeline_is_that_of_its_regressor(pipe):
    network = pipe[-1]
    ours, theirs = credit_assignment(pipe), credit_assignment(network)
    for a, b in zip(
        ours.vip_masks + ours.uip_masks, theirs.vip_masks + theirs.uip_masks
    ):
        assert_array_equal(a, b)
    for a, b in zip(connection_entropy(pipe), connection_entropy(network)):
        assert_array_equal(a, b)
    for a, b in zip(pruning_masks(pipe, rule="sparsity", sparsity=0.5),
                    pruning_masks(network, rule="sparsity", sparsity=0.5)):  # fmt: skip
        assert_array_equal(a, b)


def test_masks_round_trip_for_a_regressor(reg2, tmp_path):
    masks = pruning_masks(reg2, rule="sparsity", sparsity=0.7)
    export_masks(reg2, tmp_path / "masks", rule="sparsity", sparsity=0.7)
    loaded = load_masks(tmp_path / "masks.npz")
    for a, b in zip(masks, loaded):
        assert_array_equal(a, b)


def test_feature_selector_with_a_regressor(data):
    X, y, _ = data
    # two columns of noise, scaled so their connections can be told apart
    rng = np.random.default_rng(0)
    X_noisy = np.column_stack([X, np.zeros((X.shape[0], 2))])
    X_noisy[:, -1] = rng.normal(size=X.shape[0])
    selector = SaSFeatureSelector(SaSMLPRegressor(**SMALL))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        selector.fit(X_noisy, y)
    assert selector.feature_credit_.shape == (12,)
    # the column zero in every row is never used
    assert not selector.get_support()[-2]
    assert selector.transform(X_noisy).shape[1] == selector.get_support().sum()


def test_network_displays_of_a_regressor_pipeline(pipe):
    pytest.importorskip("matplotlib")
    for display in (DistributionDisplay, EntropyDisplay, LayerProfileDisplay):
        ours = display.from_estimator(pipe)
        theirs = display.from_estimator(pipe[-1])
        assert type(ours) is type(theirs)


def test_other_regressors_are_refused(data):
    X, y, _ = data
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        mlp = MLPRegressor(hidden_layer_sizes=(4,), max_iter=2).fit(X, y)
    for function in (prune, credit_assignment, pruning_masks):
        with pytest.raises(TypeError, match="SaSMLPClassifier or SaSMLPRegressor"):
            function(mlp)
