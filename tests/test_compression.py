"""Pruning masks, their export, and sparse inference."""

import copy
import json
import pickle
import warnings
import zipfile

import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import (
    PrunedNetwork,
    connection_scores,
    export_masks,
    export_network,
    fine_tune,
    load_masks,
    prune,
    pruning_masks,
)


@pytest.fixture(scope="module")
def fitted(digits_split):
    X_train, _, y_train, _ = digits_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # float32, the dtype of the pruned weights checked below
        return SaSMLPClassifier(
            (40, 20), max_iter=200, dtype="float32", random_state=0
        ).fit(X_train, y_train)


def test_rules_follow_the_spike_probabilities(fitted):
    pis = fitted.spike_probs_
    for mask, m, pi, xi in zip(
        pruning_masks(fitted), fitted.slab_means_, pis, fitted.slab_vars_
    ):
        assert mask.dtype == bool and mask.shape == pi.shape
        zero_point_mass = (xi <= 1e-8) & (np.abs(m) <= 1e-6)
        assert_array_equal(mask, (pi < 1 - 1e-6) & ~zero_point_mass)
    for mask, pi in zip(pruning_masks(fitted, rule="map"), pis):
        assert_array_equal(mask, pi < 0.5)
    for mask, pi in zip(pruning_masks(fitted, rule="threshold", threshold=0.2), pis):
        assert_array_equal(mask, pi < 0.2)
    with pytest.raises(
        ValueError, match=r"^rule='threshold' needs a threshold in \(0, 1\]\.$"
    ):
        pruning_masks(fitted, rule="threshold")
    with pytest.raises(
        ValueError, match=r"^rule='sparsity' needs a sparsity in \[0, 1\]\.$"
    ):
        pruning_masks(fitted, rule="sparsity")
    with pytest.raises(ValueError, match="rule"):
        pruning_masks(fitted, rule="magnitude")
    with pytest.raises(NotFittedError):
        pruning_masks(SaSMLPClassifier())


def test_map_and_threshold_drop_a_spike_probability_at_the_bound(fitted):
    model = copy.deepcopy(fitted)
    pi = model.spike_probs_[0]
    pi[0, :3] = 0.5
    pi[1, :3] = 0.25
    pi[2, :3] = 0.125
    map_masks = pruning_masks(model, rule="map")
    assert not map_masks[0][0, :3].any() and map_masks[0][1:3, :3].all()
    kept = pruning_masks(model, rule="threshold", threshold=0.25)
    assert not kept[0][:2, :3].any() and kept[0][2, :3].all()
    assert kept.info == {
        "rule": "threshold", "threshold": 0.25, "pi_tol": 1e-6, "xi_tol": 1e-8,
        "m_tol": 1e-6,
    }  # fmt: skip


@pytest.mark.parametrize("sparsity", [0.0, 0.37, 0.9, 0.95, 1.0])
@pytest.mark.parametrize("score", ["magnitude", "snr", "spike"])
def test_sparsity_rule_is_exact(fitted, sparsity, score):
    total = sum(pi.size for pi in fitted.spike_probs_)
    masks = pruning_masks(fitted, rule="sparsity", sparsity=sparsity, score=score)
    dropped = sum(int((~mask).sum()) for mask in masks)
    assert dropped == round(sparsity * total)
    assert masks.info == {
        "rule": "sparsity", "pi_tol": 1e-6, "xi_tol": 1e-8, "m_tol": 1e-6,
        "sparsity": sparsity, "scope": "global", "score": score,
    }  # fmt: skip
    per_layer = pruning_masks(fitted, rule="sparsity", sparsity=sparsity, scope="layer")
    for mask in per_layer:
        assert int((~mask).sum()) == round(sparsity * mask.size)


def test_sparsity_rule_drops_the_lowest_scores(fitted):
    scores = connection_scores(fitted)
    masks = pruning_masks(fitted, rule="sparsity", sparsity=0.6)
    kept = np.concatenate([s[m] for s, m in zip(scores, masks)])
    dropped = np.concatenate([s[~m] for s, m in zip(scores, masks)])
    assert dropped.max() <= kept.min()
    # the magnitude score is the magnitude of the mean weight
    for s, m, pi in zip(scores, fitted.slab_means_, fitted.spike_probs_):
        # subnormal weights (below float32's tiny) carry fewer digits
        assert_allclose(
            s, np.abs(m * (1 - pi)), rtol=1e-6, atol=np.finfo(np.float32).tiny
        )


