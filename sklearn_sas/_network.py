"""What every network object of the package shares with the others.

- :class:`NetworkPredictMixin`: the one predict path (``predict_proba``,
  ``predict_log_proba``, ``predict``) of the spike-and-slab estimator and of
  the concrete networks derived from it, which differ only in how they get
  their logits;
- :class:`SaSNetworkMixin`: what a fitted spike-and-slab network has whatever
  its output: the constraints of the network parameters, the checks of the
  parameters prediction reads, the stochastic inference modes and the
  drawing of concrete networks (:meth:`~SaSNetworkMixin.sample_networks`).
  The training loop is ``_base.py``'s; the classifier's output, loss and
  prediction are ``_classifier.py``'s.
"""

from numbers import Integral, Real

import numpy as np
from joblib import effective_n_jobs
from sklearn.utils._param_validation import (
    Interval,
    InvalidParameterError,
    Options,
    StrOptions,
    validate_parameter_constraints,
)
from sklearn.utils.parallel import Parallel, delayed
from sklearn.utils.validation import check_is_fitted

from ._activations import ACTIVATIONS, output_log_proba, output_proba
from ._inference import draw_networks, member_sums
from ._utils import (
    check_finite_output,
    labels_from_scores,
    spawn_seeds,
    validate_prediction_input,
)

STOCHASTIC_SOLVERS = ("adam", "sgd")


def has_stochastic_solver(estimator):
    """Whether ``estimator.partial_fit`` is available: as in the MLPs of
    scikit-learn, for the stochastic solvers only."""
    if estimator.solver not in STOCHASTIC_SOLVERS:
        raise AttributeError(
            f"partial_fit is only available for stochastic optimizers "
            f"{STOCHASTIC_SOLVERS}; {estimator.solver!r} is not one."
        )
    return True


_N_JOBS = [
    Interval(Integral, None, -1, closed="right"),
    Interval(Integral, 1, None, closed="left"),
    None,
]

