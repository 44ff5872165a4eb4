"""Functions that take a fitted model accept a Pipeline ending in a
SaSMLPClassifier, and say what they need when given another model."""

import re

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.exceptions import NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from sklearn_sas import SaSMLPClassifier
from sklearn_sas.compression import (
    PrunedNetwork,
    export_masks,
    load_masks,
    prune,
    pruning_masks,
)
from sklearn_sas.feature_selection import SaSFeatureSelector
from sklearn_sas.inspection import (
    connection_entropy,
    credit_assignment,
    perturbation_curve,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return X[:400], y[:400]


@pytest.fixture(scope="module")
def pipeline(digits):
    X, y = digits
    return make_pipeline(
        StandardScaler(), SaSMLPClassifier((8,), max_iter=20, random_state=0)
    ).fit(X, y)


def _same_arrays(a, b):
    return len(a) == len(b) and all(np.array_equal(u, v) for u, v in zip(a, b))


def test_credit_and_entropy_of_a_pipeline_are_its_final_step(pipeline):
    network = pipeline[-1]
    assert _same_arrays(connection_entropy(pipeline), connection_entropy(network))
    credit, expected = credit_assignment(pipeline), credit_assignment(network)
    assert _same_arrays(credit.vip_masks, expected.vip_masks)
    assert _same_arrays(credit.uip_masks, expected.uip_masks)


def test_perturbation_curve_of_a_pipeline_transforms_X(pipeline, digits):
    X, y = digits
    options = dict(fractions=[0, 1], kind="random", n_networks=2, random_state=0)
    curve = perturbation_curve(pipeline, X, y, **options)
    # the network alone on raw pixels would score differently: the scaler ran
    expected = perturbation_curve(pipeline[-1], pipeline[0].transform(X), y, **options)
    np.testing.assert_array_equal(curve.errors, expected.errors)
    assert curve.errors[0].mean() < 0.5


def test_pruning_a_pipeline_keeps_its_steps(pipeline, digits):
    X, _ = digits
    options = dict(rule="sparsity", sparsity=0.5)
    assert _same_arrays(
        pruning_masks(pipeline, **options), pruning_masks(pipeline[-1], **options)
    )
    pruned = prune(pipeline, **options)
    assert isinstance(pruned, Pipeline) and isinstance(pruned[-1], PrunedNetwork)
    expected = prune(pipeline[-1], **options)
    np.testing.assert_array_equal(
        pruned.predict(X), expected.predict(pipeline[0].transform(X))
    )
    # the pruned pipeline owns copies of the fitted steps
    assert pruned[0] is not pipeline[0]


def test_export_network_refuses_a_pipeline(pipeline, tmp_path):
    from sklearn_sas.compression import export_network

    message = (
        "export_network writes the spike-and-slab network only, not the other "
        "steps of a Pipeline: export its final step (pipeline[-1]) and transform "
        "the input with pipeline[:-1]."
    )
    with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
        export_network(pipeline, tmp_path / "net.npz")
    assert not list(tmp_path.iterdir())


def test_export_masks_of_a_pipeline(pipeline, tmp_path):
    path = tmp_path / "masks.npz"
    export_masks(pipeline, path, rule="map")
    assert _same_arrays(load_masks(path), pruning_masks(pipeline[-1], rule="map"))


def test_feature_selector_prefit_on_a_pipeline(pipeline, digits):
    X, _ = digits
    selector = SaSFeatureSelector(pipeline, prefit=True).fit(X)
    expected = SaSFeatureSelector(pipeline[-1], prefit=True).fit(X)
    np.testing.assert_array_equal(selector.get_support(), expected.get_support())
    assert selector.transform(X).shape[1] == expected.get_support().sum()


def test_feature_selector_refuses_a_pipeline_changing_the_features(digits):
    from sklearn.decomposition import PCA

    X, y = digits
    pipe = make_pipeline(
        PCA(10), SaSMLPClassifier((4,), max_iter=2, random_state=0)
    ).fit(X, y)
    with pytest.raises(ValueError, match="turn 64 features into 10"):
        SaSFeatureSelector(pipe, prefit=True).fit(X)


def _mlp(X, y):
    return MLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)


def _sampled(X, y):
    return SaSMLPClassifier((8,), max_iter=2, random_state=0).fit(X, y).sample_network(0)


def _mlp_pipeline(X, y):
    return make_pipeline(MinMaxScaler(), _mlp(X, y)).fit(X, y)


MODEL_TAKING = {
    "credit_assignment": lambda model, X, y: credit_assignment(model),
    "connection_entropy": lambda model, X, y: connection_entropy(model),
    "perturbation_curve": lambda model, X, y: perturbation_curve(
        model, X, y, n_networks=1
    ),
    "pruning_masks": lambda model, X, y: pruning_masks(model),
    "prune": lambda model, X, y: prune(model),
    "export_masks": lambda model, X, y: export_masks(model, "never-written.npz"),
    "SaSFeatureSelector": lambda model, X, y: SaSFeatureSelector(
        model, prefit=True
    ).fit(X),
}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("make_model", [_mlp, _sampled, _mlp_pipeline])
@pytest.mark.parametrize("call", MODEL_TAKING.values(), ids=MODEL_TAKING.keys())
def test_other_models_are_told_what_is_needed(make_model, call, digits, tmp_path,
                                              monkeypatch):  # fmt: skip
    X, y = digits
    model = make_model(X, y)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(TypeError, match="needs a fitted SaSMLPClassifier"):
        call(model, X, y)
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("call", MODEL_TAKING.values(), ids=MODEL_TAKING.keys())
def test_unfitted_networks_are_not_fitted(call, digits):
    X, y = digits
    for model in (SaSMLPClassifier(), make_pipeline(StandardScaler(), SaSMLPClassifier())):
        with pytest.raises(NotFittedError):
            call(model, X, y)
