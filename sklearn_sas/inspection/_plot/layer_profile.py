"""Per-layer credit quantities versus the layer (Li & Huang, Figs. 2b, 3c, 4b)."""

from numbers import Real

import numpy as np

from ..._plotting import _NetworkDisplayMixin, _validate_curve_kwargs
from ..._sas import M_TOL, PI_TOL, XI_TOL
from .._credit import credit_assignment
from ._base import _LAYER_AXIS_LABEL, _get_axes_grid, _layer_label

# name and unit of the columns of CreditAssignment.summary; the quantities of
# one unit share an Axes. sparsity, the mean of pi, is the expected fraction
# of the connections that are absent
_QUANTITIES = {
    "sparsity": (r"sparsity $\langle\pi\rangle$", "fraction"),
    "vip_fraction": ("VIP fraction", "fraction"),
    "uip_fraction": ("UIP fraction", "fraction"),
    "variable_fraction": ("variable fraction", "fraction"),
    "entropy_per_connection": ("entropy per connection", "nats"),
    "n_vip": ("VIP connections", "count"),
    "n_uip": ("UIP connections", "count"),
    "n_variable": ("variable connections", "count"),
    "n_connections": ("connections", "count"),
}

# unit: (after the name of a quantity alone on its Axes, label of an Axes
# shared by several quantities)
_UNITS = {
    "fraction": ("fraction of connections", "fraction of connections"),
    "nats": ("nats", "entropy (nats)"),
    "count": ("count", "number of connections"),
}

_DEFAULT_QUANTITIES = (
    "sparsity",
    "entropy_per_connection",
    "vip_fraction",
    "uip_fraction",
)


def _quantity_name(quantity):
    return _QUANTITIES.get(quantity, (quantity, None))[0]


def _quantity_unit(quantity):
    """Unit of a summary column; a column of unknown unit is a unit of its own."""
    return _QUANTITIES.get(quantity, (None, f"column {quantity}"))[1]


def _axis_label(quantities):
    """Vertical-axis label of the quantities sharing one unit (and Axes)."""
    unit = _quantity_unit(quantities[0])
    if unit not in _UNITS:
        return _quantity_name(quantities[0])
    alone, shared = _UNITS[unit]
    if len(quantities) == 1:
        return f"{_quantity_name(quantities[0])} ({alone})"
    return shared


