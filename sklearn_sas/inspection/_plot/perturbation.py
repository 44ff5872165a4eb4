"""Test error versus the fraction of connections perturbed (Li & Huang, Fig. 4a)."""

from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state

from ..._plotting import _NetworkDisplayMixin, _validate_curve_kwargs
from ..._sas import M_TOL, PI_TOL, XI_TOL
from .._perturbation import perturbation_curve
from ._base import _layer_label

_KIND_LABELS = {
    "vip": "VIP turned off",
    "random": "random turned off",
    "random_variable": "random variable turned off",
    "uip": "UIP turned on",
}


class PerturbationDisplay(_NetworkDisplayMixin):
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
        Standard-deviation band of every kind, in the colour of its line;
        None when not drawn.

    ax_ : matplotlib Axes
        Axes with the curves: the fraction of connections perturbed against
        the test error, in percent of the evaluation samples.

    figure_ : matplotlib Figure
        Figure containing the curves.

    See Also
    --------
    PerturbationDisplay.from_estimator : The curves of a fitted network.
    perturbation_curve : Error of sampled networks after perturbing a layer.

    Examples
    --------
    A curve needs the arrays ``fractions``, ``mean_error`` and ``error_std``
    and the ``layer`` of what :func:`perturbation_curve` returns:

    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from sklearn_sas.inspection import PerturbationDisplay
    >>> fractions = np.array([0, 0.5, 1])
    >>> curves = {
    ...     "vip": Bunch(fractions=fractions, mean_error=np.array([0.05, 0.4, 0.9]),
    ...                  error_std=np.array([0.01, 0.05, 0.02]), layer=0),
    ...     "uip": Bunch(fractions=fractions, mean_error=np.array([0.05, 0.06, 0.08]),
    ...                  error_std=np.array([0.01, 0.01, 0.02]), layer=0),
    ... }
    >>> disp = PerturbationDisplay(curves).plot()
    >>> sorted(disp.lines_)
    ['uip', 'vip']
    """

    def __init__(self, curves):
        self.curves = curves

    def plot(self, ax=None, *, show_std=True, curve_kwargs=None):
        """Plot the test error curves of the perturbations.

        Parameters
        ----------
        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        show_std : bool, default=True
            Shade one standard deviation of the error over the sampled
            networks around each curve, in the colour of the curve.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` to draw the
            curves. A dict applies to every curve; a list holds one dict per
            curve, in the order of the legend (that of :attr:`curves`), e.g.
            ``[{"color": "red"}, {"color": "blue", "linestyle": "--"}]``.

        Returns
        -------
        display : :class:`PerturbationDisplay`
            ``self``, with the curves in ``lines_`` and their bands in
            ``bands_``.
        """
        self._check_matplotlib("plot")
        defaults = [
            {"marker": "o", "label": _KIND_LABELS.get(kind, kind)}
            for kind in self.curves
        ]
        line_kwargs = _validate_curve_kwargs(curve_kwargs, defaults)
        self.ax_, self.figure_ = self._validate_plot_params(ax=ax)
        from matplotlib.ticker import PercentFormatter

        self.lines_, self.bands_ = {}, {}
        for (kind, curve), line_kw in zip(self.curves.items(), line_kwargs):
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
        # the errors are stored as fractions and shown in percent
        self.ax_.yaxis.set_major_formatter(PercentFormatter(xmax=1.0, symbol=""))
        return self._label_axes(xlabel=xlabel, ylabel="test error (%)")

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
        pi_tol=PI_TOL,
        xi_tol=XI_TOL,
        m_tol=M_TOL,
        strict_paper=False,
        random_state=None,
        show_std=True,
        ax=None,
        curve_kwargs=None,
    ):
        """Compute and plot targeted-perturbation curves of a fitted network.

        One curve of :func:`perturbation_curve` for each of ``kinds``, all
        on the same sampled networks.

        Parameters
        ----------
        estimator : SaSMLPClassifier or Pipeline
            A fitted spike-and-slab network, or a fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one (``X`` then goes
            through its first steps).

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
            Tolerances of the VIP and UIP classes, see :func:`credit_assignment`.

        strict_paper : bool, default=False
            Classify by the paper's literal rule, see :func:`credit_assignment`.

        random_state : int, RandomState instance or None, default=None
            Seeds the sampling and the choice of connections. Every kind
            perturbs the same sampled networks.

        show_std : bool, default=True
            Shade one standard deviation around each curve.

        ax : matplotlib Axes, default=None
            Axes object to plot on. If None, a new figure and axes is created.

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.plot`` for every curve
            (a dict) or for each curve (a list of dicts, in the order of
            ``kinds``).

        Returns
        -------
        display : :class:`PerturbationDisplay`
            One curve per kind, in ``curves``, plotted.

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
        # a clear error for a model that is not a spike-and-slab network,
        # before any curve is computed; perturbation_curve takes the estimator
        # itself, which feeds X through a Pipeline's first steps
        cls._validate_from_estimator_params(estimator)
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
        return cls(curves).plot(ax=ax, show_std=show_std, curve_kwargs=curve_kwargs)
