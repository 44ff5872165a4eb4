"""Credit assignment, entropy and perturbation of spike-and-slab networks."""

from ._credit import CreditAssignment, connection_entropy, credit_assignment
from ._perturbation import perturbation_curve
from ._plot.distribution import DistributionDisplay
from ._plot.entropy import EntropyDisplay
from ._plot.layer_profile import LayerProfileDisplay
from ._plot.perturbation import PerturbationDisplay
from ._plot.rejection import RejectionCurveDisplay

__all__ = [
    "CreditAssignment",
    "DistributionDisplay",
    "EntropyDisplay",
    "LayerProfileDisplay",
    "PerturbationDisplay",
    "RejectionCurveDisplay",
    "connection_entropy",
    "credit_assignment",
    "perturbation_curve",
]
