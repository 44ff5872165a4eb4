"""SaSFeatureSelector: the all-UIP rule, feature credit, thresholds, prefit and
clone semantics, Pipeline/GridSearchCV use and scikit-learn's estimator checks."""

import copy
import warnings

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn import config_context
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.datasets import load_digits
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, ParameterGrid
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    Normalizer,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from sklearn_sas import SaSFeatureSelector, SaSMLPClassifier
from sklearn_sas.inspection import connection_entropy, credit_assignment

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")

# minibatches of 200 (7 updates an epoch) leave every input some credit after
# 20 epochs, so that the features dropped are those the tests make UIP
SMALL = {
    "hidden_layer_sizes": (8,),
    "max_iter": 20,
    "batch_size": 200,
    "random_state": 0,
}
DROPPED = [0, 5, 17, 40]


def _expected_failed_checks(estimator):
    return {
        "check_n_features_in_after_fitting": (
            "the check calls partial_fit(X, y) without classes= as the selector "
            "is no classifier, but the network's partial_fit needs classes on "
            "its first call; SelectFromModel(SGDClassifier()) fails it the same way"
        ),
    }


@parametrize_with_checks(
    [
        SaSFeatureSelector(SaSMLPClassifier((8,), max_iter=20, random_state=0)),
        SaSFeatureSelector(
            SaSMLPClassifier((8,), max_iter=20, random_state=0), threshold="median"
        ),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


# ------------------------------------------------------------------ helpers


@pytest.fixture(scope="module")
def digits(digits):
    """The first 600 digits (read-only)."""
    X, y = digits
    return X[:600], y[:600]


@pytest.fixture(scope="module")
def _fitted_cached(digits):
    X, y = digits
    return SaSMLPClassifier(**SMALL).fit(X, y)


@pytest.fixture
def fitted(_fitted_cached):
    """A fitted SaSMLPClassifier on the digits; a fresh deep copy."""
    return copy.deepcopy(_fitted_cached)


def _with_uip_rows(clf, rows):
    """``clf`` with every first-layer connection of ``rows`` made UIP."""
    for j in rows:
        clf.spike_probs_[0][j, :] = 1.0
    return clf


def _credit(clf):
    """``sum_k (1 - pi_ik) |m_ik|`` by an explicit loop."""
    pi, m = clf.spike_probs_[0], clf.slab_means_[0]
    out = np.zeros(pi.shape[0])
    for i in range(pi.shape[0]):
        for k in range(pi.shape[1]):
            out[i] += (1.0 - float(pi[i, k])) * abs(float(m[i, k]))
    return out


# ----------------------------------------------------------- the UIP rule


def test_all_uip_features_are_dropped(fitted, digits):
    X, _ = digits
    clf = _with_uip_rows(fitted, DROPPED)
    # a single UIP connection does not drop a feature
    clf.spike_probs_[0][3, 0] = 1.0
    selector = SaSFeatureSelector(clf, prefit=True).fit(X)

    expected = np.ones(X.shape[1], dtype=bool)
    expected[DROPPED] = False
    np.testing.assert_array_equal(selector.get_support(), expected)
    np.testing.assert_array_equal(
        selector.get_support(indices=True), np.flatnonzero(expected)
    )
    np.testing.assert_array_equal(selector.transform(X), X[:, expected])
    assert selector.uip_masks_[0][DROPPED].all()
    assert selector.uip_masks_[0][3, 0] and not selector.uip_masks_[0][3].all()
    np.testing.assert_allclose(selector.feature_credit_[DROPPED], 0.0)
    assert selector.threshold_ == -np.inf


def _with_zero_rows(clf, rows, pi):
    """``clf`` with every first-layer connection of ``rows`` a deterministic
    zero weight (``xi = m = 0``) of spike probability ``pi``."""
    clf.spike_probs_[0][rows] = pi
    clf.slab_vars_[0][rows] = 0.0
    clf.slab_means_[0][rows] = 0.0
    return clf


@pytest.mark.parametrize("pi", [0.0, 0.4])
def test_deterministic_zero_features_are_dropped(fitted, digits, pi):
    X, _ = digits
    clf = _with_zero_rows(fitted, DROPPED, pi)
    # one deterministic zero among present connections does not drop a feature
    _with_zero_rows(clf, (3, 0), pi)
    selector = SaSFeatureSelector(clf, prefit=True).fit(X)

    expected = np.ones(X.shape[1], dtype=bool)
    expected[DROPPED] = False
    np.testing.assert_array_equal(selector.get_support(), expected)
    assert selector.uip_masks_[0][DROPPED].all()
    assert not selector.vip_masks_[0][DROPPED].any()
    assert selector.uip_masks_[0][3, 0] and not selector.uip_masks_[0][3].all()
    # the paper's literal rule would call the pi = 0 rows VIP
    strict = credit_assignment(clf, strict_paper=True)
    assert strict.vip_masks[0][DROPPED].all() == (pi == 0.0)


def test_uip_rule_respects_m_and_xi_tol(fitted, digits):
    X, _ = digits
    clf = _with_zero_rows(fitted, [7, 8], 0.2)
    clf.slab_means_[0][7] = 1e-7
    clf.slab_vars_[0][8] = 1e-9
    selector = SaSFeatureSelector(clf, prefit=True).fit(X)
    assert not selector.get_support()[[7, 8]].any()
    # a point mass at 1e-7 is a non-zero weight when m_tol is smaller
    selector.set_params(m_tol=1e-8)
    np.testing.assert_array_equal(selector.get_support()[[7, 8]], [True, False])
    selector.set_params(m_tol=1e-6, xi_tol=1e-10)
    np.testing.assert_array_equal(selector.get_support()[[7, 8]], [False, True])
    with pytest.raises(ValueError, match="m_tol"):
        SaSFeatureSelector(clf, prefit=True, m_tol=-1.0).fit(X)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inputs_zero_in_every_row_are_dropped(seed):
    """Coupled L2 with Adam drives the slab variances of a never-active input
    to exactly 0 and its slab means below m_tol (within about 35 epochs on
    the digits with these settings, the recipe of 0.1.x), so the network's
    own connections of the input are all UIP."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    never_active = (X == 0).all(axis=0)
    assert never_active.sum() >= 2  # pixels 0, 32 and 39
    # every epoch is run (n_iter_no_change=max_iter): no early stop
    net = SaSMLPClassifier(
        (16,), alpha=1e-3, learning_rate_init=0.1, solver="adam", max_iter=60,
        n_iter_no_change=60, batch_size=200, random_state=seed,
    )  # fmt: skip
    selector = SaSFeatureSelector(net).fit(X, y)
    support = selector.get_support()
    assert not support[never_active].any()
    # no other input is dropped by default
    assert support[~never_active].all()
    credit = credit_assignment(selector.estimator_)
    assert not credit.vip_masks[0][never_active].any()
    assert credit.uip_masks[0][never_active].all()
    np.testing.assert_array_equal(selector.vip_masks_[0], credit.vip_masks[0])
    assert selector.estimator_.score(X, y) > 0.9


BLANK_DIGITS = [0, 32, 39]  # the pixels 0 in every image of the digits


def _blank_digits():
    """The digits scaled to [0, 1], their labels, and a check of the blank
    pixels."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    np.testing.assert_array_equal(np.flatnonzero((X == 0).all(axis=0)), BLANK_DIGITS)
    return X, y


def _with_explicit_zeros(X):
    """``X`` as CSR with stored zeros in the blank columns (one a duplicate
    pair summing to zero) and stored zeros in some columns that have values."""
    X = sp.coo_matrix(X)
    extra_rows = [0, 5, 7, 7, 3, 9]
    extra_cols = [0, 32, 39, 39, 1, 2]
    extra_data = [0.0, 0.0, 0.5, -0.5, 0.0, 0.0]
    X = sp.coo_matrix(
        (
            np.r_[X.data, extra_data],
            (np.r_[X.row, extra_rows], np.r_[X.col, extra_cols]),
        ),
        shape=X.shape,
    )
    # CSR keeping the stored zeros and the duplicates, as given
    order = np.lexsort((X.col, X.row))
    indptr = np.r_[0, np.cumsum(np.bincount(X.row, minlength=X.shape[0]))]
    Xs = sp.csr_matrix((X.data[order], X.col[order], indptr), shape=X.shape)
    assert not Xs.has_canonical_format
    assert np.isin(BLANK_DIGITS, Xs.indices).all()
    np.testing.assert_array_equal(Xs.toarray(), X.toarray())
    return Xs


@pytest.mark.parametrize("sparse", [False, True])
def test_inputs_zero_in_every_row_are_never_selected(sparse):
    """An input zero in every row of the X the selector is fit on carried no
    evidence: it is dropped and its credit is 0 whatever the number of
    epochs, although after 10 epochs in minibatches of 200 (70 updates) the
    network's own connections of the blank pixels are not all UIP (issue 22,
    item 4)."""
    X, y = _blank_digits()
    X_fit = _with_explicit_zeros(X) if sparse else X
    stored = X_fit.data.copy() if sparse else X_fit.copy()
    net = SaSMLPClassifier((64,), max_iter=10, batch_size=200, random_state=0)
    selector = SaSFeatureSelector(net).fit(X_fit, y)
    # the matrix given is left as it was, stored zeros and duplicates included
    np.testing.assert_array_equal(X_fit.data if sparse else X_fit, stored)

    blank = np.zeros(X.shape[1], dtype=bool)
    blank[BLANK_DIGITS] = True
    np.testing.assert_array_equal(selector.get_support(), ~blank)
    np.testing.assert_array_equal(selector.feature_credit_[blank], 0.0)
    np.testing.assert_array_equal(selector.blank_features_, blank)
    assert (selector.feature_credit_[~blank] > 0).all()
    np.testing.assert_allclose(
        selector.feature_credit_[~blank], _credit(selector.estimator_)[~blank],
        rtol=1e-6,
    )  # fmt: skip
    assert selector.transform(X_fit).shape == (X.shape[0], X.shape[1] - 3)
    # a threshold of 0 or one computed from the credits never brings them back
    credit = selector.feature_credit_
    for threshold, value in [
        (0.0, 0.0), (-1.0, -1.0), ("0*mean", 0.0), ("mean", np.mean(credit)),
        ("median", np.median(credit)),
    ]:  # fmt: skip
        selector.set_params(threshold=threshold)
        assert not selector.get_support()[blank].any()
        assert selector.threshold_ == value

    # the network itself: after 10 epochs its connections of the blank pixels
    # are not all UIP, and a prefit selector reports its own credit
    uip = credit_assignment(selector.estimator_).uip_masks[0]
    assert not uip[blank].all(axis=1).any()
    np.testing.assert_array_equal(selector.uip_masks_[0], uip)
    prefit = SaSFeatureSelector(selector.estimator_, prefit=True).fit(X_fit)
    assert prefit.get_support().all()
    assert not prefit.blank_features_.any()
    np.testing.assert_allclose(
        prefit.feature_credit_, _credit(selector.estimator_), rtol=1e-6
    )


def test_partial_fit_never_selects_inputs_zero_in_every_row_seen():
    """With partial_fit, a blank input is one zero in every row seen so far;
    fit starts over."""
    X, y = _blank_digits()
    net = SaSMLPClassifier((64,), random_state=0)
    selector = SaSFeatureSelector(net)
    selector.partial_fit(X[:900], y[:900], classes=np.unique(y))
    np.testing.assert_array_equal(
        np.flatnonzero(selector.blank_features_), BLANK_DIGITS
    )
    assert not selector.get_support()[BLANK_DIGITS].any()
    np.testing.assert_array_equal(selector.feature_credit_[BLANK_DIGITS], 0.0)

    # a batch where pixel 32 is lit: it was seen non-zero, it has credit
    batch = X[900:].copy()
    batch[:5, 32] = 0.5
    selector.partial_fit(batch, y[900:])
    np.testing.assert_array_equal(np.flatnonzero(selector.blank_features_), [0, 39])
    assert selector.feature_credit_[32] > 0
    assert selector.get_support()[32] and not selector.get_support()[[0, 39]].any()
    # later batches without it do not make it blank again
    selector.partial_fit(X[:900], y[:900])
    np.testing.assert_array_equal(np.flatnonzero(selector.blank_features_), [0, 39])

    # fit sees only its own X (pixel 56 is 0 in every one of these rows)
    selector.fit(batch, y[900:])
    np.testing.assert_array_equal(
        np.flatnonzero(selector.blank_features_), [0, 39, 56]
    )
    selector.fit(X, y)
    np.testing.assert_array_equal(
        np.flatnonzero(selector.blank_features_), BLANK_DIGITS
    )


def test_failed_first_partial_fit_changes_nothing(digits):
    X, y = digits
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL))
    with pytest.raises(ValueError, match="classes"):
        selector.partial_fit(X, y)  # the network needs classes first
    assert not hasattr(selector, "estimator_")
    assert not hasattr(selector, "blank_features_")
    selector.partial_fit(X, y, classes=np.unique(y))
    assert selector.estimator_.t_ == X.shape[0]


