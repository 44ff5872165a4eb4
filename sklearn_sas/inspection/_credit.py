"""Connection entropy and credit assignment of a fitted spike-and-slab network."""

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._sas import M_TOL, PI_TOL, XI_TOL, credit_masks, sas_entropy, sas_entropy_mc
from .._utils import TOLERANCE_CONSTRAINTS, fitted_distribution


@validate_params(
    {
        "estimator": [object],
        # "mc" as the estimators' inference="mc"; "monte_carlo" as DESIGN.md
        "method": [StrOptions({"analytic", "mc", "monte_carlo"})],
        "n_samples": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
        "xi_tol": TOLERANCE_CONSTRAINTS["xi_tol"],
        "m_tol": TOLERANCE_CONSTRAINTS["m_tol"],
    },
    prefer_skip_nested_validation=True,
)
def connection_entropy(
    estimator,
    *,
    method="analytic",
    n_samples=100,
    random_state=None,
    xi_tol=XI_TOL,
    m_tol=M_TOL,
):
    """Entropy of every connection's spike-and-slab distribution.

    The entropy of Li & Huang's Eq. (8) measures how variable a connection
    is: zero for a deterministic one (absent, ``pi = 1``; or always present
    with a fixed weight, ``pi = 0`` and ``xi = 0``), large for a broad slab.
    Continuous entropies can be negative.

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.

    method : {"analytic", "mc"}, default="analytic"
        ``"analytic"`` is the closed form, the exact expectation of the
        paper's estimator; ``"mc"`` is the paper's Monte-Carlo estimator with
        ``n_samples`` standard normal draws per connection (``"monte_carlo"``
        is accepted as another spelling of it).

    n_samples : int, default=100
        Number of draws ``B`` of the Monte-Carlo estimator (the paper's 100).

    random_state : int, RandomState instance or None, default=None
        Seeds the Monte-Carlo draws.

    xi_tol : float, default=1e-8
        Slab variances at or below it count as zero: the slab is then a
        point mass and the entropy that of the discrete spike/point choice.

    m_tol : float, default=1e-6
        Slab means at or below it in magnitude count as zero: a point mass at
        zero is the same weight as the spike, and its entropy is 0.

    Returns
    -------
    entropy : list of ndarray of shape (N_l, N_{l+1})
        One float64 array per layer, shaped like ``spike_probs_``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import connection_entropy
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((16,), max_iter=10, random_state=0).fit(X, y)
    >>> [S.shape for S in connection_entropy(clf)]
    [(64, 16), (16, 10)]
    """
    slab_means, spike_probs, slab_vars = fitted_distribution(estimator)
    if method == "analytic":
        return [
            sas_entropy(m, pi, xi, xi_tol=xi_tol, m_tol=m_tol)
            for m, pi, xi in zip(slab_means, spike_probs, slab_vars)
        ]
    rng = np.random.default_rng(
        check_random_state(random_state).randint(np.iinfo(np.int32).max)
    )
    return [
        sas_entropy_mc(m, pi, xi, n_samples, rng, xi_tol=xi_tol, m_tol=m_tol)
        for m, pi, xi in zip(slab_means, spike_probs, slab_vars)
    ]


