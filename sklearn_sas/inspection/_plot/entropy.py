"""Histogram of the connection entropy (Li & Huang, Fig. 3b)."""

import numpy as np

from ..._plotting import _NetworkDisplayMixin, _validate_curve_kwargs
from ..._sas import M_TOL, XI_TOL
from .._credit import connection_entropy
from ._base import _check_layers, _layer_label


class EntropyDisplay(_NetworkDisplayMixin):
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
        Axes with the histograms: the entropy in nats against its density
        per nat (or the number of connections per bin).

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
    Any entropies, one array per layer:

    >>> import numpy as np
    >>> from sklearn_sas.inspection import EntropyDisplay
    >>> rng = np.random.default_rng(0)
    >>> entropy = [rng.normal(size=(64, 8)), rng.normal(size=(8, 10))]
    >>> disp = EntropyDisplay(entropy, layers=[0, 1]).plot(bins=20)
    >>> len(disp.patches_)
    2
    """

    def __init__(self, entropy, *, layers=None):
        self.entropy = entropy
        self.layers = layers

    def plot(self, ax=None, *, bins=50, density=True, log=True, curve_kwargs=None):
        """Plot the entropy histograms, overlaid.

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

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.hist`` to draw the
            histogram of each layer (a step outline by default). A dict
            applies to every layer; a list holds one dict per layer, in the
            order of the legend (that of :attr:`entropy`), e.g.
            ``[{"color": "C0"}, {"color": "C1", "linestyle": "--"}]``.

        Returns
        -------
        display : :class:`EntropyDisplay`
            ``self``, with the histograms in ``patches_``.
        """
        self._check_matplotlib("plot")
        layers = range(len(self.entropy)) if self.layers is None else self.layers
        edges = np.histogram_bin_edges(
            np.concatenate([np.ravel(S) for S in self.entropy]), bins=bins
        )
        defaults = [
            {
                "bins": edges,
                "density": density,
                "log": log,
                "histtype": "step",
                "label": f"layer {_layer_label(layer)}",
            }
            for layer in layers
        ]
        hist_kwargs = _validate_curve_kwargs(curve_kwargs, defaults)
        self.ax_, self.figure_ = self._validate_plot_params(ax=ax)
        self.patches_ = []
        for S, hist_kw in zip(self.entropy, hist_kwargs, strict=True):
            *_, patches = self.ax_.hist(np.ravel(S), **hist_kw)
            self.patches_.append(patches)
        return self._label_axes(
            xlabel="connection entropy (nats)",
            ylabel="density (per nat)" if density else "number of connections",
        )

    @classmethod
    def from_estimator(
        cls,
        estimator,
        *,
        layers=None,
        method="analytic",
        n_samples=100,
        random_state=None,
        xi_tol=XI_TOL,
        m_tol=M_TOL,
        bins=50,
        density=True,
        log=True,
        ax=None,
        curve_kwargs=None,
    ):
        """Plot the connection entropy histogram of a fitted network.

        The entropy is that of :func:`connection_entropy`, computed for every
        layer (so that a seeded Monte-Carlo estimate of a layer does not
        depend on the layers shown) and kept for those in ``layers``.

        Parameters
        ----------
        estimator : SaSMLPClassifier or Pipeline
            A fitted spike-and-slab network, or a fitted
            :class:`~sklearn.pipeline.Pipeline` ending in one.

        layers : int or list of int, default=None
            Layers shown, one histogram each. None shows them all.

        method : {"analytic", "mc"}, default="analytic"
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

        curve_kwargs : dict or list of dict, default=None
            Keywords passed to ``matplotlib.axes.Axes.hist`` for every layer
            (a dict) or for each layer shown (a list of dicts, in the order of
            ``layers``).

        Returns
        -------
        display : :class:`EntropyDisplay`
            The entropy of the layers shown, plotted.

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
        network = cls._validate_from_estimator_params(estimator)
        layers = _check_layers(layers, len(network.spike_probs_))
        # every layer is computed so that a seeded Monte-Carlo estimate of a
        # layer does not depend on which layers are shown
        entropy = connection_entropy(
            network,
            method=method,
            n_samples=n_samples,
            random_state=random_state,
            xi_tol=xi_tol,
            m_tol=m_tol,
        )
        display = cls([entropy[layer] for layer in layers], layers=layers)
        return display.plot(
            ax=ax, bins=bins, density=density, log=log, curve_kwargs=curve_kwargs
        )