def test_uip_rule_respects_pi_tol(fitted, digits):
    X, _ = digits
    fitted.spike_probs_[0][7, :] = 0.999
    selector = SaSFeatureSelector(fitted, prefit=True).fit(X)
    assert selector.get_support()[7]
    selector.set_params(pi_tol=0.01)
    assert not selector.get_support()[7]


def test_feature_names_out_with_pandas(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    columns = [f"pixel_{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    clf = _with_uip_rows(SaSMLPClassifier(**SMALL).fit(df, y), DROPPED)
    selector = SaSFeatureSelector(clf, prefit=True).fit(df)

    kept = [c for i, c in enumerate(columns) if i not in DROPPED]
    np.testing.assert_array_equal(selector.feature_names_in_, columns)
    np.testing.assert_array_equal(selector.get_feature_names_out(), kept)
    out = selector.set_output(transform="pandas").transform(df)
    assert list(out.columns) == kept
    np.testing.assert_array_equal(out.to_numpy(), df[kept].to_numpy())


def test_feature_names_from_X_when_estimator_has_none(fitted, digits):
    pd = pytest.importorskip("pandas")
    X, _ = digits
    columns = [f"f{i}" for i in range(X.shape[1])]
    selector = SaSFeatureSelector(fitted, prefit=True).fit(
        pd.DataFrame(X, columns=columns)
    )
    np.testing.assert_array_equal(selector.feature_names_in_, columns)
    # refitting on an array forgets the names
    selector.fit(X)
    assert not hasattr(selector, "feature_names_in_")


# ------------------------------------------------------- credit attributes


def test_feature_credit_matches_numpy(digits):
    X, y = digits
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL)).fit(X, y)
    est = selector.estimator_
    credit = selector.feature_credit_
    assert credit.shape == (X.shape[1],) and credit.dtype == np.float64
    # the pixels 0 in every one of these rows have no credit
    blank = (X == 0).all(axis=0)
    np.testing.assert_array_equal(np.flatnonzero(blank), [0, 31, 32, 39, 40])
    np.testing.assert_array_equal(selector.blank_features_, blank)
    np.testing.assert_allclose(credit[~blank], _credit(est)[~blank], rtol=1e-6)
    assert (credit[~blank] > 0).all() and (credit[blank] == 0).all()


