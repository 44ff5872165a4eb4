"""What MLPClassifier users expect: activations, coefs_, multilabel targets,
the stopping rules, the dtype of the input, and the exports that carry them."""

import json
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.datasets import make_multilabel_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier

from sklearn_sas import SaSMLPClassifier
from sklearn_sas._activations import ACTIVATIONS, output_log_proba
from sklearn_sas._gbp import ParamVector, Workspace, init_params, loss_grad
from sklearn_sas._optimizers import SGDOptimizer
from sklearn_sas.compression import prune

SMALL = {"hidden_layer_sizes": (12,), "max_iter": 15, "random_state": 0}


class FixedNoise:
    """Every minibatch gets the same ``eps``."""

    def __init__(self, per_layer):
        self.flat = np.concatenate([a.ravel() for a in per_layer])

    def fill(self, out):
        out[...] = self.flat
        return out


@pytest.fixture(scope="module")
def digits(digits):
    X, y = digits
    return X[:400], y[:400]


@pytest.fixture(scope="module")
def multilabel():
    X, Y = make_multilabel_classification(n_samples=120, random_state=0)
    return X / X.max(), Y


def _fit(est, X, y, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


def _targets(multilabel, rng, n, n_out):
    if multilabel:
        return (rng.random((n, n_out)) < 0.4).astype(np.float64)
    return rng.integers(n_out, size=n)


def _loss(params, X, y, noise, activation, multilabel, alpha=0.3, sw=None):
    grads = ParamVector(params.layer_units, params.fit_intercept, params.flat.dtype)
    ws = Workspace(params.layer_units, X.shape[0], params.flat.dtype)
    loss = loss_grad(
        params, grads, ws, X, y, sw, alpha, FixedNoise(noise), True,
        activation, "logistic" if multilabel else "softmax",
    )  # fmt: skip
    return loss, grads


# ------------------------------------------------------------ activations


@pytest.mark.parametrize("multilabel", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradient_matches_finite_differences(activation, multilabel):
    # gBP samples z = G + eps D, applies f and multiplies the backward pass
    # by f'(z): exact for every activation and both output layers
    layer_units = [5, 6, 4, 3]
    rng = np.random.default_rng(1)
    params = init_params(layer_units, True, np.float64, rng, init_pi=0.0, init_xi=0.5)
    params.spike_flat[:] = rng.uniform(0.05, 0.95, params.n_connections)
    X = rng.normal(size=(9, layer_units[0]))
    y = _targets(multilabel, rng, 9, layer_units[-1])
    noise = [rng.normal(size=(9, w)) for w in layer_units[1:]]
    sw = rng.uniform(0.5, 2.0, 9)

    _, grads = _loss(params, X, y, noise, activation, multilabel, sw=sw)
    numeric = np.empty_like(params.flat)
    step = 1e-6
    for i in range(params.flat.size):
        saved = params.flat[i]
        params.flat[i] = saved + step
        up, _ = _loss(params, X, y, noise, activation, multilabel, sw=sw)
        params.flat[i] = saved - step
        down, _ = _loss(params, X, y, noise, activation, multilabel, sw=sw)
        params.flat[i] = saved
        numeric[i] = (up - down) / (2 * step)
    assert np.linalg.norm(numeric) > 1e-3
    rel = np.linalg.norm(grads.flat - numeric) / np.linalg.norm(numeric)
    assert rel < 1e-6, rel


@pytest.mark.parametrize("multilabel", [False, True])
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_zero_spike_and_slab_step_is_mlpclassifier_step(activation, multilabel):
    # pi = xi = 0: gBP is backprop on W = m / sqrt(N); one SGD step on the
    # whole batch equals MLPClassifier's, output layer and loss included
    layer_units = [4, 4, 4, 3]
    rng = np.random.default_rng(5)
    params = init_params(layer_units, False, np.float64, rng, init_pi=0.0, init_xi=0.0)
    X = rng.normal(size=(12, 4))
    y = _targets(multilabel, rng, 12, 3)
    if multilabel:
        y[:3] = [[1, 0, 1], [0, 1, 0], [1, 1, 0]]  # every label seen both ways
    weights = [m.copy() for m in params.slab_means]
    lr, alpha = 0.05, 0.01
    noise = [np.zeros((12, w)) for w in layer_units[1:]]
    loss, grads = _loss(params, X, y, noise, activation, multilabel, alpha=alpha)
    step = SGDOptimizer(params.flat, lr, momentum=0.0, nesterov=False)
    step.update_params(params.flat, grads.flat)

    mlp = MLPClassifier(
        hidden_layer_sizes=(4, 4), activation=activation, solver="sgd",
        alpha=4 * alpha, momentum=0.0, nesterovs_momentum=False,
        learning_rate_init=lr / 4, batch_size=12, shuffle=False, max_iter=1,
    )  # fmt: skip
    mlp.partial_fit(X, y, classes=np.arange(3))
    mlp.coefs_ = [w / 2.0 for w in weights]
    mlp.intercepts_ = [np.zeros_like(b) for b in mlp.intercepts_]
    del mlp._optimizer
    mlp.partial_fit(X, y)
    for got, want in zip(params.slab_means, mlp.coefs_):
        assert_allclose(got / 2.0, want, rtol=1e-10, atol=1e-13)
    assert loss == pytest.approx(mlp.loss_curve_[-1], rel=1e-10)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_every_network_carries_the_activation(digits, activation):
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL, activation=activation), X, y)
    proba = est.predict_proba(X)
    for net in (
        est.sample_network(random_state=0),
        prune(est, rule="sparsity", sparsity=0.0),
    ):
        assert net.activation_ == activation
        mlp = net.to_mlp()
        assert mlp.activation == activation
        assert_allclose(mlp.predict_proba(X), net.predict_proba(X), atol=1e-10)
    # pruning nothing leaves the mean network
    assert_allclose(
        prune(est, rule="sparsity", sparsity=0.0).predict_proba(X), proba, atol=1e-10
    )
    # a unit without inputs outputs the constant f(b), folded downstream
    pruned = prune(est, rule="sparsity", sparsity=0.9, drop_dead_units=True)
    full = prune(est, rule="sparsity", sparsity=0.9)
    assert_allclose(pruned.predict_proba(X), full.predict_proba(X), atol=1e-8)


