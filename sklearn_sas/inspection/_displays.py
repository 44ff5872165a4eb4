"""Matplotlib Displays of a fitted spike-and-slab network (Li & Huang, Figs. 2-4).

Each Display follows scikit-learn's visualization API: the constructor only
stores already computed data, ``plot`` draws it and ``from_estimator``
computes the data from a fitted :class:`~sklearn_sas.SaSMLPClassifier` and
plots it. matplotlib is imported inside the plotting methods only, so it stays
an optional dependency of the package.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._plotting import _validate_style_kwargs
from sklearn.utils.validation import check_is_fitted

from ._credit import connection_entropy, credit_assignment
from ._perturbation import perturbation_curve

_PARAMETER_TITLES = {
    "spike_probs": r"spike probability $\pi$",
    "slab_means": r"slab mean $m$",
    "slab_vars": r"slab variance $\Xi$",
}

_QUANTITY_NAMES = {
    "sparsity": r"sparsity (mean $\pi$)",
    "entropy_per_connection": "entropy per connection",
    "vip_fraction": "VIP fraction",
    "uip_fraction": "UIP fraction",
    "variable_fraction": "variable fraction",
}

_KIND_LABELS = {
    "vip": "VIP turned off",
    "random": "random turned off",
    "random_variable": "random variable turned off",
    "uip": "UIP turned on",
}

_DEFAULT_QUANTITIES = (
    "sparsity",
    "entropy_per_connection",
    "vip_fraction",
    "uip_fraction",
)


def _get_axes(caller, ax):
    """Check matplotlib is there and return ``(ax, figure)``, new if ``ax`` is None."""
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax, ax.figure


def _layer_label(layer):
    """'l -> l+1', 1-based as in the paper, for the connections of ``layer``."""
    return f"{layer + 1}\N{RIGHTWARDS ARROW}{layer + 2}"


def _check_layers(layers, n_layers):
    """Layer indices selected by ``layers`` (None, an int or a sequence of ints)."""
    if layers is None:
        return list(range(n_layers))
    selected = [layers] if isinstance(layers, Integral) else list(layers)
    if not selected or not all(
        isinstance(layer, Integral) and 0 <= layer < n_layers for layer in selected
    ):
        raise ValueError(
            f"layers must be None, an int or a non-empty sequence of ints in "
            f"[0, {n_layers - 1}] (the network has {n_layers} layers of "
            f"connections), got {layers!r}."
        )
    return [int(layer) for layer in selected]


class DistributionDisplay:
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
        ``xi``) of the ``i``-th layer.

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
        check_matplotlib_support(f"{type(self).__name__}.plot")
        import matplotlib.pyplot as plt
        from matplotlib.gridspec import GridSpecFromSubplotSpec

        if ax is None:
            figure, axes = plt.subplots(
                n_rows,
                3,
                squeeze=False,
                figsize=(9.6, 2.4 * n_rows + 0.6),
                layout="constrained",
            )
            return axes, figure, None
        if isinstance(ax, plt.Axes):
            spec = ax.get_subplotspec()
            if spec is None:
                raise ValueError(
                    "ax must be an Axes made by a subplot (it is divided into "
                    "the grid of histograms) or an array of n_layers x 3 Axes."
                )
            ax.set_axis_off()
            grid = GridSpecFromSubplotSpec(
                n_rows, 3, subplot_spec=spec, wspace=0.4, hspace=0.4
            )
            axes = np.empty((n_rows, 3), dtype=object)
            for index in np.ndindex(axes.shape):
                axes[index] = ax.figure.add_subplot(grid[index])
            return axes, ax.figure, ax
        axes = np.asarray(ax, dtype=object)
        if axes.size != n_rows * 3:
            raise ValueError(
                f"Expected ax to have {n_rows * 3} Axes ({n_rows} layers x 3 "
                f"parameters), got {axes.size}."
            )
        axes = axes.reshape(n_rows, 3)
        return axes, axes[0, 0].figure, None

    def plot(self, ax=None, *, bins=50, log=True, **kwargs):
        """Plot visualization.

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

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.hist``.

        Returns
        -------
        display : :class:`DistributionDisplay`
            Object that stores computed values.
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
            hist_kw = _validate_style_kwargs(defaults, kwargs)
            for row, (layer, values) in enumerate(zip(layers, arrays, strict=True)):
                axis = self.axes_[row, col]
                *_, self.patches_[row, col] = axis.hist(np.ravel(values), **hist_kw)
                if row == 0:
                    axis.set_title(_PARAMETER_TITLES[name])
                if col == 0:
                    axis.set_ylabel(f"layer {_layer_label(layer)}\ncount")
        return self

    @classmethod
    def from_estimator(
        cls, estimator, *, layers=None, bins=50, log=True, ax=None, **kwargs
    ):
        """Plot the parameter histograms of a fitted spike-and-slab network.

        Parameters
        ----------
        estimator : SaSMLPClassifier
            A fitted spike-and-slab network.

        layers : int or list of int, default=None
            Layers shown, one row each (0 is the input layer's connections).
            None shows them all.

        bins : int or sequence, default=50
            Bins of every histogram.

        log : bool, default=True
            Log-scaled count axis.

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw, see :meth:`plot`.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.hist``.

        Returns
        -------
        display : :class:`DistributionDisplay`

        See Also
        --------
        EntropyDisplay.from_estimator : Histogram of the connection entropy.

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
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        check_is_fitted(estimator, ["spike_probs_", "slab_means_", "slab_vars_"])
        layers = _check_layers(layers, len(estimator.spike_probs_))
        display = cls(
            spike_probs=[estimator.spike_probs_[layer] for layer in layers],
            slab_means=[estimator.slab_means_[layer] for layer in layers],
            slab_vars=[estimator.slab_vars_[layer] for layer in layers],
            layers=layers,
        )
        return display.plot(ax=ax, bins=bins, log=log, **kwargs)


class EntropyDisplay:
    """Histogram of the connection entropy, one per layer, overlaid.

    Li & Huang's Fig. 3(b): the peak at zero holds the deterministic
    connections (VIP and UIP); the rest are variable. Continuous entropies
    can be negative.

    It is recommended to use :meth:`EntropyDisplay.from_estimator` to create
    an :class:`EntropyDisplay`. All parameters are stored as attributes.

    Parameters
    ----------
    entropy : list of ndarray
        Connection entropy, one array per layer, as returned by
        :func:`~sklearn_sas.inspection.connection_entropy`.

    layers : list of int, default=None
        Indices of the layers the arrays belong to, used to label them.
        None means ``0, 1, ...``.

    Attributes
    ----------
    patches_ : list
        Per layer, the histogram artists returned by ``Axes.hist``.

    ax_ : matplotlib Axes
        Axes with the histograms.

    figure_ : matplotlib Figure
        Figure containing the histograms.

    See Also
    --------
    EntropyDisplay.from_estimator : Plot the entropy histogram of a fitted
        network.
    connection_entropy : Entropy of every connection.
    LayerProfileDisplay : Entropy per connection versus layer.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import EntropyDisplay, connection_entropy
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    >>> disp = EntropyDisplay(connection_entropy(clf)).plot()
    >>> len(disp.patches_)
    2
    """

    def __init__(self, entropy, *, layers=None):
        self.entropy = entropy
        self.layers = layers

    def plot(self, ax=None, *, bins=50, density=True, log=True, **kwargs):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        bins : int or sequence, default=50
            Bins, shared by all the layers so that their histograms compare.

        density : bool, default=True
            Normalize each histogram: layers differ in size by orders of
            magnitude, and raw counts would hide the small ones.

        log : bool, default=True
            Log-scaled vertical axis, since the deterministic connections pile
            up at zero.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.hist``.

        Returns
        -------
        display : :class:`EntropyDisplay`
            Object that stores computed values.
        """
        self.ax_, self.figure_ = _get_axes(f"{type(self).__name__}.plot", ax)
        layers = range(len(self.entropy)) if self.layers is None else self.layers
        edges = np.histogram_bin_edges(
            np.concatenate([np.ravel(S) for S in self.entropy]), bins=bins
        )
        self.patches_ = []
        for layer, S in zip(layers, self.entropy, strict=True):
            hist_kw = _validate_style_kwargs(
                {
                    "bins": edges,
                    "density": density,
                    "log": log,
                    "histtype": "step",
                    "label": f"layer {_layer_label(layer)}",
                },
                kwargs,
            )
            *_, patches = self.ax_.hist(np.ravel(S), **hist_kw)
            self.patches_.append(patches)
        self.ax_.set(
            xlabel="connection entropy (nats)",
            ylabel="density" if density else "count",
        )
        self.ax_.legend()
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        layers=None,
        method="analytic",
        n_samples=100,
        random_state=None,
        xi_tol=1e-8,
        m_tol=1e-6,
        bins=50,
        density=True,
        log=True,
        ax=None,
        **kwargs,
    ):
        """Plot the connection entropy histogram of a fitted network.

        Parameters
        ----------
        estimator : SaSMLPClassifier
            A fitted spike-and-slab network.

        layers : int or list of int, default=None
            Layers shown, one histogram each. None shows them all.

        method : {"analytic", "monte_carlo"}, default="analytic"
            Entropy estimator, see
            :func:`~sklearn_sas.inspection.connection_entropy`.

        n_samples : int, default=100
            Draws of the Monte-Carlo estimator.

        random_state : int, RandomState instance or None, default=None
            Seeds the Monte-Carlo draws.

        xi_tol : float, default=1e-8
            Slab variances at or below it count as zero.

        m_tol : float, default=1e-6
            Slab means at or below it in magnitude count as zero: a point
            mass at zero has entropy 0 whatever its spike probability.

        bins : int or sequence, default=50
            Bins, shared by all the layers.

        density : bool, default=True
            Normalize each histogram.

        log : bool, default=True
            Log-scaled vertical axis.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.hist``.

        Returns
        -------
        display : :class:`EntropyDisplay`

        See Also
        --------
        connection_entropy : Entropy of every connection.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import EntropyDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
        >>> disp = EntropyDisplay.from_estimator(clf, layers=0, bins=30)
        >>> len(disp.entropy)
        1
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        # every layer is computed so that a seeded Monte-Carlo estimate of a
        # layer does not depend on which layers are shown
        entropy = connection_entropy(
            estimator,
            method=method,
            n_samples=n_samples,
            random_state=random_state,
            xi_tol=xi_tol,
            m_tol=m_tol,
        )
        layers = _check_layers(layers, len(entropy))
        display = cls([entropy[layer] for layer in layers], layers=layers)
        return display.plot(ax=ax, bins=bins, density=density, log=log, **kwargs)


class LayerProfileDisplay:
    """Per-layer credit quantities versus the layer, for one or several networks.

    Sparsity (Li & Huang's Fig. 2(b) inset), entropy per connection
    (Fig. 3(c)) and the fractions of very important and unimportant
    connections (Fig. 4(b)) along the network, from the rows of
    :meth:`CreditAssignment.summary`.

    :meth:`plot` draws one line per network and per quantity. Use
    :meth:`from_estimator` for several quantities of one network, and
    :meth:`from_estimators` for one quantity of several networks (trained on
    different data sizes, say, as in Fig. 3(c)).

    Parameters
    ----------
    summaries : list of list of dict
        One entry per network: the rows of
        :meth:`CreditAssignment.summary` (one dict per layer).

    labels : list of str, default=None
        Names of the networks in the legend. None names them ``"network 0"``,
        ``"network 1"``, ... and leaves a single network unnamed.

    Attributes
    ----------
    lines_ : ndarray of matplotlib Line2D of shape (n_networks, n_quantities)
        The lines drawn.

    ax_ : matplotlib Axes
        Axes with the profiles.

    figure_ : matplotlib Figure
        Figure containing the profiles.

    See Also
    --------
    LayerProfileDisplay.from_estimator : Several quantities of one network.
    LayerProfileDisplay.from_estimators : One quantity of several networks.
    credit_assignment : The per-layer summary plotted.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import LayerProfileDisplay, credit_assignment
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((8, 8), max_iter=5, random_state=0).fit(X, y)
    >>> rows = credit_assignment(clf).summary()
    >>> disp = LayerProfileDisplay([rows]).plot(quantities=("sparsity",))
    >>> disp.lines_.shape
    (1, 1)
    """

    def __init__(self, summaries, *, labels=None):
        self.summaries = summaries
        self.labels = labels

    def plot(self, ax=None, *, quantities=_DEFAULT_QUANTITIES, **kwargs):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        quantities : str or tuple of str, \
                default=("sparsity", "entropy_per_connection", "vip_fraction", \
"uip_fraction")
            Numeric columns of the summary plotted, e.g. ``"sparsity"``,
            ``"entropy_per_connection"``, ``"vip_fraction"``,
            ``"uip_fraction"``, ``"variable_fraction"`` or ``"n_vip"``.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : :class:`LayerProfileDisplay`
            Object that stores computed values.
        """
        check_matplotlib_support(f"{type(self).__name__}.plot")
        quantities = (quantities,) if isinstance(quantities, str) else quantities
        quantities = tuple(quantities)
        numeric = sorted(
            key
            for key, value in self.summaries[0][0].items()
            if key != "layer" and isinstance(value, Real)
        )
        unknown = [q for q in quantities if q not in numeric]
        if unknown or not quantities:
            raise ValueError(
                f"quantities must be a non-empty selection of {numeric}, got "
                f"{quantities!r}."
            )
        n_networks = len(self.summaries)
        if self.labels is not None and len(self.labels) != n_networks:
            raise ValueError(
                f"Got {len(self.labels)} labels for {n_networks} networks."
            )
        # a network is named in the legend only when there is something to
        # tell apart; a quantity only when it is not the vertical axis' label
        names = self.labels
        if names is None and n_networks > 1:
            names = [f"network {i}" for i in range(n_networks)]

        self.ax_, self.figure_ = _get_axes(f"{type(self).__name__}.plot", ax)
        self.lines_ = np.empty((n_networks, len(quantities)), dtype=object)
        for i, rows in enumerate(self.summaries):
            layers = [row["layer"] for row in rows]
            for j, quantity in enumerate(quantities):
                parts = [] if names is None else [str(names[i])]
                if len(quantities) > 1:
                    parts.append(_QUANTITY_NAMES.get(quantity, quantity))
                line_kw = _validate_style_kwargs(
                    {"marker": "o", "label": ", ".join(parts) or None}, kwargs
                )
                (self.lines_[i, j],) = self.ax_.plot(
                    layers, [row[quantity] for row in rows], **line_kw
                )

        ticks = sorted({row["layer"] for rows in self.summaries for row in rows})
        self.ax_.set_xticks(ticks, [_layer_label(layer) for layer in ticks])
        ylabel = (
            _QUANTITY_NAMES.get(quantities[0], quantities[0])
            if len(quantities) == 1
            else "value"
        )
        self.ax_.set(xlabel="layer", ylabel=ylabel)
        # matplotlib names unlabelled lines "_child<n>"
        if any(not line.get_label().startswith("_") for line in self.lines_.flat):
            self.ax_.legend()
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        quantities=_DEFAULT_QUANTITIES,
        pi_tol=1e-6,
        xi_tol=1e-8,
        m_tol=1e-6,
        strict_paper=False,
        name=None,
        ax=None,
        **kwargs,
    ):
        """Plot per-layer quantities of one fitted network, one line each.

        Parameters
        ----------
        estimator : SaSMLPClassifier
            A fitted spike-and-slab network.

        quantities : str or tuple of str, \
                default=("sparsity", "entropy_per_connection", "vip_fraction", \
"uip_fraction")
            Columns of :meth:`CreditAssignment.summary` plotted.

        pi_tol, xi_tol, m_tol : float, default=1e-6, 1e-8, 1e-6
            Tolerances of the VIP and UIP classes on ``pi``, ``xi`` and
            ``|m|`` (:func:`~sklearn_sas.inspection.credit_assignment`).

        strict_paper : bool, default=False
            Classify by the paper's literal rule, under which a weight that
            is deterministically zero is VIP (see
            :func:`~sklearn_sas.inspection.credit_assignment`).

        name : str, default=None
            Name of the network in the legend; None leaves it out.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : :class:`LayerProfileDisplay`

        See Also
        --------
        LayerProfileDisplay.from_estimators : One quantity of several networks.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import LayerProfileDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SaSMLPClassifier((8, 8), max_iter=5, random_state=0).fit(X, y)
        >>> disp = LayerProfileDisplay.from_estimator(clf)
        >>> disp.lines_.shape
        (1, 4)
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        summary = credit_assignment(
            estimator,
            pi_tol=pi_tol,
            xi_tol=xi_tol,
            m_tol=m_tol,
            strict_paper=strict_paper,
        ).summary()
        display = cls([summary], labels=None if name is None else [name])
        return display.plot(ax=ax, quantities=quantities, **kwargs)

    @classmethod
    def from_estimators(
        cls,
        estimators,
        *,
        labels=None,
        quantity="entropy_per_connection",
        pi_tol=1e-6,
        xi_tol=1e-8,
        m_tol=1e-6,
        strict_paper=False,
        ax=None,
        **kwargs,
    ):
        """Plot one per-layer quantity of several fitted networks, one line each.

        Li & Huang's Fig. 3(c) compares the entropy per connection of networks
        trained on different numbers of examples.

        Parameters
        ----------
        estimators : list of SaSMLPClassifier
            Fitted spike-and-slab networks; their depths may differ.

        labels : list of str, default=None
            Their names in the legend, e.g. the training-set sizes. None names
            them ``"network 0"``, ``"network 1"``, ...

        quantity : str, default="entropy_per_connection"
            Column of :meth:`CreditAssignment.summary` plotted.

        pi_tol, xi_tol, m_tol : float, default=1e-6, 1e-8, 1e-6
            Tolerances of the VIP and UIP classes on ``pi``, ``xi`` and
            ``|m|`` (:func:`~sklearn_sas.inspection.credit_assignment`).

        strict_paper : bool, default=False
            Classify by the paper's literal rule, under which a weight that
            is deterministically zero is VIP (see
            :func:`~sklearn_sas.inspection.credit_assignment`).

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : :class:`LayerProfileDisplay`

        See Also
        --------
        LayerProfileDisplay.from_estimator : Several quantities of one network.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import LayerProfileDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clfs = [SaSMLPClassifier((8, 8), max_iter=5, random_state=0).fit(
        ...     X[:n], y[:n]) for n in (500, 1500)]
        >>> disp = LayerProfileDisplay.from_estimators(
        ...     clfs, labels=["T=500", "T=1500"], quantity="sparsity")
        >>> [line.get_label() for line in disp.lines_[:, 0]]
        ['T=500', 'T=1500']
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimators")
        estimators = list(estimators)
        if not estimators:
            raise ValueError("estimators must hold at least one fitted network.")
        if labels is not None and len(labels) != len(estimators):
            raise ValueError(
                f"Got {len(labels)} labels for {len(estimators)} estimators."
            )
        credit = {
            "pi_tol": pi_tol,
            "xi_tol": xi_tol,
            "m_tol": m_tol,
            "strict_paper": strict_paper,
        }
        summaries = [credit_assignment(est, **credit).summary() for est in estimators]
        if labels is None:
            labels = [f"network {i}" for i in range(len(estimators))]
        display = cls(summaries, labels=list(labels))
        return display.plot(ax=ax, quantities=(quantity,), **kwargs)


