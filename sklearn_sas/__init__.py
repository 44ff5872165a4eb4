"""Spike-and-slab neural networks trained with generalized backpropagation."""

from ._classifier import SaSMLPClassifier
from ._regressor import SaSMLPRegressor
from ._sampled import SampledNetwork
from .feature_selection import SaSFeatureSelector

__version__ = "0.1.0.dev0"

__all__ = [
    "SaSFeatureSelector",
    "SaSMLPClassifier",
    "SaSMLPRegressor",
    "SampledNetwork",
]
