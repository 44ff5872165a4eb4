"""SaSMLPClassifier.predict_uncertainty: which number measures what."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier


@pytest.fixture(scope="module")
def digits(digits):
    X, y = digits
    return X[:300], y[:300]


@pytest.fixture(scope="module")
def clf(digits):
    X, y = digits
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return SaSMLPClassifier(
            (16,), max_iter=5, random_state=0, n_samples=20
        ).fit(X, y)


def _deterministic_copy(clf):
    """``clf`` with every spike probability 0 or 1 (1 on a random 30% of the
    connections) and every slab variance 0: each sampled network is the mean
    network."""
    from sklearn.base import clone

    rng = np.random.default_rng(0)

    copy = clone(clf)
    copy.__dict__.update(
        {k: v for k, v in vars(clf).items() if k.endswith("_") and not k.startswith("_")}
    )
    copy.spike_probs_ = [
        (rng.random(pi.shape) < 0.3).astype(pi.dtype) for pi in clf.spike_probs_
    ]
    copy.slab_vars_ = [np.zeros_like(xi) for xi in clf.slab_vars_]
    return copy


@pytest.mark.parametrize("inference", ["ensemble", "mc"])
def test_mutual_information_vanishes_when_every_member_agrees(clf, digits, inference):
    X, _ = digits
    network = _deterministic_copy(clf).set_params(inference=inference)
    pis = np.concatenate([pi.ravel() for pi in network.spike_probs_])
    assert set(np.unique(pis)) == {0, 1}
    u = network.predict_uncertainty(X)
    assert np.allclose(u.mutual_information, 0, atol=1e-5)
    # every member is the mean network: the averaged probabilities are its
    # probabilities, and all the entropy is the members' own
    mean_proba = network.set_params(inference="mean").predict_proba(X)
    assert np.allclose(u.proba, mean_proba, atol=1e-5)
    assert np.allclose(u.predictive_entropy, u.expected_entropy, atol=1e-5)
    assert u.predictive_entropy.max() > 0.01


def test_mutual_information_positive_when_members_disagree(clf, digits):
    X, _ = digits
    u = clf.set_params(inference="ensemble").predict_uncertainty(X)
    assert u.mutual_information.mean() > 1e-4
    # total = aleatoric + epistemic
    assert np.allclose(
        u.predictive_entropy, u.expected_entropy + u.mutual_information, atol=1e-5
    )
