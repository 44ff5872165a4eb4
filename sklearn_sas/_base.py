"""Training machinery shared by the spike-and-slab estimators.

Like scikit-learn's ``BaseMultilayerPerceptron``: input validation, the
epoch loop around the gBP core (``_gbp.run_epoch``), stopping rules, and the
mean network used by early stopping and prediction (what depends on the
targets is ``_targets.py``'s). The parameters' constraints, the predict
path and the sampling are ``_network.py``'s, the classifier ``_classifier.py``'s.
"""

import copy
import warnings
from numbers import Integral
from types import SimpleNamespace

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import (
    _check_sample_weight,
    check_is_fitted,
    validate_data,
)

from ._forward import forward
from ._gbp import ParamVector, Workspace, _split, init_params, run_epoch
from ._noise import NormalNoise, new_generator
from ._optimizers import AdamOptimizer, MaskedOptimizer, SGDOptimizer
from ._sas import mean_weights, sas_moments
from ._utils import row_chunks, take_rows

# precision of the Gaussian prior that alpha="auto" puts on the summed loss:
# 0.001 for 4,000 rows in minibatches of 200, the fixed alpha that the recipe
# sweep chose there (benchmarks/bench_recipe.py)
AUTO_PRIOR_PRECISION = 0.02


def auto_alpha(batch_size, n_samples):
    """``MLPClassifier``'s ``alpha`` of a Gaussian prior of precision
    ``AUTO_PRIOR_PRECISION`` on the summed loss of ``n_samples`` rows.

    Over an epoch the minibatch losses ``mean CE + alpha / (2 batch_size) *
    ||theta||^2`` add up to ``(sum of CE + n_samples * alpha / batch_size *
    ||theta||^2 / 2) / batch_size``: the summed loss with a Gaussian prior of
    precision ``n_samples * alpha / batch_size``, up to the factor
    ``1 / batch_size``.
    """
    return AUTO_PRIOR_PRECISION * batch_size / n_samples


# batch_size="auto": the spike probabilities move by optimizer steps, and a
# step of Adam moves a parameter by about the step size whatever the batch, so
# credit separates after a number of updates, not of epochs. MLPClassifier's
# min(200, n_samples) gives 1,000 rows 5 updates an epoch, too few for 90% of
# the connections to become prunable (benchmarks/bench_scale_accuracy.py);
# from 16,000 rows on it is MLPClassifier's 200
AUTO_UPDATES_PER_EPOCH = 80
AUTO_BATCH_RANGE = (16, 200)


def auto_batch_size(n_samples):
    """Minibatch size of ``batch_size="auto"`` for ``n_samples`` rows: about
    ``AUTO_UPDATES_PER_EPOCH`` updates an epoch in minibatches of
    ``AUTO_BATCH_RANGE`` rows, never more than ``n_samples``."""
    smallest, largest = AUTO_BATCH_RANGE
    per_update = n_samples // AUTO_UPDATES_PER_EPOCH
    return min(n_samples, largest, max(smallest, per_update))


