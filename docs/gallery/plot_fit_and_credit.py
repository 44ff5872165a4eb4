"""
===================================
Fit a network and read its credit
===================================

Train a :class:`~sklearn_sas.SaSMLPClassifier` on the digits, compare it with
scikit-learn's ``MLPClassifier``, and read the credit of its connections:
very important (VIP), unimportant (UIP) or variable. See :ref:`model` and
:ref:`credit` in the user guide.
"""

# %%
# Data and models
# ---------------
#
# The pixels are scaled to [0, 1]. Both networks have one hidden layer of 64
# units; the spike-and-slab network uses its default recipe (Adam with a
# step of 0.1 annealed by a cosine schedule, ``alpha="auto"``, 100 epochs).
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from sklearn_sas import SaSMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.25, stratify=y, random_state=0
)

# %%
# The HTML representation of the fitted estimator, below, links to its page
# of the API reference (the "?" icon).
clf = SaSMLPClassifier(hidden_layer_sizes=(64,), random_state=0)
clf.fit(X_train, y_train)

# %%
mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=1000, random_state=0)
mlp.fit(X_train, y_train)

print(f"SaSMLPClassifier (mean network): {clf.score(X_test, y_test):.3f}")
print(f"MLPClassifier:                   {mlp.score(X_test, y_test):.3f}")

# %%
# The learned distribution
# ------------------------
#
# Instead of one weight, every connection has a spike probability
# ``pi`` (the probability that it is absent), a slab mean ``m`` and a slab
# variance ``xi``, one array per layer shaped like ``MLPClassifier.coefs_``.
print([pi.shape for pi in clf.spike_probs_])
print("mean pi per layer:", [round(float(pi.mean()), 3) for pi in clf.spike_probs_])

# %%
# Credit of every connection
# --------------------------
#
# :func:`~sklearn_sas.inspection.credit_assignment` classifies every
# connection. Printing the result gives one row per layer: the mean of
# ``pi``, the fractions of VIP, UIP and variable connections, and the mean
# entropy per connection (in nats; negative for narrow slabs).
from sklearn_sas.inspection import credit_assignment

credit = credit_assignment(clf)
print(credit)

# %%
# Credit of every pixel
# ---------------------
#
# The first layer has one row of connections per pixel. The fraction of a
# pixel's 64 connections in each class shows what the network uses. Pixels
# that are 0 in every training image (outlined) get no gradient from the
# data: the L2 penalty drives their slab means and variances to zero, so
# their connections end unimportant. Their credit reflects the training
# recipe, not the data.
import matplotlib.pyplot as plt
import numpy as np

blank = (X_train == 0).all(axis=0).reshape(8, 8)
classes = {
    "VIP": credit.vip_masks[0],
    "UIP": credit.uip_masks[0],
    "variable": credit.variable_masks[0],
}
fig, axes = plt.subplots(1, 3, figsize=(9, 3.4), layout="constrained")
for ax, (name, mask) in zip(axes, classes.items()):
    image = ax.imshow(mask.mean(axis=1).reshape(8, 8), vmin=0, vmax=1, cmap="viridis")
    rows, cols = np.nonzero(blank)
    ax.scatter(cols, rows, s=120, facecolors="none", edgecolors="red", linewidths=1.5)
    ax.set_title(f"{name} fraction per pixel")
    ax.set_xticks([])
    ax.set_yticks([])
fig.colorbar(image, ax=axes, shrink=0.8, label="fraction of the pixel's connections")
print(f"{int(blank.sum())} pixels are 0 in every training image")
print(
    "UIP fraction of their connections:",
    round(float(credit.uip_masks[0][blank.ravel()].mean()), 3),
)

# %%
# A concrete sub-network
# ----------------------
#
# Drawing every connection from its distribution gives an ordinary network,
# itself a fitted classifier.
net = clf.sample_network(random_state=0)
print(f"sampled network: accuracy {net.score(X_test, y_test):.3f}, "
      f"{net.sparsity_:.1%} of the connections absent")
