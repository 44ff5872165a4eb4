"""Sampled networks, ensemble inference and predictive uncertainty."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn import clone, config_context
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.metrics import accuracy_score, classification_report
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.validation import check_is_fitted

from sklearn_sas import SampledNetwork, SaSMLPClassifier
from sklearn_sas._sas import sample_sas


def _fit(X, y, **params):
    params = {"hidden_layer_sizes": (24,), "max_iter": 30, "random_state": 0, **params}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier(**params).fit(X, y)


@pytest.fixture(scope="module")
def fitted(digits):
    # float32, the dtype these tests check the networks keep
    return _fit(*digits, dtype="float32")


def _deterministic(model):
    """``model`` with pi = 0 and xi = 0 everywhere: one concrete network."""
    for pi, xi in zip(model.spike_probs_, model.slab_vars_):
        pi[...] = 0
        xi[...] = 0
    return model


def test_sample_sas_statistics():
    rng = np.random.default_rng(0)
    shape = (400, 500)
    m, pi, xi = np.full(shape, 1.5), np.full(shape, 0.3), np.full(shape, 0.25)
    weights, mask = sample_sas(m, pi, xi, rng)
    assert mask.dtype == bool and weights.shape == shape
    assert abs(mask.mean() - 0.7) < 0.005
    assert_array_equal(weights[~mask], 0)
    kept = weights[mask]
    assert abs(kept.mean() - 1.5) < 0.005
    assert abs(kept.var() - 0.25) < 0.005
    # pi = 1 is never present, pi = 0 always; xi = 0 gives m itself
    weights, mask = sample_sas(m, np.ones(shape), xi, rng)
    assert not mask.any()
    weights, mask = sample_sas(m, np.zeros(shape), np.zeros(shape), rng)
    assert mask.all() and np.array_equal(weights, m)


def test_sample_sas_keeps_float32():
    rng = np.random.default_rng(0)
    m = np.ones((3, 4), dtype=np.float32)
    weights, _ = sample_sas(m, m * 0.5, m * 0.1, rng)
    assert weights.dtype == np.float32


def test_deterministic_distribution_reproduces_the_mean_network(digits):
    X, y = digits
    model = _deterministic(_fit(X, y, dtype="float64"))
    net = model.sample_network(random_state=0)
    assert all(mask.all() for mask in net.masks_)
    assert net.sparsity_ == 0.0
    for coef, m in zip(net.coefs_, model.slab_means_):
        assert_allclose(coef, m / np.sqrt(m.shape[0]), rtol=1e-15)
    assert_allclose(net.predict_proba(X), model.predict_proba(X), rtol=1e-12)
    assert_array_equal(net.predict(X), model.predict(X))
    # the ensemble of identical networks is the mean network, with no
    # epistemic uncertainty
    model.set_params(inference="ensemble", n_samples=5)
    assert_allclose(model.predict_proba(X), net.predict_proba(X), rtol=1e-12)
    uncertainty = model.predict_uncertainty(X)
    assert_allclose(uncertainty.mutual_information, 0, atol=1e-12)


def test_sampling_is_reproducible_whatever_n_jobs(fitted):
    reference = fitted.sample_networks(5, n_jobs=1, random_state=3)
    for n_jobs in (2, 3):
        others = fitted.sample_networks(5, n_jobs=n_jobs, random_state=3)
        for a, b in zip(reference, others):
            for name in ("coefs_", "masks_", "intercepts_"):
                for x, z in zip(getattr(a, name), getattr(b, name)):
                    assert_array_equal(x, z)
    one = fitted.sample_network(random_state=3)
    assert_array_equal(one.coefs_[0], reference[0].coefs_[0])
    # different networks within a draw, and for another seed
    assert not np.array_equal(reference[0].coefs_[0], reference[1].coefs_[0])
    other = fitted.sample_network(random_state=4)
    assert not np.array_equal(other.coefs_[0], one.coefs_[0])


def test_sampled_network_matches_its_masks_and_the_distribution(fitted):
    net = fitted.sample_network(random_state=0)
    for coef, mask, pi in zip(net.coefs_, net.masks_, fitted.spike_probs_):
        assert coef.shape == mask.shape == pi.shape
        assert_array_equal(coef[~mask], 0)
        assert not mask[pi >= 1].any()
        assert mask[pi <= 0].all()
    total = sum(mask.size for mask in net.masks_)
    absent = sum(int((~mask).sum()) for mask in net.masks_)
    assert net.sparsity_ == pytest.approx(absent / total)


def test_sampled_network_is_a_fitted_sklearn_classifier(fitted, digits):
    X, y = digits
    net = fitted.sample_network(random_state=0)
    assert isinstance(net, SampledNetwork)
    check_is_fitted(net)
    proba = net.predict_proba(X)
    assert proba.dtype == np.float32
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert_allclose(np.exp(net.predict_log_proba(X)), proba, rtol=1e-5, atol=1e-7)
    pred = net.predict(X)
    assert accuracy_score(y, pred) == pytest.approx(net.score(X, y))
    assert net.score(X, y) > 0.8
    report = classification_report(y, pred, output_dict=True)
    assert report["accuracy"] == pytest.approx(net.score(X, y))
    restored = pickle.loads(pickle.dumps(net))
    assert_array_equal(restored.predict_proba(X), proba)
    with pytest.raises(ValueError, match="features"):
        net.predict(X[:, :10])
    with pytest.raises(TypeError, match="cannot be fitted"):
        net.fit(X, y)
    with pytest.raises(NotFittedError):
        clone(net).predict(X)


def test_sampled_network_with_calibration_display(digits):
    plt = pytest.importorskip("matplotlib.pyplot")
    from sklearn.calibration import CalibrationDisplay

    X, y = digits
    binary = y < 5
    net = _fit(X, binary, max_iter=20).sample_network(random_state=0)
    display = CalibrationDisplay.from_estimator(net, X, binary, n_bins=5)
    assert display.estimator_name == "SampledNetwork"
    assert np.all((display.prob_pred >= 0) & (display.prob_pred <= 1))
    plt.close("all")


def test_sampled_network_keeps_feature_names(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    frame = pd.DataFrame(X, columns=[f"px{i}" for i in range(X.shape[1])])
    net = _fit(frame, y, max_iter=5).sample_network(random_state=0)
    assert_array_equal(net.feature_names_in_, frame.columns)
    assert net.predict(frame).shape == (len(y),)


def test_ensemble_inference(fitted, digits):
    X, y = digits
    model = copy.deepcopy(fitted).set_params(inference="ensemble", n_samples=8)
    proba = model.predict_proba(X)
    assert proba.shape == (len(y), 10) and proba.dtype == np.float32
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert_array_equal(model.predict_proba(X), proba)  # int random_state
    # the average of the networks sample_networks draws with that seed
    nets = model.sample_networks(8, random_state=model.random_state)
    expected = np.mean([net.predict_proba(X) for net in nets], axis=0)
    assert_allclose(proba, expected, rtol=1e-5, atol=1e-6)
    model.set_params(n_jobs=2)
    assert_allclose(model.predict_proba(X), proba, rtol=1e-5, atol=1e-7)
    with config_context(working_memory=0.05):
        assert len(list(model._chunks(X, 1))) > 1
        assert_allclose(model.predict_proba(X), proba, rtol=1e-5, atol=1e-7)
    mean = fitted.predict_proba(X)
    assert np.mean(proba.argmax(axis=1) == mean.argmax(axis=1)) > 0.95
    assert not np.allclose(proba, mean, atol=1e-3)


@pytest.mark.parametrize("inference", ["ensemble", "mc", "mean"])
def test_predict_uncertainty(fitted, digits, inference):
    X, _ = digits
    model = copy.deepcopy(fitted).set_params(inference=inference, n_samples=6)
    result = model.predict_uncertainty(X[:200])
    n = 200
    for name in ("predictive_entropy", "expected_entropy", "mutual_information"):
        assert result[name].shape == (n,)
        assert np.all(np.isfinite(result[name]))
    assert np.all(result.mutual_information >= 0)
    assert np.all(result.expected_entropy >= -1e-6)
    assert np.all(result.predictive_entropy <= np.log(10) + 1e-5)
    assert_allclose(
        result.predictive_entropy - result.expected_entropy,
        result.mutual_information,
        atol=1e-5,
    )
    # the averaged probabilities are those of predict_proba in that mode
    # ("mean" inference reports the ensemble's uncertainty)
    if inference != "mean":
        assert_allclose(result.proba, model.predict_proba(X[:200]), rtol=1e-5)
    # members disagree somewhere, so there is epistemic uncertainty
    assert result.mutual_information.max() > 1e-4


def test_sample_networks_rejects_bad_counts(fitted):
    with pytest.raises(ValueError, match="n_networks"):
        fitted.sample_networks(0)
    with pytest.raises(NotFittedError):
        SaSMLPClassifier().sample_network()


@pytest.mark.parametrize(
    "args, kwargs, name",
    [
        ((2,), {"n_jobs": "2"}, "n_jobs"),
        ((2,), {"n_jobs": 2.5}, "n_jobs"),
        ((2,), {"n_jobs": 0}, "n_jobs"),
        ((True,), {}, "n_networks"),
        ((2.0,), {}, "n_networks"),
        (("2",), {}, "n_networks"),
        ((2,), {"random_state": "seed"}, "random_state"),
    ],
)
def test_sample_networks_checks_its_arguments_as_the_estimator(
    fitted, args, kwargs, name
):
    # issue 22, item 10: n_jobs="2" failed deep inside joblib with a
    # TypeError; n_jobs=2.5 and n_networks=True were taken
    before = [a.copy() for a in fitted.slab_means_]
    message = (
        rf"^The '{name}' parameter of SaSMLPClassifier\.sample_networks must be "
    )
    with pytest.raises(InvalidParameterError, match=message) as info:
        fitted.sample_networks(*args, **kwargs)
    # a ValueError and a TypeError, as the estimator's own checks raise
    assert isinstance(info.value, ValueError) and isinstance(info.value, TypeError)
    for a, b in zip(before, fitted.slab_means_):
        assert_array_equal(a, b)
    if name == "n_jobs":
        # the estimator refuses the same values
        with pytest.raises(InvalidParameterError, match="'n_jobs' parameter"):
            clone(fitted).set_params(**kwargs).fit(np.zeros((4, 2)), [0, 1, 0, 1])
    # valid: numpy integers, a negative n_jobs
    assert len(fitted.sample_networks(np.int64(2), n_jobs=np.int32(-1))) == 2
    with pytest.raises(InvalidParameterError, match="SaSMLPClassifier.sample_network "):
        fitted.sample_network(random_state="seed")


def _one_layer_network(m, pi, xi, intercepts):
    """A SaSMLPClassifier with no hidden layer and the given distribution."""
    X = np.zeros((4, m.shape[0]))
    model = SaSMLPClassifier((), max_iter=1, dtype="float64", random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        model.fit(X, [0, 1, 0, 1])
    model.slab_means_, model.spike_probs_, model.slab_vars_ = [m], [pi], [xi]
    model.intercepts_ = [intercepts]
    return model


def test_mc_inference_samples_each_pass_with_the_layer_variance():
    # one layer, two classes: pass k's logit gap is Normal(G1 - G0, D0^2 + D1^2)
    # with G = x @ mu / sqrt(N) + b and D^2 = x^2 @ var / N (mu and var the
    # moments of the spike-and-slab law); p(class 1) averages sigmoid(gap)
    rng = np.random.default_rng(0)
    n_in = 3
    m = rng.normal(0, 2, (n_in, 2))
    pi = rng.uniform(0, 0.6, (n_in, 2))
    xi = rng.uniform(2, 6, (n_in, 2))
    b = np.array([0.3, -0.2])
    model = _one_layer_network(m, pi, xi, b)
    X = rng.normal(0, 1.5, (30, n_in))
    mu, var = (1 - pi) * m, (1 - pi) * (xi + pi * m**2)
    G = X @ mu / np.sqrt(n_in) + b
    D2 = X**2 @ var / n_in
    assert np.median(D2.sum(axis=1)) > 4  # far from sd = var: the check bites
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    gap = (G[:, 1] - G[:, 0])[:, None] + np.sqrt(D2.sum(axis=1))[:, None] * nodes
    expected = (1 / (1 + np.exp(-gap))) @ weights / weights.sum()
    n_samples = 4000
    model.set_params(inference="mc", n_samples=n_samples)
    proba = model.predict_proba(X)[:, 1]
    # each row averages n_samples independent passes: standard error <= 0.5/63
    assert np.abs(proba - expected).max() < 4 * 0.5 / np.sqrt(n_samples)
    # the expected entropy averages the entropy of each pass the same way
    q = 1 / (1 + np.exp(-gap))
    with np.errstate(divide="ignore", invalid="ignore"):
        h = -np.nan_to_num(q * np.log(q)) - np.nan_to_num((1 - q) * np.log1p(-q))
    expected_entropy = h @ weights / weights.sum()
    result = model.predict_uncertainty(X)
    assert np.abs(result.expected_entropy - expected_entropy).max() < 0.03