def test_entropy_and_masks_match_inspection(digits):
    X, y = digits
    selector = SaSFeatureSelector(
        SaSMLPClassifier((8, 6), max_iter=5, random_state=0),
        pi_tol=1e-3,
        xi_tol=1e-4,
        m_tol=1e-2,
    ).fit(X, y)
    est = selector.estimator_
    reference = credit_assignment(est, pi_tol=1e-3, xi_tol=1e-4, m_tol=1e-2)
    entropy = connection_entropy(est, xi_tol=1e-4, m_tol=1e-2)
    assert len(selector.connection_entropy_) == 3
    for layer in range(3):
        shape = est.spike_probs_[layer].shape
        assert selector.vip_masks_[layer].shape == shape
        np.testing.assert_array_equal(
            selector.vip_masks_[layer], reference.vip_masks[layer]
        )
        np.testing.assert_array_equal(
            selector.uip_masks_[layer], reference.uip_masks[layer]
        )
        np.testing.assert_allclose(selector.connection_entropy_[layer], entropy[layer])


# -------------------------------------------------------------- thresholds


@pytest.mark.parametrize(
    "threshold, reference",
    [
        ("mean", np.mean),
        ("median", np.median),
        ("1.25*mean", lambda c: 1.25 * np.mean(c)),
        (" 0.5 * median ", lambda c: 0.5 * np.median(c)),
        (10.3, lambda c: 10.3),
        (None, lambda c: -np.inf),
    ],
)
def test_threshold(threshold, reference, fitted, digits):
    X, _ = digits
    clf = _with_uip_rows(fitted, [1])
    selector = SaSFeatureSelector(clf, prefit=True, threshold=threshold).fit(X)
    credit = _credit(clf)
    expected_threshold = reference(credit)
    assert selector.threshold_ == pytest.approx(expected_threshold, rel=1e-6)
    expected = credit >= selector.threshold_
    expected[1] = False
    assert 0 < expected.sum() < X.shape[1] - (threshold is not None)
    np.testing.assert_array_equal(selector.get_support(), expected)
    assert selector.transform(X).shape == (X.shape[0], expected.sum())


