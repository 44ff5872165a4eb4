"""Spike-and-slab neural networks trained with generalized backpropagation."""

from ._classifier import SaSMLPClassifier

__version__ = "0.1.0.dev0"

__all__ = ["SaSMLPClassifier"]
