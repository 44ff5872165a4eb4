"""Fine-tuning under keep-masks: removed connections stay exactly absent."""

import copy
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_sas import SaSMLPClassifier
from sklearn_sas._gbp import ParamVector
from sklearn_sas._optimizers import AdamOptimizer, SGDOptimizer
from sklearn_sas.compression import fine_tune, prune, pruning_masks

# the fixtures train for a few epochs only
pytestmark = pytest.mark.filterwarnings(
    "ignore::sklearn.exceptions.ConvergenceWarning"
)


@pytest.fixture(scope="module")
def digits(digits):
    X, y = digits
    return X[:600], y[:600]


@pytest.fixture(scope="module")
def fitted(digits):
    X, y = digits
    return SaSMLPClassifier((24, 12), max_iter=8, random_state=0).fit(X, y)


def _layer_units(clf):
    return [clf.spike_probs_[0].shape[0]] + [pi.shape[1] for pi in clf.spike_probs_]


def _state_views(clf, flat):
    """``flat`` (an optimizer array over the parameter buffer) by layer."""
    return ParamVector(_layer_units(clf), clf.fit_intercept, flat.dtype, flat=flat)


def _optimizer_arrays(optimizer):
    if isinstance(optimizer, AdamOptimizer):
        return [optimizer.scaled_first_moment, optimizer.scaled_second_moment]
    assert isinstance(optimizer, SGDOptimizer)
    return [optimizer.velocity]


@pytest.mark.parametrize(
    "settings",
    [
        {"solver": "adam", "alpha": 0.01, "weight_decay": 0.01},
        {"solver": "sgd", "alpha": 0.01, "weight_decay": 0.01, "momentum": 0.9},
        {"solver": "adam", "fit_intercept": False},
    ],
)
def test_removed_connections_stay_exactly_absent(digits, settings):
    X, y = digits
    clf = SaSMLPClassifier((24, 12), max_iter=5, random_state=0, **settings)
    clf.fit(X, y)
    masks = pruning_masks(clf, rule="sparsity", sparsity=0.7)
    tuned = fine_tune(clf, X, y, masks=masks, max_iter=4)
    assert tuned.n_iter_ == 4
    for layer, keep in enumerate(masks):
        assert np.all(tuned.spike_probs_[layer][~keep] == 1)
        assert np.all(tuned.slab_means_[layer][~keep] == 0)
        assert np.all(tuned.slab_vars_[layer][~keep] == 0)
        # the kept connections did train
        assert not np.array_equal(
            tuned.slab_means_[layer][keep], clf.slab_means_[layer][keep]
        )
    for state in _optimizer_arrays(tuned._optimizer):
        views = _state_views(tuned, state)
        for layer, keep in enumerate(masks):
            for part in (views.spike_probs, views.slab_vars, views.slab_means):
                assert np.all(part[layer][~keep] == 0)
            # and the optimizer did work on the kept ones
            assert np.any(views.slab_means[layer][keep] != 0)


def test_original_estimator_is_unchanged(digits, fitted):
    X, y = digits
    before = pickle.dumps(fitted)
    X_before, y_before = X.copy(), y.copy()
    tuned = fine_tune(fitted, X, y, rule="sparsity", sparsity=[0.5, 0.8], max_iter=2)
    assert pickle.dumps(fitted) == before
    assert tuned is not fitted
    assert tuned.slab_means_[0] is not fitted.slab_means_[0]
    np.testing.assert_array_equal(X, X_before)
    np.testing.assert_array_equal(y, y_before)


def test_removed_connections_are_the_uip_ones_and_prune_drops_them(digits, fitted):
    X, y = digits
    masks = pruning_masks(fitted, rule="sparsity", sparsity=0.8)
    tuned = fine_tune(fitted, X, y, masks=masks, max_iter=3)
    uip_kept = pruning_masks(tuned)  # the default rule, "uip"
    for keep, kept in zip(masks, uip_kept):
        assert not np.any(kept & ~keep)
    pruned = prune(tuned)
    assert pruned.n_kept_ <= sum(int(keep.sum()) for keep in masks)
    np.testing.assert_array_equal(pruned.predict(X), tuned.predict(X))


