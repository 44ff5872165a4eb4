"""Connection entropy, credit assignment and targeted perturbation."""

import copy
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning, NotFittedError

import sklearn_sas.inspection._perturbation as perturbation_module
from sklearn_sas import SaSMLPClassifier
from sklearn_sas._sampled import sampled_network
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
        # in minibatches of 200, as the orderings below were measured with
        return SaSMLPClassifier(
            (48,), max_iter=150, fit_intercept=False, batch_size=200, random_state=0
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


@pytest.mark.parametrize("n_samples", [1, 2, 5])
def test_monte_carlo_entropy_is_unbiased_for_few_draws(n_samples):
    # the estimator averages over exactly B draws: a 1 / (B - 1) slips by at
    # B = 100 but not at B <= 5
    m, pi, xi = _random_connections(30, seed=3)
    analytic = sas_entropy(m, pi, xi)
    rng = np.random.default_rng(4)
    draws = np.array([sas_entropy_mc(m, pi, xi, n_samples, rng) for _ in range(2000)])
    spread = draws.std(axis=0, ddof=1)
    random = spread > 1e-9
    assert_allclose(draws.mean(axis=0)[~random], analytic[~random], rtol=1e-9)
    z = np.abs(draws.mean(axis=0) - analytic)[random] / (spread[random] / np.sqrt(2000))
    assert z.max() < 4.5
    # and the spread of one estimate is (1 - pi) sqrt(Var(eps^2 / 2) / B)
    # (chi-square with one degree of freedom is heavy-tailed: a loose rtol)
    assert_allclose(spread[random], ((1 - pi) * np.sqrt(0.5 / n_samples))[random],
                    rtol=0.2)  # fmt: skip


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
    mc = connection_entropy(fitted, method="mc", random_state=0)
    again = connection_entropy(fitted, method="mc", random_state=0)
    for a, b, c in zip(mc, again, analytic):
        assert_array_equal(a, b)
        assert np.abs(a - c).mean() < 0.1
    # "mc", as the estimators' inference="mc"; DESIGN.md's "monte_carlo" too
    spelt_out = connection_entropy(fitted, method="monte_carlo", random_state=0)
    for a, b in zip(mc, spelt_out):
        assert_array_equal(a, b)
    with pytest.raises(ValueError, match="method"):
        connection_entropy(fitted, method="exact")
    with pytest.raises(NotFittedError):
        connection_entropy(SaSMLPClassifier())


def test_entropies_use_the_tolerances(fitted):
    model = copy.deepcopy(fitted)
    m, pi, xi = model.slab_means_[0], model.spike_probs_[0], model.slab_vars_[0]
    # point masses under xi_tol=1e-2 but not under the default 1e-8: at zero
    # under m_tol=1e-2 (row 0) and away from it (row 1)
    xi[:2, :5] = 1e-3
    pi[:2, :5] = 0.3
    m[0, :5] = 1e-3
    m[1, :5] = 0.5
    tolerances = {"xi_tol": 1e-2, "m_tol": 1e-2}
    analytic = connection_entropy(model, **tolerances)[0]
    mc = connection_entropy(model, method="mc", random_state=0, **tolerances)
    assert_array_equal(mc[0][0, :5], 0.0)
    binary = -(0.3 * np.log(0.3) + 0.7 * np.log(0.7))
    np.testing.assert_allclose(mc[0][1, :5], binary, rtol=1e-6)
    assert_array_equal(mc[0][:2, :5], analytic[:2, :5])
    # and the entropy of credit_assignment
    credit = credit_assignment(model, **tolerances)
    assert_array_equal(credit.entropy[0], analytic)
    assert_array_equal(credit.entropy[0][0, :5], 0.0)


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
    for vip, uip, var, m, pi, xi in zip(
        credit.vip_masks,
        credit.uip_masks,
        credit.variable_masks,
        fitted.slab_means_,
        fitted.spike_probs_,
        fitted.slab_vars_,
    ):
        assert vip.shape == uip.shape == var.shape == pi.shape
        total = vip.astype(int) + uip.astype(int) + var.astype(int)
        assert_array_equal(total, 1)
        zero_point_mass = (xi <= 1e-8) & (np.abs(m) <= 1e-6)
        assert_array_equal(vip, (pi <= 1e-6) & (xi <= 1e-8) & ~zero_point_mass)
        assert_array_equal(uip, (pi >= 1 - 1e-6) | zero_point_mass)
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


# ------------------------------------- constructed connections of each class


@pytest.fixture(scope="module")
def _small_cached(digits_split):
    X_train, _, y_train, _ = digits_split
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier((16,), max_iter=5, batch_size=200, random_state=0).fit(
            X_train, y_train
        )


@pytest.fixture
def small(_small_cached):
    """A small fitted network (64x16, 16x10) whose arrays a test may set."""
    return copy.deepcopy(_small_cached)


def _set(clf, layer, index, *, m, pi, xi):
    """Set ``(m, pi, xi)`` of the connections ``index`` of ``layer``."""
    clf.slab_means_[layer][index] = m
    clf.spike_probs_[layer][index] = pi
    clf.slab_vars_[layer][index] = xi


# row 0 of layer 0: deterministic zeros (pi = 0, then 0 < pi < 1), a
# deterministic non-zero weight, and a point mass at 0.5 present with
# probability 0.7
ZERO, ZERO_SPIKED, VIP, BINARY = (0, 0), (0, 1), (0, 2), (0, 3)


def _constructed(clf):
    _set(clf, 0, ZERO, m=0.0, pi=0.0, xi=0.0)
    _set(clf, 0, ZERO_SPIKED, m=0.0, pi=0.3, xi=0.0)
    _set(clf, 0, VIP, m=0.5, pi=0.0, xi=0.0)
    _set(clf, 0, BINARY, m=0.5, pi=0.3, xi=0.0)
    return clf


def test_deterministic_zero_is_uip_not_vip(small):
    credit = credit_assignment(_constructed(small))
    vip, uip, var = credit.vip_masks[0], credit.uip_masks[0], credit.variable_masks[0]
    for index in (ZERO, ZERO_SPIKED):
        assert uip[index] and not vip[index] and not var[index]
    assert vip[VIP] and not uip[VIP]
    assert var[BINARY]
    rows = credit.summary()
    assert rows[0]["n_uip"] == int(uip.sum())


def test_deterministic_zero_has_zero_entropy(small):
    clf = _constructed(small)
    pi = float(clf.spike_probs_[0][BINARY])  # 0.3 in the network's dtype
    binary = -pi * np.log(pi) - (1 - pi) * np.log(1 - pi)
    for S in (connection_entropy(clf)[0], credit_assignment(clf).entropy[0]):
        assert S[ZERO] == 0.0 and S[ZERO_SPIKED] == 0.0 and S[VIP] == 0.0
        assert S[BINARY] == pytest.approx(binary, rel=1e-12)
    # a slab mean above m_tol is a point mass away from zero: binary entropy
    _set(clf, 0, ZERO_SPIKED, m=1e-7, pi=0.3, xi=0.0)
    assert connection_entropy(clf)[0][ZERO_SPIKED] == 0.0
    S = connection_entropy(clf, m_tol=1e-8)[0][ZERO_SPIKED]
    assert S == pytest.approx(binary, rel=1e-12)


def test_strict_paper_rule(small):
    clf = _constructed(small)
    strict = credit_assignment(clf, strict_paper=True)
    assert strict.strict_paper and "strict_paper=True" in repr(strict)
    # the paper's literal rule: a deterministic zero with pi = 0 is VIP ...
    assert strict.vip_masks[0][ZERO] and not strict.uip_masks[0][ZERO]
    # ... and one with 0 < pi < 1 is variable
    assert strict.variable_masks[0][ZERO_SPIKED]
    assert strict.vip_masks[0][VIP]
    pi, xi = clf.spike_probs_[0], clf.slab_vars_[0]
    assert_array_equal(strict.vip_masks[0], (pi <= 1e-6) & (xi <= 1e-8))
    assert_array_equal(strict.uip_masks[0], pi >= 1 - 1e-6)
    # a larger m_tol moves a small deterministic weight from VIP to UIP
    _set(clf, 0, VIP, m=1e-4, pi=0.0, xi=0.0)
    assert credit_assignment(clf).vip_masks[0][VIP]
    loose = credit_assignment(clf, m_tol=1e-3)
    assert loose.uip_masks[0][VIP] and loose.m_tol == 1e-3
    with pytest.raises(ValueError, match="m_tol"):
        credit_assignment(clf, m_tol=-1.0)


def _vip_and_variable_layer(clf, n_vip_rows):
    """Layer 0 with ``pi = 0`` everywhere (every sampled network has every
    connection): rows ``< n_vip_rows`` VIP, the others variable."""
    pi, m, xi = clf.spike_probs_[0], clf.slab_means_[0], clf.slab_vars_[0]
    pi[...] = 0.0
    m[np.abs(m) < 0.1] = 0.5
    xi[:n_vip_rows] = 0.0
    xi[n_vip_rows:] = 0.01
    return clf


def _record_perturbed_masks(monkeypatch, layer):
    """Masks of ``layer`` of every network perturbation_curve evaluates."""
    recorded = []

    def recording(parent, weights, masks):
        recorded.append(masks[layer].copy())
        return sampled_network(parent, weights, masks)

    monkeypatch.setattr(perturbation_module, "sampled_network", recording)
    return recorded


@pytest.mark.parametrize("kind", ["random_variable", "random"])
def test_random_variable_turns_off_variable_connections_only(
    small, digits_split, monkeypatch, kind
):
    _, X_test, _, y_test = digits_split
    clf = _vip_and_variable_layer(small, n_vip_rows=30)
    credit = credit_assignment(clf)
    vip, variable = credit.vip_masks[0], credit.variable_masks[0]
    assert vip.sum() == 30 * 16 and variable.sum() == 34 * 16
    recorded = _record_perturbed_masks(monkeypatch, layer=0)
    fractions = [0.0, 0.5, 1.0]
    curve = perturbation_curve(
        clf, X_test, y_test, fractions=fractions, kind=kind, n_networks=2,
        random_state=0,
    )  # fmt: skip
    reference = perturbation_curve(
        clf, X_test, y_test, fractions=fractions, kind="vip", n_networks=1,
        random_state=0,
    )  # fmt: skip
    # as many as "vip" turns off
    assert_array_equal(curve.n_perturbed, [0, 240, 480])
    assert_array_equal(curve.n_perturbed, reference.n_perturbed)
    off = [~mask for mask in recorded[: len(fractions) * 2]]
    assert [int(o.sum()) for o in off] == [0, 240, 480] * 2
    turned_off_vip = sum(int((o & vip).sum()) for o in off)
    if kind == "random_variable":
        assert all(not (o & ~variable).any() for o in off)
        assert turned_off_vip == 0
    else:
        # drawn among all connections, some VIP ones are hit
        assert turned_off_vip > 0
    assert curve.kind == kind


def test_random_variable_is_capped_by_the_variable_connections(small, digits_split):
    _, X_test, _, y_test = digits_split
    clf = _vip_and_variable_layer(small, n_vip_rows=60)
    curve = perturbation_curve(
        clf, X_test, y_test, fractions=[0.0, 0.5, 1.0], kind="random_variable",
        n_networks=1, random_state=0,
    )  # fmt: skip
    # 960 VIP, 64 variable connections
    assert_array_equal(curve.n_perturbed, [0, 64, 64])


def test_perturbation_curve_uses_the_credit_tolerances(small, digits_split):
    _, X_test, _, y_test = digits_split
    clf = _constructed(small)

    def n_vip(**credit):
        curve = perturbation_curve(
            clf, X_test, y_test, fractions=[1.0], n_networks=1, random_state=0,
            **credit,
        )  # fmt: skip
        return int(curve.n_perturbed[0])

    for credit in ({}, {"strict_paper": True}, {"m_tol": 0.6}):
        expected = int(credit_assignment(clf, **credit).vip_masks[0].sum())
        assert n_vip(**credit) == expected
    # the deterministic zero with pi = 0 is VIP only under the paper's rule,
    # the 0.5 weights not under m_tol=0.6
    assert n_vip(strict_paper=True) == n_vip() + 1
    assert n_vip(m_tol=0.6) < n_vip()
    with pytest.raises(ValueError, match="strict_paper"):
        perturbation_curve(clf, X_test, y_test, strict_paper="yes")


def _hand_made_credit(strict_paper=False):
    from sklearn_sas.inspection import CreditAssignment

    vip = [np.array([[True, False], [False, False]]), np.array([[True], [True]])]
    uip = [np.array([[False, True], [True, False]]), np.array([[False], [False]])]
    variable = [~(v | u) for v, u in zip(vip, uip)]
    return CreditAssignment(
        vip_masks=vip, uip_masks=uip, variable_masks=variable,
        entropy=[np.array([[0.0, 0.0], [0.0, 1.5]]), np.array([[0.0], [-0.25]])],
        spike_probs=[np.array([[0.0, 1.0], [1.0, 0.5]]), np.array([[0.0], [0.25]])],
        pi_tol=1e-6, xi_tol=1e-8, m_tol=1e-6, strict_paper=strict_paper,
    )  # fmt: skip


def test_credit_table_text_is_exact():
    credit = _hand_made_credit()
    expected = (
        "layer      shape  mean pi    VIP    UIP variable  entropy/conn\n"
        "0            2x2    0.625  0.250  0.500    0.250         0.375\n"
        "1            2x1    0.125  1.000  0.000    0.000        -0.125"
    )
    assert str(credit) == expected
    assert repr(credit) == (
        f"CreditAssignment(pi_tol=1e-06, xi_tol=1e-08, m_tol=1e-06)\n{expected}"
    )
    assert repr(_hand_made_credit(strict_paper=True)).startswith(
        "CreditAssignment(pi_tol=1e-06, xi_tol=1e-08, m_tol=1e-06, strict_paper=True)\n"
    )
    rows = credit.summary()
    assert [row["n_vip"] for row in rows] == [1, 2]
    assert [row["n_uip"] for row in rows] == [2, 0]
    assert [row["n_variable"] for row in rows] == [1, 0]
    assert [row["n_connections"] for row in rows] == [4, 2]


def test_credit_assignment_object_defaults():
    from sklearn_sas.inspection import CreditAssignment

    credit = CreditAssignment([], [], [], [], [], pi_tol=1e-6, xi_tol=1e-8)
    assert credit.m_tol == 1e-6
    assert credit.strict_paper is False


def test_log_density_at_zero_of_a_point_mass():
    from sklearn_sas._sas import _log_normal_at_zero

    # the function handles xi = 0 itself, without warnings
    with np.errstate(divide="raise", invalid="raise"):
        values = _log_normal_at_zero(np.array([0.0, 1.5, 0.0, 1.5]),
                                     np.array([0.0, 0.0, 2.0, 2.0]))  # fmt: skip
    assert values[0] == np.inf  # the point mass at 0: infinite density there
    assert values[1] == -np.inf  # the point mass elsewhere: none at 0
    assert_allclose(values[2:], -0.5 * np.array([0.0, 1.125]) - 0.5 * np.log(4 * np.pi))


def test_entropy_tolerances_are_inclusive_and_silent():
    # at or below the tolerances counts as zero (VIP/UIP boundaries included)
    m = np.array([0.7, 1e-6, 2e-6, 0.7])
    pi = np.array([0.3, 0.3, 0.3, 0.0])
    xi = np.array([1e-8, 1e-8, 1e-8, 0.0])
    binary = -0.3 * np.log(0.3) - 0.7 * np.log(0.7)
    # degenerate cases need no warning of a division by zero or a NaN
    with np.errstate(divide="raise", invalid="raise"):
        S = sas_entropy(m, pi, xi)
        S_mc = sas_entropy_mc(m, pi, xi, 5, np.random.default_rng(0))
    assert_allclose(S, [binary, 0.0, binary, 0.0], rtol=1e-14, atol=0)
    assert_allclose(S_mc, S, rtol=1e-14, atol=0)
    with np.errstate(divide="raise", invalid="raise"):
        sas_entropy(np.zeros(3), np.array([0.0, 1.0, 0.5]), np.zeros(3))


def test_monte_carlo_entropy_draws_each_connection_independently():
    # identical connections get their own draws
    m, pi, xi = np.full(50, 0.4), np.full(50, 0.2), np.full(50, 0.3)
    draws = sas_entropy_mc(m, pi, xi, 3, np.random.default_rng(1))
    assert np.unique(draws).size == 50


def test_credit_masks_default_tolerances_are_inclusive():
    from sklearn_sas._sas import credit_masks

    m = np.array([0.5, 0.5, 0.5, 1e-6, 2e-6, 0.5, 0.5])
    pi = np.array([1e-6, 2e-6, 0.0, 0.0, 0.0, 1 - 1e-6, 1 - 2e-6])
    xi = np.array([1e-8, 0.0, 2e-8, 0.0, 0.0, 0.3, 0.3])
    vip, uip, variable = credit_masks(m, pi, xi)
    assert vip.tolist() == [True, False, False, False, True, False, False]
    assert uip.tolist() == [False, False, False, True, False, True, False]
    assert variable.tolist() == [False, True, True, False, False, False, True]


def test_projection_keeps_feasible_values():
    from sklearn_sas._sas import project_sas

    pi = np.array([-0.2, 0.0, 0.3, 1.0, 1.7])
    xi = np.array([-1.0, 0.0, 1e-9, 0.4, 3.0])
    project_sas(pi, xi)
    assert_array_equal(pi, [0.0, 0.0, 0.3, 1.0, 1.0])
    assert_array_equal(xi, [0.0, 0.0, 1e-9, 0.4, 3.0])
