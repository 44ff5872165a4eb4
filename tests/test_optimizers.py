"""In-place optimizers: exact steps, schedules, dtype."""

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.neural_network._stochastic_optimizers import (
    AdamOptimizer as SklearnAdam,
)
from sklearn.neural_network._stochastic_optimizers import (
    SGDOptimizer as SklearnSGD,
)

from sklearn_sas._optimizers import AdamOptimizer, MaskedOptimizer, SGDOptimizer


def _grads(n_steps, size=7, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.normal(size=size) for _ in range(n_steps)]


def test_adam_steps_follow_the_formula():
    lr, b1, b2, eps = 0.01, 0.8, 0.95, 1e-6
    params = np.linspace(-1, 1, 7)
    expected = params.copy()
    first, second = np.zeros(7), np.zeros(7)
    opt = AdamOptimizer(params, lr, b1, b2, eps)
    for t, g in enumerate(_grads(4), start=1):
        opt.update_params(params, g.copy())  # the buffer is scratch
        first = b1 * first + (1 - b1) * g
        second = b2 * second + (1 - b2) * g**2
        lr_t = lr * np.sqrt(1 - b2**t) / (1 - b1**t)
        expected -= lr_t * first / (np.sqrt(second) + eps)
        assert_allclose(params, expected, rtol=1e-14, atol=1e-15)
    assert opt.t == 4