def test_threshold_change_applies_without_refit(fitted, digits):
    X, _ = digits
    selector = SaSFeatureSelector(fitted, prefit=True).fit(X)
    assert selector.get_support().all()
    selector.set_params(threshold="median")
    assert selector.get_support().sum() == X.shape[1] // 2
    assert selector.threshold_ == pytest.approx(np.median(selector.feature_credit_))


@pytest.mark.parametrize("threshold", ["max", "*mean", "x*mean", "1.2*max", "2*3*mean"])
def test_invalid_threshold_string(threshold, fitted, digits):
    X, _ = digits
    with pytest.raises(ValueError, match="threshold must be a float"):
        SaSFeatureSelector(fitted, prefit=True, threshold=threshold).fit(X)


def test_no_feature_selected_warns_and_returns_empty(fitted, digits):
    X, _ = digits
    selector = SaSFeatureSelector(fitted, prefit=True, threshold=np.inf).fit(X)
    with pytest.warns(UserWarning, match="No features were selected"):
        Xt = selector.transform(X)
    assert Xt.shape == (X.shape[0], 0)


# --------------------------------------------------------- prefit / clone


def test_prefit_uses_a_copy_without_refitting(fitted, digits):
    X, y = digits
    before = {
        name: [a.copy() for a in getattr(fitted, name)]
        for name in ("spike_probs_", "slab_means_", "slab_vars_")
    }
    n_iter, t = fitted.n_iter_, fitted.t_
    # transform works without fit, as in SelectFromModel
    unfit = SaSFeatureSelector(fitted, prefit=True, threshold="mean")
    Xt_unfit = unfit.transform(X)

    selector = SaSFeatureSelector(fitted, prefit=True, threshold="mean").fit(X, y)
    assert selector.estimator_ is not fitted
    assert selector.estimator is fitted
    assert (fitted.n_iter_, fitted.t_) == (n_iter, t)
    assert selector.estimator_.n_iter_ == n_iter
    for name, arrays in before.items():
        for a, b, c in zip(
            arrays, getattr(fitted, name), getattr(selector.estimator_, name)
        ):
            np.testing.assert_array_equal(a, b)
            np.testing.assert_array_equal(a, c)
            assert c is not b
    np.testing.assert_array_equal(selector.transform(X), Xt_unfit)
    assert selector.n_features_in_ == X.shape[1]

    # later changes to the passed estimator do not reach the fitted copy;
    # without fit, the passed estimator itself is read (as in SelectFromModel)
    kept = int(np.flatnonzero(selector.get_support())[0])
    _with_uip_rows(fitted, [kept])
    assert selector.get_support()[kept]
    assert not unfit.get_support()[kept]


