"""
=====================================================
Prune, fine-tune and deploy as MLPClassifier and ONNX
=====================================================

:mod:`sklearn_sas.compression` turns a fitted network into a smaller one:
masks of the connections to keep, retraining of the kept ones, a pruned
classifier, and a scikit-learn ``MLPClassifier`` that ``skl2onnx`` converts
to ONNX. See :ref:`compression` in the user guide.
"""

# %%
# A fitted network
# ----------------
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_sas import SaSMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.25, stratify=y, random_state=0
)
clf = SaSMLPClassifier(hidden_layer_sizes=(64,), random_state=0)
clf.fit(X_train, y_train)
print(f"dense network: test accuracy {clf.score(X_test, y_test):.3f}")

# %%
# Dropping the unimportant connections
# ------------------------------------
#
# An unimportant (UIP) connection is absent from every sampled network, so
# pruning it changes no prediction of the mean network.
from sklearn_sas.compression import prune, pruning_masks

masks = pruning_masks(clf, rule="uip")
pruned = prune(clf, rule="uip")
print(f"rule='uip' drops {masks.sparsity:.1%} of the connections; "
      f"test accuracy {pruned.score(X_test, y_test):.3f}")

# %%
# Accuracy against sparsity
# -------------------------
#
# Going further, ``rule="sparsity"`` drops the connections with the smallest
# expected weight ``(1 - pi)|m|``. A network this small has little to spare:
# without retraining, accuracy falls at high sparsity. Retraining the kept
# connections for a few epochs after pruning (``fine_tune_iter``) recovers
# most of it.
from sklearn_sas.compression import SparsityCurveDisplay

print(f"{sum(pi.size for pi in clf.spike_probs_)} connections")
sparsities = [0.5, 0.7, 0.8, 0.9, 0.95]
one_shot = SparsityCurveDisplay.from_estimator(
    clf, X_test, y_test, sparsities=sparsities, name="no retraining"
)
tuned = SparsityCurveDisplay.from_estimator(
    clf,
    X_test,
    y_test,
    sparsities=sparsities,
    fine_tune_iter=10,
    X_tune=X_train,
    y_tune=y_train,
    name="10 epochs of fine-tuning",
    show_dense=False,
    ax=one_shot.ax_,
)
for sparsity, before, after in zip(sparsities, one_shot.accuracy, tuned.accuracy):
    print(f"{sparsity:.0%} sparse: {before:.3f} without retraining, "
          f"{after:.3f} fine-tuned")

# %%
# Prune and retrain in steps
# --------------------------
#
# :func:`~sklearn_sas.compression.fine_tune` with a list of sparsities
# alternates pruning and retraining; the removed connections stay absent.
# :func:`~sklearn_sas.compression.prune` then builds the pruned classifier,
# and ``drop_dead_units=True`` removes the hidden units left without
# connections.
from sklearn_sas.compression import fine_tune

tuned = fine_tune(
    clf, X_train, y_train, rule="sparsity", sparsity=[0.5, 0.8, 0.9], max_iter=10
)
small = prune(tuned, drop_dead_units=True)
print(f"{small.sparsity_:.1%} of the connections dropped "
      f"({small.compression_ratio_:.1f}x fewer), hidden units: "
      f"{clf.hidden_layer_sizes[0]} -> {small.hidden_layer_sizes_[0]}, "
      f"test accuracy {small.score(X_test, y_test):.3f}")

# %%
# As a scikit-learn MLPClassifier
# -------------------------------
#
# ``to_mlp`` returns a fitted ``MLPClassifier`` with the pruned weights; it
# predicts like the pruned network and needs nothing of this package.
import numpy as np

mlp = small.to_mlp()
mlp

# %%
print("hidden_layer_sizes:", mlp.hidden_layer_sizes)
print("same labels:", bool((mlp.predict(X_test) == small.predict(X_test)).all()))
print("largest difference of probabilities:",
      float(np.abs(mlp.predict_proba(X_test) - small.predict_proba(X_test)).max()))

# %%
# To ONNX
# -------
#
# ``skl2onnx`` converts the ``MLPClassifier`` to ONNX, which ``onnxruntime``
# runs (the ``onnx`` extra: ``pip install -e ".[onnx]"``).
try:
    import onnxruntime
    import skl2onnx
except ImportError:
    print("skl2onnx or onnxruntime is not installed: the ONNX step is skipped")
else:
    X32 = X_test.astype(np.float32)
    onx = skl2onnx.to_onnx(mlp, X32[:1], options={"zipmap": False})
    session = onnxruntime.InferenceSession(
        onx.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    labels, proba = session.run(None, {session.get_inputs()[0].name: X32})
    print(f"ONNX model: {len(onx.SerializeToString()) / 1024:.1f} KiB")
    print("same labels as the pruned network:",
          bool((labels == small.predict(X32)).all()))
