"""What the Displays of the package share, as ``sklearn.utils._plotting``
does for scikit-learn's: the opening checks of ``plot`` and
``from_estimator`` and the reading of ``curve_kwargs``."""

from collections.abc import Mapping

from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._plotting import _validate_style_kwargs

from ._utils import sas_network


class _NetworkDisplayMixin:
    """Opening checks of a Display of a fitted spike-and-slab network.

    matplotlib is imported inside the plotting methods only, so it stays an
    optional dependency of the package.
    """

    @classmethod
    def _check_matplotlib(cls, method):
        """Refuse, naming ``cls.method``, to plot without matplotlib."""
        check_matplotlib_support(f"{cls.__name__}.{method}")

    def _validate_plot_params(self, *, ax=None):
        """``(ax, figure)`` to draw on, a new figure if ``ax`` is None."""
        self._check_matplotlib("plot")
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots()
        return ax, ax.figure

    def _label_axes(self, **axes_properties):
        """Set ``axes_properties`` (the axis labels) on ``ax_`` and return
        ``self``, with a legend when an artist of the Axes has a label.

        The legend is redrawn with every labelled curve of the Axes, those of
        Displays plotted on it before included; with none (every label
        removed through ``curve_kwargs``) no empty legend is drawn.
        """
        self.ax_.set(**axes_properties)
        if self.ax_.get_legend_handles_labels()[1]:
            self.ax_.legend()
        return self

    @classmethod
    def _validate_from_estimator_params(cls, estimator, *, method="from_estimator"):
        """The fitted spike-and-slab network behind ``estimator`` (itself or
        the final step of a ``Pipeline``)."""
        cls._check_matplotlib(method)
        network, _ = sas_network(estimator)
        return network


def _validate_curve_kwargs(curve_kwargs, default_curve_kwargs):
    """One dict of matplotlib keywords per curve.

    ``default_curve_kwargs`` holds the defaults of every curve, in legend
    order; ``curve_kwargs`` is None, a dict applied to every curve or a list
    of dicts, one per curve, each updating that curve's defaults (aliases
    such as ``c`` and ``ls`` resolved).
    """
    n_curves = len(default_curve_kwargs)
    if curve_kwargs is None:
        per_curve = [{}] * n_curves
    elif isinstance(curve_kwargs, Mapping):
        per_curve = [curve_kwargs] * n_curves
    elif isinstance(curve_kwargs, (list, tuple)):
        if len(curve_kwargs) != n_curves:
            labels = ", ".join(
                repr(default.get("label")) for default in default_curve_kwargs
            )
            raise ValueError(
                f"curve_kwargs must be None, a dict or a list of {n_curves} dicts, "
                f"one per curve in legend order ({labels}); got a list of "
                f"{len(curve_kwargs)}."
            )
        for i, kw in enumerate(curve_kwargs):
            if not isinstance(kw, Mapping):
                raise TypeError(
                    f"curve_kwargs must be None, a dict or a list of dicts; item "
                    f"{i} is a {type(kw).__name__}: {kw!r}."
                )
        per_curve = curve_kwargs
    else:
        raise TypeError(
            f"curve_kwargs must be None, a dict or a list of dicts, got a "
            f"{type(curve_kwargs).__name__}: {curve_kwargs!r}."
        )
    return [
        _validate_style_kwargs(default, kw)
        for default, kw in zip(default_curve_kwargs, per_curve)
    ]
