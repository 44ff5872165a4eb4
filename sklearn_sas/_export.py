"""Export of concrete networks to scikit-learn's MLPClassifier or
MLPRegressor and to PyTorch."""

import warnings

import numpy as np
import scipy.sparse as sp


def _dense_copy(weights):
    """A new dense array of a layer's weights, stored dense or sparse."""
    return weights.toarray() if sp.issparse(weights) else np.array(weights)


def to_mlp(network):
    """A fitted ``MLPClassifier`` (for a network with ``classes_``) or
    ``MLPRegressor`` computing what ``network`` computes.

    See :meth:`ConcreteNetwork.to_mlp`.
    """
    coefs = [_dense_copy(w) for w in network.coefs_]
    intercepts = [b.copy() for b in network.intercepts_]
    if hasattr(network, "classes_"):
        mlp = _classifier_mlp(network, coefs, intercepts)
    else:
        mlp = _regressor_mlp(network, coefs)
    mlp.coefs_, mlp.intercepts_ = coefs, intercepts
    mlp.n_features_in_ = network.n_features_in_
    if hasattr(network, "feature_names_in_"):
        mlp.feature_names_in_ = network.feature_names_in_.copy()
    mlp.n_layers_ = len(coefs) + 1
    mlp.n_outputs_ = coefs[-1].shape[1]
    # the state the MLPs start training from, so partial_fit and a
    # warm-started fit continue from these weights; no history is invented
    mlp.n_iter_ = mlp.t_ = 0
    mlp.loss_curve_ = []
    mlp._no_improvement_count = 0
    mlp.best_loss_ = np.inf
    mlp.validation_scores_ = mlp.best_validation_score_ = None
    return mlp


def _classifier_mlp(network, coefs, intercepts):
    """An ``MLPClassifier`` of the classes and output of ``network``; turns
    two softmax outputs into one logistic unit in ``coefs`` and
    ``intercepts``, in place."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.preprocessing import LabelBinarizer

    classes = network.classes_.copy()
    multilabel = network.out_activation_ == "logistic"
    if len(classes) < 2:
        raise ValueError(
            "to_mlp needs a network of at least two classes: MLPClassifier "
            f"answers a single class with no network, and this one has {classes}."
        )
    if len(classes) == 2 and not multilabel:
        # MLPClassifier answers a binary problem with one logistic unit; the
        # softmax of two logits is the sigmoid of their difference
        coefs[-1] = coefs[-1][:, 1:] - coefs[-1][:, :1]
        intercepts[-1] = intercepts[-1][1:] - intercepts[-1][:1]
    mlp = MLPClassifier(
        hidden_layer_sizes=tuple(w.shape[1] for w in coefs[:-1]),
        activation=network.activation_,
    )
    mlp.classes_ = classes
    # predict maps the output units back to labels through the binarizer
    mlp._label_binarizer = LabelBinarizer().fit(
        # an indicator matrix of every label makes the multilabel binarizer
        np.eye(len(classes), dtype=int) if multilabel else classes
    )
    mlp.out_activation_ = "logistic" if len(classes) == 2 or multilabel else "softmax"
    return mlp


def _regressor_mlp(network, coefs):
    """An ``MLPRegressor`` of the output of ``network``: the identity of the
    squared error, or ``exp``, which ``MLPRegressor(loss="poisson")`` puts
    on its last layer as the Poisson network does."""
    from sklearn.neural_network import MLPRegressor

    poisson = network.out_activation_ == "exp"
    mlp = MLPRegressor(
        hidden_layer_sizes=tuple(w.shape[1] for w in coefs[:-1]),
        activation=network.activation_,
        loss="poisson" if poisson else "squared_error",
    )
    mlp.out_activation_ = network.out_activation_
    return mlp


# torch.nn modules of the hidden activations ("identity" adds no module)
_TORCH_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "logistic": "Sigmoid"}


def to_torch(network, masks):
    """A ``torch.nn.Sequential`` computing the logits of ``network``.

    See :meth:`ConcreteNetwork.to_torch`.
    """
    if not isinstance(masks, (bool, np.bool_)):
        raise TypeError(f"masks must be True or False; got {masks!r}.")
    try:
        import torch
        from torch.nn.utils import prune as torch_prune
    except ImportError as exc:
        raise ImportError(
            f"{type(network).__name__}.to_torch needs PyTorch, which is not "
            "installed: see https://pytorch.org for how to install it (e.g. "
            "`pip install torch`)."
        ) from exc
    dtype = getattr(torch, np.dtype(network.coefs_[0].dtype).name)
    keep = network._layer_masks() if masks else None
    layers = []
    for k, (weights, bias) in enumerate(zip(network.coefs_, network.intercepts_)):
        with warnings.catch_warnings():
            # a layer left with no unit (drop_dead_units) has empty weights,
            # whose initialization torch warns is a no-op: none is needed
            warnings.filterwarnings(
                "ignore", "Initializing zero-element tensors", UserWarning
            )
            # the values are copied in below: no random initialization to waste
            linear = torch.nn.utils.skip_init(
                torch.nn.Linear, *weights.shape, dtype=dtype
            )
        with torch.no_grad():
            # torch stores (out, in), the transpose of coefs_
            linear.weight.copy_(torch.from_numpy(_dense_copy(weights).T))
            linear.bias.copy_(torch.from_numpy(bias))
        if masks:
            # a copy: the module's buffer must not alias the network's masks
            mask = torch.from_numpy(keep[k].T.copy())
            torch_prune.custom_from_mask(linear, name="weight", mask=mask)
        layers.append(linear)
        if k < len(network.coefs_) - 1 and network.activation_ != "identity":
            layers.append(getattr(torch.nn, _TORCH_ACTIVATIONS[network.activation_])())
    return torch.nn.Sequential(*layers)