class LayerProfileDisplay(_NetworkDisplayMixin):
    """Per-layer credit quantities versus the layer, for one or several networks.

    Sparsity (Li & Huang's Fig. 2(b) inset), entropy per connection
    (Fig. 3(c)) and the fractions of very important and unimportant
    connections (Fig. 4(b)) along the network, from the rows of
    :meth:`CreditAssignment.summary`.

    :meth:`plot` draws one line per network and per quantity. Quantities of
    different units get Axes of their own, side by side: the fractions of
    connections (``sparsity``, the mean of ``pi``, and the ``*_fraction``
    columns), the entropy per connection in nats, and the numbers of
    connections (``n_*``). Use :meth:`from_estimator` for several quantities
    of one network, and :meth:`from_estimators` for one quantity of several
    networks (trained on different data sizes, say, as in Fig. 3(c)).

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

    axes_ : ndarray of matplotlib Axes of shape (n_units,)
        One Axes per unit of the quantities plotted, in the order the units
        first appear among them. Each plots the layer against its quantities,
        labelled with their unit.

    ax_ : matplotlib Axes or None
        The Axes with the profiles when the quantities share a unit (one
        Axes), None when they are spread over several (see ``axes_``).

    bounding_ax_ : matplotlib Axes or None
        The Axes passed as ``ax`` and divided into one Axes per unit, or None
        when no Axes was divided.

    figure_ : matplotlib Figure
        Figure containing the profiles.

    See Also
    --------
    LayerProfileDisplay.from_estimator : Several quantities of one network.
    LayerProfileDisplay.from_estimators : One quantity of several networks.
    credit_assignment : The per-layer summary plotted.

    Examples
    --------
    Rows as :meth:`CreditAssignment.summary` gives them, one per layer:

    >>> from sklearn_sas.inspection import LayerProfileDisplay
    >>> rows = [{"layer": 0, "vip_fraction": 0.12, "uip_fraction": 0.61},
    ...         {"layer": 1, "vip_fraction": 0.35, "uip_fraction": 0.20}]
    >>> disp = LayerProfileDisplay([rows]).plot(quantities=("vip_fraction",))
    >>> disp.lines_.shape
    (1, 1)
    >>> disp.ax_.get_ylabel()
    'VIP fraction (fraction of connections)'
    """

    def __init__(self, summaries, *, labels=None):
        self.summaries = summaries
        self.labels = labels

    def plot(self, ax=None, *, quantities=_DEFAULT_QUANTITIES, curve_kwargs=None):
        """Plot the profiles, a line per network and quantity.

        Parameters
        ----------
        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw. None creates a figure with one Axes per unit of
            the quantities; a single Axes is used as it is when the
            quantities share a unit, and divided into one Axes per unit
            otherwise; an array of Axes holds one Axes per unit.

        quantities : str or tuple of str, \
                default=("sparsity", "entropy_per_connection", "vip_fraction", \
"uip_fraction")
            Numeric columns of the summary plotted, e.g. ``"sparsity"``,
            ``"entropy_per_connection"``, ``"vip_fraction"``,
            ``"uip_fraction"``, ``"variable_fraction"`` or ``"n_vip"``.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` to draw the
            lines. A dict applies to every line; a list holds one dict per
            line, in the order of ``lines_.flat``: the quantities of the first
            network in the order given, then those of the second, ... (the
            order of the legend when the lines share an Axes).

        Returns
        -------
        display : :class:`LayerProfileDisplay`
            ``self``, with the lines in ``lines_``.
        """
        self._check_matplotlib("plot")
        import matplotlib.pyplot as plt

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
        # the quantities of each unit, in the order the units first appear
        units = {}
        for quantity in quantities:
            units.setdefault(_quantity_unit(quantity), []).append(quantity)

        # a network is named in the legend only when there is something to
        # tell apart; a quantity only when it is not its Axes' label
        names = self.labels
        if names is None and n_networks > 1:
            names = [f"network {i}" for i in range(n_networks)]
        defaults = []
        for i in range(n_networks):
            for quantity in quantities:
                parts = [] if names is None else [str(names[i])]
                if len(units[_quantity_unit(quantity)]) > 1:
                    parts.append(_quantity_name(quantity))
                defaults.append({"marker": "o", "label": ", ".join(parts) or None})
        line_kwargs = iter(_validate_curve_kwargs(curve_kwargs, defaults))

        if len(units) == 1 and (ax is None or isinstance(ax, plt.Axes)):
            axis, figure = self._validate_plot_params(ax=ax)
            axes, bounding_ax = np.array([axis], dtype=object), None
        else:
            axes, figure, bounding_ax = _get_axes_grid(
                ax,
                1,
                len(units),
                figsize=(4.8 * len(units), 4.2),
                grid_name="one Axes per unit",
                cells_name=(
                    "one per unit: "
                    + ", ".join(_axis_label(group) for group in units.values())
                ),
            )
            axes = axes.ravel()
        axis_of = {
            quantity: axis
            for axis, group in zip(axes, units.values())
            for quantity in group
        }

        self.lines_ = np.empty((n_networks, len(quantities)), dtype=object)
        for i, rows in enumerate(self.summaries):
            layers = [row["layer"] for row in rows]
            for j, quantity in enumerate(quantities):
                (self.lines_[i, j],) = axis_of[quantity].plot(
                    layers, [row[quantity] for row in rows], **next(line_kwargs)
                )

        ticks = sorted({row["layer"] for rows in self.summaries for row in rows})
        for axis, group in zip(axes, units.values()):
            axis.set_xticks(ticks, [_layer_label(layer) for layer in ticks])
            axis.set(xlabel=_LAYER_AXIS_LABEL, ylabel=_axis_label(group))
            lines = [line for line in self.lines_.flat if line.axes is axis]
            # matplotlib names unlabelled lines "_child<n>"
            if any(not line.get_label().startswith("_") for line in lines):
                axis.legend()
        self.axes_ = axes
        self.ax_ = axes[0] if len(axes) == 1 else None
        self.bounding_ax_ = bounding_ax
        self.figure_ = figure
        return self

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        quantities=_DEFAULT_QUANTITIES,
        pi_tol=PI_TOL,
        xi_tol=XI_TOL,
        m_tol=M_TOL,
        strict_paper=False,
        name=None,
        ax=None,
        curve_kwargs=None,
    ):
        """Plot per-layer quantities of one fitted network, one line each.

        The quantities are columns of the summary of
        :func:`credit_assignment`.

        Parameters
        ----------
        estimator : SaSMLPClassifier or Pipeline
            A fitted spike-and-slab network, or a fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one.

        quantities : str or tuple of str, \
                default=("sparsity", "entropy_per_connection", "vip_fraction", \
"uip_fraction")
            Columns of :meth:`CreditAssignment.summary` plotted.

        pi_tol, xi_tol, m_tol : float, default=1e-6, 1e-8, 1e-6
            Tolerances of the VIP and UIP classes, see :func:`credit_assignment`.

        strict_paper : bool, default=False
            Classify by the paper's literal rule, see :func:`credit_assignment`.

        name : str, default=None
            Name of the network in the legend; None leaves it out.

        ax : matplotlib Axes or array-like of Axes, default=None
            Where to draw, see :meth:`plot`: quantities of different units
            are drawn on different Axes.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` for every line
            (a dict) or for each quantity's line (a list of dicts, in the
            order of ``quantities``).

        Returns
        -------
        display : :class:`LayerProfileDisplay`
            The summary of the network, plotted.

        See Also
        --------
        LayerProfileDisplay.from_estimators : One quantity of several networks.
        credit_assignment : The per-layer summary plotted, and its tolerances.

        Examples
        --------
        The network may end a fitted ``Pipeline``:

        >>> from sklearn.datasets import load_digits
        >>> from sklearn.pipeline import make_pipeline
        >>> from sklearn.preprocessing import MinMaxScaler
        >>> from sklearn_sas import SaSMLPClassifier
        >>> from sklearn_sas.inspection import LayerProfileDisplay
        >>> X, y = load_digits(return_X_y=True)
        >>> pipe = make_pipeline(
        ...     MinMaxScaler(), SaSMLPClassifier((8, 8), max_iter=5, random_state=0)
        ... ).fit(X, y)
        >>> disp = LayerProfileDisplay.from_estimator(pipe)
        >>> disp.lines_.shape
        (1, 4)
        >>> [ax.get_ylabel() for ax in disp.axes_]
        ['fraction of connections', 'entropy per connection (nats)']
        """
        network = cls._validate_from_estimator_params(estimator)
        summary = credit_assignment(
            network,
            pi_tol=pi_tol,
            xi_tol=xi_tol,
            m_tol=m_tol,
            strict_paper=strict_paper,
        ).summary()
        display = cls([summary], labels=None if name is None else [name])
        return display.plot(ax=ax, quantities=quantities, curve_kwargs=curve_kwargs)

    @classmethod
    def from_estimators(
        cls,
        estimators,
        *,
        labels=None,
        quantity="entropy_per_connection",
        pi_tol=PI_TOL,
        xi_tol=XI_TOL,
        m_tol=M_TOL,
        strict_paper=False,
        ax=None,
        curve_kwargs=None,
    ):
        """Plot one per-layer quantity of several fitted networks, one line each.

        Li & Huang's Fig. 3(c) compares the entropy per connection of networks
        trained on different numbers of examples. The quantity is a column of
        the summary of :func:`credit_assignment`.

        Parameters
        ----------
        estimators : list of SaSMLPClassifier or Pipeline
            Fitted spike-and-slab networks (or fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one); their depths
            may differ.

        labels : list of str, default=None
            Their names in the legend, e.g. the training-set sizes. None names
            them ``"network 0"``, ``"network 1"``, ...

        quantity : str, default="entropy_per_connection"
            Column of :meth:`CreditAssignment.summary` plotted.

        pi_tol, xi_tol, m_tol : float, default=1e-6, 1e-8, 1e-6
            Tolerances of the VIP and UIP classes, see :func:`credit_assignment`.

        strict_paper : bool, default=False
            Classify by the paper's literal rule, see :func:`credit_assignment`.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` for every line
            (a dict) or for each network's line (a list of dicts, in the order
            of ``estimators``).

        Returns
        -------
        display : :class:`LayerProfileDisplay`
            One summary per network, in the order of ``estimators``, plotted.

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
        cls._check_matplotlib("from_estimators")
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
        networks = [
            cls._validate_from_estimator_params(estimator, method="from_estimators")
            for estimator in estimators
        ]
        summaries = [credit_assignment(net, **credit).summary() for net in networks]
        if labels is None:
            labels = [f"network {i}" for i in range(len(estimators))]
        display = cls(summaries, labels=list(labels))
        return display.plot(
            ax=ax, quantities=(quantity,), curve_kwargs=curve_kwargs
        )