# ---------------------------------------------------------------- coefs_


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_coefs_reproduce_the_mean_network_through_mlpclassifier(
    digits, activation, n_classes
):
    X, y = digits
    keep = y < n_classes
    X, y = X[keep], y[keep]
    est = _fit(SaSMLPClassifier(**SMALL, activation=activation), X, y)
    pi, m = est.spike_probs_[0], est.slab_means_[0]
    assert_allclose(est.coefs_[0], (1 - pi) * m / np.sqrt(X.shape[1]))
    mlp = est.to_mlp()
    assert_allclose(mlp.predict_proba(X), est.predict_proba(X), rtol=1e-10, atol=1e-12)
    assert_array_equal(mlp.predict(X), est.predict(X))
    if n_classes == 3:
        # MLPClassifier's own forward pass on the coefs_ as they are
        mlp.coefs_, mlp.intercepts_ = est.coefs_, est.intercepts_
        assert_allclose(mlp.predict_proba(X), est.predict_proba(X), rtol=1e-10)


def test_coefs_follow_partial_fit(digits):
    X, y = digits
    est = SaSMLPClassifier(**SMALL).partial_fit(X, y, classes=np.unique(y))
    before = est.coefs_
    est.partial_fit(X, y)
    assert not np.allclose(before[0], est.coefs_[0])
    assert_allclose(est.to_mlp().predict_proba(X), est.predict_proba(X), atol=1e-12)


# ------------------------------------------------------------- multilabel


