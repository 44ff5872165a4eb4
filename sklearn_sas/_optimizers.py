"""In-place stochastic optimizers on one flat parameter buffer.

The update rules, learning-rate schedules and stopping logic are those of
scikit-learn's ``neural_network._stochastic_optimizers``; the difference is
that every step works in place on a single flat array (see
``_gbp.ParamVector``), so a step is a few passes over memory with no
temporaries and the dtype of the parameters is kept.
"""

import math

import numpy as np


def cosine_learning_rate(learning_rate_init, epoch, period):
    """Step size of epoch ``epoch`` (counted from 0) under cosine annealing.

    ``learning_rate_init * (1 + cos(pi * e / period)) / 2`` with
    ``e = epoch % period``: the step falls from ``learning_rate_init`` at the
    first epoch towards 0 over ``period`` epochs, then starts again (the warm
    restarts of Loshchilov & Hutter, SGDR, ICLR 2017).
    """
    phase = (epoch % period) / period
    return float(learning_rate_init) * 0.5 * (1.0 + math.cos(math.pi * phase))


class BaseOptimizer:
    """Learning rate schedules and stopping, shared by the optimizers.

    Parameters
    ----------
    learning_rate_init : float
        Initial step size.
    lr_schedule : {"constant", "cosine", "invscaling", "adaptive"}
        ``"cosine"`` takes :func:`cosine_learning_rate` of the number of
        epochs ended so far, with period ``period``; ``"invscaling"`` sets
        ``lr = learning_rate_init / (t + 1) ** power_t`` after each epoch,
        ``t`` counting samples; ``"adaptive"`` divides it by 5 whenever
        training stops improving, and stops below 1e-6.
    power_t : float
        Exponent of ``"invscaling"``.
    period : int
        Epochs of one cosine cycle (``"cosine"`` only).
    """

    def __init__(
        self, learning_rate_init, lr_schedule="constant", power_t=0.5, period=None
    ):
        self.learning_rate_init = learning_rate_init
        self.learning_rate = float(learning_rate_init)
        self.lr_schedule = lr_schedule
        self.power_t = power_t
        self.period = period
        self.epochs = 0

    def iteration_ends(self, time_step):
        """Hook called at the end of every epoch; ``time_step`` counts samples."""
        self.epochs += 1
        if self.lr_schedule == "cosine":
            self.learning_rate = cosine_learning_rate(
                self.learning_rate_init, self.epochs, self.period
            )
        elif self.lr_schedule == "invscaling":
            self.learning_rate = (
                float(self.learning_rate_init) / (time_step + 1) ** self.power_t
            )

    def trigger_stopping(self, msg, verbose):
        """Decide whether training stops after ``msg``; True means stop."""
        if self.lr_schedule != "adaptive":
            if verbose:
                print(msg + " Stopping.")
            return True
        if self.learning_rate <= 1e-6:
            if verbose:
                print(msg + " Learning rate too small. Stopping.")
            return True
        self.learning_rate /= 5.0
        if verbose:
            print(msg + " Setting learning rate to %f" % self.learning_rate)
        return False