def test_uip_pruning_keeps_the_accuracy(fitted, digits_split):
    _, X_test, _, y_test = digits_split
    pruned = prune(fitted, rule="uip")
    # UIP connections are never present: dropping them changes little
    assert abs(pruned.score(X_test, y_test) - fitted.score(X_test, y_test)) <= 0.01


def _constructed(fitted, seed=0):
    """A copy of ``fitted`` whose only UIP connections are known: every slab
    variance positive, then per layer a set ``absent`` with ``pi = 1`` and a
    disjoint set ``zero`` of deterministic zero weights (``xi = m = 0``, ``pi``
    0 or in (0, 1))."""
    clf = copy.deepcopy(fitted)
    rng = np.random.default_rng(seed)
    absent, zero = [], []
    for m, pi, xi in zip(clf.slab_means_, clf.spike_probs_, clf.slab_vars_):
        pi[pi >= 1 - 1e-6] = 0.5
        xi[...] = np.maximum(xi, 1e-3)
        which = rng.choice(3, size=pi.shape, p=[0.8, 0.1, 0.1])
        absent.append(which == 1)
        zero.append(which == 2)
        pi[absent[-1]] = 1.0
        pi[zero[-1]] = rng.choice([0.0, 0.3], size=int(zero[-1].sum()))
        xi[zero[-1]] = 0.0
        m[zero[-1]] = 0.0
    return clf, absent, zero


@pytest.mark.parametrize("inference", ["mean", "ensemble"])
def test_uip_rule_drops_deterministic_zeros_without_changing_predictions(
    fitted, digits_split, inference
):
    _, X_test, _, _ = digits_split
    clf, absent, zero = _constructed(fitted)
    clf.set_params(inference=inference, n_samples=5)
    masks = pruning_masks(clf, rule="uip")
    for mask, a, z, pi in zip(masks, absent, zero, clf.spike_probs_):
        # deterministic zeros with pi = 0 and with 0 < pi < 1
        assert (z & (pi == 0)).any() and (z & (pi > 0)).any()
        assert_array_equal(mask, ~(a | z))
    assert masks.info == {"rule": "uip", "pi_tol": 1e-6, "xi_tol": 1e-8, "m_tol": 1e-6}

    # the dropped connections are never present: making them absent (pi = 1)
    # leaves the network's predictions as they were
    pruned = copy.deepcopy(clf)
    for pi, mask in zip(pruned.spike_probs_, masks):
        pi[~mask] = 1.0
    assert_allclose(
        pruned.predict_proba(X_test), clf.predict_proba(X_test), rtol=1e-5, atol=1e-7
    )
    if inference == "mean":
        sparse = prune(clf, rule="uip")
        assert_allclose(
            sparse.predict_proba(X_test), clf.predict_proba(X_test), rtol=1e-4,
            atol=1e-6,
        )  # fmt: skip
    # exact zeros are UIP at zero tolerances too
    exact = pruning_masks(clf, rule="uip", xi_tol=0.0, m_tol=0.0)
    for mask, a, z in zip(exact, absent, zero):
        assert_array_equal(mask, ~(a | z))


def test_uip_rule_tolerances(fitted):
    clf, absent, zero = _constructed(fitted)
    clf.slab_means_[0][zero[0]] = 1e-4
    # a deterministic weight of 1e-4 is kept unless m_tol reaches it
    assert_array_equal(pruning_masks(clf)[0], ~absent[0])
    assert_array_equal(pruning_masks(clf, m_tol=1e-3)[0], ~(absent[0] | zero[0]))
    clf.slab_means_[0][zero[0]] = 0.0
    clf.slab_vars_[0][zero[0]] = 1e-6
    assert_array_equal(pruning_masks(clf)[0], ~absent[0])
    assert_array_equal(pruning_masks(clf, xi_tol=1e-5)[0], ~(absent[0] | zero[0]))
    for name in ("xi_tol", "m_tol"):
        with pytest.raises(ValueError, match=name):
            pruning_masks(clf, **{name: -1.0})


def _nnz(weights):
    """Stored nonzero weights of a layer, dense or sparse."""
    return weights.nnz if sp.issparse(weights) else np.count_nonzero(weights)


