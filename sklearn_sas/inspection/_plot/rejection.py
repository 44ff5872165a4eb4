"""Accuracy and fraction of rows kept against a threshold on the uncertainty."""

import numpy as np
from sklearn.utils import check_array, column_or_1d
from sklearn.utils.validation import check_consistent_length

from ..._plotting import _NetworkDisplayMixin, _validate_curve_kwargs
from ..._utils import sas_network

# the numbers of SaSMLPClassifier.predict_uncertainty a threshold can be put on
_UNCERTAINTY_NAMES = {
    "mutual_information": "mutual information (nats)",
    "predictive_entropy": "predictive entropy (nats)",
    "expected_entropy": "expected entropy (nats)",
}


def _rejection_curve(y_true, y_pred, uncertainty_scores):
    """``(thresholds, accuracy, fraction_kept)``: for each distinct score, in
    increasing order, the accuracy and share of the rows whose score is at
    most that threshold."""
    y_true = column_or_1d(y_true)
    y_pred = column_or_1d(y_pred)
    scores = check_array(
        uncertainty_scores,
        ensure_2d=False,
        dtype=np.float64,
        input_name="uncertainty_scores",
    )
    if scores.ndim != 1:
        raise ValueError(
            f"uncertainty_scores must be of shape (n_samples,), got an array of "
            f"shape {scores.shape}."
        )
    check_consistent_length(y_true, y_pred, scores)
    # a stable sort keeps tied rows together; only the last row of each tie
    # is a threshold, since a threshold keeps every row at or below it
    order = np.argsort(scores, kind="stable")
    sorted_scores = scores[order]
    n_correct = np.cumsum(y_true[order] == y_pred[order])
    last_of_tie = np.append(np.flatnonzero(np.diff(sorted_scores)), scores.size - 1)
    n_kept = last_of_tie + 1
    return (
        sorted_scores[last_of_tie],
        n_correct[last_of_tie] / n_kept,
        n_kept / scores.size,
    )