class PerturbationDisplay:
    """Test error versus the fraction of targeted connections perturbed.

    Li & Huang's Fig. 4(a): turning off very important connections hurts
    the most, turning on unimportant ones does not, and turning off as many
    connections chosen at random (among all, or among the variable ones)
    lies in between. Each curve is the mean error of the sampled networks
    with a band of one standard deviation.

    It is recommended to use :meth:`PerturbationDisplay.from_estimator` to
    create a :class:`PerturbationDisplay`. All parameters are stored as
    attributes.

    Parameters
    ----------
    curves : dict of str to :class:`~sklearn.utils.Bunch`
        Perturbation kind (``"vip"``, ``"random"``, ``"random_variable"``,
        ``"uip"``) to the result of
        :func:`~sklearn_sas.inspection.perturbation_curve`.

    Attributes
    ----------
    lines_ : dict of str to matplotlib Line2D
        Mean test error of every kind.

    bands_ : dict of str to matplotlib PolyCollection or None
        Standard-deviation band of every kind; None when not drawn.

    ax_ : matplotlib Axes
        Axes with the curves.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    PerturbationDisplay.from_estimator : Compute and plot the curves of a
        fitted network.
    perturbation_curve : Error of sampled networks after perturbing a layer.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import PerturbationDisplay, perturbation_curve
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
    >>> curves = {kind: perturbation_curve(clf, X, y, fractions=[0, 0.5, 1],
    ...                                    kind=kind, n_networks=2, random_state=0)
    ...           for kind in ("vip", "uip")}
    >>> disp = PerturbationDisplay(curves).plot()
    >>> sorted(disp.lines_)
    ['uip', 'vip']
    """

    def __init__(self, curves):
        self.curves = curves

    def plot(self, ax=None, *, show_std=True, **kwargs):
        """Plot visualization.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        show_std : bool, default=True
            Shade one standard deviation of the error over the sampled
            networks around each curve.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : :class:`PerturbationDisplay`
            Object that stores computed values.
        """
        self.ax_, self.figure_ = _get_axes(f"{type(self).__name__}.plot", ax)
        self.lines_, self.bands_ = {}, {}
        for kind, curve in self.curves.items():
            line_kw = _validate_style_kwargs(
                {"marker": "o", "label": _KIND_LABELS.get(kind, kind)}, kwargs
            )
            (line,) = self.ax_.plot(curve.fractions, curve.mean_error, **line_kw)
            self.lines_[kind] = line
            self.bands_[kind] = (
                self.ax_.fill_between(
                    curve.fractions,
                    curve.mean_error - curve.error_std,
                    curve.mean_error + curve.error_std,
                    color=line.get_color(),
                    alpha=0.2,
                    linewidth=0,
                )
                if show_std
                else None
            )
        layers = {curve.layer for curve in self.curves.values()}
        xlabel = "fraction of connections perturbed"
        if len(layers) == 1:
            xlabel += f" (layer {_layer_label(layers.pop())})"
        self.ax_.set(xlabel=xlabel, ylabel="test error")
        self.ax_.legend()
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        X,
        y,
        *,
        layer=0,
        fractions=None,
        kinds=("vip", "random", "uip"),
        n_networks=10,
        pi_tol=1e-6,
        xi_tol=1e-8,
        m_tol=1e-6,
        strict_paper=False,
        random_state=None,
        show_std=True,
        ax=None,
        **kwargs,
    ):
        """Compute and plot targeted-perturbation curves of a fitted network.

        Parameters
        ----------
        estimator : SaSMLPClassifier
            A fitted spike-and-slab network.

        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Evaluation data (a held-out test set).

        y : array-like of shape (n_samples,)
            Its labels.

        layer : int, default=0
            Index of the layer perturbed (0 is the input layer's connections,
            the paper's choice).

        fractions : array-like of float in [0, 1], default=None
            Fractions of connections perturbed; None means
            ``np.linspace(0, 1, 11)``.

        kinds : tuple of {"vip", "random", "random_variable", "uip"}, \
                default=("vip", "random", "uip")
            Perturbations compared, one curve each, see
            :func:`~sklearn_sas.inspection.perturbation_curve`.
            ``"random_variable"`` draws the connections turned off among the
            variable ones only, as the authors' code does.

        n_networks : int, default=10
            Number of sampled networks averaged.

        pi_tol, xi_tol, m_tol : float, default=1e-6, 1e-8, 1e-6
            Tolerances of the VIP and UIP classes on ``pi``, ``xi`` and
            ``|m|`` (:func:`~sklearn_sas.inspection.credit_assignment`).

        strict_paper : bool, default=False
            Classify by the paper's literal rule (see
            :func:`~sklearn_sas.inspection.credit_assignment`).

        random_state : int, RandomState instance or None, default=None
            Seeds the sampling and the choice of connections. Every kind
            perturbs the same sampled networks.

        show_std : bool, default=True
            Shade one standard deviation around each curve.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        **kwargs : dict
            Passed to ``matplotlib.axes.Axes.plot``.

        Returns
        -------
        display : :class:`PerturbationDisplay`

        See Also
        --------
        perturbation_curve : Error of sampled networks after perturbing a layer.

        Examples
        --------
        >>> from sklearn.datasets import load_digits
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import PerturbationDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> clf = SaSMLPClassifier((8,), max_iter=5, random_state=0).fit(X, y)
        >>> disp = PerturbationDisplay.from_estimator(
        ...     clf, X, y, fractions=[0, 0.5, 1], n_networks=2, random_state=0)
        >>> list(disp.curves)
        ['vip', 'random', 'uip']
        """
        check_matplotlib_support(f"{cls.__name__}.from_estimator")
        if fractions is None:
            fractions = np.linspace(0, 1, 11)
        # one integer seed for all kinds, so that they perturb the same sampled
        # networks even when random_state is None or a RandomState instance
        if not isinstance(random_state, Integral):
            random_state = check_random_state(random_state).randint(
                np.iinfo(np.int32).max
            )
        curves = {
            kind: perturbation_curve(
                estimator,
                X,
                y,
                layer=layer,
                fractions=fractions,
                kind=kind,
                n_networks=n_networks,
                pi_tol=pi_tol,
                xi_tol=xi_tol,
                m_tol=m_tol,
                strict_paper=strict_paper,
                random_state=random_state,
            )
            for kind in kinds
        }
        return cls(curves).plot(ax=ax, show_std=show_std, **kwargs)