@pytest.mark.parametrize(
    "rule", [dict(rule="map")] + [dict(rule="sparsity", sparsity=s) for s in (0.7, 0.95)]
)
def test_pruned_network_equals_a_dense_masked_forward_pass(fitted, digits_split, rule):
    _, X_test, _, _ = digits_split
    pruned = prune(fitted, **rule)
    for w in pruned.coefs_:
        # dense from 3% of nonzero weights on, CSR below
        assert isinstance(w, np.ndarray) or (sp.issparse(w) and w.format == "csr")
        assert isinstance(w, np.ndarray) == (_nnz(w) >= 0.03 * np.prod(w.shape))
    h = X_test
    for k, (m, pi, mask, b) in enumerate(
        zip(fitted.slab_means_, fitted.spike_probs_, pruned.masks_, fitted.intercepts_)
    ):
        weights = np.where(mask, m * (1 - pi), 0) / np.sqrt(m.shape[0])
        h = h @ weights + b
        if k < len(pruned.masks_) - 1:
            h = np.maximum(h, 0)
    proba = np.exp(h - h.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    assert_allclose(pruned.predict_proba(X_test), proba, rtol=1e-4, atol=1e-6)
    assert_array_equal(pruned.predict(X_test), fitted.classes_[h.argmax(axis=1)])
    total = sum(mask.size for mask in pruned.masks_)
    kept = sum(int(mask.sum()) for mask in pruned.masks_)
    assert pruned.n_kept_ == kept
    # a kept connection whose mean weight is exactly 0 stores no entry
    assert kept - 10 <= sum(_nnz(w) for w in pruned.coefs_) <= kept
    assert pruned.sparsity_ == pytest.approx(1 - kept / total)
    assert pruned.compression_ratio_ == pytest.approx(total / kept)
    restored = pickle.loads(pickle.dumps(pruned))
    assert_array_equal(restored.predict_proba(X_test), pruned.predict_proba(X_test))
    with pytest.raises(TypeError, match="cannot be fitted"):
        PrunedNetwork().fit(X_test, None)


@pytest.mark.parametrize("layout", ["sklearn", "torch"])
def test_masks_round_trip(fitted, tmp_path, layout):
    masks = pruning_masks(fitted, rule="sparsity", sparsity=0.5, scope="layer")
    path = tmp_path / "masks.npz"
    export_masks(masks, path, layout=layout)
    loaded = load_masks(path)
    assert len(loaded) == len(masks)
    for a, b in zip(loaded, masks):
        assert a.dtype == bool
        assert_array_equal(a, b)
    assert loaded.info["layout"] == layout
    assert loaded.info["rule"] == "sparsity" and loaded.info["scope"] == "layer"
    assert loaded.info["layer_sizes"] == [64, 40, 20, 10]
    raw = np.load(path)
    expected = (20, 40) if layout == "torch" else (40, 20)
    assert raw["mask_1"].shape == expected
    # by value: torch's (out, in) is the transpose, not a reshape
    for k, mask in enumerate(masks):
        assert_array_equal(raw[f"mask_{k}"], mask.T if layout == "torch" else mask)
    # from the estimator directly, with pruning options
    again = export_masks(fitted, tmp_path / "est.npz", layout=layout, rule="map")
    for a, b in zip(load_masks(tmp_path / "est.npz"), again):
        assert_array_equal(a, b)


def _write_npz(path, **arrays):
    np.savez(path, **arrays)
    return path


def test_load_masks_rejects_foreign_and_broken_files(fitted, tmp_path):
    good = tmp_path / "good.npz"
    export_masks(fitted, good)
    # not an archive at all / truncated
    (tmp_path / "text.npz").write_text("hello")
    with pytest.raises(ValueError, match="not a readable"):
        load_masks(tmp_path / "text.npz")
    data = good.read_bytes()
    (tmp_path / "cut.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="not a readable"):
        load_masks(tmp_path / "cut.npz")
    # someone else's archive
    foreign = _write_npz(tmp_path / "foreign.npz", weights=np.ones((2, 2)))
    with pytest.raises(ValueError, match="metadata"):
        load_masks(foreign)
    other = json.dumps({"format": "something.else"})
    other_file = _write_npz(tmp_path / "other.npz", metadata=np.array(other))
    with pytest.raises(ValueError, match="not a sklearn_sas.masks file"):
        load_masks(other_file)
    # shapes that disagree with the metadata
    with np.load(good) as archive:
        contents = {name: archive[name] for name in archive.files}
    bad = dict(contents, mask_1=contents["mask_1"].T)
    with pytest.raises(ValueError, match="mask_1 should be"):
        load_masks(_write_npz(tmp_path / "bad.npz", **bad))
    missing = {k: v for k, v in contents.items() if k != "mask_2"}
    with pytest.raises(ValueError, match="mask_2"):
        load_masks(_write_npz(tmp_path / "missing.npz", **missing))
    extra = dict(contents, mask_3=np.ones((10, 3), dtype=bool))
    with pytest.raises(ValueError, match="does not describe"):
        load_masks(_write_npz(tmp_path / "extra.npz", **extra))
    assert zipfile.is_zipfile(good)


def test_export_masks_rejects_bad_masks(tmp_path):
    whole = r"^masks must be a non-empty list of 2-D boolean arrays\.$"
    with pytest.raises(ValueError, match=whole):
        export_masks([np.ones((3, 2))], tmp_path / "x.npz")
    with pytest.raises(ValueError, match=whole):
        export_masks([], tmp_path / "x.npz")
    with pytest.raises(ValueError, match="chain"):
        export_masks(
            [np.ones((3, 2), dtype=bool), np.ones((4, 2), dtype=bool)],
            tmp_path / "x.npz",
        )
    with pytest.raises(
        TypeError,
        match=r"^pruning options apply to an estimator, not to given masks: "
        r"\['rule'\]$",
    ):
        export_masks([np.ones((3, 2), dtype=bool)], tmp_path / "x.npz", rule="map")
    assert not (tmp_path / "x.npz").exists()


def test_export_network_loads_with_numpy_alone(fitted, digits_split, tmp_path):
    _, X_test, _, _ = digits_split
    path = tmp_path / "net.npz"
    network = export_network(fitted, path, rule="sparsity", sparsity=0.5)
    archive = np.load(path, allow_pickle=False)
    metadata = json.loads(str(archive["metadata"]))
    h = X_test
    for k in range(metadata["n_layers"]):
        h = h @ archive[f"coef_{k}"] + archive[f"intercept_{k}"]
        if k < metadata["n_layers"] - 1:
            h = np.maximum(h, 0)
    labels = archive["classes"][h.argmax(axis=1)]
    assert_array_equal(labels, network.predict(X_test))
    assert metadata["sparsity"] == pytest.approx(0.5)
    zeros = sum(int((archive[f"coef_{k}"] == 0).sum()) for k in range(3))
    assert zeros >= round(0.5 * sum(m.size for m in network.masks_))


def test_export_network_metadata_is_exact(fitted, tmp_path):
    from sklearn_sas import __version__

    path = tmp_path / "net.npz"
    network = export_network(fitted, path, rule="map")
    metadata = json.loads(str(np.load(path)["metadata"]))
    assert metadata == {
        "format": "sklearn_sas.network",
        "format_version": 1,
        "n_layers": 3,
        "hidden_activation": "relu",
        "output_activation": "softmax",
        "sparsity": network.sparsity_,
        "version": __version__,
        "rule": "map",
        "pi_tol": 1e-6,
        "xi_tol": 1e-8,
        "m_tol": 1e-6,
    }


def test_export_network_stores_string_labels_without_pickle(digits_split, tmp_path):
    X_train, X_test, y_train, _ = digits_split
    labels = np.array([f"digit {d}" for d in range(10)], dtype=object)
    clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X_train, labels[y_train])
    path = tmp_path / "net.npz"
    network = export_network(clf, path, rule="map")
    classes = np.load(path, allow_pickle=False)["classes"]
    assert classes.dtype.kind == "U"
    assert_array_equal(classes, labels)
    assert set(network.predict(X_test)) <= set(labels)


def test_torch_masks_apply_with_custom_from_mask(fitted, digits_split, tmp_path):
    torch = pytest.importorskip("torch")
    from torch.nn.utils import prune as torch_prune

    _, X_test, _, _ = digits_split
    path = tmp_path / "masks.npz"
    export_masks(fitted, path, layout="torch", rule="sparsity", sparsity=0.6)
    archive = np.load(path)
    layers = []
    for k, (m, pi, b) in enumerate(
        zip(fitted.slab_means_, fitted.spike_probs_, fitted.intercepts_)
    ):
        linear = torch.nn.Linear(*m.shape)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy((m * (1 - pi)).T / np.sqrt(m.shape[0])))
            linear.bias.copy_(torch.from_numpy(b))
        # the three lines of the README
        mask = torch.from_numpy(archive[f"mask_{k}"])
        torch_prune.custom_from_mask(linear, name="weight", mask=mask)
        layers.append(linear)
    model = torch.nn.Sequential(
        layers[0], torch.nn.ReLU(), layers[1], torch.nn.ReLU(), layers[2]
    )
    with torch.no_grad():
        logits = model(torch.from_numpy(X_test.astype(np.float32))).numpy()
    pruned = prune(fitted, rule="sparsity", sparsity=0.6)
    assert_array_equal(fitted.classes_[logits.argmax(axis=1)], pruned.predict(X_test))
    kept = sum(int(layer.weight_mask.sum()) for layer in layers)
    assert kept == pruned.n_kept_