class RejectionCurveDisplay(_NetworkDisplayMixin):
    """Accuracy of the rows kept and fraction kept, against an uncertainty threshold.

    Rows whose uncertainty is at most the threshold are kept (predicted),
    the others rejected (left to a person, or to another model). Raising
    the threshold keeps more rows, at a lower accuracy when the uncertainty
    ranks the errors last: the two curves show what a threshold costs and
    buys, to choose one on held-out data. Both are step functions of the
    threshold, from the most certain rows kept alone to every row kept (at
    the model's accuracy).

    It is recommended to use :meth:`RejectionCurveDisplay.from_estimator` or
    :meth:`RejectionCurveDisplay.from_predictions` to create a
    :class:`RejectionCurveDisplay`. All parameters are stored as attributes.

    Parameters
    ----------
    thresholds : ndarray of shape (n_thresholds,)
        The distinct uncertainty scores of the rows, increasing.

    accuracy : ndarray of shape (n_thresholds,)
        Accuracy of the rows whose score is at most each threshold.

    fraction_kept : ndarray of shape (n_thresholds,)
        Fraction of the rows whose score is at most each threshold,
        increasing to 1.

    uncertainty_name : str, default=None
        What the scores are, for the axis label (e.g. ``"mutual information
        (nats)"``). None means ``"uncertainty"``.

    name : str, default=None
        Name of the model, put before the curves' labels in the legend.
        None puts nothing.

    Attributes
    ----------
    line_ : matplotlib Line2D
        Accuracy of the rows kept.

    kept_line_ : matplotlib Line2D
        Fraction of the rows kept.

    ax_ : matplotlib Axes
        Axes with the curves: the threshold against a fraction in [0, 1].

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    RejectionCurveDisplay.from_estimator : Plot the curves of a fitted
        network's uncertainty on data.
    RejectionCurveDisplay.from_predictions : Plot the curves of any
        predictions and uncertainty scores.
    sklearn_sas.SaSMLPClassifier.predict_uncertainty : The uncertainty of a
        fitted network, split into its parts.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_sas.inspection import RejectionCurveDisplay
    >>> y_true = np.array([0, 1, 1, 0, 1])
    >>> y_pred = np.array([0, 1, 0, 0, 0])
    >>> uncertainty = np.array([0.1, 0.2, 0.9, 0.2, 0.5])
    >>> disp = RejectionCurveDisplay.from_predictions(y_true, y_pred, uncertainty)
    >>> disp.thresholds
    array([0.1, 0.2, 0.5, 0.9])
    >>> disp.accuracy
    array([1.  , 1.  , 0.75, 0.6 ])
    >>> disp.fraction_kept
    array([0.2, 0.6, 0.8, 1. ])

    The largest threshold that keeps rows at 95% accuracy or more:

    >>> disp.thresholds[disp.accuracy >= 0.95].max()
    np.float64(0.2)
    """

    def __init__(
        self, *, thresholds, accuracy, fraction_kept, uncertainty_name=None, name=None
    ):
        self.thresholds = thresholds
        self.accuracy = accuracy
        self.fraction_kept = fraction_kept
        self.uncertainty_name = uncertainty_name
        self.name = name

    def plot(self, ax=None, *, name=None, curve_kwargs=None):
        """Plot the accuracy and the fraction of the rows kept.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.
            The curves of several models can share one, told apart by
            ``name``.

        name : str, default=None
            Name of the model in the legend; None means :attr:`name`.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` to draw the
            curves. A dict applies to both; a list holds one dict per curve,
            in the order of the legend (accuracy of the rows kept, fraction
            kept), e.g. ``[{"color": "C0"}, {"color": "C0", "linestyle":
            ":"}]``.

        Returns
        -------
        display : :class:`RejectionCurveDisplay`
            ``self``, with the curves in ``line_`` and ``kept_line_``.
        """
        self._check_matplotlib("plot")
        name = self.name if name is None else name
        prefix = "" if name is None else f"{name}: "
        # steps: a threshold keeps the same rows until the next distinct score
        defaults = [
            {"drawstyle": "steps-post", "label": f"{prefix}accuracy of the rows kept"},
            {
                "drawstyle": "steps-post",
                "linestyle": "--",
                "label": f"{prefix}fraction of rows kept",
            },
        ]
        accuracy_kw, kept_kw = _validate_curve_kwargs(curve_kwargs, defaults)
        self.ax_, self.figure_ = self._validate_plot_params(ax=ax)
        (self.line_,) = self.ax_.plot(self.thresholds, self.accuracy, **accuracy_kw)
        (self.kept_line_,) = self.ax_.plot(
            self.thresholds, self.fraction_kept, **kept_kw
        )
        what = "uncertainty" if self.uncertainty_name is None else self.uncertainty_name
        return self._label_axes(
            xlabel=f"threshold on the {what}: rows at or below it are kept",
            ylabel="accuracy, fraction of rows",
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        uncertainty="mutual_information",
        name=None,
        ax=None,
        curve_kwargs=None,
    ):
        """Plot the rejection curves of a fitted network's uncertainty.

        The predictions and the scores are those of
        :meth:`~sklearn_sas.SaSMLPClassifier.predict_uncertainty`: the class
        of largest averaged probability over the estimator's ``n_samples``
        sampled networks (its mean-field passes with ``inference="mc"``), and
        one of the uncertainties of the same members.

        Parameters
        ----------
        estimator : SaSMLPClassifier or Pipeline
            A fitted spike-and-slab network, or a fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one (``X`` then goes
            through its first steps). Use :meth:`from_predictions` for other
            models.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Held-out data.

        y : array-like of shape (n_samples,)
            Its labels.

        uncertainty : {"mutual_information", "predictive_entropy", \
                "expected_entropy"}, default="mutual_information"
            The score thresholded: the epistemic, total or aleatoric
            uncertainty (see
            :meth:`~sklearn_sas.SaSMLPClassifier.predict_uncertainty`).

        name : str, default=None
            Name of the model in the legend. None puts none.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        curve_kwargs : dict or list of dict, default=None
            Keywords of the two curves, see :meth:`plot`.

        Returns
        -------
        display : :class:`RejectionCurveDisplay`
            The curves of the network's own predictions and uncertainty.

        See Also
        --------
        RejectionCurveDisplay.from_predictions : The curves of any
            predictions and uncertainty scores.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import RejectionCurveDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SaSMLPClassifier((8,), max_iter=5, n_samples=10,
        ...                        random_state=0).fit(X[:1000], y[:1000])
        >>> disp = RejectionCurveDisplay.from_estimator(
        ...     clf, X[1000:], y[1000:], uncertainty="predictive_entropy")
        >>> float(disp.fraction_kept[-1])
        1.0
        """
        cls._check_matplotlib("from_estimator")
        if uncertainty not in _UNCERTAINTY_NAMES:
            raise ValueError(
                f"uncertainty must be one of {sorted(_UNCERTAINTY_NAMES)}, got "
                f"{uncertainty!r}."
            )
        network, preprocess = sas_network(estimator)
        if preprocess is not None:
            X = preprocess.transform(X)
        result = network.predict_uncertainty(X)
        y_pred = network.classes_[np.argmax(result.proba, axis=1)]
        return cls.from_predictions(
            y,
            y_pred,
            result[uncertainty],
            uncertainty_name=_UNCERTAINTY_NAMES[uncertainty],
            name=name,
            ax=ax,
            curve_kwargs=curve_kwargs,
        )

    @classmethod
    def from_predictions(
        cls,
        y_true,
        y_pred,
        uncertainty_scores,
        *,
        uncertainty_name=None,
        name=None,
        ax=None,
        curve_kwargs=None,
    ):
        """Plot the rejection curves of predictions and uncertainty scores.

        Any classifier's: its predicted labels, and one score per row that
        grows with the doubt about the prediction.

        Parameters
        ----------
        y_true : array-like of shape (n_samples,)
            True labels.

        y_pred : array-like of shape (n_samples,)
            Predicted labels.

        uncertainty_scores : array-like of shape (n_samples,)
            Uncertainty of every prediction, larger meaning less certain: an
            entropy, a mutual information, ``1 - max probability``, a
            variance... Rows are kept from the least uncertain up.

        uncertainty_name : str, default=None
            What the scores are, for the axis label. None means
            ``"uncertainty"``.

        name : str, default=None
            Name of the model in the legend. None puts none.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` for both curves
            (a dict) or for each (a list of two dicts: accuracy, fraction
            kept).

        Returns
        -------
        display : :class:`RejectionCurveDisplay`
            The curves, plotted.

        Raises
        ------
        ValueError
            When the three arrays differ in length, or the scores are not a
            1-d array of finite numbers.

        See Also
        --------
        RejectionCurveDisplay.from_estimator : The curves of a fitted
            network's own uncertainty.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.linear_model import LogisticRegression
        >>> from sklearn_sas.inspection import RejectionCurveDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = LogisticRegression(max_iter=1000).fit(X[:1000], y[:1000])
        >>> proba = clf.predict_proba(X[1000:])
        >>> disp = RejectionCurveDisplay.from_predictions(
        ...     y[1000:], clf.classes_[proba.argmax(axis=1)], 1 - proba.max(axis=1),
        ...     uncertainty_name="1 - max probability", name="logistic")
        >>> bool(disp.accuracy[0] >= disp.accuracy[-1])
        True
        """
        cls._check_matplotlib("from_predictions")
        thresholds, accuracy, fraction_kept = _rejection_curve(
            y_true, y_pred, uncertainty_scores
        )
        display = cls(
            thresholds=thresholds,
            accuracy=accuracy,
            fraction_kept=fraction_kept,
            uncertainty_name=uncertainty_name,
            name=name,
        )
        return display.plot(ax=ax, curve_kwargs=curve_kwargs)
