"""Histograms of the spike-and-slab parameters (Li & Huang, Fig. 3a)."""

import numpy as np

from ..._plotting import _NetworkDisplayMixin, _validate_curve_kwargs
from ._base import _check_layers, _get_axes_grid, _layer_label

_PARAMETER_TITLES = {
    "spike_probs": r"spike probability $\pi$",
    "slab_means": r"slab mean $m$",
    "slab_vars": r"slab variance $\Xi$",
}

# horizontal axes: the parameter and its unit; m is a weight, xi a variance
# of a weight
_PARAMETER_UNITS = {
    "spike_probs": r"$\pi$ (probability)",
    "slab_means": r"$m$ (weight)",
    "slab_vars": r"$\Xi$ (weight$^2$)",
}

_COUNT_LABEL = "number of connections"


class DistributionDisplay(_NetworkDisplayMixin):
    """Histograms of the spike-and-slab parameters of every layer.

    The distribution of the spike probabilities ``pi``, slab means ``m`` and
    slab variances ``xi`` over the connections of each layer, Li & Huang's
    Fig. 3(a): a U-shaped ``pi`` (deterministic connections at 0, prunable
    ones at 1), a broad ``m`` peaked near zero, an L-shaped ``xi``.

    It is recommended to use :meth:`DistributionDisplay.from_estimator` to
    create a :class:`DistributionDisplay`. All parameters are stored as
    attributes.

    Parameters
    ----------
    spike_probs : list of ndarray
        Spike probabilities ``pi``, one array per layer.

    slab_means : list of ndarray
        Slab means ``m``, one array per layer.

    slab_vars : list of ndarray
        Slab variances ``xi``, one array per layer.

    layers : list of int, default=None
        Indices of the layers the arrays belong to (0 is the input layer's
        connections), used to label them. None means ``0, 1, ...``.

    Attributes
    ----------
    axes_ : ndarray of matplotlib Axes of shape (n_layers, 3)
        ``axes_[i, j]`` is the histogram of parameter ``j`` (``pi``, ``m``,
        ``xi``) of the ``i``-th layer. Its horizontal axis is the parameter
        with its unit (``pi`` a probability, ``m`` a weight, ``xi`` a squared
        weight), its vertical axis the number of connections per bin.

    patches_ : ndarray of shape (n_layers, 3), dtype=object
        The histogram artists returned by ``Axes.hist``.

    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` and divided into the grid, or None when the
        grid was created or passed.

    figure_ : matplotlib Figure
        Figure containing the histograms.

    See Also
    --------
    DistributionDisplay.from_estimator : Plot the histograms of a fitted
        network.
    EntropyDisplay : Histogram of the connection entropy.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import DistributionDisplay
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    >>> disp = DistributionDisplay(
    ...     clf.spike_probs_, clf.slab_means_, clf.slab_vars_
    ... ).plot(bins=20)
    >>> disp.axes_.shape
    (2, 3)
    """

    def __init__(self, spike_probs, slab_means, slab_vars, *, layers=None):
        self.spike_probs = spike_probs
        self.slab_means = slab_means
        self.slab_vars = slab_vars
        self.layers = layers

    def _grid(self, ax, n_rows):
        """The ``(n_rows, 3)`` grid of Axes to draw on, its figure and bounding Axes."""
        self._check_matplotlib("plot")
        return _get_axes_grid(
            ax,
            n_rows,
            3,
            figsize=(9.6, 2.6 * n_rows + 0.6),
            grid_name="the grid of histograms",
            cells_name=f"{n_rows} layers x 3 parameters",
        )

    def plot(self, ax=None, *, bins=50, log=True, curve_kwargs=None):
        """Plot the grid of histograms, a row per layer.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw. None creates a figure with a grid of
            ``n_layers x 3`` Axes; a single Axes is divided into that grid;
            an array of ``n_layers * 3`` Axes is used as the grid, row by row.

        bins : int or sequence, default=50
            Bins of every histogram (``Axes.hist``). The ``pi`` histograms
            span ``[0, 1]``, the domain of a probability.

        log : bool, default=True
            Log-scaled count axis: the ``pi`` histogram is U-shaped, with most
            of the connections in its two end bins.

        curve_kwargs : dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.hist`` to draw every
            histogram, e.g. ``{"color": "black", "histtype": "step"}``.

        Returns
        -------
        display : :class:`DistributionDisplay`
            ``self``, with the grid of histograms in ``axes_``.
        """
        parameters = {
            "spike_probs": self.spike_probs,
            "slab_means": self.slab_means,
            "slab_vars": self.slab_vars,
        }
        n_rows = len(self.spike_probs)
        layers = range(n_rows) if self.layers is None else self.layers
        self.axes_, self.figure_, self.bounding_ax_ = self._grid(ax, n_rows)
        self.patches_ = np.empty((n_rows, 3), dtype=object)

        for col, (name, arrays) in enumerate(parameters.items()):
            defaults = {"bins": bins, "log": log}
            if name == "spike_probs":
                defaults["range"] = (0.0, 1.0)
            (hist_kw,) = _validate_curve_kwargs(curve_kwargs, [defaults])
            for row, (layer, values) in enumerate(zip(layers, arrays, strict=True)):
                axis = self.axes_[row, col]
                *_, self.patches_[row, col] = axis.hist(np.ravel(values), **hist_kw)
                if row == 0:
                    axis.set_title(_PARAMETER_TITLES[name])
                ylabel = _COUNT_LABEL
                if col == 0:
                    ylabel = f"layer {_layer_label(layer)}\n{ylabel}"
                axis.set(xlabel=_PARAMETER_UNITS[name], ylabel=ylabel)
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, layers=None, bins=50, log=True, ax=None, curve_kwargs=None
    ):
        """Plot the parameter histograms of a fitted spike-and-slab network.

        Parameters
        ----------
        estimator : SaSMLPClassifier or Pipeline
            A fitted spike-and-slab network, or a fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one: its
            ``spike_probs_``, ``slab_means_`` and ``slab_vars_`` are shown.

        layers : int or list of int, default=None
            Layers shown, one row each (0 is the input layer's connections).
            None shows them all.

        bins : int or sequence, default=50
            Bins of every histogram.

        log : bool, default=True
            Log-scaled count axis.

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw, see :meth:`plot`.

        curve_kwargs : dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.hist`` to draw every
            histogram.

        Returns
        -------
        display : :class:`DistributionDisplay`
            Its parameters in the layers shown, as histograms.

        See Also
        --------
        EntropyDisplay.from_estimator : Histogram of the connection entropy.
        LayerProfileDisplay.from_estimator : Per-layer credit summaries.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import DistributionDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
        >>> disp = DistributionDisplay.from_estimator(clf, layers=[1])
        >>> disp.axes_.shape
        (1, 3)
        """
        network = cls._validate_from_estimator_params(estimator)
        layers = _check_layers(layers, len(network.spike_probs_))
        display = cls(
            spike_probs=[network.spike_probs_[layer] for layer in layers],
            slab_means=[network.slab_means_[layer] for layer in layers],
            slab_vars=[network.slab_vars_[layer] for layer in layers],
            layers=layers,
        )
        return display.plot(ax=ax, bins=bins, log=log, curve_kwargs=curve_kwargs)