def test_list_of_sparsities_is_the_same_as_steps_one_at_a_time(digits, fitted):
    X, y = digits
    stepwise = fitted
    for sparsity in (0.5, 0.8, 0.9):
        stepwise = fine_tune(
            stepwise, X, y, rule="sparsity", sparsity=sparsity, max_iter=2
        )
    at_once = fine_tune(fitted, X, y, rule="sparsity", sparsity=[0.5, 0.8, 0.9], max_iter=2)
    for a, b in zip(at_once.slab_means_, stepwise.slab_means_):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(at_once.spike_probs_, stepwise.spike_probs_):
        np.testing.assert_array_equal(a, b)
    removed = sum(int((~keep).sum()) for keep in at_once._keep_masks)
    total = sum(pi.size for pi in fitted.spike_probs_)
    assert removed == round(0.9 * total)
    # each step removes a superset of the previous one
    first = fine_tune(fitted, X, y, rule="sparsity", sparsity=0.5, max_iter=2)
    for early, late in zip(first._keep_masks, at_once._keep_masks):
        assert not np.any(late & ~early)


def test_later_training_keeps_the_removed_connections_absent(digits, fitted):
    X, y = digits
    masks = pruning_masks(fitted, rule="sparsity", sparsity=0.8)
    tuned = fine_tune(fitted, X, y, masks=masks, max_iter=1)
    tuned.partial_fit(X, y)
    warm = clone_warm = copy.deepcopy(tuned)
    clone_warm.set_params(warm_start=True, max_iter=2).fit(X, y)
    for network in (tuned, warm):
        for layer, keep in enumerate(masks):
            assert np.all(network.spike_probs_[layer][~keep] == 1)
            assert np.all(network.slab_means_[layer][~keep] == 0)
    # a fit from scratch is a new network: every connection trains
    fresh = copy.deepcopy(tuned).set_params(max_iter=2).fit(X, y)
    assert fresh._keep_masks is None
    assert not np.all(fresh.spike_probs_[0][~masks[0]] == 1)


def test_masks_of_a_second_fine_tune_add_to_the_first(digits, fitted):
    X, y = digits
    first = pruning_masks(fitted, rule="sparsity", sparsity=0.5)
    tuned = fine_tune(fitted, X, y, masks=first, max_iter=1)
    # keeping everything cannot bring a removed connection back
    everything = [np.ones_like(keep) for keep in first]
    again = fine_tune(tuned, X, y, masks=everything, max_iter=1)
    for layer, keep in enumerate(first):
        assert np.all(again.spike_probs_[layer][~keep] == 1)
        np.testing.assert_array_equal(again._keep_masks[layer], keep)


def test_stopping_bookkeeping_starts_afresh(digits):
    X, y = digits
    clf = SaSMLPClassifier(
        (24, 12), max_iter=15, n_iter_no_change=2, tol=1e-4, random_state=0
    ).fit(X, y)
    # pruning raises the loss above the best seen: with the old best loss
    # kept, three epochs would count as no improvement and stop training
    tuned = fine_tune(clf, X, y, rule="sparsity", sparsity=0.9, max_iter=8)
    assert tuned.n_iter_ > 3
    assert tuned.max_iter == 15 and tuned.warm_start is False


def test_pipeline_is_fine_tuned_on_its_transformed_input(digits):
    X, y = digits
    pipe = make_pipeline(
        StandardScaler(), SaSMLPClassifier((16,), max_iter=4, random_state=0)
    ).fit(X, y)
    tuned = fine_tune(pipe, X, y, rule="sparsity", sparsity=0.6, max_iter=2)
    assert tuned is not pipe and tuned[0] is not pipe[0]
    direct = fine_tune(
        pipe[-1], pipe[0].transform(X), y, rule="sparsity", sparsity=0.6, max_iter=2
    )
    np.testing.assert_array_equal(tuned[-1].slab_means_[0], direct.slab_means_[0])
    np.testing.assert_array_equal(tuned.predict(X), direct.predict(pipe[0].transform(X)))


