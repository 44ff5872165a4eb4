"""Export of concrete networks: to_mlp (and through it ONNX) and to_torch."""

import copy
import sys
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier

from sklearn_sas import SampledNetwork, SaSMLPClassifier
from sklearn_sas.compression import PrunedNetwork, prune

LABELS = {
    "multiclass": lambda y: y,
    "binary": lambda y: np.array(["no", "yes"])[(y >= 5).astype(int)],
    "strings": lambda y: np.array([f"digit {d}" for d in range(10)], dtype=object)[y],
}
KINDS = ["pruned", "pruned, dead units dropped", "sampled"]


@pytest.fixture(scope="module")
def fitted(digits):
    """``fitted(labels, dtype)``: a small fitted model, fitted once per
    labels and dtype in this module."""
    models = {}

    def get(labels, dtype):
        if (labels, dtype) not in models:
            X, y = digits
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                models[labels, dtype] = SaSMLPClassifier(
                    (16, 8), max_iter=5, random_state=0, dtype=dtype
                ).fit(X, LABELS[labels](y))
        return models[labels, dtype]

    return get


def _network(model, kind):
    if kind == "sampled":
        return model.sample_network(random_state=0)
    drop = kind == "pruned, dead units dropped"
    net = prune(model, rule="sparsity", sparsity=0.95, drop_dead_units=drop)
    assert (sum(net.hidden_layer_sizes_) < 24) == drop
    return net


def _tolerances(dtype):
    return {"rtol": 1e-5, "atol": 1e-6} if dtype == "float32" else {
        "rtol": 1e-10, "atol": 1e-12}  # fmt: skip


def _dense(weights):
    return weights.toarray() if sp.issparse(weights) else weights


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("labels", list(LABELS))
def test_to_mlp_predicts_like_the_network(digits, fitted, labels, kind, dtype):
    X, y = digits
    y = LABELS[labels](y)
    net = _network(fitted(labels, dtype), kind)
    mlp = net.to_mlp()
    assert type(mlp) is MLPClassifier and mlp.activation == "relu"
    widths = tuple(w.shape[1] for w in net.coefs_[:-1])
    assert mlp.hidden_layer_sizes == widths
    assert all(type(w) is np.ndarray and w.dtype == dtype for w in mlp.coefs_)
    assert all(b.dtype == dtype for b in mlp.intercepts_)
    assert_array_equal(mlp.classes_, net.classes_)
    assert mlp.n_features_in_ == 64 and mlp.n_layers_ == 4
    assert_array_equal(mlp.predict(X), net.predict(X))
    assert_allclose(mlp.predict_proba(X), net.predict_proba(X), **_tolerances(dtype))
    assert mlp.score(X, y) == pytest.approx(net.score(X, y))
    binary = labels == "binary"
    assert mlp.n_outputs_ == (1 if binary else 10)
    assert mlp.out_activation_ == ("logistic" if binary else "softmax")
    hidden = [_dense(w) for w in net.coefs_[:-1]]
    for got, want in zip(mlp.coefs_, hidden):
        assert_array_equal(got, want)
    W, b = _dense(net.coefs_[-1]), net.intercepts_[-1]
    if binary:
        # the logit of "yes" against "no": the sigmoid of it is P("yes")
        assert_array_equal(mlp.coefs_[-1], W[:, 1:] - W[:, :1])
        assert_array_equal(mlp.intercepts_[-1], [b[1] - b[0]])
        assert_array_equal(np.unique(mlp.predict(X)), ["no", "yes"])
    else:
        assert_array_equal(mlp.coefs_[-1], W)
        assert_array_equal(mlp.intercepts_[-1], b)


@pytest.mark.parametrize("labels", ["multiclass", "binary"])
def test_to_mlp_continues_training_from_the_weights(digits, fitted, labels):
    X, y = digits
    y = LABELS[labels](y)
    net = _network(fitted(labels, "float64"), "pruned")
    mlp = net.to_mlp()
    assert mlp.n_iter_ == 0 and mlp.t_ == 0 and mlp.loss_curve_ == []
    assert not hasattr(mlp, "loss_")
    before = mlp.predict_proba(X)
    mlp.set_params(learning_rate_init=1e-4).partial_fit(X, y)
    assert mlp.n_iter_ == 1 and mlp.t_ == X.shape[0] and len(mlp.loss_curve_) == 1
    # a small step from the exported weights, not a fresh start
    assert 0 < np.abs(mlp.predict_proba(X) - before).max() < 0.1