def test_non_prefit_clones(digits):
    X, y = digits
    net = SaSMLPClassifier(**SMALL)
    selector = SaSFeatureSelector(net).fit(X, y)
    with pytest.raises(NotFittedError):
        check_is_fitted(net)
    assert selector.estimator_ is not net
    assert selector.estimator_.get_params() == net.get_params()
    check_is_fitted(selector.estimator_)
    # reproducible: the same as fitting the network directly
    direct = SaSMLPClassifier(**SMALL).fit(X, y)
    np.testing.assert_array_equal(
        selector.estimator_.spike_probs_[0], direct.spike_probs_[0]
    )


def test_default_estimator(digits):
    X, y = digits
    selector = SaSFeatureSelector()
    assert selector.estimator is None
    assert get_tags(selector).input_tags.sparse
    assert hasattr(selector, "partial_fit")
    selector.fit(X[:40, :6], y[:40])
    assert type(selector.estimator_) is SaSMLPClassifier
    assert selector.estimator_.get_params() == SaSMLPClassifier().get_params()
    assert selector.estimator is None


def test_fit_params_are_passed(digits):
    X, y = digits
    weights = np.ones(X.shape[0])
    weights[y == 0] = 0.0
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL))
    selector.fit(X, y, sample_weight=weights)
    reference = SaSMLPClassifier(**SMALL).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(
        selector.estimator_.slab_means_[0], reference.slab_means_[0]
    )