def test_pipeline_settings_are_kept(digits, tmp_path):
    # issue 22, item 12: prune and fine_tune returned a Pipeline without its
    # memory and verbose settings
    X, y = digits
    pipe = make_pipeline(
        StandardScaler(), SaSMLPClassifier((8,), max_iter=2, random_state=0)
    ).fit(X, y)
    pipe.set_params(memory=str(tmp_path), verbose=True)
    settings = {
        key: value
        for key, value in pipe.get_params(deep=False).items()
        if key != "steps"
    }
    for made in (prune(pipe), fine_tune(pipe, X, y, max_iter=1)):
        assert made is not pipe
        assert {key: made.get_params(deep=False)[key] for key in settings} == settings
        assert made.memory == str(tmp_path) and made.verbose is True


def test_sample_weight_reaches_training(digits, fitted):
    X, y = digits
    ones = fine_tune(fitted, X, y, sample_weight=np.ones(len(y)), max_iter=2)
    none = fine_tune(fitted, X, y, max_iter=2)
    np.testing.assert_allclose(
        ones.slab_means_[0], none.slab_means_[0], rtol=1e-4, atol=1e-5
    )
    skewed = np.where(y == 3, 5.0, 1.0)
    weighted = fine_tune(fitted, X, y, sample_weight=skewed, max_iter=2)
    assert not np.allclose(weighted.slab_means_[0], none.slab_means_[0], atol=1e-3)


def test_learning_rate_init_is_the_step_of_the_retraining(digits, fitted):
    X, y = digits
    before = pickle.dumps(fitted)
    options = {"rule": "sparsity", "sparsity": 0.8, "max_iter": 2}
    smaller = fine_tune(fitted, X, y, learning_rate_init=0.01, **options)
    assert smaller.learning_rate_init == 0.01
    assert pickle.dumps(fitted) == before
    # the same as retraining a copy whose own step is 0.01
    by_hand = fine_tune(
        copy.deepcopy(fitted).set_params(learning_rate_init=0.01), X, y, **options
    )
    own = fine_tune(fitted, X, y, **options)
    assert own.learning_rate_init == fitted.learning_rate_init
    for a, b, c in zip(smaller.slab_means_, by_hand.slab_means_, own.slab_means_):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-7)
        assert not np.allclose(a, c, atol=1e-4)
    # a Pipeline's network gets it too
    pipe = make_pipeline(
        StandardScaler(), SaSMLPClassifier((16,), max_iter=4, random_state=0)
    ).fit(X, y)
    tuned = fine_tune(pipe, X, y, learning_rate_init=0.02, **options)
    assert tuned[-1].learning_rate_init == 0.02
    assert pipe[-1].learning_rate_init == 0.1


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        ({"masks": "all"}, ValueError, "masks"),
        (
            {"masks": [np.ones((64, 24), bool)]},
            ValueError,
            r"^masks has 1 arrays; the network has 3 layers of connections\.$",
        ),
        (
            {"masks": [np.ones((64, 24), bool), np.ones((24, 10), bool),
                       np.ones((12, 10), bool)]},  # fmt: skip
            ValueError,
            r"masks\[1\] has shape \(24, 10\)",
        ),
        (
            {"masks": [np.ones((64, 24)), np.ones((24, 12)), np.ones((12, 10))]},
            TypeError,
            "boolean",
        ),
        ({"masks": [], "rule": "map"}, ValueError, "either masks or"),
        (
            {"rule": "sparsity", "sparsity": [0.8, 0.5]},
            ValueError,
            r"^A list of sparsities prunes in steps and must increase \(a pruned "
            r"connection stays pruned\), got \[0\.8, 0\.5\]\.$",
        ),
        ({"rule": "sparsity", "sparsity": [0.5, 0.5]}, ValueError, "must increase"),
        (
            {"rule": "sparsity", "sparsity": [0.5, 1.5]},
            ValueError,
            r"^sparsity must be a float in \[0, 1\] or a non-empty list of them, "
            r"got \[0\.5, 1\.5\]\.$",
        ),
        ({"rule": "sparsity", "sparsity": []}, ValueError, "non-empty"),
        ({"rule": "sparsity", "sparsity": ["a", "b"]}, ValueError, "non-empty"),
        (
            {"rule": "map", "sparsity": [0.5, 0.8]},
            ValueError,
            r"^rule='map' does not use sparsity=\[0\.5, 0\.8\], an option of "
            r"rule='sparsity': pass rule='sparsity', or leave sparsity out\.$",
        ),
        (
            {"sparsity": [0.5, 0.8]},
            ValueError,
            r"^rule='uip' \(the default\) does not use sparsity=\[0\.5, 0\.8\]",
        ),
        ({"rule": "magnitude", "sparsity": [0.5, 0.8]}, ValueError, "'rule' parameter"),
        ({"rule": "sparsity"}, ValueError, "needs a sparsity"),
        ({"rule": "sparsity", "sparsity": 0.5, "scope": "all"}, ValueError, "scope"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"learning_rate_init": 0.0}, ValueError, "'learning_rate_init' parameter"),
        ({"learning_rate_init": "small"}, ValueError, "learning_rate_init"),
    ],
)
def test_bad_arguments_are_refused_before_training(digits, fitted, kwargs, error, match):
    X, y = digits
    before = pickle.dumps(fitted)
    with pytest.raises(error, match=match):
        fine_tune(fitted, X, y, **kwargs)
    assert pickle.dumps(fitted) == before


