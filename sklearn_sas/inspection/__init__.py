"""Credit assignment, entropy and perturbation of spike-and-slab networks."""

from ._credit import CreditAssignment, connection_entropy, credit_assignment
from ._perturbation import perturbation_curve

__all__ = [
    "CreditAssignment",
    "connection_entropy",
    "credit_assignment",
    "perturbation_curve",
]
