"""SaSMLPRegressor: a spike-and-slab network that predicts a distribution."""

from functools import partial

import numpy as np
from sklearn.base import RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._base import BaseSaSNetwork
from ._doc_link import DocLinkMixin
from ._forward import mean_output_moments
from ._inference import member_sums, output_and_square
from ._network import (
    NETWORK_PARAMETER_CONSTRAINTS,
    SaSNetworkMixin,
    has_stochastic_solver,
)
from ._targets import RegressionTargetsMixin
from ._utils import check_finite_output, take_rows


class SaSMLPRegressor(
    DocLinkMixin,
    RegressorMixin,
    RegressionTargetsMixin,
    SaSNetworkMixin,
    BaseSaSNetwork,
):
    """Multilayer perceptron regressor whose every connection is a
    spike-and-slab law, predicting a mean and a standard deviation.

    The network, its training by the mean-field generalized backpropagation
    (gBP) of Li & Huang and its credit assignment are those of
    :class:`SaSMLPClassifier`; the output layer is the identity trained with
    half the squared error (``exp`` with half the Poisson deviance for
    ``loss="poisson"``), as in ``MLPRegressor``. Trained on the sampled output
    ``z = G + eps * D``, the squared error fits the mean ``G`` and shrinks the
    variance ``D^2`` that the weights' uncertainty puts on it.

    :meth:`predict` returns the mean and, with ``return_std=True``, the
    standard deviation of the predictive distribution: its variance is the
    epistemic variance of the ``inference`` mode plus the noise variance
    ``noise_variance_`` estimated at the end of every training call.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.

    loss : {"squared_error", "poisson"}, default="squared_error"
        Loss of the outputs, as in ``MLPRegressor``: half the squared error
        of an identity output, or half the Poisson deviance of an ``exp``
        output (non-negative targets, e.g. counts).

    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden units.

    alpha : float or "auto", default="auto"
        L2 penalty on the slab means and variances; ``"auto"`` is a Gaussian
        prior of fixed precision on the summed loss, as in
        :class:`SaSMLPClassifier`. The value used is ``alpha_``.

    batch_size : int or "auto", default="auto"
        Minibatch size; ``"auto"`` is ``min(200, max(16, n_rows // 80))``.

    learning_rate_init : float, default=0.1
        Initial step size.

    max_iter : int, default=100
        Maximum number of epochs; also the period of the cosine schedule.

    solver : {"adam", "sgd"}, default="adam"
        Stochastic optimizer.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"``.

    nesterovs_momentum : bool, default=True
        Whether ``solver="sgd"`` uses Nesterov's momentum.

    learning_rate : {"cosine", "constant", "invscaling", "adaptive"}, \
            default="cosine"
        Schedule of the step size, for both solvers (see
        :class:`SaSMLPClassifier`).

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate.

    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate.

    epsilon : float, default=1e-8
        Numerical stability constant of Adam.

    shuffle : bool, default=True
        Whether to shuffle the samples in each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialization, the shuffling, the mean-field noise, the
        validation split and the stochastic inference modes.

    tol : float or None, default=None
        With a float, training stops when the loss (or the validation R^2
        with ``early_stopping``) has not improved by ``tol`` for
        ``n_iter_no_change`` epochs; ``None`` trains for ``max_iter`` epochs.

    n_iter_no_change : int or np.inf, default=10
        Number of epochs without improvement before stopping.

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the rows, stop when
        their R^2 stops improving and keep the best parameters. The noise
        variance is then estimated on the held-out rows.

    validation_fraction : float, default=0.1
        Fraction of the rows held out with ``early_stopping``.

    verbose : bool, default=False
        Whether to print the loss after every epoch.

    warm_start : bool, default=False
        Whether ``fit`` starts from the previous solution.

    fit_intercept : bool, default=True
        Whether every layer has a deterministic bias.

    init_pi : float, default=0.0
        Initial spike probability of every connection.

    init_xi : float, default=0.01
        Slab variances are initialized from ``Uniform(0, init_xi)``.

    init_m_std : float, default=sqrt(2)
        Standard deviation of the initial slab means.

    weight_decay : float, default=0.0
        Decoupled weight decay of ``pi``, ``xi`` and ``m``.

    inference : {"mean", "mc", "ensemble"}, default="mean"
        The predictive mean and its epistemic variance:

        - ``"mean"``: the mean network's output (``eps = 0``), and the
          variance ``D^2`` that the output layer's weights put on it given
          the mean network's hidden units (for ``loss="poisson"`` the
          variance of ``exp`` of that Gaussian);
        - ``"mc"``: the mean and variance of the outputs of ``n_samples``
          mean-field passes with fresh noise;
        - ``"ensemble"``: those of ``n_samples`` concrete networks sampled
          from the learned distribution.

    n_samples : int, default=100
        Number of passes or networks of the stochastic inference modes.

    n_jobs : int, default=None
        Number of jobs of ``inference="ensemble"``.

    dtype : {"float32", "float64"} or None, default=None
        Floating point type of the parameters and computation; ``None``
        follows the input as ``MLPRegressor`` does.

    Attributes
    ----------
    noise_variance_ : ndarray of shape (n_outputs,)
        Variance of the targets around the mean network's prediction: the
        mean squared residual of each output on the rows of the last training
        call (the held-out rows with ``early_stopping``), weighted by
        ``sample_weight``. The same for every ``inference`` mode, so
        ``set_params(inference=...)`` after fit keeps it valid. On training
        rows it is too small where the network fits them better than new
        rows, and the intervals cover less than they promise; the held-out
        rows of ``early_stopping=True`` correct that (coverage measured by
        ``benchmarks/bench_regression_calibration.py``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs run.

    t_ : int
        Number of training samples seen by the optimizer.

    alpha_ : float
        The ``alpha`` of the last training call.

    loss_ : float
        Training loss of the last epoch, as ``MLPRegressor`` computes it.

    loss_curve_ : list of float
        Training loss after every epoch.

    best_loss_ : float or None
        Lowest training loss; None with ``early_stopping``.

    validation_scores_ : list of float or None
        Validation R^2 after every epoch with ``early_stopping``.

    best_validation_score_ : float or None
        Best validation R^2 with ``early_stopping``.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of outputs.

    out_activation_ : str
        ``"identity"``, or ``"exp"`` for ``loss="poisson"``.

    coefs_ : list of ndarray of shape (N_l, N_{l+1})
        Effective weights of the mean network, ``(1 - pi) * m / sqrt(N_l)``.

    spike_probs_ : list of ndarray of shape (N_l, N_{l+1})
        Spike probabilities ``pi``.

    slab_means_ : list of ndarray of shape (N_l, N_{l+1})
        Slab means ``m``.

    slab_vars_ : list of ndarray of shape (N_l, N_{l+1})
        Slab variances ``xi``.

    intercepts_ : list of ndarray of shape (N_{l+1},)
        Biases of every layer (zeros when ``fit_intercept=False``).

    See Also
    --------
    SaSMLPClassifier : The spike-and-slab classifier.
    sklearn.neural_network.MLPRegressor : Multilayer perceptron trained with
        ordinary backpropagation.
    sklearn.gaussian_process.GaussianProcessRegressor : Predicts a mean and
        a standard deviation the same way.

    Notes
    -----
    The defaults are :class:`SaSMLPClassifier`'s recipe; a sweep of the
    regressor's own has not been made yet.

    Examples
    --------
    >>> from sklearn.datasets import make_friedman1
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_sas import SaSMLPRegressor
    >>> X, y = make_friedman1(n_samples=1000, noise=1.0, random_state=0)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> reg = make_pipeline(
    ...     StandardScaler(), SaSMLPRegressor((64,), random_state=0)
    ... ).fit(X_train, y_train)
    >>> mean, std = reg.predict(X_test[:3], return_std=True)
    >>> mean.shape, std.shape
    ((3,), (3,))
    >>> bool(reg.score(X_test, y_test) > 0.85)
    True
    """

    _parameter_constraints: dict = {
        **NETWORK_PARAMETER_CONSTRAINTS,
        "loss": [StrOptions({"squared_error", "poisson"})],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
        loss="squared_error",
        activation="relu",
        alpha="auto",
        batch_size="auto",
        learning_rate_init=0.1,
        max_iter=100,
        solver="adam",
        momentum=0.9,
        nesterovs_momentum=True,
        learning_rate="cosine",
        power_t=0.5,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        shuffle=True,
        random_state=None,
        tol=None,
        n_iter_no_change=10,
        early_stopping=False,
        validation_fraction=0.1,
        verbose=False,
        warm_start=False,
        fit_intercept=True,
        init_pi=0.0,
        init_xi=0.01,
        init_m_std=2**0.5,
        weight_decay=0.0,
        inference="mean",
        n_samples=100,
        n_jobs=None,
        dtype=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.loss = loss
        self.activation = activation
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.solver = solver
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.learning_rate = learning_rate
        self.power_t = power_t
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.shuffle = shuffle
        self.random_state = random_state
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.verbose = verbose
        self.warm_start = warm_start
        self.fit_intercept = fit_intercept
        self.init_pi = init_pi
        self.init_xi = init_xi
        self.init_m_std = init_m_std
        self.weight_decay = weight_decay
        self.inference = inference
        self.n_samples = n_samples
        self.n_jobs = n_jobs
        self.dtype = dtype

    # ----------------------------------------------------------------- fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Fit the spike-and-slab network to data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values (non-negative for ``loss="poisson"``).

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            Fitted estimator.
        """
        return self._fit(X, y, sample_weight, incremental=False)

    @available_if(has_stochastic_solver)
    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, sample_weight=None):
        """Train for one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target values.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        Returns
        -------
        self : object
            Trained estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True)

    # ------------------------------------------------------------- predict

    def _output_moments(self, X):
        """Predictive mean and epistemic variance of every output, each of
        shape ``(n_rows, n_outputs)``, by the ``inference`` mode."""
        check_is_fitted(self)
        self._check_prediction_params()
        X = self._validate_X_predict(X)
        if self.inference != "mean":
            summarize = partial(output_and_square, out_activation=self.out_activation_)
            total, total_sq = member_sums(self, X, self.inference, summarize)
            mean = total / self.n_samples
            variance = np.maximum(total_sq / self.n_samples - mean * mean, 0)
            return mean.astype(self.slab_means_[0].dtype), variance
        mus, variances = self._moments()
        dtype = mus[0].dtype
        mean = np.empty((X.shape[0], self.n_outputs_), dtype=dtype)
        variance = np.empty_like(mean)
        for rows in self._chunks(X, 1):
            mean[rows], variance[rows] = mean_output_moments(
                take_rows(X, rows, dtype),
                mus,
                variances,
                self.intercepts_,
                self.activation,
            )
        check_finite_output(mean, dtype)
        if self.out_activation_ == "exp":
            # exp of Normal(G, D^2): the mean network's exp(G) and the
            # log-normal variance
            variance = np.expm1(variance) * np.exp(2 * mean + variance)
            mean = check_finite_output(np.exp(mean), dtype)
        return mean, variance

    def predict(self, X, return_std=False):
        """Predict with the ``inference`` mode, and the predictive std.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input data.

        return_std : bool, default=False
            Whether to return the standard deviation of the predictive
            distribution: ``sqrt(epistemic variance + noise_variance_)``.

        Returns
        -------
        y_mean : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            Mean of the predictive distribution (one column per output, a
            vector for a single output, as ``MLPRegressor`` predicts).

        y_std : ndarray of the shape of ``y_mean``
            Standard deviation of the predictive distribution; only with
            ``return_std=True``.
        """
        check_is_fitted(self)
        mean, variance = self._output_moments(X)
        ravel = self.n_outputs_ == 1
        mean = mean.ravel() if ravel else mean
        if not return_std:
            return mean
        std = np.sqrt(variance + self.noise_variance_)
        return mean, std.ravel() if ravel else std

    def sample_y(self, X, n_samples=1, random_state=None):
        """Draw targets from the predictive distribution at ``X``.

        Each row and output is drawn independently from the Gaussian of mean
        and standard deviation ``predict(X, return_std=True)``.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples_X, n_features)
            Input data.

        n_samples : int, default=1
            Number of draws per row.

        random_state : int, RandomState instance or None, default=None
            Seeds the draws.

        Returns
        -------
        y_samples : ndarray of shape (n_samples_X, n_samples), or \
                (n_samples_X, n_outputs, n_samples)
            The draws, shaped as ``GaussianProcessRegressor.sample_y``'s.
        """
        check_is_fitted(self)
        if (
            isinstance(n_samples, (bool, np.bool_))
            or not isinstance(n_samples, (int, np.integer))
            or n_samples < 1
        ):
            raise ValueError(
                f"n_samples must be a positive integer, got {n_samples!r}."
            )
        mean, std = self.predict(X, return_std=True)
        rng = check_random_state(random_state)
        draws = rng.standard_normal((*mean.shape, n_samples))
        draws *= std[..., None]
        draws += mean[..., None]
        return draws