def test_other_models_and_other_classes_are_refused(digits, fitted):
    X, y = digits
    mlp = MLPClassifier((8,), max_iter=2).fit(X[:100], y[:100])
    with pytest.raises(TypeError, match="needs a fitted SaSMLPClassifier"):
        fine_tune(mlp, X, y)

    class Distributions(BaseEstimator):
        """Exposes the fitted distributions but cannot be trained."""

        def fit(self, X, y):
            return self

    other = Distributions()
    other.spike_probs_ = fitted.spike_probs_
    other.slab_means_ = fitted.slab_means_
    other.slab_vars_ = fitted.slab_vars_
    with pytest.raises(
        TypeError,
        match=r"^fine_tune needs a fitted SaSMLPClassifier or a Pipeline ending "
        r"in one, got Distributions\.$",
    ):
        fine_tune(other, X, y)
    with pytest.raises(ValueError, match="classes the network was fitted on"):
        fine_tune(fitted, X[y < 5], y[y < 5])


def test_sparsity_steps_may_start_at_0_and_end_at_1(digits, fitted):
    X, y = digits
    tuned = fine_tune(fitted, X, y, rule="sparsity", sparsity=[0.0, 1.0], max_iter=1)
    assert not any(keep.any() for keep in tuned._keep_masks)
    # nothing is left but the intercepts: one answer for every input
    proba = tuned.predict_proba(X)
    np.testing.assert_allclose(proba, np.broadcast_to(proba[0], proba.shape))


def test_early_stopping_bookkeeping_starts_afresh(digits):
    X, y = digits
    clf = SaSMLPClassifier(
        (24, 12), max_iter=10, early_stopping=True, n_iter_no_change=3,
        random_state=0,
    ).fit(X, y)  # fmt: skip
    n_before = len(clf.validation_scores_)
    tuned = fine_tune(clf, X, y, rule="sparsity", sparsity=0.9, max_iter=4)
    assert tuned.best_loss_ is None
    scores = tuned.validation_scores_[n_before:]
    assert len(scores) == tuned.n_iter_ >= 1
    # the best of the fine-tuning epochs, not the best before pruning
    assert tuned.best_validation_score_ == max(scores)


def test_fine_tuning_warns_as_fit_does_except_for_convergence(digits, fitted):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        fine_tune(fitted, X, y, max_iter=1)
    small = fitted.set_params(batch_size=1000)
    try:
        with pytest.warns(UserWarning, match="batch_size=1000 larger than"):
            fine_tune(small, X[:300], y[:300], max_iter=1)
    finally:
        fitted.set_params(batch_size="auto")