@pytest.mark.parametrize("nesterov", [False, True])
def test_sgd_steps_follow_the_formula(nesterov):
    lr, mom = 0.1, 0.7
    params = np.linspace(-1, 1, 7)
    expected = params.copy()
    velocity = np.zeros(7)
    opt = SGDOptimizer(params, lr, "constant", mom, nesterov)
    for g in _grads(4, seed=1):
        opt.update_params(params, g.copy())  # the buffer is scratch
        velocity = mom * velocity - lr * g
        expected += mom * velocity - lr * g if nesterov else velocity
        assert_allclose(params, expected, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("solver", ["adam", "sgd"])
def test_steps_equal_scikit_learn_optimizers(solver):
    ours_params = np.linspace(-1, 1, 7)
    theirs_params = ours_params.copy()
    if solver == "adam":
        ours = AdamOptimizer(ours_params, 0.02, 0.9, 0.999, 1e-8)
        theirs = SklearnAdam([theirs_params], 0.02, 0.9, 0.999, 1e-8)
    else:
        ours = SGDOptimizer(ours_params, 0.05, "invscaling", 0.9, True, 0.5)
        theirs = SklearnSGD([theirs_params], 0.05, "invscaling", 0.9, True, 0.5)
    for t, g in enumerate(_grads(5, seed=2)):
        ours.update_params(ours_params, g.copy())
        theirs.update_params([theirs_params], [g])
        ours.iteration_ends(t * 10)
        theirs.iteration_ends(t * 10)
    assert_allclose(ours_params, theirs_params, rtol=1e-13)
    if solver == "adam":
        assert_allclose(ours.first_moment, theirs.ms[0], rtol=1e-13)
        assert_allclose(ours.second_moment, theirs.vs[0], rtol=1e-13)


def test_invscaling_and_adaptive_schedules():
    params = np.zeros(3)
    opt = SGDOptimizer(params, 0.1, "invscaling", power_t=0.5)
    opt.iteration_ends(99)
    assert opt.learning_rate == pytest.approx(0.1 / 10)

    opt = SGDOptimizer(params, 0.1, "adaptive")
    assert opt.trigger_stopping("stuck", verbose=False) is False
    assert opt.learning_rate == pytest.approx(0.02)
    opt.learning_rate = 1e-6
    assert opt.trigger_stopping("stuck", verbose=False) is True

    assert SGDOptimizer(params, 0.1, "constant").trigger_stopping("x", False)
    assert AdamOptimizer(params, 0.1).trigger_stopping("x", False)


def test_stopping_messages_are_those_of_mlpclassifier(capsys):
    # the words of scikit-learn's optimizers, printed only when verbose
    params = np.zeros(3)
    for opt in (AdamOptimizer(params, 0.1), SGDOptimizer(params, 0.1, "constant")):
        assert opt.trigger_stopping("No improvement.", verbose=False) is True
        assert capsys.readouterr().out == ""
        assert opt.trigger_stopping("No improvement.", verbose=True) is True
        assert capsys.readouterr().out == "No improvement. Stopping.\n"
    opt = SGDOptimizer(params, 0.1, "adaptive")
    assert opt.trigger_stopping("Stuck.", verbose=False) is False
    assert capsys.readouterr().out == ""
    assert opt.trigger_stopping("Stuck.", verbose=True) is False
    assert capsys.readouterr().out == "Stuck. Setting learning rate to 0.004000\n"
    assert opt.learning_rate == pytest.approx(0.004)
    # at 1e-6 exactly it stops; just above, it divides once more
    opt.learning_rate = 1.0000001e-6
    assert opt.trigger_stopping("Stuck.", verbose=False) is False
    assert opt.learning_rate == pytest.approx(2.0000002e-7)
    opt.learning_rate = 1e-6
    assert opt.trigger_stopping("Stuck.", verbose=True) is True
    assert capsys.readouterr().out == "Stuck. Learning rate too small. Stopping.\n"
    assert opt.learning_rate == 1e-6


@pytest.mark.parametrize("make", [AdamOptimizer, SGDOptimizer])
def test_updates_are_in_place_and_keep_float32(make):
    params = np.linspace(-1, 1, 5, dtype=np.float32)
    buffer = params
    opt = make(params, 0.1)
    opt.update_params(params, np.ones(5, dtype=np.float32))
    assert params is buffer and params.dtype == np.float32
    assert np.all(params < np.linspace(-1, 1, 5))
    state = opt.first_moment if make is AdamOptimizer else opt.velocity
    assert state.dtype == np.float32


def test_sgd_defaults_are_mlpclassifier_defaults():
    from sklearn.neural_network import MLPClassifier

    opt = SGDOptimizer(np.zeros(2))
    mlp = MLPClassifier()
    assert opt.learning_rate_init == 0.1  # scikit-learn's SGDOptimizer default
    assert opt.lr_schedule == mlp.learning_rate == "constant"
    assert opt.momentum == mlp.momentum == 0.9
    assert opt.nesterov is mlp.nesterovs_momentum is True
    assert opt.power_t == mlp.power_t == 0.5


def test_adam_defaults_are_scikit_learns():
    from sklearn.neural_network._stochastic_optimizers import AdamOptimizer as Theirs

    ours, theirs = AdamOptimizer(np.zeros(2)), Theirs([np.zeros(2)])
    assert ours.learning_rate_init == theirs.learning_rate_init == 0.001
    assert (ours.beta_1, ours.beta_2) == (theirs.beta_1, theirs.beta_2) == (0.9, 0.999)
    assert ours.epsilon == theirs.epsilon == 1e-8


@pytest.mark.parametrize(
    "make",
    [
        lambda p: AdamOptimizer(p, 0.01),
        lambda p: SGDOptimizer(p, 0.1, "invscaling", momentum=0.9),
    ],
    ids=["adam", "sgd"],
)
def test_masked_steps_hold_the_frozen_entries(make):
    rng = np.random.default_rng(0)
    n = 40
    trained = rng.random(n) < 0.6
    frozen_values = rng.normal(size=n)
    start = np.where(trained, rng.normal(size=n), frozen_values)
    masked = MaskedOptimizer(make(start), trained, frozen_values)
    reference = make(start)
    params, expected = start.copy(), start.copy()
    for step in range(4):
        grads = rng.normal(size=n)
        # as weight decay does before a step, move the frozen entries too
        params *= 0.9
        expected *= 0.9
        masked.update_params(params, grads.copy())
        reference.update_params(expected, np.where(trained, grads, 0.0))
        expected[~trained] = frozen_values[~trained]
        np.testing.assert_array_equal(params, expected)
        state = vars(masked.optimizer)
        for name, value in vars(reference).items():
            if isinstance(value, np.ndarray):
                np.testing.assert_array_equal(state[name], value)
                assert np.all(state[name][~trained] == 0)
        masked.iteration_ends(100 * (step + 1))
        reference.iteration_ends(100 * (step + 1))
        assert masked.learning_rate == reference.learning_rate
    assert masked.trigger_stopping("no improvement", False) is True


def test_masked_optimizer_stops_as_the_one_it_wraps(capsys):
    params = np.zeros(4)
    masked = MaskedOptimizer(
        SGDOptimizer(params, 0.1, "adaptive"), np.ones(4, bool), np.zeros(4)
    )
    assert masked.trigger_stopping("No improvement.", True) is False
    assert masked.learning_rate == pytest.approx(0.02)
    assert capsys.readouterr().out == (
        "No improvement. Setting learning rate to 0.020000\n"
    )


def test_cosine_steps_fall_from_the_initial_step_and_restart():
    from sklearn_sas._optimizers import cosine_learning_rate

    steps = [cosine_learning_rate(0.1, epoch, 4) for epoch in range(9)]
    # (1 + cos(pi e / 4)) / 2 for e = 0..3, then again from 0
    cycle = [0.1, 0.1 * (2 + 2**0.5) / 4, 0.05, 0.1 * (2 - 2**0.5) / 4]
    assert_allclose(steps, cycle * 2 + [0.1], rtol=1e-12)


@pytest.mark.parametrize("make", [AdamOptimizer, SGDOptimizer])
def test_cosine_schedule_sets_the_step_of_every_epoch(make):
    opt = make(np.zeros(3), 0.2, lr_schedule="cosine", period=10)
    assert opt.learning_rate == 0.2
    for epoch in range(1, 25):
        opt.iteration_ends(epoch * 1000)
        expected = 0.1 * (1 + np.cos(np.pi * (epoch % 10) / 10))
        assert opt.learning_rate == pytest.approx(expected, rel=1e-12)
    # a cosine schedule ends training when it stops improving, as constant does
    assert opt.trigger_stopping("no improvement", False) is True


def test_adam_takes_the_scheduled_step():
    grads = _grads(3)
    scheduled = AdamOptimizer(np.zeros(7), 0.1, lr_schedule="cosine", period=4)
    params = np.zeros(7)
    reference_params = np.zeros(7)
    reference = AdamOptimizer(reference_params, 0.1)
    for step, grad in enumerate(grads):
        scheduled.update_params(params, grad.copy())
        reference.update_params(reference_params, grad.copy())
        assert_allclose(params, reference_params, rtol=1e-12)
        scheduled.iteration_ends(step + 1)
        reference.learning_rate = scheduled.learning_rate


@pytest.mark.parametrize("schedule", ["invscaling", "adaptive"])
def test_adam_follows_the_sgd_schedules(schedule):
    adam = AdamOptimizer(np.zeros(2), 0.1, lr_schedule=schedule, power_t=0.5)
    sgd = SGDOptimizer(np.zeros(2), 0.1, schedule, power_t=0.5)
    adam.iteration_ends(99)
    sgd.iteration_ends(99)
    assert adam.learning_rate == sgd.learning_rate
    assert adam.trigger_stopping("x", False) is sgd.trigger_stopping("x", False)
    assert adam.learning_rate == sgd.learning_rate