def test_metadata_routing(digits):
    X, y = digits
    weights = np.ones(X.shape[0])
    weights[y == 0] = 0.0
    reference = SaSMLPClassifier(**SMALL).fit(X, y, sample_weight=weights)
    with config_context(enable_metadata_routing=True):
        net = SaSMLPClassifier(**SMALL).set_fit_request(sample_weight=True)
        selector = SaSFeatureSelector(net).fit(X, y, sample_weight=weights)
    np.testing.assert_array_equal(
        selector.estimator_.slab_means_[0], reference.slab_means_[0]
    )


def test_partial_fit(fitted, digits):
    X, y = digits
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL))
    selector.partial_fit(X, y, classes=np.unique(y))
    first = selector.estimator_
    t = first.t_
    credit = selector.feature_credit_.copy()
    selector.partial_fit(X, y)
    assert selector.estimator_ is first and first.t_ == t + X.shape[0]
    assert not np.allclose(selector.feature_credit_, credit)
    blank = selector.blank_features_
    np.testing.assert_array_equal(blank, (X == 0).all(axis=0))
    np.testing.assert_allclose(
        selector.feature_credit_[~blank], _credit(first)[~blank], rtol=1e-6
    )

    # prefit: copied on the first call, never trained
    prefit = SaSFeatureSelector(fitted, prefit=True)
    prefit.partial_fit(X, y)
    copied = prefit.estimator_
    prefit.partial_fit(X, y)
    assert prefit.estimator_ is copied and copied.t_ == fitted.t_
    assert not hasattr(SaSFeatureSelector(LogisticRegression()), "partial_fit")


# ---------------------------------------------------------- transform etc.


def test_transform_new_data_and_inverse(digits):
    X, y = digits
    X_train, X_test = X[:400], X[400:]
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL), threshold="mean")
    Xt_train = selector.fit_transform(X_train, y[:400])
    support = selector.get_support()
    assert 0 < support.sum() < X.shape[1]
    np.testing.assert_array_equal(Xt_train, X_train[:, support])
    Xt = selector.transform(X_test)
    np.testing.assert_array_equal(Xt, X_test[:, support])

    sparse = selector.transform(sp.csr_matrix(X_test))
    np.testing.assert_array_equal(sparse.toarray(), Xt)

    back = selector.inverse_transform(Xt)
    assert back.shape == X_test.shape
    np.testing.assert_array_equal(back[:, support], X_test[:, support])
    assert not back[:, ~support].any()
    np.testing.assert_array_equal(selector.transform(back), Xt)

    with pytest.raises(ValueError, match="features"):
        selector.transform(X_test[:, :10])


