"""Targets of the spike-and-slab networks: what ``BaseSaSNetwork``'s
training calls ask of the classifier and of the regressor.

- :class:`ClassTargetsMixin`: class labels, a multilabel indicator matrix,
  class weights, the stratified validation split and the validation accuracy
  of early stopping, as ``MLPClassifier`` binarizes its labels;
- :class:`RegressionTargetsMixin`: one or several real (or, for the Poisson
  loss, non-negative) targets, the validation R^2 and the noise variance of
  the regressor's predictive distribution, as ``MLPRegressor`` takes them.
"""

from numbers import Real

import numpy as np
import scipy.sparse as sp
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.multiclass import (
    check_classification_targets,
    type_of_target,
    unique_labels,
)
from sklearn.utils.validation import column_or_1d

from ._activations import output_values


class ClassTargetsMixin:
    """Checks of ``y``, ``classes`` and ``class_weight`` for
    ``BaseSaSNetwork._fit``, and the class-aware parts of early stopping."""

    @staticmethod
    def _check_targets(y):
        """``y`` as training takes it, and the output activation:
        ``"logistic"`` for a multilabel indicator matrix (one column per
        label, as ``MLPClassifier`` takes it), else ``"softmax"``."""
        if sp.issparse(y):
            y = y.toarray()
        multilabel = type_of_target(y) == "multilabel-indicator"
        check_classification_targets(y)
        if not multilabel and y.ndim == 2:
            if y.shape[1] != 1:
                raise ValueError(
                    f"y of type {type_of_target(y)!r} is not supported: a "
                    "SaSMLPClassifier takes class labels (one column) or a "
                    "multilabel indicator matrix of 0s and 1s."
                )
            y = column_or_1d(y, warn=True)
        return y, "logistic" if multilabel else "softmax"

    def _first_outputs(self, y, classes, incremental, out_activation):
        """Set ``classes_`` on the first training call; the number of
        outputs."""
        if out_activation == "logistic":
            self.classes_ = np.arange(y.shape[1])
        else:
            self.classes_ = self._first_classes(y, classes, incremental)
        return len(self.classes_)

    def _training_targets(self, y, sample_weight, incremental, dtype):
        """Targets and sample weights as the gBP core takes them."""
        # multilabel targets train as the indicator matrix itself
        multilabel = self.out_activation_ == "logistic"
        y = y.astype(dtype) if multilabel else self._class_indices(y)
        return y, self._weigh_classes(y, sample_weight, incremental, dtype)

    def _fitted_targets(self):
        if self.out_activation_ == "logistic":
            return f"a multilabel indicator matrix of {len(self.classes_)} labels"
        return "class labels"

    def _weigh_classes(self, y, sample_weight, incremental, dtype):
        """``sample_weight`` times the ``class_weight`` of each sample
        (``y`` holds class indices)."""
        if self.class_weight is not None and self.out_activation_ == "logistic":
            raise ValueError(
                "class_weight is not supported for multilabel targets, whose "
                "labels are not exclusive classes; weigh the samples with "
                "sample_weight instead."
            )
        if self.class_weight is not None:
            if incremental and isinstance(self.class_weight, str):
                raise ValueError(
                    "class_weight='balanced' is not supported by partial_fit, "
                    "which sees one batch at a time: pass the weights of all the "
                    "labels as a dict, e.g. dict(zip(classes, compute_class_weight("
                    "'balanced', classes=classes, y=y_all)))."
                )
            if isinstance(self.class_weight, dict):
                self._check_class_weight_dict()
            # "balanced" counts each sample by its weight, as LogisticRegression
            # does: an integer weight is the same as that many repeated rows
            with np.errstate(divide="ignore"):
                per_class = compute_class_weight(
                    self.class_weight,
                    classes=self.classes_,
                    y=self.classes_[y],
                    sample_weight=sample_weight,
                )
            # a class whose samples all weigh 0 stays weightless ("balanced"
            # would give it an infinite weight, and its samples NaN)
            per_class = np.where(np.isfinite(per_class), per_class, 0).astype(dtype)
            weights = per_class[y]
            if sample_weight is not None:
                weights *= sample_weight
            sample_weight = weights
        if sample_weight is not None and not sample_weight.sum() > 0:
            what = (
                "sample_weight"
                if self.class_weight is None
                else "sample_weight times class_weight"
            )
            raise ValueError(f"{what} must have a positive sum.")
        return sample_weight

    def _check_class_weight_dict(self):
        """Finite non-negative weights; labels that are not among ``classes_``
        are ignored where every class has a weight, as ``LogisticRegression``
        ignores them (a cross-validation fold that misses a rare class), and
        refused otherwise (a misspelt label)."""
        bad = {
            label: weight for label, weight in self.class_weight.items()
            if not (isinstance(weight, Real) and 0 <= weight < np.inf)
        }  # fmt: skip
        if bad:
            raise ValueError(
                f"class_weight values must be finite non-negative numbers, got {bad}."
            )
        # a class's key in the dict, as compute_class_weight looks it up
        keys = [_class_weight_key(label) for label in self.classes_]
        unnamed = np.array([key not in self.class_weight for key in keys])
        unknown = [label for label in self.class_weight if label not in set(keys)]
        if unknown and any(unnamed):
            raise ValueError(
                f"class_weight has labels {unknown} that are not classes of the "
                f"classifier, {self.classes_.tolist()}, and no weight for the "
                f"classes {self.classes_[unnamed].tolist()}. Labels that are not "
                "classes are ignored only when every class has a weight."
            )

    def _check_continuation(self, y, incremental, out_activation, classes):
        """A call that goes on from the fitted state needs, beyond the
        structure, the same classes."""
        super()._check_continuation(y, incremental, out_activation, classes)
        if out_activation == "logistic":
            return
        if incremental and classes is not None:
            if not np.array_equal(self.classes_, unique_labels(classes)):
                raise ValueError(
                    f"`classes={classes!r}` is not the same as on the first call "
                    f"to partial_fit, which was {self.classes_!r}."
                )
        if not incremental and not np.array_equal(unique_labels(y), self.classes_):
            raise ValueError(
                "warm_start can only be used where `y` has the same classes as in "
                f"the previous call to fit. Previously got {self.classes_}, `y` has "
                f"{unique_labels(y)}"
            )

    def _split_validation(self, arrays, seed):
        """Stratified split for early stopping, as ``MLPClassifier``'s."""
        y = arrays[1]
        if self.out_activation_ == "logistic":
            stratify = None  # as MLPClassifier: no strata of label sets
        elif len(self.classes_) == 2:
            # MLPClassifier's strata: whether a sample is of the second class,
            # a column as its binarized y (its error names them 'True', 'False')
            stratify = (y == 1)[:, None]
        else:
            stratify = self.classes_[y]
        try:
            return train_test_split(
                *arrays,
                random_state=seed,
                test_size=self.validation_fraction,
                stratify=stratify,
            )
        except ValueError as exc:
            counts = np.bincount(y, minlength=len(self.classes_)) if y.ndim == 1 else 0
            rare = self.classes_[(counts > 0) & (counts < 2)]
            if not np.size(rare):
                raise
            raise ValueError(
                f"{exc} In the labels of y, the classes with too few members "
                f"are {rare.tolist()}: early_stopping needs at least 2 samples "
                "of every class."
            ) from exc

    def _validation_score(self, logits, y_val, sw_val):
        """Accuracy of the mean network's ``logits`` on the held-out rows."""
        if self.out_activation_ == "logistic":
            # subset accuracy, MLPClassifier's score of multilabel targets
            correct = np.all((logits > 0) == (y_val > 0.5), axis=1)
        else:
            correct = logits.argmax(axis=1) == y_val
        return float(np.average(correct, weights=sw_val))

    def _first_classes(self, y, classes, incremental):
        if incremental:
            if classes is None:
                raise ValueError(
                    "classes must be passed on the first call to partial_fit."
                )
            found = unique_labels(classes)
        else:
            found = unique_labels(y)
        # a single class is accepted, as MLPClassifier accepts it: the
        # softmax of one output predicts it with probability 1
        return found

    def _class_indices(self, y):
        """Position of each label of ``y`` in ``classes_``."""
        indices = np.searchsorted(self.classes_, y)
        indices = np.minimum(indices, len(self.classes_) - 1)
        unknown = self.classes_[indices] != y
        if np.any(unknown):
            raise ValueError(
                f"y contains labels {np.unique(y[unknown]).tolist()} that are not "
                f"in classes_ {self.classes_.tolist()}."
            )
        return indices


