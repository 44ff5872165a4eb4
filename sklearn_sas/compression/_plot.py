"""Accuracy versus sparsity of pruned networks, as a matplotlib Display."""

import numpy as np

from .._plotting import _NetworkDisplayMixin, _validate_curve_kwargs
from ._sparsity_curve import sparsity_curve


class SparsityCurveDisplay(_NetworkDisplayMixin):
    """Accuracy of a pruned network against the fraction of connections pruned.

    One curve per estimator, with the accuracy of its unpruned mean network
    as a dashed horizontal line in the curve's colour. Plot several Displays
    on one Axes to compare estimators or fine-tuning budgets
    (``disp2.plot(ax=disp1.ax_)``), as with scikit-learn's
    :class:`~sklearn.metrics.RocCurveDisplay`.

    It is recommended to use :meth:`SparsityCurveDisplay.from_estimator` to
    create a :class:`SparsityCurveDisplay`. All parameters are stored as
    attributes.

    Parameters
    ----------
    sparsity : array-like of shape (n_points,)
        Fractions of connections pruned, in [0, 1] (the ``sparsity`` of
        :func:`sparsity_curve`).

    accuracy : array-like of shape (n_points,)
        Accuracy of the pruned network at each sparsity.

    dense_accuracy : float, default=None
        Accuracy of the unpruned network; None draws no reference line.

    name : str, default=None
        Label of the curve in the legend; None gives it no legend entry.

    Attributes
    ----------
    line_ : matplotlib Line2D
        The curve: sparsity in percent against accuracy.

    dense_line_ : matplotlib Line2D or None
        The dense accuracy, dashed; None when not drawn.

    ax_ : matplotlib Axes
        Axes with the curve.

    figure_ : matplotlib Figure
        Figure containing the curve.

    See Also
    --------
    SparsityCurveDisplay.from_estimator : Compute and plot the curve of a
        fitted network.
    sparsity_curve : Accuracy of the pruned network at several sparsities.

    Examples
    --------
    >>> from sklearn_sas.compression import SparsityCurveDisplay
    >>> disp = SparsityCurveDisplay(sparsity=[0.5, 0.9], accuracy=[0.95, 0.8],
    ...                             dense_accuracy=0.96, name="SaS").plot()
    >>> disp.line_.get_xdata().tolist()
    [50.0, 90.0]
    """

    def __init__(self, sparsity, accuracy, *, dense_accuracy=None, name=None):
        self.sparsity = sparsity
        self.accuracy = accuracy
        self.dense_accuracy = dense_accuracy
        self.name = name

    def plot(self, ax=None, *, name=None, show_dense=True, curve_kwargs=None):
        """Plot the curve, and the dense accuracy as a dashed line.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is
            created. Curves already on it stay, so Displays plotted on the
            same Axes are compared in one legend.

        name : str, default=None
            Label of the curve in the legend; None uses :attr:`name`.

        show_dense : bool, default=True
            Draw :attr:`dense_accuracy` (when known) as a dashed horizontal
            line in the colour of the curve, labelled ``"<label> (dense)"``
            after the label of the curve (``"dense"`` when it has none).

        curve_kwargs : dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` to draw the
            curve, e.g. ``{"color": "red", "linestyle": ":"}``; a ``label``
            among them replaces ``name``, for the dense line too.

        Returns
        -------
        display : :class:`SparsityCurveDisplay`
            ``self``, with the curve in ``line_`` and the dense accuracy in
            ``dense_line_``.
        """
        self.ax_, self.figure_ = self._validate_plot_params(ax=ax)
        name = self.name if name is None else name
        (line_kw,) = _validate_curve_kwargs(
            curve_kwargs, [{"marker": "o", "label": name}]
        )
        # percent reads better than fractions at the high sparsities of
        # interest (95% against 98%)
        percent = 100 * np.asarray(self.sparsity)
        (self.line_,) = self.ax_.plot(percent, self.accuracy, **line_kw)
        self.dense_line_ = None
        if show_dense and self.dense_accuracy is not None:
            # named after the curve, whose label curve_kwargs may have set
            label = line_kw.get("label")
            self.dense_line_ = self.ax_.axhline(
                self.dense_accuracy,
                color=self.line_.get_color(),
                linestyle="--",
                linewidth=1,
                label="dense" if label is None else f"{label} (dense)",
            )
        return self._label_axes(
            xlabel="sparsity (% of connections pruned)", ylabel="accuracy"
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        sparsities=(0.5, 0.8, 0.9, 0.95, 0.98),
        scope="global",
        score="magnitude",
        fine_tune_iter=0,
        X_tune=None,
        y_tune=None,
        sample_weight=None,
        name=None,
        show_dense=True,
        ax=None,
        curve_kwargs=None,
    ):
        """Compute and plot the sparsity curve of a fitted network.

        The curve is that of :func:`sparsity_curve`, which takes the
        parameters from ``estimator`` to ``sample_weight``; the others are
        those of :meth:`plot`.

        Parameters
        ----------
        estimator : SaSMLPClassifier or Pipeline
            A fitted spike-and-slab network, or a fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one (``X`` then
            goes through its first steps). It is left unchanged.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Evaluation data (a held-out test set).

        y : array-like of shape (n_samples,)
            Its labels.

        sparsities : array-like of float in [0, 1], \
                default=(0.5, 0.8, 0.9, 0.95, 0.98)
            Fractions of connections pruned, see :func:`sparsity_curve`.

        scope : {"global", "layer"}, default="global"
            Where connections are ranked, see :func:`pruning_masks`.

        score : {"magnitude", "snr", "spike"}, default="magnitude"
            Ranking of the connections, see :func:`connection_scores`.

        fine_tune_iter : int, default=0
            Epochs of retraining of each pruned network on ``X_tune,
            y_tune`` before it is measured; 0 measures one-shot pruning.

        X_tune : {array-like, sparse matrix} of shape (n_tune_samples, \
                n_features), default=None
            Training data of the fine-tuning, needed when
            ``fine_tune_iter > 0``.

        y_tune : array-like of shape (n_tune_samples,), default=None
            Its labels.

        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the evaluation samples in the accuracy.

        name : str, default=None
            Label of the curve in the legend. None uses the class name of the
            network (the final step of a ``Pipeline``), followed by
            ``" + fine-tuning (k epochs)"`` when ``fine_tune_iter = k > 0``,
            so the curves of several budgets on one Axes tell apart.

        show_dense : bool, default=True
            Draw the accuracy of the unpruned network as a dashed line.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        curve_kwargs : dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` for the curve.

        Returns
        -------
        display : :class:`SparsityCurveDisplay`
            The curve, plotted; more can be plotted on ``display.ax_``.

        See Also
        --------
        sparsity_curve : Accuracy of the pruned network at several sparsities.
        fine_tune : Retrain a pruned network, as ``fine_tune_iter`` does.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn.model_selection import train_test_split
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.compression import SparsityCurveDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> X_train, X_test, y_train, y_test = train_test_split(
        ...     X / 16, y, random_state=0)
        >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0)
        >>> clf = clf.fit(X_train, y_train)
        >>> disp = SparsityCurveDisplay.from_estimator(
        ...     clf, X_test, y_test, sparsities=[0.5, 0.9])
        >>> disp.name
        'SaSMLPClassifier'
        >>> tuned = SparsityCurveDisplay.from_estimator(
        ...     clf, X_test, y_test, sparsities=[0.5, 0.9], fine_tune_iter=2,
        ...     X_tune=X_train, y_tune=y_train, ax=disp.ax_)
        >>> len(disp.ax_.get_lines())  # two curves, two dense lines
        4
        """
        network = cls._validate_from_estimator_params(estimator)
        curve = sparsity_curve(
            estimator,
            X,
            y,
            sparsities=sparsities,
            scope=scope,
            score=score,
            fine_tune_iter=fine_tune_iter,
            X_tune=X_tune,
            y_tune=y_tune,
            sample_weight=sample_weight,
        )
        if name is None:
            name = type(network).__name__
            if fine_tune_iter > 0:
                epochs = "epoch" if fine_tune_iter == 1 else "epochs"
                name += f" + fine-tuning ({fine_tune_iter} {epochs})"
        display = cls(
            sparsity=curve.sparsity,
            accuracy=curve.accuracy,
            dense_accuracy=curve.dense_accuracy,
            name=name,
        )
        return display.plot(ax=ax, show_dense=show_dense, curve_kwargs=curve_kwargs)
