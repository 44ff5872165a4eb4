"""Credit assignment, entropy and perturbation of spike-and-slab networks."""

from ._credit import CreditAssignment, connection_entropy, credit_assignment
from ._displays import (
    DistributionDisplay,
    EntropyDisplay,
    LayerProfileDisplay,
    PerturbationDisplay,
)
from ._perturbation import perturbation_curve

__all__ = [
    "CreditAssignment",
    "DistributionDisplay",
    "EntropyDisplay",
    "LayerProfileDisplay",
    "PerturbationDisplay",
    "connection_entropy",
    "credit_assignment",
    "perturbation_curve",
]