def _class_weight_key(label):
    """The key under which ``compute_class_weight`` looks up the weight of the
    class ``label`` in a ``class_weight`` dict."""
    try:
        return int(label)
    except ValueError:  # text labels
        return str(label)


class RegressionTargetsMixin:
    """Checks of ``y`` for ``BaseSaSNetwork._fit`` of a regressor, the
    validation score of early stopping and the noise variance."""

    _y_numeric = True

    def _check_targets(self, y):
        """``y`` as a 2-D float array, and the output activation."""
        if y.ndim == 2 and y.shape[1] == 1:
            # as MLPRegressor: a column vector warns and is taken as 1-D
            y = column_or_1d(y, warn=True)
        y = y.reshape(y.shape[0], -1)
        if self.loss == "poisson" and np.any(y < 0):
            raise ValueError(
                'loss="poisson" needs non-negative targets; y has values down '
                f"to {y.min():g}."
            )
        return y, "exp" if self.loss == "poisson" else "identity"

    def _first_outputs(self, y, classes, incremental, out_activation):
        return y.shape[1]

    def _training_targets(self, y, sample_weight, incremental, dtype):
        return np.ascontiguousarray(y, dtype=dtype), sample_weight

    def _fitted_targets(self):
        return (
            f"{self.n_outputs_} output(s) with out_activation_={self.out_activation_!r}"
        )

    def _output(self, logits):
        """The predicted values of the mean network from its logits."""
        return output_values(logits, self.out_activation_)

    def _validation_score(self, logits, y_val, sw_val):
        # as MLPRegressor: R^2 of the predictions
        return float(r2_score(y_val, self._output(logits), sample_weight=sw_val))

    def _end_fit(self, X, y, sample_weight):
        """``noise_variance_``: the mean squared residual of every output of
        the mean network on the rows given."""
        mus, _ = self._moments()
        residuals = y - self._output(self._mean_logits(X, mus, self.intercepts_))
        self.noise_variance_ = np.average(
            residuals.astype(np.float64) ** 2, axis=0, weights=sample_weight
        )