def test_to_mlp_shares_nothing_with_the_network(digits):
    import pandas as pd

    X, y = digits
    frame = pd.DataFrame(X, columns=[f"pixel {i}" for i in range(64)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = SaSMLPClassifier((16, 8), max_iter=5, random_state=0).fit(frame, y)
    for net in (prune(model, rule="map", drop_dead_units=True),
                prune(model, rule="sparsity", sparsity=0.95),
                model.sample_network(random_state=0)):  # fmt: skip
        expected = net.predict_proba(frame)
        mlp = net.to_mlp()
        assert_array_equal(mlp.feature_names_in_, net.feature_names_in_)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # no feature-name warning
            assert_array_equal(mlp.predict(frame), net.predict(frame))
        ours = [*net.coefs_, *net.intercepts_, net.classes_, net.feature_names_in_]
        theirs = [*mlp.coefs_, *mlp.intercepts_, mlp.classes_, mlp.feature_names_in_]
        for a in theirs:
            assert not any(np.shares_memory(a, _dense(b)) for b in ours)
        for w in (*mlp.coefs_, *mlp.intercepts_):
            w += 1.0
        mlp.classes_[:] = mlp.classes_[::-1]
        assert_array_equal(net.predict_proba(frame), expected)
        assert_array_equal(net.classes_, np.arange(10))


def test_to_mlp_of_a_network_left_without_hidden_units(digits, fitted):
    X, _ = digits
    net = prune(fitted("strings", "float32"), rule="sparsity", sparsity=1.0,
                drop_dead_units=True)  # fmt: skip
    assert net.hidden_layer_sizes_ == (0, 0)
    mlp = net.to_mlp()
    assert mlp.hidden_layer_sizes == (0, 0)
    assert_array_equal(mlp.predict(X), net.predict(X))
    assert_allclose(mlp.predict_proba(X), net.predict_proba(X), rtol=1e-6)


def test_export_needs_a_fitted_network():
    for net in (PrunedNetwork(), SampledNetwork()):
        with pytest.raises(NotFittedError):
            net.to_mlp()
        with pytest.raises(NotFittedError):
            net.to_torch()


# --------------------------------------------------------------------- ONNX


def _onnx_session(model, X):
    skl2onnx = pytest.importorskip(
        "skl2onnx", reason="skl2onnx (the onnx extra) converts MLPClassifier to ONNX"
    )
    rt = pytest.importorskip(
        "onnxruntime", reason="onnxruntime (the onnx extra) runs the ONNX model"
    )
    # zipmap=False: probabilities as one array, not a list of dicts
    onx = skl2onnx.to_onnx(model, X[:1], options={"zipmap": False})
    session = rt.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    return lambda X: session.run(None, {session.get_inputs()[0].name: X})


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("labels", list(LABELS))
def test_onnx_predicts_like_the_network(digits, fitted, labels, kind, dtype):
    X, _ = digits
    X = X.astype(dtype)
    net = _network(fitted(labels, dtype), kind)
    run = _onnx_session(net.to_mlp(), X)
    predicted, proba = run(X)
    assert_array_equal(predicted, net.predict(X))
    assert proba.dtype == dtype
    assert_allclose(proba, net.predict_proba(X), **_tolerances(dtype))


# -------------------------------------------------------------------- torch


def _torch():
    return pytest.importorskip(
        "torch", reason="PyTorch is an optional dependency of to_torch"
    )


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("kind", KINDS)
def test_torch_module_computes_the_logits(digits, fitted, kind, dtype):
    torch = _torch()
    X, _ = digits
    net = _network(fitted("binary", dtype), kind)
    for masks in (False, True):
        module = net.to_torch(masks=masks)
        linears = [layer for layer in module if isinstance(layer, torch.nn.Linear)]
        assert [type(layer) for layer in module] == [
            torch.nn.Linear, torch.nn.ReLU, torch.nn.Linear, torch.nn.ReLU,
            torch.nn.Linear,
        ]  # fmt: skip
        for linear, w, b in zip(linears, net.coefs_, net.intercepts_):
            assert linear.weight.dtype == getattr(torch, dtype)
            assert_array_equal(linear.weight.detach().numpy(), _dense(w).T)
            assert_array_equal(linear.bias.detach().numpy(), b)
        with torch.no_grad():
            logits = module(torch.from_numpy(X.astype(dtype)))
            proba = torch.softmax(logits, dim=1).numpy()
        assert logits.dtype == getattr(torch, dtype)
        assert_allclose(logits.numpy(), net._logits(X), **_tolerances(dtype))
        assert_allclose(proba, net.predict_proba(X), **_tolerances(dtype))


@pytest.mark.parametrize("kind", KINDS)
def test_torch_masks_keep_pruned_weights_at_zero(digits, fitted, kind):
    torch = _torch()
    X, y = digits
    net = _network(fitted("multiclass", "float32"), kind)
    keep = [mask.T for mask in net._layer_masks()]
    assert any((~mask).any() for mask in keep)
    changed = {}
    for masks in (True, False):
        module = net.to_torch(masks=masks)
        linears = [layer for layer in module if isinstance(layer, torch.nn.Linear)]
        if masks:
            for linear, mask in zip(linears, keep):
                assert_array_equal(linear.weight_mask.numpy(), mask)
        optimizer = torch.optim.SGD(module.parameters(), lr=0.5)
        loss = torch.nn.functional.cross_entropy(
            module(torch.from_numpy(X.astype(np.float32))), torch.from_numpy(y)
        )
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            # the masked weight is recomputed from weight_orig on a forward pass
            module(torch.from_numpy(X[:1].astype(np.float32)))
        weights = [linear.weight.detach().numpy() for linear in linears]
        changed[masks] = any((w[~mask] != 0).any() for w, mask in zip(weights, keep))
        # kept connections train either way
        assert any(
            (w[mask] != _dense(c).T[mask]).any()
            for w, mask, c in zip(weights, keep, net.coefs_)
        )
    # with the masks the pruned weights stay zero; without, they train
    assert changed == {True: False, False: True}


def test_torch_module_shares_nothing_with_the_network(digits, fitted):
    torch = _torch()
    X, _ = digits
    net = _network(fitted("multiclass", "float64"), "sampled")
    expected = net.predict_proba(X)
    coefs = copy.deepcopy(net.coefs_)
    module = net.to_torch()
    # plain Linear layers by default: no pruning reparametrization
    assert [name for name, _ in module.named_parameters()] == [
        f"{k}.{name}" for k in (0, 2, 4) for name in ("weight", "bias")
    ]
    assert not list(module.buffers())
    with torch.no_grad():
        for parameter in module.parameters():
            parameter += 1.0
    assert_array_equal(net.predict_proba(X), expected)
    for a, b in zip(net.coefs_, coefs):
        assert_array_equal(a, b)


def test_torch_module_of_a_network_left_without_hidden_units(digits, fitted):
    torch = _torch()
    X, _ = digits
    net = prune(fitted("multiclass", "float32"), rule="sparsity",
                sparsity=1.0, drop_dead_units=True)  # fmt: skip
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        module = net.to_torch(masks=True)
    with torch.no_grad():
        logits = module(torch.from_numpy(X.astype(np.float32))).numpy()
    assert_allclose(logits, net._logits(X), rtol=1e-6)


def test_to_torch_arguments_and_missing_torch(fitted, monkeypatch):
    net = _network(fitted("multiclass", "float32"), "pruned")
    for value in ("yes", 1, None):
        with pytest.raises(TypeError, match="masks must be True or False"):
            net.to_torch(masks=value)
    # None in sys.modules makes `import torch` fail as if it were missing
    monkeypatch.setitem(sys.modules, "torch", None)
    with pytest.raises(ImportError, match="PrunedNetwork.to_torch needs PyTorch"):
        net.to_torch()
