"""Keep-masks from the learned distribution: the pruning rules."""

from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._sas import M_TOL, PI_TOL, XI_TOL, credit_masks, sas_moments
from .._utils import TOLERANCE_CONSTRAINTS, fitted_distribution


class PruningMasks(list):
    """Boolean keep-masks, one per layer, with how they were made.

    A plain ``list`` of arrays of shape ``(N_l, N_{l+1})`` (True = keep), so
    it goes wherever a list of masks does; ``info`` records the rule and its
    parameters for :func:`export_masks`.

    Attributes
    ----------
    info : dict
        ``rule`` and its parameters (``threshold``, ``sparsity``, ``scope``,
        ``score``, ``pi_tol``, ``xi_tol``, ``m_tol``), where known.
    """

    def __init__(self, masks, info=None):
        super().__init__(masks)
        self.info = dict(info or {})

    @property
    def sparsity(self):
        """Fraction of all connections dropped."""
        kept = sum(int(mask.sum()) for mask in self)
        return 1.0 - kept / sum(mask.size for mask in self)


@validate_params(
    {
        "estimator": [object],
        "score": [StrOptions({"magnitude", "snr", "spike"})],
    },
    prefer_skip_nested_validation=True,
)
def connection_scores(estimator, score="magnitude"):
    """How much each connection is worth keeping, per layer (larger = keep).

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.
    score : {"magnitude", "snr", "spike"}, default="magnitude"
        ``"magnitude"``: ``(1 - pi) |m|``, the magnitude of the connection's
        mean weight. ``"snr"``: ``|mu| / sqrt(var)``, the signal-to-noise
        ratio of the weight (infinite for deterministic connections).
        ``"spike"``: ``1 - pi`` alone.

    Returns
    -------
    scores : list of ndarray of float64, shaped like ``spike_probs_``
    """
    slab_means, spike_probs, slab_vars = fitted_distribution(estimator)
    scores = []
    for m, pi, xi in zip(slab_means, spike_probs, slab_vars):
        m, pi, xi = (np.asarray(a, dtype=np.float64) for a in (m, pi, xi))
        mu, var, keep = sas_moments(m, pi, xi)
        mean = np.abs(mu)
        if score == "magnitude":
            scores.append(mean)
        elif score == "snr":
            std = np.sqrt(var)
            with np.errstate(divide="ignore", invalid="ignore"):
                snr = np.where(std > 0, mean / std, np.where(mean > 0, np.inf, 0.0))
            scores.append(snr)
        else:  # "spike", the only score left by the checks
            scores.append(keep)
    return scores


_RULES = ("uip", "map", "threshold", "sparsity")

# the rule that uses each option of pruning_masks
_OPTION_RULES = {
    "threshold": "threshold",
    "sparsity": "sparsity",
    "scope": "sparsity",
    "score": "sparsity",
    "pi_tol": "uip",
    "xi_tol": "uip",
    "m_tol": "uip",
}


def _check_rule_options(rule, options):
    """Refuse the options given (not None) that ``rule`` does not use.

    ``options`` maps names of options of :func:`pruning_masks` (other than
    ``rule``) to their values; an option meant for another rule would be
    silently ignored, so it is a ``ValueError`` naming the rule that uses it.
    Every function taking pruning options comes through here (through
    :func:`pruning_masks`, or directly, as :func:`fine_tune` does before any
    training).
    """
    unused = [
        (name, value, _OPTION_RULES[name])
        for name, value in options.items()
        if value is not None and _OPTION_RULES[name] != rule
    ]
    if not unused:
        return
    told = f"rule={rule!r}" + (" (the default)" if rule == "uip" else "")
    if len(unused) == 1:
        ((name, value, owner),) = unused
        raise ValueError(
            f"{told} does not use {name}={value!r}, an option of rule={owner!r}: "
            f"pass rule={owner!r}, or leave {name} out."
        )
    listed = ", ".join(
        f"{name}={value!r} (an option of rule={owner!r})"
        for name, value, owner in unused
    )
    owners = {owner for _, _, owner in unused}
    advice = (
        f"pass rule={owners.pop()!r}, or leave them out"
        if len(owners) == 1
        else "pass one rule with its own options only"
    )
    raise ValueError(f"{told} does not use {listed}: {advice}.")


def _check_sparsity_list(sparsities, message):
    """``sparsities`` as a 1-D array of fractions in [0, 1]; a ``ValueError``
    saying ``message`` for anything else (not 1-D, empty, not numbers)."""
    values = np.asarray(sparsities)
    if (
        values.ndim != 1
        or values.size == 0
        or values.dtype.kind not in "iuf"
        or not np.all((values >= 0) & (values <= 1))
    ):
        raise ValueError(f"{message}, got {sparsities!r}.")
    return values


def _keep_best(scores, n_drop):
    """Boolean keep-mask dropping exactly the ``n_drop`` lowest ``scores``
    (ties broken by position, so the count is exact)."""
    flat = np.concatenate([s.ravel() for s in scores])
    keep = np.ones(flat.size, dtype=bool)
    keep[np.argsort(flat, kind="stable")[:n_drop]] = False
    out, start = [], 0
    for s in scores:
        out.append(keep[start : start + s.size].reshape(s.shape))
        start += s.size
    return out