def test_pruned_network_predicts_sparse_input(fitted, digits_split):
    _, X_test, _, _ = digits_split
    pruned = prune(fitted, rule="sparsity", sparsity=0.8)
    dense = pruned.predict_proba(X_test)
    for container in (sp.csr_matrix, sp.csr_array):
        assert_allclose(pruned.predict_proba(container(X_test)), dense, rtol=1e-5)
    net = fitted.sample_network(random_state=0)
    assert_allclose(
        net.predict_proba(sp.csr_matrix(X_test)), net.predict_proba(X_test), rtol=1e-5
    )


def test_numpy_scalar_options_are_stored_as_numbers(tmp_path):
    from sklearn.datasets import load_digits

    from sklearn_sas import SaSMLPClassifier
    from sklearn_sas.compression import export_masks, load_masks

    X, y = load_digits(return_X_y=True)
    clf = SaSMLPClassifier((8,), max_iter=2, random_state=0).fit(X / 16, y)
    path = tmp_path / "masks.npz"
    export_masks(clf, path, rule="sparsity", sparsity=np.float32(0.5))
    loaded = load_masks(path)
    assert loaded.info["sparsity"] == 0.5
    assert round(loaded.sparsity, 2) == 0.5


def test_connection_scores_by_hand():
    from sklearn_sas.compression import connection_scores

    m = np.array([[2.0, -1.0], [0.0, 3.0], [1.0, 0.0]], dtype=np.float32)
    pi = np.array([[0.5, 0.0], [0.2, 0.0], [0.5, 1.0]], dtype=np.float32)
    xi = np.array([[0.5, 0.0], [1.0, 0.0], [0.1, 0.0]], dtype=np.float32)
    model = SaSMLPClassifier()
    model.slab_means_, model.spike_probs_, model.slab_vars_ = [m], [pi], [xi]
    magnitude, snr, spike = (connection_scores(model, s)[0]
                             for s in ("magnitude", "snr", "spike"))  # fmt: skip
    assert magnitude.dtype == snr.dtype == np.float64
    assert_allclose(magnitude, [[1.0, 1.0], [0.0, 3.0], [0.5, 0.0]], rtol=1e-7)
    # |mu| / sd with sd^2 = (1 - pi)(xi + pi m^2); a deterministic weight has
    # an infinite ratio, a deterministic zero a ratio of 0
    sd, small_sd = np.sqrt(0.5 * (0.5 + 0.5 * 4.0)), np.sqrt(0.5 * (0.1 + 0.5))
    assert sd > 1 > small_sd
    assert_allclose(snr, [[1.0 / sd, np.inf], [0.0, np.inf], [0.5 / small_sd, 0.0]],
                    rtol=1e-6)  # fmt: skip
    assert_allclose(spike, [[0.5, 1.0], [0.8, 1.0], [0.5, 0.0]], rtol=1e-7)
    with np.errstate(divide="raise", invalid="raise"):  # handled without warnings
        connection_scores(model, "snr")


