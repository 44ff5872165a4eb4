"""Training on a stream of chunks with partial_fit."""

import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_sas import SaSMLPClassifier


def test_partial_fit_on_chunks_reaches_fit_accuracy(digits_split):
    X_train, X_test, y_train, y_test = digits_split
    params = {"hidden_layer_sizes": (32,), "batch_size": 50, "random_state": 0}
    epochs = 40
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        batch = SaSMLPClassifier(**params, max_iter=epochs).fit(X_train, y_train)
    stream = SaSMLPClassifier(**params)
    chunks = np.array_split(np.arange(len(y_train)), 6)
    classes = np.unique(y_train)
    for _ in range(epochs):
        for rows in chunks:
            stream.partial_fit(X_train[rows], y_train[rows], classes=classes)
    assert stream.t_ == epochs * len(y_train)
    batch_accuracy = batch.score(X_test, y_test)
    stream_accuracy = stream.score(X_test, y_test)
    assert batch_accuracy > 0.9
    assert stream_accuracy >= batch_accuracy - 0.02, (stream_accuracy, batch_accuracy)