class BaseSaSNetwork(BaseEstimator):
    """Base of the spike-and-slab networks trained by gBP.

    Subclasses define the parameters (``__init__`` and
    ``_parameter_constraints``) and call ``_fit(X, y, sample_weight,
    incremental, classes)`` from ``fit`` and ``partial_fit``. What depends on
    the output, they define as hooks: ``_check_targets`` (``y`` and the output
    activation), ``_first_outputs``, ``_training_targets``,
    ``_fitted_targets``, ``_validation_score`` and, optionally,
    ``_split_validation``, ``_check_continuation`` and ``_end_fit``.
    """

    def _fit(self, X, y, sample_weight, incremental, classes=None):
        # a failed call leaves the estimator exactly as it was
        snapshot = copy.deepcopy(self.__dict__)
        try:
            return self._fit_unsafe(X, y, sample_weight, incremental, classes)
        except Exception:
            self.__dict__.clear()
            self.__dict__.update(snapshot)
            raise

    def _fit_unsafe(self, X, y, sample_weight, incremental, classes):
        if incremental and self.early_stopping:
            raise ValueError("partial_fit does not support early_stopping=True")
        first_pass = not hasattr(self, "_optimizer") or (
            not self.warm_start and not incremental
        )
        if not first_pass:
            # training goes on in the dtype of the parameters
            dtype = self.slab_means_[0].dtype
        elif self.dtype is None:
            # as MLPClassifier: float32 input stays float32, any other float64
            dtype = [np.float64, np.float32]
        else:
            dtype = np.dtype(self.dtype)
        X, y = validate_data(
            self, X, y, reset=first_pass, accept_sparse="csr", dtype=dtype,
            order="C", multi_output=True, y_numeric=self._y_numeric,
        )  # fmt: skip
        dtype = X.dtype
        if sample_weight is not None:
            sample_weight = _check_sample_weight(
                sample_weight, X, dtype=dtype, ensure_non_negative=True
            )
        y, out_activation = self._check_targets(y)
        if not first_pass:
            self._check_continuation(y, incremental, out_activation, classes)
        else:
            n_outputs = self._first_outputs(y, classes, incremental, out_activation)
            self._initialize(X.shape[1], dtype, n_outputs, out_activation)
        y, sample_weight = self._training_targets(y, sample_weight, incremental, dtype)
        self._end_fit(*self._train(X, y, sample_weight, incremental))
        return self

    # hooks of the subclasses: what differs between outputs
    _y_numeric = False

    def _end_fit(self, X, y, sample_weight):
        """What a training call ends with, given the rows that ``_train``
        returns (the held-out ones with early stopping)."""

    def _check_continuation(self, y, incremental, out_activation, classes):
        """A call that goes on from the fitted state (``partial_fit``, or
        ``fit`` with ``warm_start``) needs targets of the same structure and
        the same ``fit_intercept``."""
        n_outputs = 1 if y.ndim == 1 else y.shape[1]
        if out_activation != self.out_activation_ or (
            y.ndim == 2 and n_outputs != self.n_outputs_
        ):
            raise ValueError(
                f"y is not of the kind the network was fitted on "
                f"({self._fitted_targets()}); call fit (without warm_start) to "
                "start a new network."
            )
        initialized_with = getattr(self, "_fitted_with_intercept", self.fit_intercept)
        if self.fit_intercept != initialized_with:
            raise ValueError(
                f"fit_intercept changed to {self.fit_intercept} since the network "
                f"was initialized with fit_intercept={initialized_with}; "
                "call fit (without warm_start) to start a new network."
            )

    def _initialize(self, n_features, dtype, n_outputs, out_activation):
        hidden = self.hidden_layer_sizes
        hidden = list(hidden) if hasattr(hidden, "__iter__") else [hidden]
        if not all(isinstance(h, Integral) and h > 0 for h in hidden):
            raise ValueError(
                f"hidden_layer_sizes must be positive integers, got {hidden}."
            )
        layer_units = [n_features, *map(int, hidden), n_outputs]
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        self._rng = new_generator(seed)
        params = init_params(
            layer_units,
            self.fit_intercept,
            dtype,
            self._rng,
            init_pi=self.init_pi,
            init_xi=self.init_xi,
            init_m_std=self.init_m_std,
        )
        self._set_params_from(params)
        self._fitted_with_intercept = bool(self.fit_intercept)
        self.n_layers_ = len(layer_units)
        self.n_outputs_ = layer_units[-1]
        self.out_activation_ = out_activation
        self.n_iter_ = 0
        self.t_ = 0
        self.loss_curve_ = []
        self._no_improvement_count = 0
        if self.early_stopping:
            self.validation_scores_ = []
            self.best_validation_score_ = -np.inf
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_loss_ = np.inf
        self._optimizer = None
        self._keep_masks = None

    def _freeze_absent(self, keep_masks):
        """Make every connection outside ``keep_masks`` absent (``pi = 1``,
        ``m = xi = 0``) and keep it so in all later training of this network.

        Masks of an earlier call stay in force (a connection once removed
        stays removed). The optimizer starts afresh at the next training
        call, so no state of a removed connection carries over.
        """
        previous = getattr(self, "_keep_masks", None)
        if previous is not None:
            keep_masks = [new & old for new, old in zip(keep_masks, previous)]
        self._keep_masks = [np.array(mask, dtype=bool) for mask in keep_masks]
        for mask, pi, xi, m in zip(
            self._keep_masks, self.spike_probs_, self.slab_vars_, self.slab_means_
        ):
            pi[~mask] = 1
            xi[~mask] = 0
            m[~mask] = 0
        self._optimizer = None

    def _masked(self, optimizer, params):
        """``optimizer``, holding the removed connections absent when the
        network has keep-masks (see ``_freeze_absent``)."""
        if getattr(self, "_keep_masks", None) is None:
            return optimizer
        trained = ParamVector(params.layer_units, params.fit_intercept, bool)
        trained.flat[:] = True
        frozen = ParamVector(
            params.layer_units, params.fit_intercept, params.flat.dtype
        )
        for layer, mask in enumerate(self._keep_masks):
            trained.spike_probs[layer][...] = mask
            trained.slab_vars[layer][...] = mask
            trained.slab_means[layer][...] = mask
            frozen.spike_probs[layer][...] = 1
        return MaskedOptimizer(optimizer, trained.flat, frozen.flat)

    def _params(self):
        """The fitted distribution packed in a new flat buffer."""
        intercepts = self.intercepts_ if self.fit_intercept else None
        return ParamVector.pack(
            self.spike_probs_,
            self.slab_vars_,
            self.slab_means_,
            intercepts,
            self.slab_means_[0].dtype,
        )

    def _set_params_from(self, params):
        self.spike_probs_ = params.spike_probs
        self.slab_vars_ = params.slab_vars
        self.slab_means_ = params.slab_means
        self.intercepts_ = (
            params.intercepts
            if params.fit_intercept
            else [np.zeros(u, params.flat.dtype) for u in params.layer_units[1:]]
        )

    def _make_optimizer(self, flat):
        schedule = {
            "lr_schedule": self.learning_rate,
            "power_t": self.power_t,
            "period": self.max_iter,
        }
        if self.solver == "sgd":
            return SGDOptimizer(
                flat,
                self.learning_rate_init,
                momentum=self.momentum,
                nesterov=self.nesterovs_momentum,
                **schedule,
            )
        return AdamOptimizer(
            flat,
            self.learning_rate_init,
            self.beta_1,
            self.beta_2,
            self.epsilon,
            **schedule,
        )

    def _train(self, X, y, sample_weight, incremental):
        """Train; returns ``(X, y, sample_weight)`` of the held-out rows with
        early stopping, else of the training rows."""
        params = self._params()
        if self._optimizer is None or not incremental:
            self._optimizer = self._make_optimizer(params.flat)
        optimizer = self._masked(self._optimizer, params)
        validation = None
        if self.early_stopping:
            X, y, sample_weight, validation = self._validation_split(
                X, y, sample_weight
            )
        n_samples = X.shape[0]
        batch_size = (
            auto_batch_size(n_samples) if self.batch_size == "auto" else self.batch_size
        )
        if batch_size > n_samples:
            warnings.warn(
                f"Got batch_size={batch_size} larger than the {n_samples} samples; "
                "it is clipped to the number of samples."
            )
            batch_size = n_samples
        self.alpha_ = (
            auto_alpha(batch_size, n_samples) if self.alpha == "auto" else self.alpha
        )
        ws = Workspace(params.layer_units, batch_size, X.dtype)
        grads = ParamVector(params.layer_units, params.fit_intercept, X.dtype)
        noise = NormalNoise(self._rng, draw_dtype=np.float32)
        # as MLPClassifier: n_iter_ counts the epochs of this call (warm_start)
        self.n_iter_ = 0
        for _ in range(1 if incremental else self.max_iter):
            try:
                # overflow shows up as a non-finite loss, reported below
                with np.errstate(over="ignore", invalid="ignore"):
                    loss = run_epoch(
                        params, grads, optimizer, ws, X, y, sample_weight,
                        alpha=self.alpha_, rng=self._rng, noise=noise,
                        shuffle=self.shuffle, weight_decay=self.weight_decay,
                        activation=self.activation,
                        out_activation=self.out_activation_,
                    )  # fmt: skip
            except KeyboardInterrupt:
                warnings.warn("Training interrupted by user.")
                break
            if self._end_epoch(loss, n_samples, params, validation, incremental):
                break
        if self.early_stopping and self._best_flat is not None:
            params.flat[:] = self._best_flat
            self._best_flat = None
        if not np.isfinite(params.flat).all():
            raise ValueError(
                "Training produced non-finite parameters: lower "
                f"learning_rate_init (now {self.learning_rate_init})."
            )
        self._set_params_from(params)
        # the rows the network was not fitted to, where there are some
        return validation or (X, y, sample_weight)

    def _end_epoch(self, loss, n_samples, params, validation, incremental):
        """Bookkeeping after an epoch; True when training should stop."""
        if not np.isfinite(loss):
            advice = (
                "The step size is likely too large: lower learning_rate_init "
                f"(now {self.learning_rate_init}), or scale the input features "
                "(e.g. StandardScaler)."
            )
            epoch = f"the loss became {loss} in epoch {self.n_iter_ + 1}"
            if not self.early_stopping or self._best_flat is None:
                raise ValueError(f"Training diverged: {epoch}. {advice}")
            # as MLPClassifier with early stopping: the epoch scores nan on
            # the held-out rows and the best parameters are kept (restored
            # by _train); a network past overflow does not come back
            self.validation_scores_.append(float("nan"))
            warnings.warn(
                f"Training diverged ({epoch}); the parameters of the best "
                f"validation score are kept. {advice}",
                ConvergenceWarning,
            )
            return True
        self.n_iter_ += 1
        self.t_ += n_samples
        self.loss_ = loss
        self.loss_curve_.append(loss)
        if self.verbose:
            print(f"Iteration {self.n_iter_}, loss = {loss:.8f}")
        if self._stop_early(params, validation):
            return True
        # as MLPClassifier, also with n_iter_no_change=np.inf and the cosine
        # schedule: max_iter ended the training, not a convergence rule
        if not incremental and self.n_iter_ == self.max_iter:
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return False

    def _split_validation(self, arrays, seed):
        """``train_test_split`` of ``arrays`` (``X``, ``y`` and maybe the
        sample weights) for early stopping."""
        return train_test_split(
            *arrays, random_state=seed, test_size=self.validation_fraction
        )

    def _validation_split(self, X, y, sample_weight):
        """Split for early stopping: training ``(X, y, sample_weight)`` and the held-out
        ``(X_val, y_val, sample_weight_val)``."""
        seed = int(self._rng.integers(np.iinfo(np.int32).max))
        arrays = (X, y) if sample_weight is None else (X, y, sample_weight)
        split = self._split_validation(arrays, seed)
        if split[1].shape[0] < 2:
            raise ValueError(
                "The validation set is too small. Increase 'validation_fraction' "
                "or the size of your dataset."
            )
        self._best_flat = None
        train, held_out = split[::2], split[1::2]
        if sample_weight is None:
            train, held_out = (*train, None), (*held_out, None)
        return (*train, held_out)

    def _stop_early(self, params, validation):
        """Update the no-improvement count; True when training should stop.

        ``tol=None`` leaves the loss out of it (a fixed budget of epochs);
        the validation score and the ``"adaptive"`` step still count the
        epochs that do not improve on the best (a tie does not)."""
        if self.early_stopping:
            X_val, y_val, sw_val = validation
            mus, _, _ = sas_moments(
                params.slab_mean_flat, params.spike_flat, params.slab_var_flat
            )
            mus = _split(mus, [m.shape for m in params.slab_means])
            logits = self._mean_logits(X_val, mus, params.intercepts)
            score = self._validation_score(logits, y_val, sw_val)
            self.validation_scores_.append(score)
            if self.verbose:
                print(f"Validation score: {score:f}")
            self._count_no_improvement(score - self.best_validation_score_)
            if score > self.best_validation_score_:
                self.best_validation_score_ = score
                self._best_flat = params.flat.copy()
            what = "Validation score did not improve"
        elif self.tol is None and self.learning_rate != "adaptive":
            # a fixed budget of max_iter epochs: the loss does not stop it
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])
            what = None
        else:
            self._count_no_improvement(self.best_loss_ - self.loss_curve_[-1])
            self.best_loss_ = min(self.best_loss_, self.loss_curve_[-1])
            what = "Training loss did not improve"
        self._optimizer.iteration_ends(self.t_)
        if self._no_improvement_count <= self.n_iter_no_change:
            return False
        msg = (
            f"{what} more than tol={self.tol or 0.0:f} for "
            f"{self.n_iter_no_change} consecutive epochs."
        )
        if self._optimizer.trigger_stopping(msg, self.verbose):
            return True
        self._no_improvement_count = 0
        return False

    def _count_no_improvement(self, gain):
        """Count an epoch whose ``gain`` on the best score (or loss) is below
        ``tol``, as ``MLPClassifier`` counts, or not above 0 with
        ``tol=None``; reset the count otherwise."""
        improved = gain > 0 if self.tol is None else gain >= self.tol
        self._no_improvement_count = 0 if improved else self._no_improvement_count + 1

    # --------------------------------------------- mean network, by chunks

    def _chunks(self, X, n_passes):
        """Row slices whose activations over all layers fit in working memory."""
        widths = X.shape[1] + sum(p.shape[1] for p in self.spike_probs_)
        row_bytes = 4 * self.slab_means_[0].dtype.itemsize * widths * n_passes
        return row_chunks(X.shape[0], row_bytes)

    def _moments(self):
        mus, variances = [], []
        for m, pi, xi in zip(self.slab_means_, self.spike_probs_, self.slab_vars_):
            mu, var, _ = sas_moments(m, pi, xi)
            mus.append(mu)
            variances.append(var)
        return mus, variances

    def _mean_logits(self, X, mus, intercepts):
        """Logits of the mean network, chunked over rows."""
        out = np.empty((X.shape[0], mus[-1].shape[1]), dtype=mus[-1].dtype)
        for rows in self._chunks(X, 1):
            part = take_rows(X, rows, out.dtype)
            out[rows] = forward(part, mus, intercepts, activation=self.activation)
        return out

    # ------------------------------------------ the mean network, exported

    @property
    def coefs_(self):
        """Effective weights of the mean network, one array per layer.

        ``coefs_[l] = (1 - pi) * m / sqrt(N_l)``, of shape ``(N_l,
        N_{l+1})`` and in the dtype of the parameters, so that the mean
        network (``inference="mean"``) computes ``z = h @ coefs_[l] +
        intercepts_[l]`` as ``MLPClassifier`` does. Computed from the
        current distribution at every access (so always in step with it,
        after ``partial_fit`` too); read-only.
        """
        check_is_fitted(self, "slab_means_")
        pairs = zip(self.slab_means_, self.spike_probs_)
        return [mean_weights(m, pi) for m, pi in pairs]

    def to_mlp(self):
        """The mean network as a fitted scikit-learn ``MLPClassifier``.

        The classifier has this network's ``activation``, hidden widths,
        ``coefs_`` and ``intercepts_`` (copies, in the parameters' dtype)
        and predicts what ``inference="mean"`` predicts (to float
        tolerance); for two classes its single logistic output has the
        weights ``W[:, 1] - W[:, 0]`` (see
        :meth:`SampledNetwork.to_mlp <sklearn_sas.SampledNetwork.to_mlp>`,
        which also says how it trains on). Not for a single class.

        Returns
        -------
        mlp : sklearn.neural_network.MLPClassifier
        """
        from ._export import to_mlp

        check_is_fitted(self)
        names = ("intercepts_", "classes_", "n_features_in_", "feature_names_in_")
        mean_network = SimpleNamespace(
            coefs_=self.coefs_,
            activation_=self.activation,
            out_activation_=self.out_activation_,
            **{name: getattr(self, name) for name in names if hasattr(self, name)},
        )
        return to_mlp(mean_network)