def test_pipeline_grid_search():
    X, y = load_digits(return_X_y=True)
    X, y = X[:500], y[:500]
    pipe = Pipeline(
        [
            ("scale", StandardScaler()),
            (
                "selector",
                SaSFeatureSelector(SaSMLPClassifier((8,), max_iter=10, random_state=0)),
            ),
            ("clf", LogisticRegression(max_iter=200)),
        ]
    )
    param_grid = [
        {"selector__threshold": [None, "mean"]},
        {"selector__threshold": ["median"], "selector__estimator__alpha": [0.1]},
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(pipe, param_grid, cv=2).fit(X, y)
    assert len(search.cv_results_["params"]) == 3
    assert search.best_params_ in list(ParameterGrid(param_grid))
    best = search.best_estimator_
    assert best.predict(X[:5]).shape == (5,)
    assert best.score(X, y) > 0.5
    selector = best.named_steps["selector"]
    assert best.named_steps["clf"].n_features_in_ == selector.get_support().sum()
    assert selector.estimator_.alpha == search.best_params_.get(
        "selector__estimator__alpha", SaSMLPClassifier().alpha
    )


# ------------------------------------------------- the steps of a Pipeline


def _reversed_columns():
    """A ColumnTransformer handing the 64 pixels on in reverse order."""
    return ColumnTransformer([("reversed", "passthrough", list(range(63, -1, -1)))])


@pytest.mark.parametrize(
    "first", [_reversed_columns, lambda: PCA(64, random_state=0)],
    ids=["reversed-columns", "pca"],
)  # fmt: skip
def test_pipeline_changing_what_the_columns_are_is_refused(first):
    """The network's inputs are not the pipeline's columns: input 0 of the
    network is raw pixel 63 after the reversal, a principal component after
    PCA, so its credit says nothing about raw pixel 0. With the count alone
    checked, the selector mapped the network's inputs onto the raw columns
    (reporting e.g. constant pixels 0, 32 and 39 as kept); it now refuses
    both pipelines, prefit or not, and changes nothing."""
    X, y = load_digits(return_X_y=True)
    X = X / 16.0
    assert not X[:, [0, 32, 39]].any()
    net = SaSMLPClassifier((8,), max_iter=3, random_state=0)
    pipe = make_pipeline(first(), clone(net)).fit(X, y)
    name = pipe.steps[0][0]
    message = (
        f"Step '{name}' \\({type(pipe[0]).__name__}\\) is not one of them.*"
        "Put the selector inside the pipeline"
    )
    selector = SaSFeatureSelector(pipe, prefit=True)
    for call in (
        lambda: selector.fit(X),
        lambda: selector.transform(X),
        selector.get_support,
    ):
        with pytest.raises(ValueError, match=message):
            call()
    assert not hasattr(selector, "estimator_")

    # not prefit: refused before the pipeline is trained
    unfitted = make_pipeline(first(), clone(net))
    selector = SaSFeatureSelector(unfitted)
    with pytest.raises(ValueError, match=message):
        selector.fit(X, y)
    assert not hasattr(selector, "estimator_")
    with pytest.raises(NotFittedError):
        check_is_fitted(unfitted[-1])


@pytest.mark.parametrize(
    "steps",
    [
        [StandardScaler()],
        [MinMaxScaler(clip=True), "passthrough", None],
        [FunctionTransformer(), MaxAbsScaler()],
        [
            Pipeline([("robust", RobustScaler()), ("power", PowerTransformer())]),
            QuantileTransformer(n_quantiles=100),
            Binarizer(threshold=0.1),
        ],
    ],
    ids=["standard", "minmax-passthrough", "identity-maxabs", "nested"],
)
def test_pipeline_of_columnwise_steps_selects_from_its_network(steps, digits):
    """Steps that transform each column on its own, in place, leave input i
    of the network raw column i: the support is the network's."""
    X, y = digits
    pipe = Pipeline(
        [(f"step{i}", step) for i, step in enumerate(steps)]
        + [("net", SaSMLPClassifier(**SMALL))]
    ).fit(X, y)
    # trained by the selector, the raw columns 0 in every row are dropped
    blank = (X == 0).all(axis=0)
    assert blank.any()
    none = np.zeros_like(blank)
    for selector, dropped in (
        (SaSFeatureSelector(pipe, prefit=True, threshold="mean").fit(X), none),
        (SaSFeatureSelector(clone(pipe), threshold="mean").fit(X, y), blank),
    ):
        network = selector.estimator_[-1]
        expected = SaSFeatureSelector(network, prefit=True).fit(pipe[:-1].transform(X))
        credit = expected.feature_credit_.copy()
        credit[dropped] = 0.0
        support = ~expected.uip_masks_[0].all(axis=1) & ~dropped
        support &= credit >= credit.mean()
        np.testing.assert_array_equal(selector.blank_features_, dropped)
        np.testing.assert_array_equal(selector.feature_credit_, credit)
        np.testing.assert_array_equal(selector.get_support(), support)
        assert selector.transform(X).shape[1] == support.sum()


@pytest.mark.parametrize(
    "step, why",
    [
        (Normalizer(), "Normalizer"),
        (FunctionTransformer(np.fliplr), "FunctionTransformer"),
        (SimpleImputer(add_indicator=True), "SimpleImputer"),
        (
            ColumnTransformer([("same", "passthrough", list(range(64)))]),
            "ColumnTransformer",
        ),
        (type("MyScaler", (StandardScaler,), {})(), "MyScaler"),
        (make_pipeline(StandardScaler(), PCA(64)), "PCA"),
    ],
    ids=["normalizer", "function", "imputer", "column-transformer", "subclass",
         "nested"],
)  # fmt: skip
def test_pipeline_of_other_steps_is_refused(step, why, digits):
    """Only steps known to keep every column in place pass: a row-wise
    Normalizer, an arbitrary function, a ColumnTransformer (even one keeping
    the order) or a subclass that may override transform are refused."""
    X, y = digits
    pipe = make_pipeline(step, SaSMLPClassifier((4,), max_iter=2, random_state=0))
    pipe.fit(X, y)
    with pytest.raises(ValueError, match=f"\\({why}\\) is not one of them"):
        SaSFeatureSelector(pipe, prefit=True).fit(X)



def test_pipeline_of_steps_fitted_on_other_columns_is_refused(digits):
    """Column-wise steps fitted on 64 columns before a network fitted on 10:
    the count check remains."""
    X, y = digits
    net = SaSMLPClassifier((4,), max_iter=2, random_state=0).fit(X[:, :10], y)
    pipe = Pipeline([("scale", StandardScaler().fit(X)), ("net", net)])
    message = "the steps before the network turn 64 features into 10: refit"
    with pytest.raises(ValueError, match=message):
        SaSFeatureSelector(pipe, prefit=True).fit(X)


# ------------------------------------------------------------------ errors


def test_prefit_with_unfitted_estimator_raises(digits):
    X, y = digits
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL), prefit=True)
    for call in (
        lambda: selector.fit(X, y),
        lambda: selector.transform(X),
        lambda: selector.partial_fit(X, y),
    ):
        with pytest.raises(NotFittedError, match="prefit=True"):
            call()
    with pytest.raises(NotFittedError, match="got None"):
        SaSFeatureSelector(prefit=True).fit(X, y)


