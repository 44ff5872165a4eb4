"""Connection entropy, credit assignment and targeted perturbation."""

import copy
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError

from sklearn_sas import SaSMLPClassifier
from sklearn_sas._sas import sas_entropy, sas_entropy_mc
from sklearn_sas.inspection import (
    connection_entropy,
    credit_assignment,
    perturbation_curve,
)


@pytest.fixture(scope="module")
def fitted(digits_split):
    X_train, _, y_train, _ = digits_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier(
            (48,), max_iter=150, fit_intercept=False, random_state=0
        ).fit(X_train, y_train)


def _random_connections(n, seed):
    rng = np.random.default_rng(seed)
    m = rng.normal(0, 1.5, n)
    pi = rng.uniform(0, 1, n)
    xi = rng.uniform(1e-3, 2.0, n)
    # the degenerate cases of the paper, on a few connections each
    pi[:4] = 1.0
    xi[4:8] = 0.0
    pi[4:6] = 0.0  # deterministic weight
    m[6] = 0.0  # xi = 0 and m = 0: deterministic too
    pi[8:12] = 0.0  # pure slab
    return m, pi, xi


def test_analytic_entropy_is_the_monte_carlo_mean():
    m, pi, xi = _random_connections(60, seed=0)
    analytic = sas_entropy(m, pi, xi)
    rng = np.random.default_rng(1)
    draws = np.array([sas_entropy_mc(m, pi, xi, 100, rng) for _ in range(400)])
    mean = draws.mean(axis=0)
    standard_error = draws.std(axis=0, ddof=1) / np.sqrt(len(draws))
    # the degenerate cases have no randomness; otherwise the estimator's
    # spread is (1 - pi) * sqrt(Var(eps^2 / 2) / B)
    degenerate = (pi >= 1) | (xi <= 1e-8)
    spread = np.where(degenerate, 0, (1 - pi) * np.sqrt(0.5 / 100))
    assert_allclose(draws.std(axis=0), spread, rtol=0.15, atol=1e-12)
    assert_allclose(mean[degenerate], analytic[degenerate], rtol=1e-12, atol=0)
    z = np.abs(mean - analytic)[~degenerate] / standard_error[~degenerate]
    assert z.max() < 4.5


def test_entropy_degenerate_cases():
    S = sas_entropy(
        np.array([0.7, 0.7, 0.0, 0.7, 1.3]),
        np.array([1.0, 0.0, 0.4, 0.25, 1.0]),
        np.array([0.3, 0.0, 0.0, 0.0, 0.0]),
    )
    binary = -0.25 * np.log(0.25) - 0.75 * np.log(0.75)
    assert_allclose(S, [0.0, 0.0, 0.0, binary, 0.0], rtol=1e-14, atol=0)


def test_entropy_of_a_pure_slab_is_gaussian_exactly():
    rng = np.random.default_rng(2)
    m, xi = rng.normal(size=50), rng.uniform(1e-4, 3.0, 50)
    assert_array_equal(sas_entropy(m, np.zeros(50), xi), 0.5 * np.log(2 * np.pi * np.e * xi))


def test_entropy_closed_form_by_numerical_integration():
    # S = -sum over the point mass - integral of the density part, done on a grid
    m, pi, xi = 0.8, 0.35, 0.2
    grid = np.linspace(m - 12 * np.sqrt(xi), m + 12 * np.sqrt(xi), 400_001)
    density = (1 - pi) * np.exp(-((grid - m) ** 2) / (2 * xi)) / np.sqrt(2 * np.pi * xi)
    continuous = -np.trapezoid(density * np.log(density), grid)
    # Li & Huang's spike term: -pi ln[pi + (1 - pi) N(0 | m, xi)]
    at_zero = np.exp(-(m**2) / (2 * xi)) / np.sqrt(2 * np.pi * xi)
    spike = -pi * np.log(pi + (1 - pi) * at_zero)
    expected = spike + continuous
    assert sas_entropy(np.array([m]), np.array([pi]), np.array([xi]))[0] == (
        pytest.approx(expected, rel=1e-9)
    )


def test_connection_entropy_of_an_estimator(fitted):
    analytic = connection_entropy(fitted)
    assert [S.shape for S in analytic] == [p.shape for p in fitted.spike_probs_]
    assert all(S.dtype == np.float64 for S in analytic)
    for S, m, pi, xi in zip(
        analytic, fitted.slab_means_, fitted.spike_probs_, fitted.slab_vars_
    ):
        assert_array_equal(S, sas_entropy(m, pi, xi))
    mc = connection_entropy(fitted, method="monte_carlo", random_state=0)
    again = connection_entropy(fitted, method="monte_carlo", random_state=0)
    for a, b, c in zip(mc, again, analytic):
        assert_array_equal(a, b)
        assert np.abs(a - c).mean() < 0.1
    with pytest.raises(ValueError, match="method"):
        connection_entropy(fitted, method="exact")
    with pytest.raises(NotFittedError):
        connection_entropy(SaSMLPClassifier())