# the parameters of a spike-and-slab network whatever its output: the
# architecture, training, initialization and inference
NETWORK_PARAMETER_CONSTRAINTS = {
    "hidden_layer_sizes": [
        "array-like",
        Interval(Integral, 1, None, closed="left"),
    ],
    "alpha": [Interval(Real, 0, None, closed="left"), StrOptions({"auto"})],
    "batch_size": [
        StrOptions({"auto"}),
        Interval(Integral, 1, None, closed="left"),
    ],
    "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
    "max_iter": [Interval(Integral, 1, None, closed="left")],
    "activation": [StrOptions(set(ACTIVATIONS))],
    "solver": [StrOptions(set(STOCHASTIC_SOLVERS))],
    "momentum": [Interval(Real, 0, 1, closed="both")],
    "nesterovs_momentum": ["boolean"],
    "learning_rate": [StrOptions({"cosine", "constant", "invscaling", "adaptive"})],
    "power_t": [Interval(Real, 0, None, closed="left")],
    "beta_1": [Interval(Real, 0, 1, closed="left")],
    "beta_2": [Interval(Real, 0, 1, closed="left")],
    "epsilon": [Interval(Real, 0, None, closed="neither")],
    "shuffle": ["boolean"],
    "random_state": ["random_state"],
    "tol": [Interval(Real, 0, None, closed="left"), None],
    "n_iter_no_change": [
        Interval(Integral, 1, None, closed="left"),
        Options(Real, {np.inf}),
    ],
    "early_stopping": ["boolean"],
    "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
    "verbose": ["verbose"],
    "warm_start": ["boolean"],
    "fit_intercept": ["boolean"],
    "init_pi": [Interval(Real, 0, 1, closed="both")],
    "init_xi": [Interval(Real, 0, None, closed="left")],
    "init_m_std": [Interval(Real, 0, None, closed="left")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "inference": [StrOptions({"mean", "mc", "ensemble"})],
    "n_samples": [Interval(Integral, 1, None, closed="left")],
    "n_jobs": _N_JOBS,
    "dtype": [StrOptions({"float32", "float64"}), None],
}


class SparseInputMixin:
    """Networks take scipy sparse input, as ``MLPClassifier`` does."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


class NetworkPredictMixin(SparseInputMixin):
    """The predict path of every classifier network object.

    A subclass gives the logits of its deterministic network by
    ``_deterministic_logits(X)``, or None where it averages stochastic
    members, whose probabilities ``_stochastic_proba(X)`` gives; and the
    scores ``predict`` labels by, with their threshold for logistic outputs,
    by ``_label_scores(X)``.
    """

    def _deterministic_logits(self, X):
        return self._logits(X)

    def _label_scores(self, X):
        return self._logits(X), 0

    def predict_proba(self, X):
        """Class probabilities: of the network, or of a
        :class:`~sklearn_sas.SaSMLPClassifier` by its ``inference`` mode.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Probability of each class, columns ordered as ``classes_``.
        """
        check_is_fitted(self)
        return self._class_proba(X, log=False)

    def predict_log_proba(self, X):
        """Logarithm of the class probabilities.

        ``np.log(predict_proba(X))``, but finite where a deterministic
        network's probability underflows to 0: there it is computed from the
        logits (a log-softmax or log-sigmoid).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data, as for :meth:`predict_proba`.

        Returns
        -------
        log_proba : ndarray of shape (n_samples, n_classes)
            The logarithm of :meth:`predict_proba`, with the same columns.
        """
        check_is_fitted(self)
        return self._class_proba(X, log=True)

    def _class_proba(self, X, *, log):
        """The probabilities, or with ``log`` their logarithm, from the
        logits of the deterministic network when there is one, else from the
        stochastic members."""
        logits = self._deterministic_logits(X)
        if logits is not None:
            output = output_log_proba if log else output_proba
            return output(logits, self.out_activation_)
        proba = self._stochastic_proba(X)
        if not log:
            return proba
        # a class no member gives any probability has log-probability -inf
        with np.errstate(divide="ignore"):
            return np.log(proba)

    def predict(self, X):
        """Predict class labels.

        The class of the largest probability, or with a multilabel target
        every label whose probability exceeds 0.5, as ``MLPClassifier``
        predicts.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Rows to label.

        Returns
        -------
        y : ndarray of shape (n_samples,) or (n_samples, n_labels)
            Predicted class labels, or the indicator matrix of the labels.
        """
        check_is_fitted(self)
        scores, threshold = self._label_scores(X)
        return labels_from_scores(
            self.classes_, scores, self.out_activation_, threshold
        )


class SaSNetworkMixin(SparseInputMixin):
    """Prediction and sampling of a fitted spike-and-slab network, whatever
    its output (the classifier adds :class:`NetworkPredictMixin`)."""

    _parameter_constraints: dict = NETWORK_PARAMETER_CONSTRAINTS

    def _check_prediction_params(self):
        """Validate the parameters that prediction reads: they can be set after
        fit (``set_params(inference="ensemble")``), so fit's check is not
        enough."""
        names = ("inference", "n_samples", "n_jobs")
        validate_parameter_constraints(
            {name: self._parameter_constraints[name] for name in names},
            {name: getattr(self, name) for name in names},
            caller_name=self.__class__.__name__,
        )

    def _validate_X_predict(self, X):
        return validate_prediction_input(self, X, self.slab_means_[0].dtype)

    def _predict_logits(self, X):
        """Logits of the mean network for prediction."""
        logits = self._mean_logits(X, self._moments()[0], self.intercepts_)
        return check_finite_output(logits, logits.dtype)

    def _deterministic_logits(self, X):
        """The mean network's logits with ``inference="mean"``, else None."""
        self._check_prediction_params()
        if self.inference != "mean":
            return None
        return self._predict_logits(self._validate_X_predict(X))

    def _stochastic_proba(self, X):
        """Probabilities averaged over the ``n_samples`` members of the
        ``inference`` mode."""
        X = self._validate_X_predict(X)
        proba_sum, _ = member_sums(self, X, self.inference)
        proba_sum /= self.n_samples
        return proba_sum

    def _member_sums(self, X):
        """Validated prediction parameters and input, then the sums of
        :func:`member_sums` over ``"mc"`` passes with ``inference="mc"``,
        else over sampled networks."""
        check_is_fitted(self)
        self._check_prediction_params()
        X = self._validate_X_predict(X)
        method = "mc" if self.inference == "mc" else "ensemble"
        return member_sums(self, X, method)

    # ------------------------------------------------------------ sampling

    def sample_network(self, random_state=None):
        """Draw one concrete network from the learned distribution.

        Each connection is present with probability ``1 - pi`` and then has
        the weight ``m + sqrt(xi) * Normal(0, 1)``.

        Parameters
        ----------
        random_state : int, RandomState instance or None, default=None
            Seeds the draw.

        Returns
        -------
        network : SampledNetwork
            A fitted scikit-learn classifier.
        """
        check_is_fitted(self)
        self._check_sampling_params(1, None, random_state, "sample_network")
        return self.sample_networks(1, random_state=random_state)[0]

    def sample_networks(self, n_networks, *, n_jobs=None, random_state=None):
        """Draw concrete networks from the learned distribution, in parallel.

        Network ``k`` is the same for a given ``random_state`` whatever
        ``n_jobs`` is.

        Parameters
        ----------
        n_networks : int
            Number of networks, at least 1.
        n_jobs : int, default=None
            Number of joblib jobs, checked as the estimator's ``n_jobs``: a
            positive integer, a negative one (``-1``: all processors) or
            ``None``, which means 1 unless in a
            :obj:`joblib.parallel_backend` context.
        random_state : int, RandomState instance or None, default=None
            Seeds the draws.

        Returns
        -------
        networks : list of SampledNetwork

        Raises
        ------
        ValueError
            When an argument is not of the kind described above
            (``n_networks=True`` included: a count, not a flag), before
            anything is drawn: scikit-learn's ``InvalidParameterError``,
            also a ``TypeError``, naming the argument.
        """
        from ._sampled import SampledNetwork

        check_is_fitted(self)
        self._check_sampling_params(n_networks, n_jobs, random_state, "sample_networks")
        seeds = spawn_seeds(random_state, n_networks)
        n_jobs = min(effective_n_jobs(n_jobs), n_networks)
        params = (self.slab_means_, self.spike_probs_, self.slab_vars_)
        # drawing is cheap next to shipping the networks back from processes
        groups = Parallel(n_jobs=n_jobs, prefer="threads")(
            delayed(draw_networks)(params, group)
            for group in np.array_split(np.asarray(seeds, dtype=object), n_jobs)
        )
        return [
            SampledNetwork._from_sample(self, weights, masks)
            for group in groups
            for weights, masks in group
        ]

    def _check_sampling_params(self, n_networks, n_jobs, random_state, method):
        """The arguments of :meth:`sample_networks`, with the constraints of
        the estimator's own parameters of the same kind."""
        caller = f"{self.__class__.__name__}.{method}"
        if isinstance(n_networks, (bool, np.bool_)):
            # Interval(Integral) takes a bool, which is no count of networks
            raise InvalidParameterError(
                f"The 'n_networks' parameter of {caller} must be an int in the "
                f"range [1, inf). Got {n_networks!r} instead."
            )
        validate_parameter_constraints(
            {
                "n_networks": [Interval(Integral, 1, None, closed="left")],
                "n_jobs": self._parameter_constraints["n_jobs"],
                "random_state": ["random_state"],
            },
            {"n_networks": n_networks, "n_jobs": n_jobs, "random_state": random_state},
            caller_name=caller,
        )