@validate_params(
    {
        "estimator": [object],
        "rule": [StrOptions(set(_RULES))],
        "threshold": [Interval(Real, 0, 1, closed="right"), None],
        "sparsity": [Interval(Real, 0, 1, closed="both"), None],
        "scope": [StrOptions({"global", "layer"}), None],
        "score": [StrOptions({"magnitude", "snr", "spike"}), None],
        # None: the option of another rule, left out
        **{name: [*kind, None] for name, kind in TOLERANCE_CONSTRAINTS.items()},
    },
    prefer_skip_nested_validation=True,
)
def pruning_masks(
    estimator,
    *,
    rule="uip",
    threshold=None,
    sparsity=None,
    scope=None,
    score=None,
    pi_tol=None,
    xi_tol=None,
    m_tol=None,
):
    """Keep-masks of the connections of a fitted spike-and-slab network.

    Parameters
    ----------
    estimator : SaSMLPClassifier or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one.

    rule : {"uip", "map", "threshold", "sparsity"}, default="uip"
        - ``"uip"``: drop the unimportant connections, never present in any
          sampled network: ``pi >= 1 - pi_tol``, or ``xi <= xi_tol`` and
          ``|m| <= m_tol`` (a weight that is always zero, whatever ``pi``),
          the UIP class of
          :func:`~sklearn_sas.inspection.credit_assignment`;
        - ``"map"``: keep ``pi < 0.5``, the most probable sub-network;
        - ``"threshold"``: keep ``pi < threshold``;
        - ``"sparsity"``: drop exactly the fraction ``sparsity`` of the
          connections with the lowest ``score``, over all layers together
          (``scope="global"``) or in every layer (``scope="layer"``).

        Each of the other options belongs to one rule and is refused with a
        ``ValueError``, rather than ignored, with any other: ``threshold``
        to ``"threshold"``; ``sparsity``, ``scope`` and ``score`` to
        ``"sparsity"``; ``pi_tol``, ``xi_tol`` and ``m_tol`` to ``"uip"``.
        ``"map"`` takes none.

    threshold : float in (0, 1], default=None
        Spike probability from which ``rule="threshold"`` drops; needed by
        that rule, refused by the others.

    sparsity : float in [0, 1], default=None
        Fraction of connections ``rule="sparsity"`` drops; needed by that
        rule, refused by the others.

    scope : {"global", "layer"}, default=None
        Where ``rule="sparsity"`` ranks connections; None means
        ``"global"``. Refused by the other rules.

    score : {"magnitude", "snr", "spike"}, default=None
        Ranking of ``rule="sparsity"``, see :func:`connection_scores`; None
        means ``"magnitude"``, the expected weight magnitude
        ``(1 - pi)|m|``, which kept the most accuracy of the package's scores
        in ``benchmarks/bench_compression.py`` (its output is stored in
        ``benchmarks/output/``); ``"snr"`` and ``"spike"`` collapse at high
        sparsity, and the spike probability alone ties at ``pi = 0`` for many
        connections. Refused by the other rules.

    pi_tol : float, default=None
        Tolerance of ``rule="uip"`` on the spike probability, in [0, 0.5);
        None means 1e-6. Refused by the other rules.

    xi_tol : float, default=None
        Slab variances at or below it count as zero for ``rule="uip"``;
        None means 1e-8. Refused by the other rules.

    m_tol : float, default=None
        Slab means at or below it in magnitude count as zero for
        ``rule="uip"``; None means 1e-6. Refused by the other rules.

    Returns
    -------
    masks : PruningMasks
        A list of boolean arrays shaped like ``spike_probs_``, True where a
        connection is kept, with the rule recorded in ``masks.info``.

    Raises
    ------
    ValueError
        When an option is given that ``rule`` does not use (``sparsity``
        without ``rule="sparsity"``, ...), or ``rule`` misses the option it
        needs.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.compression import pruning_masks
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((32,), max_iter=20, random_state=0).fit(X, y)
    >>> masks = pruning_masks(clf, rule="sparsity", sparsity=0.9, scope="layer")
    >>> [round(float(1 - mask.mean()), 3) for mask in masks]  # in every layer
    [0.9, 0.9]
    """
    given = {
        "threshold": threshold,
        "sparsity": sparsity,
        "scope": scope,
        "score": score,
        "pi_tol": pi_tol,
        "xi_tol": xi_tol,
        "m_tol": m_tol,
    }
    _check_rule_options(rule, given)
    # the options left out (None) take their defaults
    scope = "global" if scope is None else scope
    score = "magnitude" if score is None else score
    tolerances = {
        "pi_tol": PI_TOL if pi_tol is None else pi_tol,
        "xi_tol": XI_TOL if xi_tol is None else xi_tol,
        "m_tol": M_TOL if m_tol is None else m_tol,
    }
    slab_means, spike_probs, slab_vars = fitted_distribution(estimator)
    info = {"rule": rule, **tolerances}
    if rule == "uip":
        layers = zip(slab_means, spike_probs, slab_vars)
        # credit_masks returns (vip, uip, variable): keep all but the UIP
        masks = [~credit_masks(m, pi, xi, **tolerances)[1] for m, pi, xi in layers]
    elif rule == "map":
        masks = [pi < 0.5 for pi in spike_probs]
    elif rule == "threshold":
        if threshold is None:
            raise ValueError("rule='threshold' needs a threshold in (0, 1].")
        masks = [pi < threshold for pi in spike_probs]
        info["threshold"] = threshold
    else:
        if sparsity is None:
            raise ValueError("rule='sparsity' needs a sparsity in [0, 1].")
        scores = connection_scores(estimator, score)
        if scope == "global":
            n_drop = round(sparsity * sum(s.size for s in scores))
            masks = _keep_best(scores, n_drop)
        else:
            masks = [_keep_best([s], round(sparsity * s.size))[0] for s in scores]
        info.update(sparsity=sparsity, scope=scope, score=score)
    return PruningMasks([np.asarray(mask, dtype=bool) for mask in masks], info)