def test_multilabel_fits_like_mlpclassifier():
    X, Y = make_multilabel_classification(n_samples=600, random_state=0)
    X = X / X.max()
    X_test, Y_test, X, Y = X[400:], Y[400:], X[:400], Y[:400]
    est = _fit(SaSMLPClassifier((50,), random_state=0), X, Y)
    mlp = _fit(MLPClassifier((50,), random_state=0), X, Y)
    assert est.out_activation_ == mlp.out_activation_ == "logistic"
    assert_array_equal(est.classes_, mlp.classes_)
    predicted = est.predict(X_test)
    assert predicted.shape == Y_test.shape and predicted.dtype == mlp.predict(X).dtype
    proba = est.predict_proba(X_test)
    assert proba.shape == Y_test.shape
    # labels are not exclusive: the probabilities do not sum to 1
    assert not np.allclose(proba.sum(axis=1), 1)
    assert_array_equal(predicted, (proba > 0.5).astype(int))
    # held-out subset accuracy (the score of both) and per-label accuracy:
    # 0.33 and 0.787 against MLPClassifier's 0.33 and 0.768 when written
    assert est.score(X_test, Y_test) >= mlp.score(X_test, Y_test) - 0.03
    assert (predicted == Y_test).mean() >= (mlp.predict(X_test) == Y_test).mean() - 0.01
    assert_allclose(est.to_mlp().predict_proba(X_test), proba, rtol=1e-10)


def test_multilabel_inference_sampling_and_pruning(multilabel):
    X, Y = multilabel
    est = _fit(SaSMLPClassifier(**SMALL), X, Y)
    for inference in ("mc", "ensemble"):
        est.set_params(inference=inference, n_samples=5)
        assert est.predict_proba(X).shape == Y.shape
        uncertainty = est.predict_uncertainty(X)
        # one Bernoulli entropy per label, at most ln 2
        assert uncertainty.predictive_entropy.shape == Y.shape
        assert (uncertainty.predictive_entropy <= np.log(2) + 1e-6).all()
        assert (uncertainty.mutual_information >= 0).all()
    est.set_params(inference="mean")
    net = est.sample_network(random_state=0)
    assert net.predict(X).shape == Y.shape
    assert prune(est, rule="sparsity", sparsity=0.5).predict_proba(X).shape == Y.shape


def test_multilabel_refuses_class_weight_and_other_targets(multilabel):
    X, Y = multilabel
    with pytest.raises(ValueError, match="class_weight is not supported"):
        SaSMLPClassifier(**SMALL, class_weight="balanced").fit(X, Y)
    est = _fit(SaSMLPClassifier(**SMALL), X, Y)
    with pytest.raises(ValueError, match="kind the network was fitted on"):
        est.partial_fit(X, Y[:, 0])
    with pytest.raises(ValueError, match="kind the network was fitted on"):
        est.partial_fit(X, Y[:, :3])


# ---------------------------------------------------------- stopping rules


def test_reaching_max_iter_warns(digits):
    X, y = digits
    for n_iter_no_change in (10, np.inf):
        est = SaSMLPClassifier(
            **{**SMALL, "max_iter": 3}, n_iter_no_change=n_iter_no_change
        )
        with pytest.warns(ConvergenceWarning, match="Maximum iterations \\(3\\)"):
            est.fit(X, y)
        assert est.n_iter_ == 3


def test_tol_stops_training_without_warning(digits):
    X, y = digits
    est = SaSMLPClassifier(**{**SMALL, "max_iter": 500}, tol=10.0, n_iter_no_change=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est.fit(X, y)
    # the best loss, then n_iter_no_change + 1 epochs without improvement
    assert est.n_iter_ == 4
    assert est._no_improvement_count == 3


def test_early_stopping_error_names_the_labels():
    X = np.arange(10.0).reshape(5, 2)
    y = np.array(["a", "a", "b", "b", "c"])
    with pytest.raises(ValueError, match=r"classes with too few members are \['c'\]"):
        SaSMLPClassifier(early_stopping=True).fit(X, y)


def test_partial_fit_exists_for_stochastic_solvers_only():
    assert hasattr(SaSMLPClassifier(solver="sgd"), "partial_fit")
    assert not hasattr(SaSMLPClassifier(solver="lbfgs"), "partial_fit")


# ------------------------------------------------------------------ dtype


@pytest.mark.parametrize(
    "dtype, X_dtype, expected",
    [
        (None, np.float32, np.float32),
        (None, np.float64, np.float64),
        (None, np.int64, np.float64),
        ("float32", np.float64, np.float32),
        ("float64", np.float32, np.float64),
    ],
)
def test_dtype_follows_the_input_unless_forced(digits, dtype, X_dtype, expected):
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL, dtype=dtype), (X * 16).astype(X_dtype), y)
    for name in ("slab_means_", "spike_probs_", "slab_vars_", "intercepts_", "coefs_"):
        assert {a.dtype for a in getattr(est, name)} == {np.dtype(expected)}, name
    assert est.predict_proba(X).dtype == expected
    # training goes on in the fitted dtype
    est.partial_fit(X.astype(np.float32 if expected == np.float64 else np.float64), y)
    assert est.slab_means_[0].dtype == expected


