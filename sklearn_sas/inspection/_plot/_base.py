"""Helpers shared by the Displays."""

import warnings
from collections.abc import Mapping
from numbers import Integral

import numpy as np
from sklearn.utils._optional_dependencies import check_matplotlib_support
from sklearn.utils._plotting import _validate_style_kwargs

# release in which the **kwargs of the multi-curve plots, deprecated in favour
# of curve_kwargs (as scikit-learn 1.7 did for its curve Displays), go away
_KWARGS_REMOVED_IN = "0.3"


def _get_axes(caller, ax):
    """Check matplotlib is there and return ``(ax, figure)``, new if ``ax`` is None."""
    check_matplotlib_support(caller)
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots()
    return ax, ax.figure


def _get_axes_grid(ax, n_rows, n_cols, *, figsize, grid_name, cells_name):
    """An ``(n_rows, n_cols)`` grid of Axes, its figure and its bounding Axes.

    ``ax`` None creates a figure of ``figsize``; a single Axes (made by a
    subplot) is divided into the grid and returned as the bounding Axes; an
    array-like of ``n_rows * n_cols`` Axes is the grid, row by row.
    ``grid_name`` and ``cells_name`` describe the grid and its cells in the
    error messages. matplotlib must have been checked by the caller.
    """
    import matplotlib.pyplot as plt
    from matplotlib.gridspec import GridSpecFromSubplotSpec

    if ax is None:
        figure, axes = plt.subplots(
            n_rows, n_cols, squeeze=False, figsize=figsize, layout="constrained"
        )
        return axes, figure, None
    if isinstance(ax, plt.Axes):
        spec = ax.get_subplotspec()
        if spec is None:
            raise ValueError(
                f"ax must be an Axes made by a subplot (it is divided into "
                f"{grid_name}) or an array of {n_rows * n_cols} Axes."
            )
        ax.set_axis_off()
        grid = GridSpecFromSubplotSpec(
            n_rows, n_cols, subplot_spec=spec, wspace=0.4, hspace=0.4
        )
        axes = np.empty((n_rows, n_cols), dtype=object)
        for index in np.ndindex(axes.shape):
            axes[index] = ax.figure.add_subplot(grid[index])
        return axes, ax.figure, ax
    axes = np.asarray(ax, dtype=object)
    if axes.size != n_rows * n_cols:
        raise ValueError(
            f"Expected ax to have {n_rows * n_cols} Axes ({cells_name}), got "
            f"{axes.size}."
        )
    axes = axes.reshape(n_rows, n_cols)
    return axes, axes[0, 0].figure, None


def _layer_label(layer):
    """'l -> l+1', 1-based as in the paper, for the connections of ``layer``."""
    return f"{layer + 1}\N{RIGHTWARDS ARROW}{layer + 2}"


# horizontal axis of the plots against the layer: its ticks are "1->2", ...
_LAYER_AXIS_LABEL = "layer of connections (l\N{RIGHTWARDS ARROW}l+1)"


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


def _deprecated_kwargs(curve_kwargs, kwargs, *, stacklevel=3):
    """``curve_kwargs``, or the deprecated ``**kwargs`` of a plot in its place.

    As scikit-learn's curve Displays (1.7 and later): matplotlib keywords
    passed as ``**kwargs`` still style every curve, with a FutureWarning;
    passing both is an error.
    """
    if curve_kwargs and kwargs:
        raise ValueError(
            "Cannot provide both `curve_kwargs` and `kwargs`. `**kwargs` is "
            f"deprecated and will be removed in {_KWARGS_REMOVED_IN}. Pass all "
            "matplotlib arguments to `curve_kwargs` as a dictionary."
        )
    if kwargs:
        warnings.warn(
            f"`**kwargs` is deprecated and will be removed in {_KWARGS_REMOVED_IN}. "
            "Pass all matplotlib arguments to `curve_kwargs` as a dictionary "
            "instead.",
            FutureWarning,
            stacklevel=stacklevel,
        )
        return kwargs
    return curve_kwargs


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
