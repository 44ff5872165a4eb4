"""Accuracy on scikit-learn's bundled digits against MLPClassifier."""

import warnings

from sklearn.datasets import load_digits
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sklearn_sas import SaSMLPClassifier


def test_default_classifier_matches_backprop_on_digits():
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        backprop = MLPClassifier(random_state=0).fit(X_train, y_train)
    sas = SaSMLPClassifier(random_state=0).fit(X_train, y_train)
    backprop_accuracy = backprop.score(X_test, y_test)
    sas_accuracy = sas.score(X_test, y_test)
    assert sas_accuracy >= backprop_accuracy - 0.01, (sas_accuracy, backprop_accuracy)
    assert sas_accuracy > 0.95