def test_unfitted_selector_raises(digits):
    X, _ = digits
    selector = SaSFeatureSelector(SaSMLPClassifier(**SMALL))
    with pytest.raises(NotFittedError):
        selector.transform(X)
    with pytest.raises(NotFittedError):
        selector.get_support()
    assert not hasattr(selector, "n_features_in_")
    assert not hasattr(selector, "threshold_")


def test_estimator_without_spike_and_slab_raises(digits):
    """A TypeError, as from every function taking a fitted network
    (``sas_network``)."""
    X, y = digits
    message = "needs a fitted SaSMLPClassifier.*got LogisticRegression"
    with pytest.raises(TypeError, match=message):
        SaSFeatureSelector(LogisticRegression(max_iter=20)).fit(X, y)
    lr = LogisticRegression(max_iter=20).fit(X, y)
    with pytest.raises(TypeError, match=message):
        SaSFeatureSelector(lr, prefit=True).fit(X)
    with pytest.raises(TypeError, match=message):
        SaSFeatureSelector(lr, prefit=True).transform(X)


def test_tags():
    tags = get_tags(SaSFeatureSelector(SaSMLPClassifier()))
    assert tags.input_tags.sparse and not tags.input_tags.allow_nan
    assert tags.target_tags.required
    assert not get_tags(SaSFeatureSelector(prefit=True)).target_tags.required
    assert not get_tags(SaSFeatureSelector(LogisticRegression())).input_tags.allow_nan


@pytest.mark.parametrize("threshold", ["nan*mean", "inf*median", "-inf*mean"])
def test_non_finite_scaled_threshold_is_refused(fitted, digits, threshold):
    X, y = digits
    selector = SaSFeatureSelector(fitted, prefit=True, threshold=threshold)
    with pytest.raises(ValueError, match="threshold must be"):
        selector.fit(X, y)