def test_pruned_layers_dense_from_3_percent_kept(fitted):
    # a layer keeping at least 3% of its connections multiplies densely
    masks = pruning_masks(fitted, rule="sparsity", sparsity=0.97, scope="layer")
    net = prune(fitted, rule="sparsity", sparsity=0.97, scope="layer")
    assert [_nnz(w) for w in net.coefs_] == [int(k.sum()) for k in masks]
    assert all(isinstance(w, np.ndarray) for w in net.coefs_)
    assert all(isinstance(w, np.ndarray) for w in net._inference_weights())
    sparse = prune(fitted, rule="sparsity", sparsity=0.975, scope="layer")
    assert not any(isinstance(w, np.ndarray) for w in sparse.coefs_)
    assert not any(isinstance(w, np.ndarray) for w in sparse._inference_weights())
    assert all(w.dtype == np.float32 for w in net.coefs_)


def test_pruning_everything_has_an_infinite_compression_ratio(fitted, digits_split):
    net = prune(fitted, rule="sparsity", sparsity=1.0)
    assert net.n_kept_ == 0 and net.sparsity_ == 1.0
    assert net.compression_ratio_ == np.inf


def test_pruned_pipeline_keeps_every_step_and_its_name(fitted, digits_split):
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import FunctionTransformer, StandardScaler

    X_train, X_test, y_train, _ = digits_split
    pipe = Pipeline([
        ("scale", StandardScaler()), ("same", FunctionTransformer()),
        ("net", SaSMLPClassifier((8,), max_iter=3, random_state=0)),
    ]).fit(X_train, y_train)  # fmt: skip
    pruned = prune(pipe, rule="map")
    assert [name for name, _ in pruned.steps] == ["scale", "same", "net"]
    assert isinstance(pruned.steps[-1][1], PrunedNetwork)
    assert_array_equal(
        pruned.predict(X_test), prune(pipe[-1], rule="map").predict(pipe[:-1].transform(X_test))
    )