class SGDOptimizer(BaseOptimizer):
    """Stochastic gradient descent with momentum, in place.

    ``velocity = momentum * velocity - lr * grad``; the step is ``velocity``,
    or ``momentum * velocity - lr * grad`` with Nesterov's momentum.

    Parameters
    ----------
    params : ndarray
        Flat parameter buffer (only its shape and dtype are used).
    learning_rate_init : float
    lr_schedule : {"constant", "cosine", "invscaling", "adaptive"}
        See :class:`BaseOptimizer`.
    momentum : float
    nesterov : bool
    power_t : float
    period : int
        See :class:`BaseOptimizer`.
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.1,
        lr_schedule="constant",
        momentum=0.9,
        nesterov=True,
        power_t=0.5,
        period=None,
    ):
        super().__init__(learning_rate_init, lr_schedule, power_t, period)
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocity = np.zeros_like(params)

    def update_params(self, params, grads):
        """Take one step on ``params`` in place; ``grads`` is overwritten."""
        scaled_grad = np.multiply(grads, self.learning_rate, out=grads)
        self.velocity *= self.momentum
        self.velocity -= scaled_grad
        if self.nesterov:
            params -= scaled_grad
            params += np.multiply(self.velocity, self.momentum, out=grads)
        else:
            params += self.velocity


class AdamOptimizer(BaseOptimizer):
    """Adam (Kingma & Ba, 2014), in place.

    The moment estimates are kept divided by ``1 - beta_1`` and
    ``1 - beta_2``; the step is unchanged (the factors move into two scalars)
    and updating the estimates takes three passes over memory instead of five.

    Parameters
    ----------
    params : ndarray
        Flat parameter buffer (only its shape and dtype are used).
    learning_rate_init : float
    beta_1, beta_2 : float
        Decay rates of the first and second moment estimates, in [0, 1).
    epsilon : float
        Added to the root of the second moment for numerical stability.
    lr_schedule, power_t, period
        The step size schedule, see :class:`BaseOptimizer`.
    """

    def __init__(
        self,
        params,
        learning_rate_init=0.001,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        lr_schedule="constant",
        power_t=0.5,
        period=None,
    ):
        super().__init__(learning_rate_init, lr_schedule, power_t, period)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.scaled_first_moment = np.zeros_like(params)
        self.scaled_second_moment = np.zeros_like(params)

    @property
    def first_moment(self):
        """Adam's first moment estimate ``m_t`` (a new array)."""
        return self.scaled_first_moment * (1 - self.beta_1)

    @property
    def second_moment(self):
        """Adam's second moment estimate ``v_t`` (a new array)."""
        return self.scaled_second_moment * (1 - self.beta_2)

    def update_params(self, params, grads):
        """Take one step on ``params`` in place; ``grads`` is overwritten."""
        self.t += 1
        # the gradient is spent once squared, so its buffer is the scratch:
        # one array less for the caches to hold
        tmp = grads
        # m_t / (1 - b1) = b1 m_{t-1} / (1 - b1) + g, and alike for v_t
        first, second = self.scaled_first_moment, self.scaled_second_moment
        first *= self.beta_1
        first += grads
        second *= self.beta_2
        np.multiply(grads, grads, out=tmp)
        second += tmp
        # lr_t m_t / (sqrt(v_t) + eps), with m_t = (1 - b1) first and
        # sqrt(v_t) = sqrt(1 - b2) sqrt(second)
        root = float(np.sqrt(1 - self.beta_2))
        lr_t = (
            self.learning_rate
            * float(np.sqrt(1 - self.beta_2**self.t))
            / (1 - self.beta_1**self.t)
        )
        np.sqrt(second, out=tmp)
        tmp += self.epsilon / root
        np.divide(first, tmp, out=tmp)
        tmp *= lr_t * (1 - self.beta_1) / root
        params -= tmp


class MaskedOptimizer:
    """An optimizer whose steps hold some entries of the buffer fixed.

    Wraps ``optimizer`` (an :class:`SGDOptimizer` or :class:`AdamOptimizer`
    of the same buffer): before a step the gradient of every frozen entry is
    set to zero, so the wrapped optimizer's state for it (velocity, moment
    estimates) stays exactly what it was (zero for a new optimizer); after
    the step every frozen entry is set back to its value in
    ``frozen_values``, which also undoes what a weight decay applied to it
    before the step. Everything else (learning rate, schedules, stopping) is
    the wrapped optimizer's.

    Parameters
    ----------
    optimizer : SGDOptimizer or AdamOptimizer
    trained : ndarray of bool
        Shaped like the buffer: True for an entry that trains, False for one
        held at its ``frozen_values`` entry.
    frozen_values : ndarray
        Shaped like the buffer: the values of the frozen entries (the others
        are ignored).
    """

    def __init__(self, optimizer, trained, frozen_values):
        self.optimizer = optimizer
        dtype = np.asarray(frozen_values).dtype
        # multiplications rather than boolean indexing: two passes over memory
        # per step and no temporaries, whatever the share of frozen entries
        self._keep = np.asarray(trained, dtype=dtype)
        self._frozen = np.where(trained, 0, frozen_values).astype(dtype)

    @property
    def learning_rate(self):
        """The wrapped optimizer's current step size."""
        return self.optimizer.learning_rate

    def iteration_ends(self, time_step):
        self.optimizer.iteration_ends(time_step)

    def trigger_stopping(self, msg, verbose):
        return self.optimizer.trigger_stopping(msg, verbose)

    def update_params(self, params, grads):
        """Take one step on the trained entries of ``params`` in place;
        ``grads`` is overwritten."""
        grads *= self._keep
        self.optimizer.update_params(params, grads)
        params *= self._keep
        params += self._frozen