def test_float32_and_float64_input_train_alike(digits):
    # the noise is drawn in float32 for both, as MLPClassifier fits both alike
    X, y = digits
    # rounding differences grow with the updates: minibatches of 200 keep
    # them few enough for the predictions to agree
    est64 = _fit(SaSMLPClassifier(**SMALL, batch_size=200), X, y)
    est32 = _fit(SaSMLPClassifier(**SMALL, batch_size=200), X.astype(np.float32), y)
    assert_array_equal(est64.predict(X), est32.predict(X.astype(np.float32)))
    assert_allclose(
        est64.predict_proba(X), est32.predict_proba(X.astype(np.float32)), atol=1e-3
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("output", ["softmax", "logistic"])
def test_log_proba_is_the_log_of_proba(dtype, output):
    rng = np.random.default_rng(0)
    z = (rng.normal(size=(200, 4)) * np.array([1, 10, 100, 1000])).astype(dtype)
    log_proba = output_log_proba(z, output)
    from sklearn_sas._activations import output_proba

    proba = output_proba(z, output)
    positive = proba >= np.finfo(dtype).tiny
    assert_array_equal(log_proba[positive], np.log(proba[positive]))
    # finite where the probability underflows to 0
    assert np.isfinite(log_proba).all()
    assert (~positive).any()


def test_predict_log_proba_matches_log_predict_proba(digits):
    X, y = digits
    for X_dtype in (np.float32, np.float64):
        est = _fit(
            SaSMLPClassifier(**SMALL, activation="logistic"), X.astype(X_dtype), y
        )
        assert_allclose(est.predict_log_proba(X), np.log(est.predict_proba(X)))


# ---------------------------------------------------------------- exports


def _onnx_run(mlp, X):
    skl2onnx = pytest.importorskip("skl2onnx")
    rt = pytest.importorskip("onnxruntime")
    onx = skl2onnx.to_onnx(mlp, X[:1], options={"zipmap": False})
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return session.run(None, {session.get_inputs()[0].name: X})


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_onnx_of_the_mean_network_carries_the_activation(digits, activation):
    X, y = digits
    X = X.astype(np.float32)
    est = _fit(SaSMLPClassifier(**SMALL, activation=activation), X, y)
    labels, proba = _onnx_run(est.to_mlp(), X)
    assert_array_equal(labels, est.predict(X))
    assert_allclose(proba, est.predict_proba(X), rtol=1e-4, atol=1e-5)


def test_exported_archive_names_the_activations(digits, tmp_path):
    from sklearn_sas.compression import export_network

    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL, activation="tanh"), X, y)
    network = export_network(est, tmp_path / "net.npz", rule="sparsity", sparsity=0.5)
    archive = np.load(tmp_path / "net.npz")
    metadata = json.loads(str(archive["metadata"]))
    assert metadata["hidden_activation"] == "tanh"
    assert metadata["output_activation"] == "softmax"
    h = X
    for k in range(metadata["n_layers"]):
        h = h @ archive[f"coef_{k}"] + archive[f"intercept_{k}"]
        if k < metadata["n_layers"] - 1:
            h = np.tanh(h)
    assert_array_equal(archive["classes"][h.argmax(axis=1)], network.predict(X))


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_torch_module_carries_the_activation(digits, activation):
    torch = pytest.importorskip("torch")
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL, activation=activation), X, y)
    net = est.sample_network(random_state=0)
    module = net.to_torch()
    with torch.no_grad():
        logits = module(torch.from_numpy(X)).numpy()
    assert_allclose(torch.softmax(torch.from_numpy(logits), 1).numpy(),
                    net.predict_proba(X), rtol=1e-10)  # fmt: skip
