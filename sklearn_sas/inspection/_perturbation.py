"""Targeted perturbation of connections (Li & Huang, Fig. 4a)."""

from numbers import Integral

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._sampled import sampled_network
from .._sas import M_TOL, PI_TOL, XI_TOL, credit_masks, sample_sas
from .._utils import (
    TOLERANCE_CONSTRAINTS,
    fitted_distribution,
    sas_network,
    score_name,
    spawn_seeds,
)


def _candidates(kind, vip, uip, variable):
    """Flat indices of the connections of one layer that ``kind`` draws from."""
    pools = {
        "vip": vip,
        "uip": uip,
        "random": np.ones_like(vip),
        "random_variable": variable,
    }
    return np.flatnonzero(pools[kind])


def _perturbed_layers(weights, mask, pool, counts, switch_on, rng):
    """Copies of one layer's sampled ``weights`` and ``mask`` with ``count``
    connections of ``pool`` turned on (``switch_on``) or off, for each count
    of ``counts`` (none larger than ``pool``).

    One random order of the candidate connections serves every count, so a
    larger perturbation contains the smaller ones and the curve is not
    redrawn at every fraction.
    """
    order = rng.permutation(pool)
    switched_on = rng.standard_normal(order.size).astype(weights.dtype)
    for count in counts:
        chosen = order[:count]
        w, present = weights.copy(), mask.copy()
        w.reshape(-1)[chosen] = switched_on[:count] if switch_on else 0
        present.reshape(-1)[chosen] = switch_on
        yield w, present


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "layer": [Interval(Integral, 0, None, closed="left")],
        "fractions": ["array-like"],
        "kind": [StrOptions({"vip", "random", "random_variable", "uip"})],
        "n_networks": [Interval(Integral, 1, None, closed="left")],
        **TOLERANCE_CONSTRAINTS,
        "strict_paper": ["boolean"],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def perturbation_curve(
    estimator,
    X,
    y,
    *,
    layer=0,
    fractions=np.linspace(0, 1, 11),
    kind="vip",
    n_networks=10,
    pi_tol=PI_TOL,
    xi_tol=XI_TOL,
    m_tol=M_TOL,
    strict_paper=False,
    random_state=None,
):
    """Error of sampled networks after perturbing one layer's connections.

    The error of a network is one minus its own ``score``: the error rate of
    a classifier, ``1 - R^2`` of a regressor (the fraction of the targets'
    variance it leaves unexplained).

    The targeted perturbation of Li & Huang's Fig. 4a. Concrete networks are
    sampled from the fitted distribution; then, in layer ``layer``:

    - ``kind="vip"``: a random fraction ``f`` of the very important
      connections is turned off;
    - ``kind="random"``: as many connections as ``"vip"`` turns off, chosen
      at random among all of the layer's connections, are turned off (the
      paper's text);
    - ``kind="random_variable"``: as many connections as ``"vip"`` turns
      off, chosen at random among the variable connections only, are turned
      off (what the authors' code does for the paper's figure); when the
      layer has fewer variable connections than that, all of them;
    - ``kind="uip"``: a random fraction ``f`` of the unimportant connections
      is turned on, with weights drawn from ``Normal(0, 1)`` (on the scale of
      the slab means).

    Each network is sampled once and perturbed at every fraction, and the
    connections perturbed at a fraction include those of every smaller one,
    so the curves compare like with like.

    Parameters
    ----------
    estimator : SaSMLPClassifier, SaSMLPRegressor or Pipeline
        A fitted spike-and-slab network, or a fitted ``Pipeline`` ending in
        one (``X`` then goes through the pipeline's other steps first).

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Evaluation data (a held-out test set).

    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Its labels, or its targets for a regressor.

    layer : int, default=0
        Index of the layer perturbed (0 is the input layer's connections).

    fractions : array-like of float in [0, 1], default=np.linspace(0, 1, 11)
        Fractions ``f`` of connections perturbed.

    kind : {"vip", "random", "random_variable", "uip"}, default="vip"
        Which connections are perturbed, and how.

    n_networks : int, default=10
        Number of sampled networks averaged.

    pi_tol : float, default=1e-6
        Tolerance on the spike probability of the VIP and UIP classes, in
        [0, 0.5) (:func:`credit_assignment`).

    xi_tol : float, default=1e-8
        Slab variances at or below it count as zero.

    m_tol : float, default=1e-6
        Slab means at or below it in magnitude count as zero: a connection
        with ``xi <= xi_tol`` and ``|m| <= m_tol`` is always absent, hence
        UIP, not VIP.

    strict_paper : bool, default=False
        Classify by the paper's literal rule instead (VIP: ``pi <= pi_tol``
        and ``xi <= xi_tol`` whatever ``m``; UIP: ``pi >= 1 - pi_tol``).

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling and the choice of connections.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``fractions`` (shape ``(n_fractions,)``), ``errors`` (test error of
        every network at every fraction, shape ``(n_fractions,
        n_networks)``), ``mean_error`` and ``error_std`` (standard
        deviation) over the networks, ``n_perturbed`` (connections perturbed
        at each fraction), ``kind``, ``layer`` and ``score_name``, the
        score the errors are one minus (``"accuracy"`` or ``"R^2"``).

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_sas import SaSMLPClassifier
    >>> from sklearn_sas.inspection import perturbation_curve
    >>> X, y = load_digits(return_X_y=True)
    >>> clf = SaSMLPClassifier((16,), max_iter=20, random_state=0).fit(X, y)
    >>> curve = perturbation_curve(clf, X, y, fractions=[0, 1], kind="random",
    ...                            n_networks=2, random_state=0)
    >>> curve.errors.shape
    (2, 2)
    """
    network, preprocess = sas_network(estimator)
    if preprocess is not None:
        X = preprocess.transform(X)
    slab_means, spike_probs, slab_vars = fitted_distribution(network)
    if layer >= len(spike_probs):
        raise ValueError(
            f"layer={layer} is out of range: the network has "
            f"{len(spike_probs)} layers of connections."
        )
    fractions = np.array(fractions, dtype=float).reshape(-1)
    if fractions.size == 0 or np.any((fractions < 0) | (fractions > 1)):
        raise ValueError(f"fractions must be non-empty and in [0, 1], got {fractions}.")
    vip, uip, variable = (
        mask.reshape(-1)
        for mask in credit_masks(
            slab_means[layer],
            spike_probs[layer],
            slab_vars[layer],
            pi_tol=pi_tol,
            xi_tol=xi_tol,
            m_tol=m_tol,
            strict_paper=strict_paper,
        )
    )
    pool = _candidates(kind, vip, uip, variable)
    # the random kinds turn off as many connections as "vip" does, or as
    # many as they can draw from
    reference = uip if kind == "uip" else vip
    counts = np.minimum(np.round(fractions * reference.sum()).astype(int), pool.size)
    errors = np.empty((fractions.size, n_networks))
    for k, seed in enumerate(spawn_seeds(random_state, n_networks)):
        rng = np.random.default_rng(seed)
        draws = [sample_sas(m, pi, xi, rng) for m, pi, xi in
                 zip(slab_means, spike_probs, slab_vars)]  # fmt: skip
        weights, masks = [w for w, _ in draws], [mask for _, mask in draws]
        perturbed = _perturbed_layers(
            weights[layer], masks[layer], pool, counts, kind == "uip", rng
        )
        for i, (w, mask) in enumerate(perturbed):
            net = sampled_network(
                network,
                [*weights[:layer], w, *weights[layer + 1 :]],
                [*masks[:layer], mask, *masks[layer + 1 :]],
            )
            errors[i, k] = 1.0 - net.score(X, y)
    return Bunch(
        fractions=fractions,
        errors=errors,
        mean_error=errors.mean(axis=1),
        error_std=errors.std(axis=1),
        n_perturbed=counts,
        kind=kind,
        layer=layer,
        score_name=score_name(network),
    )
