"""Which steps of a ``Pipeline`` keep every column in its place.

``SaSFeatureSelector`` selects the columns of ``X`` by the credit a network
gives its own inputs: through a ``Pipeline``, the two are the same columns
only when every step before the network transforms each column on its own,
in place.
"""

from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (
    Binarizer,
    FunctionTransformer,
    MaxAbsScaler,
    MinMaxScaler,
    PowerTransformer,
    QuantileTransformer,
    RobustScaler,
    StandardScaler,
)

# Steps whose output column i is a function of input column i alone, for
# every i: input i of the network after them is raw column i. Exact types:
# a subclass may override transform.
_COLUMNWISE = (
    StandardScaler,
    MinMaxScaler,
    MaxAbsScaler,
    RobustScaler,
    QuantileTransformer,
    PowerTransformer,
    Binarizer,
)


def _not_columnwise(name, step):
    """``(name, step)`` of the first (innermost) step that may move, mix,
    add or drop columns, or None if ``step`` keeps each column in place."""
    if step is None or (isinstance(step, str) and step == "passthrough"):
        return None
    if type(step) is Pipeline:
        for inner_name, inner in step.steps:
            found = _not_columnwise(f"{name}__{inner_name}", inner)
            if found is not None:
                return found
        return None
    if type(step) is FunctionTransformer and step.func is None:
        return None  # the identity
    if type(step) in _COLUMNWISE:
        return None
    return name, step


def check_columnwise_pipeline(estimator):
    """Refuse a ``Pipeline`` whose steps before the network are not known to
    leave input ``i`` of the network raw column ``i``.

    The selector's support indexes the pipeline's input columns but is
    computed from the network's inputs; they are the same columns only when
    every earlier step transforms each column on its own, in place.
    """
    if not isinstance(estimator, Pipeline):
        return
    n_in = getattr(estimator, "n_features_in_", None)
    n_network = getattr(estimator.steps[-1][1], "n_features_in_", None)
    count = ""
    if n_in is not None and n_network is not None and n_in != n_network:
        count = f" (the steps before the network turn {n_in} features into {n_network})"
    for name, step in estimator.steps[:-1]:
        found = _not_columnwise(name, step)
        if found is not None:
            name, step = found
            kind = type(step).__name__
            columnwise = ", ".join(t.__name__ for t in _COLUMNWISE)
            raise ValueError(
                "SaSFeatureSelector selects the pipeline's input columns by the "
                "credit the network gives its own inputs, which are the same "
                "columns only if every step before the network transforms each "
                f"column on its own and keeps it in its place: {columnwise}, "
                "FunctionTransformer() without func, 'passthrough', or a "
                f"Pipeline of these. Step {name!r} ({kind}) is not one of "
                f"them{count}. Put the selector inside the pipeline instead, "
                f"after the steps that change the features: make_pipeline("
                f"{kind}(...), SaSFeatureSelector(SaSMLPClassifier()), "
                "SaSMLPClassifier()); or select from the network alone, "
                "SaSFeatureSelector(pipeline[-1], prefit=True) fitted on "
                "pipeline[:-1].transform(X)."
            )
    if count:
        # fitted steps of different data put together
        raise ValueError(
            "SaSFeatureSelector selects the pipeline's input columns by the "
            "credit the network gives its own inputs, but the steps before the "
            f"network turn {n_in} features into {n_network}: refit the pipeline."
        )
