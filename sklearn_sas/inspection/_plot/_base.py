"""Helpers shared by the Displays of the inspection module: the grids of
Axes and the layer axis."""

from numbers import Integral

import numpy as np


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
