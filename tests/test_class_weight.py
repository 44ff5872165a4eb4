"""class_weight: None, "balanced" or a dict, as scikit-learn's classifiers."""

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.utils.class_weight import compute_class_weight

from sklearn_sas import SaSMLPClassifier


@pytest.fixture(scope="module")
def imbalanced():
    X, y = load_digits(n_class=3, return_X_y=True)
    X = X / 16
    # keep 20 of the 2s: a minority class
    keep = (y != 2) | (np.cumsum(y == 2) <= 20)
    return X[keep], y[keep]


def _fit(X, y, **params):
    return SaSMLPClassifier((8,), max_iter=5, random_state=0, **params).fit(X, y)


def _assert_same_network(a, b):
    for name in ("slab_means_", "spike_probs_", "slab_vars_", "intercepts_"):
        for u, v in zip(getattr(a, name), getattr(b, name)):
            np.testing.assert_allclose(u, v, rtol=1e-5, atol=1e-7)


def test_class_weight_is_a_sample_weight_per_class(imbalanced):
    X, y = imbalanced
    weights = {0: 0.5, 1: 2.0}
    by_class = _fit(X, y, class_weight=weights)
    by_sample = _fit_weighted(X, y, np.vectorize(lambda c: weights.get(c, 1.0))(y))
    _assert_same_network(by_class, by_sample)
    assert not np.allclose(by_class.slab_means_[0], _fit(X, y).slab_means_[0])


def _fit_weighted(X, y, sample_weight, **params):
    params = {"max_iter": 5, **params}
    clf = SaSMLPClassifier((8,), random_state=0, **params)
    return clf.fit(X, y, sample_weight=sample_weight)


def test_balanced_weights_from_the_labels_and_multiply_sample_weight(imbalanced):
    X, y = imbalanced
    sample_weight = np.linspace(0.5, 1.5, y.size)
    # the classes counted by their sample weights, as LogisticRegression does
    per_class = compute_class_weight(
        "balanced", classes=np.unique(y), y=y, sample_weight=sample_weight
    )
    assert per_class[2] > 3 * per_class[0]
    balanced = _fit_weighted(X, y, sample_weight, class_weight="balanced")
    explicit = _fit_weighted(X, y, sample_weight * per_class[y])
    _assert_same_network(balanced, explicit)


def test_balanced_counts_integer_weights_as_repeated_rows(imbalanced):
    # issue 22, item 8: "balanced" counted each row once whatever its weight
    X, y = imbalanced
    weight = np.random.RandomState(0).randint(0, 4, y.size)
    weight[y == 2] = np.minimum(weight[y == 2], 1)  # a rarer minority still
    X_repeated, y_repeated = np.repeat(X, weight, axis=0), np.repeat(y, weight)
    # one step on one full batch, with no noise yet (pi = xi = 0 at the start,
    # and no prior): the same sum of the same terms
    params = dict(
        class_weight="balanced", init_xi=0.0, alpha=0.0, shuffle=False, max_iter=1
    )
    weighted = _fit_weighted(X, y, weight, batch_size=y.size, **params)
    repeated = _fit_weighted(
        X_repeated, y_repeated, None, batch_size=y_repeated.size, **params
    )
    np.testing.assert_allclose(weighted.loss_curve_, repeated.loss_curve_, rtol=1e-6)
    _assert_same_network(weighted, repeated)
    # a class whose samples all weigh 0 stays weightless, not NaN
    weight[y == 2] = 0
    clf = _fit_weighted(X, y, weight, class_weight="balanced")
    assert np.isfinite(clf.loss_) and np.all(np.isfinite(clf.slab_means_[0]))


def test_balanced_raises_minority_recall(imbalanced):
    X, y = imbalanced
    recall = [
        np.mean(_fit(X, y, class_weight=cw).predict(X[y == 2]) == 2)
        for cw in (None, "balanced")
    ]
    assert recall[1] > recall[0], recall


def test_partial_fit_takes_a_dict_not_balanced(imbalanced):
    X, y = imbalanced
    classes = np.unique(y)
    clf = SaSMLPClassifier((8,), random_state=0, class_weight="balanced")
    with pytest.raises(ValueError, match="not supported by partial_fit"):
        clf.partial_fit(X, y, classes=classes)
    assert not hasattr(clf, "classes_")
    weights = dict(zip(classes, compute_class_weight("balanced", classes=classes, y=y)))
    by_class = SaSMLPClassifier((8,), random_state=0, class_weight=weights)
    by_sample = SaSMLPClassifier((8,), random_state=0)
    for _ in range(2):
        by_class.partial_fit(X, y, classes=classes)
        by_sample.partial_fit(X, y, np.array([weights[c] for c in y]), classes)
    _assert_same_network(by_class, by_sample)


def test_labels_absent_from_y_are_ignored_when_every_class_is_named(imbalanced):
    # issue 22, item 9: as LogisticRegression, so that a cross-validation
    # fold missing a rare class keeps the class_weight of the whole data
    X, y = imbalanced
    X, y = X[y != 2], y[y != 2]  # a fold without the 2s
    extra = _fit(X, y, class_weight={0: 0.5, 1: 2.0, 2: 10.0, "two": 3.0})
    _assert_same_network(extra, _fit(X, y, class_weight={0: 0.5, 1: 2.0}))
    # partial_fit, which knows the classes from its first call
    clf = SaSMLPClassifier((8,), random_state=0, class_weight={0: 2.0, 1: 1.0, 9: 1.0})
    clf.partial_fit(X, y, classes=[0, 1])
    # a label that is not a class, and a class without a weight: a misspelt
    # label, refused as LogisticRegression refuses it
    with pytest.raises(
        ValueError,
        match=r"^class_weight has labels \[2\] that are not classes of the "
        r"classifier, \[0, 1\], and no weight for the classes \[1\]\. Labels "
        "that are not classes are ignored only when every class has a weight.$",
    ):
        _fit(X, y, class_weight={0: 0.5, 2: 10.0})


@pytest.mark.parametrize(
    "class_weight, match",
    [
        ({0: -1.0}, "finite non-negative"),
        ({0: np.inf}, "finite non-negative"),
        ({0: "heavy"}, "finite non-negative"),
        ({7: 2.0}, r"labels \[7\] that are not classes"),
        ({0: 0.0, 1: 0.0, 2: 0.0}, "class_weight must have a positive sum"),
        ("even", "class_weight"),
    ],
)
def test_bad_class_weight_is_refused_and_changes_nothing(imbalanced, class_weight,
                                                          match):  # fmt: skip
    X, y = imbalanced
    clf = _fit(X, y)
    before = [a.copy() for a in clf.slab_means_]
    clf.set_params(class_weight=class_weight, warm_start=True)
    with pytest.raises(ValueError, match=match):
        clf.fit(X, y)
    for a, b in zip(before, clf.slab_means_):
        np.testing.assert_array_equal(a, b)