# eq=False: the fields are lists of arrays, which have no single truth value;
# repr=False: __repr__ below prints the per-layer table
@dataclass(eq=False, repr=False)
class CreditAssignment:
    """Credit of every connection of a spike-and-slab network.

    Built by :func:`credit_assignment`. Every connection falls in exactly
    one class: very important (VIP, always present with a deterministic
    non-zero weight), unimportant (UIP, always absent: prunable) or variable.

    Attributes
    ----------
    vip_masks : list of ndarray of bool
        Per layer, True where ``pi <= pi_tol``, ``xi <= xi_tol`` and
        ``|m| > m_tol`` (with ``strict_paper``, whatever ``m``).
    uip_masks : list of ndarray of bool
        Per layer, True where ``pi >= 1 - pi_tol``, or ``xi <= xi_tol`` and
        ``|m| <= m_tol`` (with ``strict_paper``, only the former).
    variable_masks : list of ndarray of bool
        Per layer, every other connection.
    entropy : list of ndarray of float64
        Per layer, the connection entropy (:func:`connection_entropy`).
    spike_probs : list of ndarray
        Per layer, the spike probabilities ``pi`` the classes come from.
    pi_tol, xi_tol, m_tol : float
        The tolerances used.
    strict_paper : bool
        Whether the paper's literal rule was used.
    """

    vip_masks: list
    uip_masks: list
    variable_masks: list
    entropy: list
    spike_probs: list
    pi_tol: float
    xi_tol: float
    m_tol: float = M_TOL
    strict_paper: bool = False

    def summary(self, *, as_frame=False):
        """One row per layer: sparsity, class fractions and counts, entropy.

        Parameters
        ----------
        as_frame : bool, default=False
            Return a pandas DataFrame (pandas must be installed) instead of a
            list of dicts.

        Returns
        -------
        rows : list of dict or pandas.DataFrame
            Keys: ``layer``, ``shape``, ``n_connections``, ``sparsity``
            (mean of pi), ``vip_fraction``, ``uip_fraction``,
            ``variable_fraction``, ``n_vip``, ``n_uip``, ``n_variable``,
            ``entropy_per_connection`` (mean entropy).
        """
        rows = []
        for layer, (pi, vip, uip, var, S) in enumerate(
            zip(
                self.spike_probs,
                self.vip_masks,
                self.uip_masks,
                self.variable_masks,
                self.entropy,
            )
        ):
            size = pi.size
            rows.append(
                {
                    "layer": layer,
                    "shape": f"{pi.shape[0]}x{pi.shape[1]}",
                    "n_connections": size,
                    "sparsity": float(np.mean(pi)),
                    "vip_fraction": int(vip.sum()) / size,
                    "uip_fraction": int(uip.sum()) / size,
                    "variable_fraction": int(var.sum()) / size,
                    "n_vip": int(vip.sum()),
                    "n_uip": int(uip.sum()),
                    "n_variable": int(var.sum()),
                    "entropy_per_connection": float(np.mean(S)),
                }
            )
        if as_frame:
            import pandas as pd

            return pd.DataFrame(rows).set_index("layer")
        return rows

    def __str__(self):
        columns = [
            ("layer", "{:<6}", "layer"),
            ("shape", "{:>10}", "shape"),
            ("sparsity", "{:>9.3f}", "mean pi"),
            ("vip_fraction", "{:>7.3f}", "VIP"),
            ("uip_fraction", "{:>7.3f}", "UIP"),
            ("variable_fraction", "{:>9.3f}", "variable"),
            ("entropy_per_connection", "{:>14.3f}", "entropy/conn"),
        ]
        widths = [len(fmt.format(0 if "f" in fmt else "")) for _, fmt, _ in columns]
        head = "".join(
            f"{title:<{w}}" if i == 0 else f"{title:>{w}}"
            for i, ((_, _, title), w) in enumerate(zip(columns, widths))
        )
        lines = [head]
        for row in self.summary():
            lines.append("".join(fmt.format(row[key]) for key, fmt, _ in columns))
        return "\n".join(lines)

    def __repr__(self):
        options = f"pi_tol={self.pi_tol}, xi_tol={self.xi_tol}, m_tol={self.m_tol}"
        if self.strict_paper:
            options += ", strict_paper=True"
        return f"CreditAssignment({options})\n{self}"


@validate_params(
    {
        "estimator": [object],
        **TOLERANCE_CONSTRAINTS,
        "strict_paper": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def credit_assignment(
    estimator, *, pi_tol=PI_TOL, xi_tol=XI_TOL, m_tol=M_TOL, strict_paper=False
):
    """Classify every connection as very important, unimportant or variable.

    Li & Huang's definition, with its degenerate case made explicit. A
    connection's weight follows ``pi delta(w) + (1 - pi) Normal(w | m, xi)``:

    - very important (VIP): ``pi <= pi_tol``, ``xi <= xi_tol`` and
      ``|m| > m_tol``: always present with a deterministic non-zero weight;
    - unimportant (UIP): ``pi >= 1 - pi_tol``, always absent, prunable; and
      so is a connection with ``xi <= xi_tol`` and ``|m| <= m_tol``, whose
      distribution is the point mass ``delta(w)`` whatever ``pi`` is (with
      coupled L2 and Adam, training drives the connections the data does not
      need there, among them every connection from an input that is zero in
      all training rows);
    - variable: all others.

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.

    pi_tol : float, default=1e-6
        Tolerance on the spike probability, in [0, 0.5).

    xi_tol : float, default=1e-8
        Tolerance on the slab variance.

    m_tol : float, default=1e-6
        Slab means at or below it in magnitude count as zero.

    strict_paper : bool, default=False
        Use the paper's literal rule (VIP: ``pi <= pi_tol`` and
        ``xi <= xi_tol`` whatever ``m``; UIP: ``pi >= 1 - pi_tol``), for
        reproducing its figures. A weight that is deterministically zero is
        then VIP.

    Returns
    -------
    credit : CreditAssignment
        Masks of the three classes and the connection entropy, per layer,
        with a per-layer ``summary()``.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import credit_assignment
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((16,), max_iter=10, random_state=0).fit(X, y)
    >>> credit = credit_assignment(clf)
    >>> [row["n_connections"] for row in credit.summary()]
    [1024, 160]
    """
    slab_means, spike_probs, slab_vars = fitted_distribution(estimator)
    tolerances = {"pi_tol": pi_tol, "xi_tol": xi_tol, "m_tol": m_tol}
    layers = list(zip(slab_means, spike_probs, slab_vars))
    masks = [
        credit_masks(m, pi, xi, **tolerances, strict_paper=strict_paper)
        for m, pi, xi in layers
    ]
    entropy = [
        sas_entropy(m, pi, xi, xi_tol=xi_tol, m_tol=m_tol) for m, pi, xi in layers
    ]
    return CreditAssignment(
        vip_masks=[vip for vip, _, _ in masks],
        uip_masks=[uip for _, uip, _ in masks],
        variable_masks=[var for _, _, var in masks],
        entropy=entropy,
        spike_probs=list(spike_probs),
        **tolerances,
        strict_paper=strict_paper,
    )