def test_pure_slab_estimator_entropy(fitted):
    model = copy.deepcopy(fitted)
    for pi in model.spike_probs_:
        pi[...] = 0
    for S, xi in zip(connection_entropy(model, xi_tol=0), model.slab_vars_):
        positive = xi > 0
        expected = 0.5 * np.log(2 * np.pi * np.e * xi[positive].astype(np.float64))
        assert_allclose(S[positive], expected, rtol=1e-12)


def test_credit_masks_partition_every_layer(fitted):
    credit = credit_assignment(fitted)
    for vip, uip, var, pi, xi in zip(
        credit.vip_masks,
        credit.uip_masks,
        credit.variable_masks,
        fitted.spike_probs_,
        fitted.slab_vars_,
    ):
        assert vip.shape == uip.shape == var.shape == pi.shape
        total = vip.astype(int) + uip.astype(int) + var.astype(int)
        assert_array_equal(total, 1)
        assert_array_equal(vip, (pi <= 1e-6) & (xi <= 1e-8))
        assert_array_equal(uip, pi >= 1 - 1e-6)
    # a trained network has connections of every kind
    assert sum(int(v.sum()) for v in credit.vip_masks) > 0
    assert sum(int(v.sum()) for v in credit.variable_masks) > 0


def test_credit_summary(fitted):
    credit = credit_assignment(fitted, pi_tol=1e-3, xi_tol=1e-6)
    rows = credit.summary()
    assert [row["layer"] for row in rows] == [0, 1]
    for row, pi, vip, uip, S in zip(
        rows, fitted.spike_probs_, credit.vip_masks, credit.uip_masks, credit.entropy
    ):
        assert row["n_connections"] == pi.size
        assert row["shape"] == f"{pi.shape[0]}x{pi.shape[1]}"
        assert row["sparsity"] == pytest.approx(pi.mean())
        assert row["vip_fraction"] == pytest.approx(vip.mean())
        assert row["uip_fraction"] == pytest.approx(uip.mean())
        assert row["n_vip"] + row["n_uip"] + row["n_variable"] == pi.size
        assert row["vip_fraction"] + row["uip_fraction"] + row[
            "variable_fraction"
        ] == pytest.approx(1)
        assert row["entropy_per_connection"] == pytest.approx(S.mean())
    text = str(credit)
    assert "entropy/conn" in text and len(text.splitlines()) == 3
    pd = pytest.importorskip("pandas")
    frame = credit.summary(as_frame=True)
    assert isinstance(frame, pd.DataFrame)
    assert list(frame.index) == [0, 1]
    with pytest.raises(ValueError, match="pi_tol"):
        credit_assignment(fitted, pi_tol=0.6)


def test_perturbation_ordering(fitted, digits_split):
    _, X_test, _, y_test = digits_split
    fractions = [0.0, 0.5]
    curves = {
        kind: perturbation_curve(
            fitted, X_test, y_test, fractions=fractions, kind=kind, n_networks=4,
            random_state=0,
        )  # fmt: skip
        for kind in ("vip", "random", "uip")
    }
    for kind, curve in curves.items():
        assert curve.kind == kind and curve.layer == 0
        assert curve.errors.shape == (2, 4)
        assert_allclose(curve.mean_error, curve.errors.mean(axis=1))
    # the same sampled networks before any perturbation
    assert_array_equal(curves["vip"].errors[0], curves["random"].errors[0])
    assert_array_equal(curves["vip"].errors[0], curves["uip"].errors[0])
    n_vip = int(credit_assignment(fitted).vip_masks[0].sum())
    assert curves["vip"].n_perturbed[1] == curves["random"].n_perturbed[1]
    assert curves["vip"].n_perturbed[1] == round(0.5 * n_vip)
    vip, rand, uip = (curves[k].mean_error[1] for k in ("vip", "random", "uip"))
    assert vip > rand > uip


def test_perturbation_rejects_bad_arguments(fitted, digits_split):
    _, X_test, _, y_test = digits_split
    with pytest.raises(ValueError, match="layer"):
        perturbation_curve(fitted, X_test, y_test, layer=2)
    with pytest.raises(ValueError, match="fractions"):
        perturbation_curve(fitted, X_test, y_test, fractions=[0.5, 1.5])
    with pytest.raises(ValueError, match="kind"):
        perturbation_curve(fitted, X_test, y_test, kind="all")


def test_perturbations_are_nested_and_monotone(fitted, digits_split):
    _, X_test, _, y_test = digits_split
    fractions = np.linspace(0, 1, 6)
    curve = perturbation_curve(
        fitted, X_test, y_test, fractions=fractions, kind="vip", n_networks=3,
        random_state=1,
    )  # fmt: skip
    assert curve.n_perturbed[-1] == int(credit_assignment(fitted).vip_masks[0].sum())
    assert np.all(np.diff(curve.n_perturbed) >= 0)
    # nested removals of important connections only hurt on average
    assert curve.mean_error[-1] > curve.mean_error[0]
    assert curve.fractions is not fractions and not np.shares_memory(
        curve.fractions, fractions
    )