def test_sparsity_rule_breaks_ties_by_position():
    from sklearn_sas.compression._masks import _keep_best

    scores = np.r_[np.ones(50), np.zeros(50)].reshape(10, 10)
    (keep,) = _keep_best([scores], 5)
    assert keep.dtype == bool
    assert np.flatnonzero(~keep.ravel()).tolist() == [50, 51, 52, 53, 54]


@pytest.mark.parametrize(
    "options, message",
    [
        (
            {"sparsity": 0.9},
            r"^rule='uip' \(the default\) does not use sparsity=0\.9, an option of "
            r"rule='sparsity': pass rule='sparsity', or leave sparsity out\.$",
        ),
        (
            {"threshold": 0.01},
            r"does not use threshold=0\.01, an option of rule='threshold'",
        ),
        ({"rule": "map", "sparsity": 0.9}, r"^rule='map' does not use sparsity=0\.9"),
        ({"rule": "map", "pi_tol": 0.1}, r"pi_tol=0\.1, an option of rule='uip'"),
        ({"rule": "threshold", "threshold": 0.5, "scope": "layer"}, "scope='layer'"),
        ({"rule": "sparsity", "sparsity": 0.5, "m_tol": 0.0}, "m_tol=0.0"),
        (
            {"rule": "uip", "score": "snr"},
            r"^rule='uip' \(the default\) does not use score='snr'",
        ),
        (
            {"rule": "map", "threshold": 0.5, "sparsity": 0.9},
            r"^rule='map' does not use threshold=0\.5 \(an option of "
            r"rule='threshold'\), sparsity=0\.9 \(an option of rule='sparsity'\): "
            r"pass one rule with its own options only\.$",
        ),
        (
            {"rule": "map", "sparsity": 0.9, "scope": "layer"},
            r"sparsity=0\.9 \(an option of rule='sparsity'\), scope='layer' \(an "
            r"option of rule='sparsity'\): pass rule='sparsity', or leave them out\.$",
        ),
    ],
)
def test_an_option_the_rule_does_not_use_is_refused(
    fitted, digits_split, tmp_path, options, message
):
    # issue 22, item 1: an option of another rule was silently ignored
    X_train, _, y_train, _ = digits_split
    before = pickle.dumps(fitted)
    path = tmp_path / "masks.npz"
    calls = [
        lambda: pruning_masks(fitted, **options),
        lambda: prune(fitted, **options),
        lambda: prune(fitted, drop_dead_units=True, **options),
        lambda: export_masks(fitted, path, **options),
        lambda: export_network(fitted, path, **options),
        lambda: fine_tune(fitted, X_train, y_train, max_iter=1, **options),
    ]
    for call in calls:
        with pytest.raises(ValueError, match=message):
            call()
    assert not path.exists() and not list(tmp_path.iterdir())
    assert pickle.dumps(fitted) == before


@pytest.mark.parametrize("score", ["SNR", "magnitdue", None, 1])
def test_connection_scores_refuses_an_unknown_score(fitted, score):
    # issue 22, item 3: any score gave the "spike" score
    with pytest.raises(ValueError, match=r"The 'score' parameter of connection_scores"):
        connection_scores(fitted, score)
    with pytest.raises(ValueError, match="score"):
        connection_scores(fitted, score=score)
