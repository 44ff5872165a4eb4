"""SaSMLPClassifier: the scikit-learn estimator around the gBP core."""

import numpy as np
from sklearn.base import ClassifierMixin, _fit_context
from sklearn.utils import Bunch
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.metaestimators import available_if

from ._base import BaseSaSNetwork
from ._doc_link import DocLinkMixin
from ._network import (
    NETWORK_PARAMETER_CONSTRAINTS,
    NetworkPredictMixin,
    SaSNetworkMixin,
    has_stochastic_solver,
)
from ._targets import ClassTargetsMixin


class SaSMLPClassifier(
    DocLinkMixin,
    ClassifierMixin,
    ClassTargetsMixin,
    SaSNetworkMixin,
    NetworkPredictMixin,
    BaseSaSNetwork,
):
    """Multilayer perceptron whose every connection is a spike-and-slab law.

    Each connection ``(i, k)`` of layer ``l`` carries the distribution
    ``pi * delta(w) + (1 - pi) * Normal(w | m, xi)``: with probability ``pi``
    the connection is absent, otherwise its weight is Gaussian. The
    parameters ``(pi, m, xi)`` of every connection are learned with the
    mean-field generalized backpropagation (gBP) of Li & Huang, *Learning
    credit assignment*, PRL 125, 178301 (2020): the pre-activation of a unit
    is Gaussian with mean ``G = h @ mu / sqrt(N)`` and variance
    ``D^2 = h^2 @ var / N``, and is sampled as ``z = G + eps * D`` with the
    same ``eps`` in the forward and backward pass of a minibatch. Hidden
    units apply ``activation`` to ``z``; the output is a softmax with the
    cross-entropy, or for a multilabel indicator ``y`` one logistic unit per
    label with the binary log-loss summed over the labels, as in
    ``MLPClassifier``.

    The fitted distribution tells each connection's credit: ``pi = 0`` and
    ``xi = 0`` with ``m != 0`` is a very important connection, always present
    with a deterministic weight; ``pi = 1``, or ``xi = 0`` with ``m = 0`` (a
    weight that is always zero), an unimportant, prunable one (see
    :func:`~sklearn_sas.inspection.credit_assignment`). With ``pi = 0`` and
    ``xi = 0`` frozen, gBP is ordinary backpropagation on the weights ``m``.

    Parameters
    ----------
    hidden_layer_sizes : array-like of shape (n_layers - 2,), default=(100,)
        The ith element is the number of units in the ith hidden layer.

    activation : {"identity", "logistic", "tanh", "relu"}, default="relu"
        Activation of the hidden units, as in ``MLPClassifier``. gBP applies
        it to the sampled pre-activation ``z = G + eps * D`` and multiplies
        the backward pass by ``f'(z)``, so the gradients are exact for all
        four; sampled, pruned and exported networks carry it.

    alpha : float or "auto", default="auto"
        Strength of the L2 penalty on the slab means ``m`` and slab
        variances ``xi``, added to the gradient and divided by the minibatch
        size (its total sample weight) as ``MLPClassifier`` does. With Adam
        this penalty is what assigns credit: Adam rescales the small
        penalty-only gradient of a connection the data does not need into
        full-size steps, which drive its ``xi`` to 0 and its ``m`` towards 0,
        so that the connection becomes unimportant (prunable).

        ``"auto"`` makes the penalty a Gaussian prior of fixed precision
        ``0.02`` on the summed loss of the training rows: ``alpha = 0.02 *
        batch_size / n_rows`` (0.001 for 4,000 rows in minibatches of 200,
        0.00025 in the minibatches of 50 that ``batch_size="auto"`` gives
        them), so that its weight against the data falls as the data grows,
        as a prior's does (a fixed ``alpha`` underfits large data sets, see
        :ref:`recipe`). ``n_rows`` is the number of rows given to ``fit``
        (less the validation rows with ``early_stopping``), or to each
        ``partial_fit`` call. The value used is ``alpha_``.

    batch_size : int or "auto", default="auto"
        Minibatch size. ``"auto"`` gives at least about 80 updates an
        epoch: ``min(200, max(16, n_rows // 80))``, at most ``n_rows``, which
        is ``MLPClassifier``'s ``min(200, n_rows)`` from 16,000 rows on. gBP
        assigns credit by its updates, not its epochs, and 5 updates an epoch
        (1,000 rows in minibatches of 200) leave too few connections
        prunable (see :ref:`recipe`).

    learning_rate_init : float, default=0.1
        Initial step size. The forward pass divides by ``sqrt(N_l)``, so the
        parameters live on a scale ``sqrt(N_l)`` times larger than the weights
        of ``MLPClassifier``, and a larger step than its 0.001 is right:
        with ``learning_rate="cosine"`` a large step early is what assigns
        credit and a small step late is what fits (measured in
        :ref:`recipe`). Li & Huang's code uses 0.1.

    max_iter : int, default=100
        Maximum number of epochs; also the period of the cosine schedule.

    solver : {"adam", "sgd"}, default="adam"
        Stochastic optimizer.

    momentum : float, default=0.9
        Momentum of ``solver="sgd"``, in [0, 1].

    nesterovs_momentum : bool, default=True
        Whether ``solver="sgd"`` uses Nesterov's momentum.

    learning_rate : {"cosine", "constant", "invscaling", "adaptive"}, \
            default="cosine"
        Schedule of the step size, for both solvers (``MLPClassifier``
        schedules ``solver="sgd"`` only):

        - ``"cosine"``: in epoch ``e`` (counted from 0) the step is
          ``learning_rate_init * (1 + cos(pi * e / max_iter)) / 2``, falling
          from ``learning_rate_init`` towards 0 over the ``max_iter`` epochs
          of a ``fit``. ``partial_fit`` follows the same steps, one epoch per
          call, so ``max_iter`` calls take the steps of one ``fit``; the
          next call starts a new cycle (a warm restart);
        - ``"constant"``: ``learning_rate_init`` throughout;
        - ``"invscaling"``: ``learning_rate_init / (t + 1) ** power_t`` after
          each epoch, ``t`` counting the samples seen;
        - ``"adaptive"``: the step is divided by 5 each time
          ``n_iter_no_change`` epochs do not improve by ``tol``, and training
          stops when it falls below 1e-6.

        The default anneals the step because a large step to the end keeps
        the network from fitting (see :ref:`recipe`).

    power_t : float, default=0.5
        Exponent of the ``"invscaling"`` schedule.

    beta_1 : float, default=0.9
        Decay rate of Adam's first moment estimate, in [0, 1).

    beta_2 : float, default=0.999
        Decay rate of Adam's second moment estimate, in [0, 1).

    epsilon : float, default=1e-8
        Numerical stability constant of Adam.

    shuffle : bool, default=True
        Whether to shuffle the samples in each epoch.

    random_state : int, RandomState instance or None, default=None
        Seeds the initialization, the shuffling, the mean-field noise
        ``eps``, the validation split and the stochastic inference modes.
        Pass an int for reproducible results.

    tol : float or None, default=None
        As in ``MLPClassifier`` (whose default is ``1e-4``): with a float,
        training stops when the loss (or the validation score with
        ``early_stopping``) has not improved by at least ``tol`` for
        ``n_iter_no_change`` consecutive epochs; with
        ``learning_rate="adaptive"`` the step is divided by 5 instead, and
        training stops once it falls below 1e-6. ``None``, the default,
        trains for exactly ``max_iter`` epochs, the budget over which
        ``learning_rate="cosine"`` anneals the step, as Li & Huang train:
        ``MLPClassifier``'s rule stops the schedule before the step has
        fallen where the minibatches are small and the loss noisy (on the
        digits after 17-32 epochs, at 93.2% accuracy against 97.5%;
        ``benchmarks/bench_stopping_rule.py``). With ``None``,
        ``early_stopping`` and the ``"adaptive"`` step count the epochs that
        do not improve on the best score or loss.

    n_iter_no_change : int or np.inf, default=10
        Number of epochs without improvement by ``tol`` before stopping (or
        dividing the ``"adaptive"`` step), as in ``MLPClassifier``; with
        ``tol=None`` it counts only for ``early_stopping`` and the
        ``"adaptive"`` step. As ``MLPClassifier`` does, a ``fit`` that
        reaches ``max_iter`` warns with a ``ConvergenceWarning``: silence it
        with :func:`warnings.filterwarnings` where the budget is the plan.

    early_stopping : bool, default=False
        Whether to hold out ``validation_fraction`` of the training data
        (stratified), stop when its accuracy stops improving and keep the
        best parameters.

    validation_fraction : float, default=0.1
        Fraction of the training data held out with ``early_stopping``.

    verbose : bool, default=False
        Whether to print the loss (and validation score) after every epoch.

    warm_start : bool, default=False
        Whether ``fit`` starts from the previous solution.

    fit_intercept : bool, default=True
        Whether every layer has a deterministic bias, trained like an
        ordinary bias outside the spike-and-slab model. The paper's networks
        have none (``fit_intercept=False``).

    class_weight : dict, "balanced" or None, default=None
        Weights of the classes in the loss, ``{class_label: weight}``; a
        class not listed has weight 1. Labels that are not classes (absent
        from the ``y`` of ``fit``, e.g. a rare class a cross-validation fold
        misses) are ignored when every class has a weight, as
        ``LogisticRegression`` ignores them, and refused otherwise (a
        misspelt label). ``"balanced"`` weights each class by
        ``n_rows / (n_classes * np.bincount(y))``, from the ``y`` given to
        ``fit``, its samples counted by their ``sample_weight`` as
        ``LogisticRegression`` counts them (an integer weight is that many
        repeated rows; a class whose samples all weigh 0 gets weight 0).
        ``partial_fit`` sees one batch at a time, so it takes a dict:
        :func:`~sklearn.utils.class_weight.compute_class_weight` makes one
        from all the labels. The class weight of a sample multiplies its
        ``sample_weight``.

    init_pi : float, default=0.0
        Initial spike probability of every connection, in [0, 1].

    init_xi : float, default=0.01
        Slab variances are initialized from ``Uniform(0, init_xi)``.

    init_m_std : float, default=sqrt(2)
        Slab means are initialized from ``Normal(0, init_m_std**2)``. The
        forward pass divides by ``sqrt(N_l)``, so ``sqrt(2)`` is He's scale;
        Li & Huang's code uses ``sqrt(2 / 784)`` (about 0.05) in every layer.

    weight_decay : float, default=0.0
        Decoupled weight decay, as in Li & Huang's code: after every step
        with step size ``lr``, each ``pi``, ``xi`` and ``m`` loses
        ``lr * weight_decay`` times its value before the step (the
        intercepts are not decayed). Unlike ``alpha`` it is not rescaled by
        Adam, so it shrinks every connection alike and by itself leaves few
        connections unimportant; the authors use 1e-4 with ``alpha=0``.

    inference : {"mean", "mc", "ensemble"}, default="mean"
        How ``predict_proba`` turns the distribution into probabilities:

        - ``"mean"``: the deterministic mean network (``eps = 0``);
        - ``"mc"``: the softmax averaged over ``n_samples`` mean-field passes,
          each with fresh noise ``eps``; a pass's draw for a unit is shared
          by all rows, so a row's probabilities for a given
          ``random_state`` do not depend on the rows predicted with it (they
          agree to float tolerance, as BLAS rounds a product by its shape);
        - ``"ensemble"``: the softmax averaged over ``n_samples`` concrete
          networks sampled from the learned distribution.

    n_samples : int, default=100
        Number of passes or networks averaged by the stochastic inference
        modes.

    n_jobs : int, default=None
        Number of jobs of ``inference="ensemble"`` and ``sample_networks``.
        ``None`` means 1 unless in a :obj:`joblib.parallel_backend` context.

    dtype : {"float32", "float64"} or None, default=None
        Floating point type of the parameters and of all computation; the
        input is converted to it. ``None`` follows the input as
        ``MLPClassifier`` does: float32 input trains in float32, any other in
        float64. ``partial_fit`` and a warm-started ``fit`` go on in the
        dtype of the fitted parameters. float32 trains about twice as fast:
        20 epochs of a 784-100-100-10 network on 4,000 MNIST images took
        6.2 s in float32 and 12.0 s in float64, to the same accuracy
        (``maint_tools/time_dtype.py``); pass ``dtype="float32"`` (or float32
        input) where speed matters more than matching ``MLPClassifier``.
        Training draws its noise in float32 in either dtype, so float32 and
        float64 input train alike.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels (``0, ..., n_labels - 1`` for a multilabel ``y``).

    n_features_in_ : int
        Number of features seen during fit.

    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during fit, when ``X`` has string column names.

    n_iter_ : int
        Number of epochs run.

    t_ : int
        Number of training samples seen by the optimizer.

    alpha_ : float
        The ``alpha`` of the last training call (the value ``"auto"`` chose).

    loss_ : float
        Training loss of the last epoch (mean cross-entropy plus penalty).

    loss_curve_ : list of float
        Training loss after every epoch.

    best_loss_ : float or None
        Lowest training loss; None with ``early_stopping``.

    validation_scores_ : list of float or None
        Validation accuracy after every epoch with ``early_stopping``.

    best_validation_score_ : float or None
        Best validation accuracy with ``early_stopping``.

    n_layers_ : int
        Number of layers, input and output included.

    n_outputs_ : int
        Number of output units (one per class, or per label).

    out_activation_ : str
        ``"softmax"``, or ``"logistic"`` for a multilabel indicator ``y``.

    coefs_ : list of ndarray of shape (N_l, N_{l+1})
        Effective weights of the mean network, ``(1 - pi) * m / sqrt(N_l)``
        (a read-only property, always in step with the distribution):
        ``z = h @ coefs_[l] + intercepts_[l]`` as in ``MLPClassifier``;
        :meth:`to_mlp` makes that ``MLPClassifier``.

    spike_probs_ : list of ndarray of shape (N_l, N_{l+1})
        Spike probabilities ``pi`` of every layer's connections.

    slab_means_ : list of ndarray of shape (N_l, N_{l+1})
        Slab means ``m``.

    slab_vars_ : list of ndarray of shape (N_l, N_{l+1})
        Slab variances ``xi``.

    intercepts_ : list of ndarray of shape (N_{l+1},)
        Biases of every layer (zeros when ``fit_intercept=False``).

    See Also
    --------
    sklearn.neural_network.MLPClassifier : Multilayer perceptron trained with
        ordinary backpropagation.

    References
    ----------
    C. Li and H. Huang, "Learning credit assignment", Phys. Rev. Lett. 125,
    178301 (2020), arXiv:2001.03354.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn.model_selection import train_test_split
    >>> from sklearn_sas import SaSMLPClassifier
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)
    >>> clf = SaSMLPClassifier(hidden_layer_sizes=(64,), max_iter=100,
    ...                        random_state=0).fit(X_train, y_train)
    >>> clf.predict(X_test[:5])
    array([2, 8, 2, 6, 6])
    >>> round(clf.score(X_test, y_test), 2) >= 0.95
    True
    >>> [p.shape for p in clf.spike_probs_]
    [(64, 64), (64, 10)]
    """

    _parameter_constraints: dict = {
        **NETWORK_PARAMETER_CONSTRAINTS,
        "class_weight": [StrOptions({"balanced"}), dict, None],
    }

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        *,
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
        class_weight=None,
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
        self.class_weight = class_weight
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

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, or a multilabel indicator matrix.

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
    def partial_fit(self, X, y, sample_weight=None, classes=None):
        """Train for one epoch over the given data.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data.

        y : array-like of shape (n_samples,) or (n_samples, n_labels)
            Class labels, all among ``classes``, or a multilabel indicator
            matrix.

        sample_weight : array-like of shape (n_samples,), default=None
            Non-negative weights of the samples in the loss.

        classes : array-like of shape (n_classes,), default=None
            All the classes; required on the first call. A later call may
            leave it out or give the same classes again; different classes
            raise a ``ValueError`` and change nothing, as in
            ``MLPClassifier.partial_fit`` (call ``fit`` to start a network
            with other classes). (The argument order is
            ``MLPClassifier.partial_fit``'s.)

        Returns
        -------
        self : object
            Trained estimator.
        """
        return self._fit(X, y, sample_weight, incremental=True, classes=classes)

    # ------------------------------------------------------------- predict

    def _label_scores(self, X):
        return self.predict_proba(X), 0.5

    def predict_uncertainty(self, X):
        """Predictive uncertainty of every row, split into its two parts.

        Over ``n_samples`` members (the parameter: concrete networks sampled
        from the learned distribution, or mean-field passes with fresh noise
        when ``inference="mc"``), with probabilities ``p_k``::

            predictive entropy  H[mean_k p_k]                    (total)
            expected entropy    mean_k H[p_k]                    (aleatoric)
            mutual information  H[mean_k p_k] - mean_k H[p_k]    (epistemic)

        - the predictive entropy is the **total** uncertainty of the averaged
          prediction, whatever its cause; it is the score to reject rows by
          when any doubt should count;
        - the expected entropy is the **aleatoric** part, the doubt each
          member has on its own: rows that look like two classes at once
          (an ambiguous digit), which more training data of the same kind
          would not remove;
        - the mutual information is the **epistemic** part, what the members'
          disagreement adds: it vanishes where every member says the same, and
          tends to be larger on rows unlike the training data (an unseen
          class, a rotated image), where the fitted distribution has not
          settled the answer. It is the score to flag out-of-distribution
          rows by (``benchmarks/bench_uncertainty.py`` measures how well).

        The three are in nats; the first is the sum of the other two (the
        mutual information is clipped at 0 against rounding).
        :class:`~sklearn_sas.inspection.RejectionCurveDisplay` shows the
        accuracy of the rows kept against a threshold on any of them.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_rows, n_features)
            Rows whose uncertainty is measured.

        Returns
        -------
        result : :class:`~sklearn.utils.Bunch`
            With ``proba`` (the averaged probabilities, shape
            ``(n_rows, n_classes)``), and ``predictive_entropy``,
            ``expected_entropy`` and ``mutual_information`` (each of shape
            ``(n_rows,)``, in nats). For multilabel targets each label is
            its own Bernoulli variable: the three have shape
            ``(n_rows, n_labels)``, one entropy per label.
        """
        proba_sum, plogp_sum = self._member_sums(X)
        proba = proba_sum / self.n_samples
        with np.errstate(divide="ignore", invalid="ignore"):
            plogp = np.where(proba > 0, proba * np.log(proba), 0)
            if self.out_activation_ == "logistic":
                # one Bernoulli entropy per label
                predictive = -plogp - np.where(
                    proba < 1, (1 - proba) * np.log1p(-proba), 0
                )
            else:
                predictive = -plogp.sum(axis=1)
        expected = -plogp_sum / self.n_samples
        return Bunch(
            proba=proba,
            predictive_entropy=predictive,
            expected_entropy=expected,
            mutual_information=np.maximum(predictive - expected, 0),
        )
