"""Spike-and-slab neural networks trained with generalized backpropagation."""

__version__ = "0.1.0.dev0"
