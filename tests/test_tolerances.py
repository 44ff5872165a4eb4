"""The credit tolerances have one set of defaults and one set of constraints."""

import inspect

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_sas import SaSFeatureSelector, SaSMLPClassifier
from sklearn_sas._sas import M_TOL, PI_TOL, XI_TOL, credit_masks, sas_entropy
from sklearn_sas.compression import pruning_masks
from sklearn_sas.inspection import (
    EntropyDisplay,
    LayerProfileDisplay,
    PerturbationDisplay,
    connection_entropy,
    credit_assignment,
    perturbation_curve,
)

DEFAULTS = {"pi_tol": PI_TOL, "xi_tol": XI_TOL, "m_tol": M_TOL}
TAKERS = [
    credit_masks,
    sas_entropy,
    connection_entropy,
    credit_assignment,
    perturbation_curve,
    EntropyDisplay.from_estimator,
    LayerProfileDisplay.from_estimator,
    LayerProfileDisplay.from_estimators,
    PerturbationDisplay.from_estimator,
    SaSFeatureSelector,
]


@pytest.fixture(scope="module")
def fitted(digits_split):
    X_train, _, y_train, _ = digits_split
    return SaSMLPClassifier((8,), max_iter=2, random_state=0).fit(X_train, y_train)


@pytest.mark.parametrize("taker", TAKERS, ids=lambda taker: taker.__qualname__)
def test_every_default_tolerance_is_the_shared_one(taker):
    parameters = inspect.signature(taker).parameters
    given = {name: parameters[name].default for name in DEFAULTS if name in parameters}
    assert given, "takes no tolerance"
    assert given == {name: DEFAULTS[name] for name in given}


def test_pruning_masks_records_the_shared_defaults(fitted):
    assert {k: pruning_masks(fitted).info[k] for k in DEFAULTS} == DEFAULTS


@pytest.mark.parametrize(
    "call",
    [
        lambda est, **tol: credit_assignment(est, **tol),
        lambda est, **tol: pruning_masks(est, **tol),
        lambda est, **tol: SaSFeatureSelector(est, prefit=True, **tol).fit(
            np.zeros((1, est.n_features_in_))
        ),
    ],
    ids=["credit_assignment", "pruning_masks", "SaSFeatureSelector"],
)
@pytest.mark.parametrize(
    "tolerance", [{"pi_tol": 0.5}, {"xi_tol": -1.0}, {"m_tol": -1e-9}]
)
def test_the_same_tolerances_are_refused(fitted, call, tolerance):
    with pytest.raises(InvalidParameterError, match=next(iter(tolerance))):
        call(fitted, **tolerance)
