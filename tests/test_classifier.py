"""Behaviour of SaSMLPClassifier: input validation, failure atomicity,
targets, dtypes, MLPClassifier-like fitting semantics, reproducibility,
inference modes, numerical safety and bounded-memory prediction."""

import copy
import pickle
import re
import warnings

import joblib
import numpy as np
import pytest
import scipy.sparse as sp
from numpy.testing import assert_array_equal
from sklearn import config_context
from sklearn.exceptions import ConvergenceWarning, NotFittedError
from sklearn.neural_network import MLPClassifier
from sklearn.utils.validation import check_is_fitted

from sklearn_sas import SaSMLPClassifier

SMALL = {"hidden_layer_sizes": (16,), "max_iter": 5, "random_state": 0}

LAYER_ATTRS = ("spike_probs_", "slab_means_", "slab_vars_", "intercepts_")
SCALAR_ATTRS = (
    "classes_",
    "n_iter_",
    "t_",
    "loss_",
    "loss_curve_",
    "best_loss_",
    "n_features_in_",
    "n_outputs_",
    "n_layers_",
)


# ------------------------------------------------------------------ helpers


def _fit(est, X, y, **kwargs):
    """Fit, silencing only the ConvergenceWarning of a short max_iter."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y, **kwargs)


@pytest.fixture
def fitted(digits):
    X, y = digits
    return _fit(SaSMLPClassifier(**SMALL), X, y)


def _snapshot(est):
    return {
        name: copy.deepcopy(getattr(est, name)) for name in LAYER_ATTRS + SCALAR_ATTRS
    }


def _assert_same_arrays(a, b, name):
    assert len(a) == len(b), name
    for i, (u, v) in enumerate(zip(a, b)):
        assert u.dtype == v.dtype, f"{name}[{i}]"
        assert u.shape == v.shape, f"{name}[{i}]"
        np.testing.assert_array_equal(u, v, err_msg=f"{name}[{i}]")


def _assert_unchanged(est, snapshot):
    for name in LAYER_ATTRS:
        _assert_same_arrays(getattr(est, name), snapshot[name], name)
    for name in SCALAR_ATTRS:
        np.testing.assert_array_equal(getattr(est, name), snapshot[name], name)


def _assert_identical_models(a, b):
    for name in LAYER_ATTRS:
        _assert_same_arrays(getattr(a, name), getattr(b, name), name)
    for name in ("classes_", "n_iter_", "t_", "loss_curve_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), name)


def _assert_not_fitted(est):
    with pytest.raises(NotFittedError):
        check_is_fitted(est)
    for name in LAYER_ATTRS + ("classes_", "n_features_in_", "_optimizer"):
        assert not hasattr(est, name), name


def _assert_still_trains_like(est, twin, X, y):
    """Hidden state (optimizer, generator) is also as before the failure:
    one more epoch gives bit-identical results to an untouched twin."""
    est.partial_fit(X, y)
    twin.partial_fit(X, y)
    _assert_identical_models(est, twin)


# ------------------------------------------------------- 1. bad input

# each case: function (X, y) -> (kwargs of the call, regex on the message)


def _nan_X(X, y):
    X = X.copy()
    X[3, 5] = np.nan
    return {"X": X, "y": y}, "Input X contains NaN"


def _inf_X(X, y):
    X = X.copy()
    X[7, 2] = np.inf
    return {"X": X, "y": y}, "Input X contains infinity"


def _3d_X(X, y):
    return {"X": X.reshape(-1, 8, 8), "y": y}, "dim 3"


def _empty_X(X, y):
    return {"X": X[:0], "y": y[:0]}, r"0 sample\(s\)"


def _no_features(X, y):
    return {"X": np.ascontiguousarray(X[:, :0]), "y": y}, r"0 feature\(s\)"


def _wrong_n_features(X, y):
    return (
        {"X": np.ascontiguousarray(X[:, :10]), "y": y},
        "X has 10 features, but SaSMLPClassifier is expecting 64 features",
    )


def _one_class(X, y):
    return {"X": X, "y": np.full_like(y, 4)}, "class"


def _nan_y(X, y):
    y = y.astype(float)
    y[11] = np.nan
    return {"X": X, "y": y}, "Input y contains NaN"


def _negative_sw(X, y):
    sw = np.ones(len(y))
    sw[2] = -1.0
    return {"X": X, "y": y, "sample_weight": sw}, "Negative values.*sample_weight"


def _nan_sw(X, y):
    sw = np.ones(len(y))
    sw[2] = np.nan
    return {"X": X, "y": y, "sample_weight": sw}, "sample_weight contains NaN"


def _zero_sw(X, y):
    return (
        {"X": X, "y": y, "sample_weight": np.zeros(len(y))},
        "non-zero|positive sum",
    )


def _short_sw(X, y):
    return (
        {"X": X, "y": y, "sample_weight": np.ones(10)},
        r"sample_weight\.shape == \(10,\), expected \(1797,\)",
    )


X_CASES = [_nan_X, _inf_X, _3d_X, _empty_X, _no_features]
Y_SW_CASES = [_nan_y, _negative_sw, _nan_sw, _zero_sw, _short_sw]

BAD_INPUT_CASES = (
    # (case, method): "fit_new" fits a new estimator; "refit", "partial_fit"
    # and "predict" are called on an already fitted one
    [(case, m) for case in X_CASES for m in ("fit_new", "refit", "partial_fit")]
    + [(case, "predict") for case in X_CASES if case is not _empty_X]
    + [(_empty_X, "predict"), (_wrong_n_features, "predict")]
    + [(_wrong_n_features, "partial_fit")]
    + [(case, m) for case in Y_SW_CASES for m in ("fit_new", "refit", "partial_fit")]
)


def _call(est, method, kwargs):
    if method == "predict":
        return est.predict(kwargs["X"])
    fit = est.partial_fit if method == "partial_fit" else est.fit
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit(**kwargs)


@pytest.mark.parametrize("X_dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    "case, method",
    BAD_INPUT_CASES,
    ids=[f"{c.__name__.strip('_')}-{m}" for c, m in BAD_INPUT_CASES],
)
def test_bad_input_raises_and_changes_nothing(digits, case, method, X_dtype):
    X, y = digits
    # a float32 X needs no conversion for the default dtype=None: the
    # estimator then sees the caller's own buffer
    kwargs, match = case(X.astype(X_dtype), y)
    originals = {k: np.array(v, copy=True) for k, v in kwargs.items()}

    if method == "fit_new":
        est = SaSMLPClassifier(**SMALL)
        with pytest.raises(ValueError, match=match):
            _call(est, method, kwargs)
        _assert_not_fitted(est)
    else:
        est = _fit(SaSMLPClassifier(**SMALL), X, y)
        twin = copy.deepcopy(est)
        snapshot = _snapshot(est)
        proba = est.predict_proba(X)
        with pytest.raises(ValueError, match=match):
            _call(est, method, kwargs)
        _assert_unchanged(est, snapshot)
        np.testing.assert_array_equal(est.predict_proba(X), proba)
        _assert_still_trains_like(est, twin, X, y)

    for k, v in kwargs.items():
        assert v.dtype == originals[k].dtype, k
        np.testing.assert_array_equal(v, originals[k], err_msg=k)


def test_single_class_is_predicted_as_mlp_classifier_does(digits):
    # MLPClassifier accepts y of one class and predicts it for every row
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL), X, np.full_like(y, 4))
    assert_array_equal(est.classes_, [4])
    assert_array_equal(est.predict(X[:5]), np.full(5, 4))
    assert_array_equal(est.predict_proba(X[:5]), np.ones((5, 1)))
    with pytest.raises(ValueError, match="at least two classes"):
        est.to_mlp()


def test_valid_float32_input_is_not_modified(digits):
    """The no-copy path: a float32 C-ordered X goes in as is and must come
    back untouched from fit, partial_fit and every predict method."""
    X, y = digits
    X32 = X.astype(np.float32)
    X32_orig = X32.copy()
    sw = np.linspace(0.5, 2.0, len(y)).astype(np.float32)
    sw_orig = sw.copy()
    est = _fit(SaSMLPClassifier(**SMALL), X32, y, sample_weight=sw)
    est.partial_fit(X32, y, sample_weight=sw)
    est.predict(X32)
    est.predict_log_proba(X32)
    est.set_params(inference="mc", n_samples=3).predict_proba(X32)
    np.testing.assert_array_equal(X32, X32_orig)
    np.testing.assert_array_equal(sw, sw_orig)


INVALID_PARAMS = [
    ({"learning_rate_init": -1}, "learning_rate_init"),
    ({"dtype": "float16"}, "dtype"),
    ({"inference": "bogus"}, "inference"),
    ({"init_pi": 2}, "init_pi"),
    ({"hidden_layer_sizes": (0,)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": (16, -3)}, "hidden_layer_sizes"),
    ({"hidden_layer_sizes": 0}, "hidden_layer_sizes"),
    ({"solver": "lbfgs"}, "solver"),
    ({"n_samples": 0}, "n_samples"),
]


@pytest.mark.parametrize(
    "params, match", INVALID_PARAMS, ids=[str(p) for p, _ in INVALID_PARAMS]
)
def test_invalid_parameters(digits, params, match):
    X, y = digits
    X_orig, y_orig = X.copy(), y.copy()
    # InvalidParameterError subclasses ValueError
    est = SaSMLPClassifier(**{**SMALL, **params})
    with pytest.raises(ValueError, match=match):
        est.fit(X, y)
    _assert_not_fitted(est)

    est = _fit(SaSMLPClassifier(**SMALL), X, y)
    twin = copy.deepcopy(est)
    snapshot = _snapshot(est)
    old = {k: est.get_params()[k] for k in params}
    with pytest.raises(ValueError, match=match):
        est.set_params(**params).fit(X, y)
    _assert_unchanged(est, snapshot)
    est.set_params(**old)
    _assert_still_trains_like(est, twin, X, y)
    np.testing.assert_array_equal(X, X_orig)
    np.testing.assert_array_equal(y, y_orig)


def test_partial_fit_first_call_needs_classes(digits):
    X, y = digits
    est = SaSMLPClassifier(**SMALL)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        est.partial_fit(X, y)
    _assert_not_fitted(est)


def test_partial_fit_labels_not_in_classes(digits):
    X, y = digits
    est = SaSMLPClassifier(**SMALL)
    with pytest.raises(
        ValueError, match=r"y contains labels \[3, 4, .*not in classes_"
    ):
        est.partial_fit(X, y, classes=[0, 1, 2])
    _assert_not_fitted(est)

    est = _fit(SaSMLPClassifier(**SMALL), X, y)
    twin = copy.deepcopy(est)
    snapshot = _snapshot(est)
    y_bad = y + 20
    y_bad_orig = y_bad.copy()
    with pytest.raises(ValueError, match=r"y contains labels \[20, .*not in classes_"):
        est.partial_fit(X, y_bad)
    with pytest.raises(ValueError, match="is not the same as on the first call"):
        est.partial_fit(X, y, classes=np.arange(11))
    _assert_unchanged(est, snapshot)
    np.testing.assert_array_equal(y_bad, y_bad_orig)
    _assert_still_trains_like(est, twin, X, y)


def test_partial_fit_classes_on_later_calls_as_documented(digits):
    # issue 22, item 11: the docstring said "ignored afterwards"
    doc = re.search(
        r"classes : .*?\n(.*?)\n\n", SaSMLPClassifier.partial_fit.__doc__, re.S
    ).group(1)
    doc = " ".join(doc.split())
    assert "ignored" not in doc
    assert "A later call may leave it out or give the same classes again" in doc
    assert "different classes raise a ``ValueError`` and change nothing" in doc
    X, y = digits
    classes = np.unique(y)
    est = SaSMLPClassifier(**SMALL).partial_fit(X, y, classes=classes)
    est.partial_fit(X, y)
    est.partial_fit(X, y, classes=classes[::-1].tolist())  # the same classes
    snapshot = _snapshot(est)
    for other in (classes[:-1], np.arange(11), classes + 1):
        with pytest.raises(ValueError, match="is not the same as on the first call"):
            est.partial_fit(X[y < 5], y[y < 5], classes=other)
    _assert_unchanged(est, snapshot)


def test_partial_fit_rejects_early_stopping(digits):
    X, y = digits
    est = SaSMLPClassifier(**SMALL, early_stopping=True)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        est.partial_fit(X, y, classes=np.unique(y))
    _assert_not_fitted(est)

    est = _fit(SaSMLPClassifier(**SMALL, early_stopping=True), X, y)
    snapshot = _snapshot(est)
    with pytest.raises(ValueError, match="partial_fit does not support early_stopping"):
        est.partial_fit(X, y)
    _assert_unchanged(est, snapshot)


# ------------------------------------------------------- 2. divergence


def test_divergence_on_fit_names_learning_rate_init(digits):
    X, y = digits
    X_raw = X * 16  # unscaled pixels make the huge step blow up in epoch 1
    diverging = {"solver": "sgd", "learning_rate_init": 1e10}
    est = SaSMLPClassifier(**SMALL, **diverging)
    # numpy's overflow RuntimeWarnings on the way are expected, not tested
    with (
        np.errstate(all="ignore"),
        pytest.raises(ValueError, match=r"diverged.*learning_rate_init \(now 1"),
    ):
        est.fit(X_raw, y)
    _assert_not_fitted(est)

    # refitting an already fitted model with a diverging step: model unchanged
    est = _fit(SaSMLPClassifier(**SMALL), X, y)
    snapshot = _snapshot(est)
    with (
        np.errstate(all="ignore"),
        pytest.raises(ValueError, match="learning_rate_init"),
    ):
        est.set_params(**diverging).fit(X_raw, y)
    _assert_unchanged(est, snapshot)


def test_divergence_under_early_stopping_keeps_the_best_parameters(
    digits, monkeypatch
):
    """As MLPClassifier (scikit-learn issue 29504): with early stopping, an
    epoch whose loss is not finite scores nan on the held-out rows, training
    stops with a ConvergenceWarning, and the network is the one of the best
    validation score."""
    import sklearn_sas._base as base

    X, y = digits
    real_run_epoch = base.run_epoch
    # after_epochs[k]: the parameters after k epochs
    after_epochs = []

    def run_epoch(params, *args, **kwargs):
        after_epochs.append(params.flat.copy())
        if len(after_epochs) == 4:
            return float("nan")
        return real_run_epoch(params, *args, **kwargs)

    monkeypatch.setattr(base, "run_epoch", run_epoch)
    est = SaSMLPClassifier(**SMALL, early_stopping=True, n_iter_no_change=50)
    with pytest.warns(ConvergenceWarning, match="diverged.*best validation"):
        est.fit(X, y)
    assert len(after_epochs) == 4 and est.n_iter_ == 3
    assert len(est.validation_scores_) == 4
    assert np.isnan(est.validation_scores_[-1])
    assert isinstance(est.validation_scores_[-1], float)
    best_epoch = int(np.argmax(est.validation_scores_[:3])) + 1
    assert est.best_validation_score_ == est.validation_scores_[best_epoch - 1]
    np.testing.assert_array_equal(est._params().flat, after_epochs[best_epoch])


def test_divergence_in_partial_fit_leaves_model_unchanged(digits):
    X, y = digits
    # float32, which the huge input overflows
    est = _fit(SaSMLPClassifier(**SMALL, solver="sgd", dtype="float32"), X, y)
    twin = copy.deepcopy(est)
    snapshot = _snapshot(est)
    X_huge = X * 1e10
    X_huge_orig = X_huge.copy()
    with (
        np.errstate(all="ignore"),
        pytest.raises(ValueError, match="learning_rate_init"),
    ):
        est.partial_fit(X_huge, y)
    _assert_unchanged(est, snapshot)
    np.testing.assert_array_equal(X_huge, X_huge_orig)
    for p in est.slab_means_ + est.spike_probs_ + est.slab_vars_:
        assert np.isfinite(p).all()
    _assert_still_trains_like(est, twin, X, y)


# ------------------------------------------------- 3. targets and inputs


def test_binary_target(digits):
    X, y = digits
    mask = y < 2
    X, y = X[mask], y[mask]
    # 5 epochs leave about a quarter of the seeds below 0.9 on 0 vs 1
    est = _fit(SaSMLPClassifier(**{**SMALL, "max_iter": 20}), X, y)
    assert est.n_outputs_ == 2
    np.testing.assert_array_equal(est.classes_, [0, 1])
    proba = est.predict_proba(X)
    assert proba.shape == (len(y), 2)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert est.spike_probs_[-1].shape == (16, 2)
    assert est.score(X, y) > 0.95


def test_string_labels(digits):
    X, y = digits
    # names sort like the digits, so training sees the same class indices
    names = np.array([f"digit_{i}" for i in range(10)])
    est_int = _fit(SaSMLPClassifier(**SMALL), X, y)
    est_str = _fit(SaSMLPClassifier(**SMALL), X, names[y])
    np.testing.assert_array_equal(est_str.classes_, names)
    pred = est_str.predict(X)
    assert pred.dtype.kind == "U"
    np.testing.assert_array_equal(pred, names[est_int.predict(X)])
    np.testing.assert_array_equal(est_str.predict_proba(X), est_int.predict_proba(X))
    assert est_str.score(X, names[y]) == est_int.score(X, y)

    # arbitrary strings (unsorted order, object dtype) also work
    words = np.array(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
        ],
        dtype=object,
    )
    est = _fit(SaSMLPClassifier(**SMALL), X, words[y])
    np.testing.assert_array_equal(est.classes_, np.sort(words))
    assert set(est.predict(X)) <= set(words)
    assert est.score(X, words[y]) > 0.5


def test_negative_integer_labels(digits):
    X, y = digits
    est_pos = _fit(SaSMLPClassifier(**SMALL), X, y)
    est_neg = _fit(SaSMLPClassifier(**SMALL), X, y - 5)
    np.testing.assert_array_equal(est_neg.classes_, np.arange(-5, 5))
    np.testing.assert_array_equal(est_neg.predict(X), est_pos.predict(X) - 5)
    np.testing.assert_array_equal(est_neg.predict_proba(X), est_pos.predict_proba(X))
    partial = SaSMLPClassifier(**SMALL).partial_fit(X, y - 5, classes=np.arange(-5, 5))
    assert set(partial.predict(X)) <= set(range(-5, 5))


def test_dataframe_feature_names(digits):
    pd = pytest.importorskip("pandas")
    X, y = digits
    columns = [f"px{i}" for i in range(X.shape[1])]
    df = pd.DataFrame(X, columns=columns)
    est = _fit(SaSMLPClassifier(**SMALL), df, y)
    np.testing.assert_array_equal(est.feature_names_in_, columns)
    est_np = _fit(SaSMLPClassifier(**SMALL), X, y)
    assert not hasattr(est_np, "feature_names_in_")
    _assert_identical_models(est, est_np)
    np.testing.assert_array_equal(est.predict_proba(df), est_np.predict_proba(X))

    # as scikit-learn: renamed columns raise, a bare array warns
    renamed = df.rename(columns={"px0": "pixel_zero"})
    with pytest.raises(ValueError, match="feature names should match"):
        est.predict(renamed)
    with pytest.raises(ValueError, match="feature names should match"):
        est.partial_fit(renamed, y)
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        est.predict(X)
    with pytest.warns(UserWarning, match="X has feature names, but SaSMLPClassifier"):
        est_np.predict(df)
    # the same as MLPClassifier does
    mlp = _fit(MLPClassifier((4,), max_iter=2, random_state=0), df, y)
    with pytest.raises(ValueError, match="feature names should match"):
        mlp.predict(renamed)


@pytest.mark.parametrize(
    "dtype, rtol, atol", [("float64", 1e-9, 1e-11), ("float32", 1e-3, 1e-4)]
)
def test_sparse_input_matches_dense(digits, dtype, rtol, atol):
    X, y = digits
    X_csr = sp.csr_matrix(X)
    # sparse and dense products round differently in float32; where the
    # default L2 has driven a gradient to ~0, Adam's normalized steps at the
    # default step size turn that rounding into whole steps, so the float32
    # comparison runs at a step size where the trajectories stay close
    params = dict(**SMALL, dtype=dtype, learning_rate_init=0.01)
    dense = _fit(SaSMLPClassifier(**params), X, y)
    sparse = _fit(SaSMLPClassifier(**params), X_csr, y)
    for name in LAYER_ATTRS:
        for a, b in zip(getattr(dense, name), getattr(sparse, name)):
            assert b.dtype == np.dtype(dtype)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=name)
    np.testing.assert_allclose(dense.loss_curve_, sparse.loss_curve_, rtol=rtol)

    proba = dense.predict_proba(X)
    np.testing.assert_allclose(sparse.predict_proba(X_csr), proba, atol=atol)
    np.testing.assert_allclose(dense.predict_proba(X_csr), proba, atol=atol)
    np.testing.assert_allclose(
        dense.predict_log_proba(X_csr), dense.predict_log_proba(X), atol=10 * atol
    )
    dense.set_params(inference="mc", n_samples=5)
    np.testing.assert_allclose(
        dense.predict_proba(X_csr), dense.predict_proba(X), atol=atol
    )
    # partial_fit accepts sparse input too
    sparse.partial_fit(X_csr, y)
    assert sparse.n_iter_ == 1


# ----------------------------------------------------------------- 4. dtype


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("X_kind", ["float64", "float32", "int64"])
@pytest.mark.parametrize("fit_intercept", [True, False])
def test_dtype_of_everything(digits, dtype, X_kind, fit_intercept):
    X, y = digits
    X_in = (X * 16).astype(X_kind) if X_kind == "int64" else X.astype(X_kind)
    X_orig = X_in.copy()
    est = _fit(
        SaSMLPClassifier(**SMALL, dtype=dtype, fit_intercept=fit_intercept), X_in, y
    )
    expected = np.dtype(dtype)
    for name in LAYER_ATTRS:
        arrays = getattr(est, name)
        assert len(arrays) == 2
        for a in arrays:
            assert a.dtype == expected, name
    if not fit_intercept:
        for b in est.intercepts_:
            np.testing.assert_array_equal(b, 0)
    assert est.predict_proba(X_in).dtype == expected
    assert est.predict_log_proba(X_in).dtype == expected
    est.partial_fit(X_in, y)
    assert all(m.dtype == expected for m in est.slab_means_)
    est.set_params(inference="mc", n_samples=3)
    assert est.predict_proba(X_in).dtype == expected
    assert est.predict_proba(sp.csr_matrix(X_in)).dtype == expected
    # the caller's X is untouched
    assert X_in.dtype == np.dtype(X_kind)
    np.testing.assert_array_equal(X_in, X_orig)


# ---------------------------------------------------- 5. fitting semantics


def test_loss_curve_t_and_convergence_warning(digits):
    X, y = digits
    # MLPClassifier's stopping rule: reaching max_iter is a failure to converge
    est = SaSMLPClassifier(**{**SMALL, "max_iter": 7, "n_iter_no_change": 10})
    with pytest.warns(ConvergenceWarning, match=r"Maximum iterations \(7\) reached"):
        est.fit(X, y)
    assert est.n_iter_ == 7
    assert len(est.loss_curve_) == est.n_iter_
    assert est.t_ == est.n_iter_ * X.shape[0]
    assert est.loss_ == est.loss_curve_[-1]
    assert all(np.isfinite(est.loss_curve_))
    assert est.loss_curve_[-1] < est.loss_curve_[0]
    assert est.n_layers_ == 3
    assert est.n_outputs_ == 10
    assert est.out_activation_ == "softmax"


def test_tol_stops_early_like_mlp(digits):
    X, y = digits
    params = {
        "hidden_layer_sizes": (16,),
        "tol": 1e3,
        "n_iter_no_change": 3,
        "max_iter": 100,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)  # must stop before
        est = SaSMLPClassifier(**params, random_state=0).fit(X, y)
        mlp = MLPClassifier(**params, random_state=0).fit(X, y)
    # the first epoch always improves on best_loss_=inf, then n_iter_no_change + 1
    # epochs without improvement exceed n_iter_no_change
    assert est.n_iter_ == params["n_iter_no_change"] + 2
    assert est.n_iter_ == mlp.n_iter_
    assert len(est.loss_curve_) == est.n_iter_


def test_early_stopping_attributes(digits):
    X, y = digits
    est = _fit(SaSMLPClassifier(**{**SMALL, "max_iter": 8}, early_stopping=True), X, y)
    assert isinstance(est.validation_scores_, list)
    assert len(est.validation_scores_) == est.n_iter_ == len(est.loss_curve_)
    assert est.best_validation_score_ == max(est.validation_scores_)
    assert est.best_loss_ is None
    assert all(0 <= s <= 1 for s in est.validation_scores_)
    assert est.validation_scores_[-1] > est.validation_scores_[0]
    # t_ counts the training part only (default validation_fraction=0.1)
    n_train = X.shape[0] - int(np.ceil(0.1 * X.shape[0]))
    assert est.t_ == est.n_iter_ * n_train


def test_early_stopping_stops_and_keeps_best(digits):
    X, y = digits
    params = {
        "hidden_layer_sizes": (16,),
        "early_stopping": True,
        "tol": 1.0,
        "n_iter_no_change": 2,
        "max_iter": 50,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = SaSMLPClassifier(**params).fit(X, y)
        mlp = MLPClassifier(**params).fit(X, y)
    # tol=1 can never be met: the first epoch beats -inf, then
    # n_iter_no_change + 1 epochs without improvement stop training
    assert est.n_iter_ == mlp.n_iter_ == params["n_iter_no_change"] + 2
    assert est.best_validation_score_ == max(est.validation_scores_)


def test_early_stopping_keeps_best_parameters(digits):
    X, y = digits
    params = {
        "hidden_layer_sizes": (16,),
        "early_stopping": True,
        "tol": 0.0,
        "n_iter_no_change": 3,
        "learning_rate_init": 0.1,
        # the replay below stops at another max_iter: a constant step keeps
        # its epochs those of the first run (cosine's steps depend on max_iter)
        "learning_rate": "constant",
        "max_iter": 200,
        "random_state": 0,
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        est = SaSMLPClassifier(**params).fit(X, y)
    best = int(np.argmax(est.validation_scores_))
    # stopped on its own, no later epoch beat the best one, and at least
    # n_iter_no_change + 1 epochs ran after it (ties reset the count)
    assert est.n_iter_ < params["max_iter"]
    assert max(est.validation_scores_[best + 1 :]) <= est.validation_scores_[best]
    assert est.n_iter_ - best - 1 >= params["n_iter_no_change"] + 1
    # the parameters kept are those after the best epoch, not the last one:
    # a replay stopped right after that epoch ends with the same arrays
    replay = SaSMLPClassifier(**{**params, "max_iter": best + 1})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        replay.fit(X, y)
    assert replay.validation_scores_ == est.validation_scores_[: best + 1]
    for name in LAYER_ATTRS:
        _assert_same_arrays(getattr(est, name), getattr(replay, name), name)


def test_without_early_stopping_attributes(digits):
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL), X, y)
    assert est.validation_scores_ is None
    assert est.best_validation_score_ is None
    assert est.best_loss_ == min(est.loss_curve_)


def test_default_tol_trains_for_exactly_max_iter_epochs(digits):
    X, y = digits
    # tol=None: the loss does not end the budget, whatever n_iter_no_change
    est = SaSMLPClassifier(**{**SMALL, "max_iter": 12}, n_iter_no_change=1)
    assert est.tol is None
    with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
        est.fit(X, y)
    assert est.n_iter_ == 12 == len(est.loss_curve_)
    # a float tol is MLPClassifier's rule: the first epoch improves on an
    # infinite best loss, then n_iter_no_change + 1 epochs short of tol stop
    est.set_params(tol=1e3).fit(X, y)
    assert est.n_iter_ == 3


def test_default_tol_counts_a_tied_validation_score_as_no_improvement():
    # one class: the validation accuracy is 1.0 in every epoch
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.zeros(40, dtype=int)
    est = SaSMLPClassifier(
        (4,), max_iter=50, early_stopping=True, n_iter_no_change=3, random_state=0
    ).fit(X, y)
    assert est.validation_scores_ == [1.0] * 5
    assert est.n_iter_ == 5


def test_warm_start_continues_like_mlp(digits):
    X, y = digits
    # MLPClassifier's minibatches of 200, so that both take the same steps
    est = SaSMLPClassifier(**SMALL, warm_start=True, batch_size=200)
    cold = SaSMLPClassifier(**SMALL, batch_size=200)
    mlp = MLPClassifier(**SMALL, warm_start=True)
    history = []
    for _ in range(2):
        for model in (est, mlp):
            with pytest.warns(ConvergenceWarning, match="Maximum iterations"):
                model.fit(X, y)
        history.append(list(est.loss_curve_))
        # as MLPClassifier (scikit-learn >= 1.3): n_iter_ counts the epochs of
        # this call; loss_curve_ and t_ keep accumulating
        assert est.n_iter_ == mlp.n_iter_ == 5
        assert len(est.loss_curve_) == len(mlp.loss_curve_)
        assert est.t_ == mlp.t_
    first, second = history
    assert len(second) == 10
    assert second[:5] == first
    # the second fit starts where the first ended, far below a fresh start
    assert abs(second[5] - first[4]) < 0.25 * (first[0] - first[4])
    assert second[-1] < first[-1]
    _fit(cold, X, y)
    _fit(cold, X, y)
    assert cold.loss_curve_ == first  # without warm_start fit restarts


def test_partial_fit_counts_like_mlp(digits):
    X, y = digits
    classes = np.unique(y)
    est = SaSMLPClassifier(**SMALL)
    mlp = MLPClassifier(**SMALL)
    for call in range(1, 4):
        est.partial_fit(X, y, classes=classes)
        mlp.partial_fit(X, y, classes=classes)
        assert est.n_iter_ == mlp.n_iter_ == 1
        assert len(est.loss_curve_) == len(mlp.loss_curve_) == call
        assert est.t_ == mlp.t_ == call * X.shape[0]
    assert est.loss_curve_[-1] < est.loss_curve_[0]


def test_verbose_prints_every_epoch(digits, capsys):
    X, y = digits
    _fit(SaSMLPClassifier(**SMALL, verbose=True), X, y)
    lines = capsys.readouterr().out.splitlines()
    iterations = [ln for ln in lines if ln.startswith("Iteration ")]
    assert len(iterations) == 5
    for n, line in enumerate(iterations, 1):
        assert re.fullmatch(rf"Iteration {n}, loss = \d+\.\d{{8}}", line), line
    assert not any("Validation score" in ln for ln in lines)

    est = _fit(SaSMLPClassifier(**SMALL, verbose=True, early_stopping=True), X, y)
    out = capsys.readouterr().out
    assert len(re.findall(r"^Iteration \d+, loss = ", out, re.MULTILINE)) == est.n_iter_
    scores = re.findall(r"^Validation score: ([\d.]+)$", out, re.MULTILINE)
    assert len(scores) == est.n_iter_
    np.testing.assert_allclose(
        [float(s) for s in scores], est.validation_scores_, atol=1e-6
    )


@pytest.mark.parametrize(
    "schedule, lr", [("constant", 0.01), ("invscaling", 0.5), ("adaptive", 0.01)]
)
def test_sgd_schedules_train(digits, schedule, lr):
    X, y = digits
    est = _fit(
        SaSMLPClassifier(
            **SMALL, solver="sgd", learning_rate=schedule, learning_rate_init=lr,
            batch_size=200,  # the 20 seeds below were measured with it
        ),
        X,
        y,
    )
    curve = est.loss_curve_
    # an overall decrease: SGD's loss need not fall every epoch (for 5 seeds
    # of 20 it rises once with "invscaling"); over 20 seeds the decrease was
    # at least 0.056 and the last epoch within 0.02 of the best
    assert curve[-1] < curve[0] - 0.04, curve
    assert curve[-1] <= min(curve) + 0.02, curve
    if schedule == "invscaling":
        assert est._optimizer.learning_rate == pytest.approx(
            lr / (est.t_ + 1) ** est.power_t
        )
    else:
        assert est._optimizer.learning_rate == lr


def test_adaptive_learning_rate_shrinks_when_stuck(digits):
    X, y = digits
    params = {
        "hidden_layer_sizes": (16,),
        "solver": "sgd",
        "learning_rate": "adaptive",
        "learning_rate_init": 0.01,
        "tol": 1e3,
        "n_iter_no_change": 1,
        "max_iter": 6,
        "random_state": 0,
    }
    est = _fit(SaSMLPClassifier(**params), X, y)
    mlp = _fit(MLPClassifier(**params), X, y)
    # epochs 3 and 5 each exceed n_iter_no_change: two divisions by 5, no stop
    assert est.n_iter_ == mlp.n_iter_ == 6
    assert est._optimizer.learning_rate == pytest.approx(0.01 / 25)
    assert est._optimizer.learning_rate == pytest.approx(mlp._optimizer.learning_rate)


# ------------------------------------------------------ 6. reproducibility


@pytest.mark.parametrize("early_stopping", [False, True])
def test_same_random_state_is_bit_identical(digits, early_stopping):
    X, y = digits
    a = _fit(SaSMLPClassifier(**SMALL, early_stopping=early_stopping), X, y)
    b = _fit(SaSMLPClassifier(**SMALL, early_stopping=early_stopping), X, y)
    _assert_identical_models(a, b)
    assert a.validation_scores_ == b.validation_scores_


def test_fit_is_idempotent(digits):
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL), X, y)
    first = _snapshot(est)
    _fit(est, X, y)
    _assert_unchanged(est, first)


def test_different_random_state_differs(digits):
    X, y = digits
    a = _fit(SaSMLPClassifier(**SMALL), X, y)
    b = _fit(SaSMLPClassifier(**{**SMALL, "random_state": 1}), X, y)
    for name in ("slab_means_", "slab_vars_", "intercepts_"):
        for u, v in zip(getattr(a, name), getattr(b, name)):
            assert not np.array_equal(u, v), name
    assert a.loss_curve_ != b.loss_curve_


def test_pickle_and_joblib_round_trip(fitted, digits, tmp_path):
    X, _ = digits
    proba = fitted.predict_proba(X)
    pred = fitted.predict(X)
    path = tmp_path / "model.joblib"
    joblib.dump(fitted, path)
    for loaded in (pickle.loads(pickle.dumps(fitted)), joblib.load(path)):
        _assert_identical_models(loaded, fitted)
        np.testing.assert_array_equal(loaded.predict_proba(X), proba)
        np.testing.assert_array_equal(loaded.predict(X), pred)
        np.testing.assert_array_equal(
            loaded.predict_log_proba(X), fitted.predict_log_proba(X)
        )


# ------------------------------------------------ 7. partial_fit equals fit


def test_partial_fit_equals_fit(digits):
    X, y = digits
    params = {
        "hidden_layer_sizes": (16,),
        "max_iter": 3,
        "n_iter_no_change": 1000,
        "shuffle": True,
        "random_state": 0,
    }
    with pytest.warns(ConvergenceWarning):
        full = SaSMLPClassifier(**params).fit(X, y)
    partial = SaSMLPClassifier(**params)
    for _ in range(3):
        partial.partial_fit(X, y, classes=np.unique(y))
    for name in LAYER_ATTRS:
        _assert_same_arrays(getattr(full, name), getattr(partial, name), name)
    assert partial.loss_curve_ == full.loss_curve_
    assert partial.t_ == full.t_
    np.testing.assert_array_equal(partial.classes_, full.classes_)


def test_partial_fit_survives_pickling(digits):
    X, y = digits
    classes = np.unique(y)
    straight = SaSMLPClassifier(**SMALL).partial_fit(X, y, classes=classes)
    resumed = pickle.loads(pickle.dumps(straight))
    for model in (straight, resumed):
        model.partial_fit(X, y)
        model.partial_fit(X, y)
    _assert_identical_models(straight, resumed)
    assert straight.loss_curve_[-1] < straight.loss_curve_[0]


# ------------------------------------------------------ 8. inference modes


@pytest.fixture
def trained(digits):
    X, y = digits
    return _fit(SaSMLPClassifier(**{**SMALL, "max_iter": 20}), X, y)


def test_inference_mc(trained, digits):
    X, y = digits
    mean = trained.predict_proba(X)
    trained.set_params(inference="mc", n_samples=20)
    mc = trained.predict_proba(X)
    assert mc.shape == mean.shape
    assert np.isfinite(mc).all() and (mc >= 0).all()
    np.testing.assert_allclose(mc.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(trained.predict_proba(X), mc)  # int random_state
    assert not np.allclose(mc, mean, atol=1e-3)
    assert np.mean(mc.argmax(axis=1) == mean.argmax(axis=1)) > 0.95
    assert trained.score(X, y) > 0.8
    np.testing.assert_array_equal(trained.predict(X), trained.classes_[mc.argmax(1)])
    # another seed: other noise, same kind of answer
    other = trained.set_params(random_state=1).predict_proba(X)
    assert not np.array_equal(other, mc)
    assert np.abs(other - mc).mean() < 0.03


def test_inference_mc_single_sample(trained, digits):
    X, _ = digits
    mean = trained.predict_proba(X)
    trained.set_params(inference="mc", n_samples=1)
    proba = trained.predict_proba(X)
    assert proba.shape == (X.shape[0], 10)
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert not np.allclose(proba, mean, atol=1e-3)
    assert trained.predict(X).shape == (X.shape[0],)


def test_predict_log_proba(trained, digits):
    X, _ = digits
    proba = trained.predict_proba(X)
    log_proba = trained.predict_log_proba(X)
    mask = proba > 1e-30
    np.testing.assert_allclose(
        log_proba[mask], np.log(proba[mask]), rtol=1e-4, atol=1e-5
    )
    assert np.isfinite(log_proba).all()

    extreme = trained.predict_log_proba(X * 1e3)
    assert np.isfinite(extreme).all()
    assert (extreme <= 0).all()
    np.testing.assert_allclose(np.exp(extreme).sum(axis=1), 1, atol=1e-5)
    np.testing.assert_array_equal(
        extreme.argmax(axis=1), trained.predict_proba(X * 1e3).argmax(axis=1)
    )

    trained.set_params(inference="mc", n_samples=5)
    with np.errstate(divide="raise"):  # np.log(0) is silenced inside
        mc_log = trained.predict_log_proba(X)
    np.testing.assert_allclose(np.exp(mc_log), trained.predict_proba(X), rtol=1e-5)


# ---------------------------------------------------- 9. numerical safety


@pytest.mark.parametrize("inference", ["mean", "mc"])
def test_huge_inputs_give_finite_probabilities(digits, inference):
    X, y = digits
    trained = _fit(SaSMLPClassifier(**SMALL, dtype="float32"), X, y)
    trained.set_params(inference=inference, n_samples=5)
    X_huge = X * 1e4
    proba = trained.predict_proba(X_huge)
    assert proba.dtype == np.float32
    assert np.isfinite(proba).all()
    assert (proba >= 0).all()
    np.testing.assert_allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert set(trained.predict(X_huge)) <= set(trained.classes_)


# ------------------------------------------- 10. bounded-memory prediction


def test_working_memory_chunking_does_not_change_results(trained, digits):
    X, _ = digits
    X_big = np.tile(X, (11, 1))  # 19,767 rows
    proba = trained.predict_proba(X_big)
    log_proba = trained.predict_log_proba(X_big)
    with config_context(working_memory=1):
        # the budget really splits the rows into several chunks
        assert len(list(trained._chunks(X_big, 1))) > 1
        chunked = trained.predict_proba(X_big)
        chunked_log = trained.predict_log_proba(X_big)
        pred = trained.predict(X_big)
    # float32 products of other row blocks round differently: float tolerance
    np.testing.assert_allclose(chunked, proba, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(chunked_log, log_proba, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(pred, trained.classes_[proba.argmax(axis=1)])
    # tiled rows get the same answers, to float32 tolerance: BLAS may round a
    # row differently at another position of a product or another thread split
    np.testing.assert_allclose(
        chunked[: len(X)], chunked[-len(X) :], rtol=1e-5, atol=1e-7
    )


def test_working_memory_chunking_mc(trained, digits):
    X, _ = digits
    X_big = np.tile(X, (3, 1))
    trained.set_params(inference="mc", n_samples=10)
    proba = trained.predict_proba(X_big)
    with config_context(working_memory=1):
        chunked = trained.predict_proba(X_big)
    np.testing.assert_allclose(chunked, proba, rtol=1e-5, atol=1e-6)


def test_partial_fit_takes_arguments_in_mlp_order(digits):
    """``partial_fit(X, y, sample_weight, classes)`` as ``MLPClassifier``: a
    positional call puts the weights in ``sample_weight``."""
    X, y = digits
    weights = np.linspace(0.5, 1.5, len(y))
    classes = np.unique(y)
    positional = SaSMLPClassifier(**SMALL).partial_fit(X, y, weights, classes)
    keywords = SaSMLPClassifier(**SMALL).partial_fit(
        X, y, sample_weight=weights, classes=classes
    )
    np.testing.assert_array_equal(positional.classes_, classes)
    for a, b in zip(positional.slab_means_, keywords.slab_means_):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(
    "params, bad",
    [
        ({"inference": "ensamble"}, "inference"),
        ({"inference": "mc", "n_samples": 0}, "n_samples"),
        ({"inference": "mc", "n_samples": -3}, "n_samples"),
        ({"inference": "ensemble", "n_samples": 2.5}, "n_samples"),
        ({"inference": "ensemble", "n_jobs": 0}, "n_jobs"),
    ],
)
@pytest.mark.parametrize(
    "method", ["predict", "predict_proba", "predict_log_proba", "predict_uncertainty"]
)
def test_prediction_parameters_set_after_fit_are_validated(
    trained, digits, params, bad, method
):
    X, _ = digits
    means = [m.copy() for m in trained.slab_means_]
    trained.set_params(**params)
    with pytest.raises(ValueError, match=f"'{bad}' parameter"):
        getattr(trained, method)(X[:5])
    for a, b in zip(means, trained.slab_means_):
        np.testing.assert_array_equal(a, b)
    trained.set_params(inference="mean", n_samples=100, n_jobs=None)
    assert trained.predict(X[:5]).shape == (5,)


def test_n_jobs_zero_is_rejected_by_fit(digits):
    X, y = digits
    with pytest.raises(ValueError, match="'n_jobs' parameter"):
        SaSMLPClassifier(**SMALL, n_jobs=0).fit(X, y)


def test_fit_intercept_changed_between_partial_fit_calls(digits):
    X, y = digits
    est = SaSMLPClassifier(**SMALL).partial_fit(X, y, classes=np.unique(y))
    state = copy.deepcopy(est.__dict__)
    est.set_params(fit_intercept=False)
    with pytest.raises(ValueError, match="fit_intercept changed.*call fit"):
        est.partial_fit(X, y)
    assert est.n_iter_ == state["n_iter_"] and est.t_ == state["t_"]
    for a, b in zip(est.slab_means_, state["slab_means_"]):
        np.testing.assert_array_equal(a, b)
    # a new fit starts over with the new structure
    est.fit(X, y)
    assert not np.any(np.concatenate(est.intercepts_))


def test_warm_start_refit_on_fewer_classes_is_refused_like_mlp(digits):
    X, y = digits
    est = _fit(SaSMLPClassifier(**SMALL, warm_start=True), X, y)
    fewer = y < 5
    with pytest.raises(ValueError, match="warm_start can only be used"):
        est.fit(X[fewer], y[fewer])
    np.testing.assert_array_equal(est.classes_, np.unique(y))
    mlp = _fit(MLPClassifier(**SMALL, warm_start=True), X, y)
    with pytest.raises(ValueError, match="warm_start can only be used"):
        mlp.fit(X[fewer], y[fewer])
