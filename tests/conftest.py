"""Fixtures shared by the test modules.

The data fixtures are session-scoped and read-only, so that a test (or the
library) writing into them fails where it writes rather than corrupting the
modules that run after it; a test that needs to write takes a copy. A module
that needs fewer rows overrides ``digits`` with a slice of it.
"""

import pytest
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split


def _read_only(*arrays):
    for a in arrays:
        a.flags.writeable = False
    return arrays


@pytest.fixture(scope="session")
def digits():
    """scikit-learn's digits, pixels scaled to [0, 1], and their labels."""
    X, y = load_digits(return_X_y=True)
    return _read_only(X / 16.0, y)


@pytest.fixture(scope="session")
def digits_split(digits):
    """``digits`` split 70/30 (stratified): X_train, X_test, y_train, y_test."""
    X, y = digits
    parts = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
    return _read_only(*parts)
