"""Targeted perturbation of connections (Li & Huang, Fig. 4a)."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils import Bunch
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from .._sampled import SampledNetwork
from .._sas import credit_masks, sample_sas
from .._utils import spawn_seeds
from ._credit import _distribution


def _perturb(weights, mask, kind, fraction, vip, uip, rng):
    """Copies of one layer's sampled ``weights`` and ``mask``, perturbed."""
    weights, mask = weights.copy(), mask.copy()
    flat_w, flat_mask = weights.reshape(-1), mask.reshape(-1)
    if kind == "uip":
        pool = np.flatnonzero(uip)
        chosen = rng.choice(pool, size=round(fraction * pool.size), replace=False)
        flat_w[chosen] = rng.standard_normal(chosen.size)
        flat_mask[chosen] = True
        return weights, mask
    pool = np.flatnonzero(vip) if kind == "vip" else np.arange(vip.size)
    n_off = round(fraction * int(vip.sum()))
    chosen = rng.choice(pool, size=min(n_off, pool.size), replace=False)
    flat_w[chosen] = 0
    flat_mask[chosen] = False
    return weights, mask


@validate_params(
    {
        "estimator": [object],
        "X": ["array-like", "sparse matrix"],
        "y": ["array-like"],
        "layer": [Interval(Integral, 0, None, closed="left")],
        "fractions": ["array-like"],
        "kind": [StrOptions({"vip", "random", "uip"})],
        "n_networks": [Interval(Integral, 1, None, closed="left")],
        "pi_tol": [Interval(Real, 0, 0.5, closed="left")],
        "xi_tol": [Interval(Real, 0, None, closed="left")],
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
    pi_tol=1e-6,
    xi_tol=1e-8,
    random_state=None,
):
    """Error of sampled networks after perturbing one layer's connections.

    The targeted perturbation of Li & Huang's Fig. 4a. Concrete networks are
    sampled from the fitted distribution; then, in layer ``layer``:

    - ``kind="vip"``: a random fraction ``f`` of the very important
      connections is turned off;
    - ``kind="random"``: as many connections as ``"vip"`` turns off, chosen
      at random among all of the layer's connections, are turned off;
    - ``kind="uip"``: a random fraction ``f`` of the unimportant connections
      is turned on, with weights drawn from ``Normal(0, 1)`` (on the scale of
      the slab means).

    Each network is sampled once and perturbed at every fraction, so the
    curves compare like with like.

    Parameters
    ----------
    estimator : SaSMLPClassifier
        A fitted spike-and-slab network.

    X : {array-like, sparse matrix} of shape (n_samples, n_features)
        Evaluation data (a held-out test set).

    y : array-like of shape (n_samples,)
        Its labels.

    layer : int, default=0
        Index of the layer perturbed (0 is the input layer's connections).

    fractions : array-like of float in [0, 1], default=np.linspace(0, 1, 11)
        Fractions ``f`` of connections perturbed.

    kind : {"vip", "random", "uip"}, default="vip"
        Which connections are perturbed, and how.

    n_networks : int, default=10
        Number of sampled networks averaged.

    pi_tol, xi_tol : float, default=1e-6, 1e-8
        Tolerances of the VIP and UIP classes (:func:`credit_assignment`).

    random_state : int, RandomState instance or None, default=None
        Seeds the sampling and the choice of connections.

    Returns
    -------
    result : :class:`~sklearn.utils.Bunch`
        ``fractions`` (shape ``(n_fractions,)``), ``errors`` (test error of
        every network at every fraction, shape ``(n_fractions,
        n_networks)``), ``mean_error`` and ``std_error`` over the networks,
        ``n_perturbed`` (connections perturbed at each fraction), ``kind``
        and ``layer``.

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
    slab_means, spike_probs, slab_vars = _distribution(estimator)
    if layer >= len(spike_probs):
        raise ValueError(
            f"layer={layer} is out of range: the network has "
            f"{len(spike_probs)} layers of connections."
        )
    fractions = np.asarray(fractions, dtype=float).reshape(-1)
    if fractions.size == 0 or np.any((fractions < 0) | (fractions > 1)):
        raise ValueError(f"fractions must be non-empty and in [0, 1], got {fractions}.")
    vip, uip, _ = credit_masks(
        spike_probs[layer], slab_vars[layer], pi_tol=pi_tol, xi_tol=xi_tol
    )
    vip, uip = vip.reshape(-1), uip.reshape(-1)
    errors = np.empty((fractions.size, n_networks))
    for k, seed in enumerate(spawn_seeds(random_state, n_networks)):
        rng = np.random.default_rng(seed)
        draws = [sample_sas(m, pi, xi, rng) for m, pi, xi in
                 zip(slab_means, spike_probs, slab_vars)]  # fmt: skip
        weights, masks = [w for w, _ in draws], [mask for _, mask in draws]
        for i, fraction in enumerate(fractions):
            w, mask = _perturb(
                weights[layer], masks[layer], kind, fraction, vip, uip, rng
            )
            net = SampledNetwork._from_sample(
                estimator,
                [*weights[:layer], w.astype(weights[layer].dtype), *weights[layer + 1 :]],
                [*masks[:layer], mask, *masks[layer + 1 :]],
            )
            errors[i, k] = 1.0 - net.score(X, y)
    pool = int(uip.sum()) if kind == "uip" else int(vip.sum())
    return Bunch(
        fractions=fractions,
        errors=errors,
        mean_error=errors.mean(axis=1),
        std_error=errors.std(axis=1),
        n_perturbed=np.array([round(f * pool) for f in fractions]),
        kind=kind,
        layer=layer,
    )
