"""
=========================================
Sampled networks, ensembles, uncertainty
=========================================

A fitted :class:`~sklearn_sas.SaSMLPClassifier` is a distribution over
networks. This example draws concrete networks from it, predicts with their
ensemble, and measures how much its members disagree on each test image.
See :ref:`uncertainty` in the user guide.
"""

# %%
# Sampled networks
# ----------------
#
# Every connection of a sampled network is present with probability
# ``1 - pi`` and then has a weight drawn from its slab. The paper finds them
# about as accurate as the mean network.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_sas import SaSMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.25, stratify=y, random_state=0
)
clf = SaSMLPClassifier(hidden_layer_sizes=(64,), random_state=0)
clf.fit(X_train, y_train)

networks = clf.sample_networks(30, random_state=0)
scores = [net.score(X_test, y_test) for net in networks]
print(f"mean network: {clf.score(X_test, y_test):.3f}")
print(f"30 sampled networks: {np.mean(scores):.3f} +- {np.std(scores):.3f}, "
      f"{np.mean([net.sparsity_ for net in networks]):.1%} of the connections "
      "absent on average")

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
ax.hist(scores, bins=10, color="tab:blue", alpha=0.7, label="sampled networks")
ax.axvline(clf.score(X_test, y_test), color="black", linestyle="--",
           label="mean network")
ax.set_xlabel("test accuracy")
ax.set_ylabel("number of networks")
ax.legend()

# %%
# Stochastic inference
# --------------------
#
# ``inference="ensemble"`` averages the probabilities of ``n_samples``
# sampled networks; ``inference="mc"`` averages ``n_samples`` mean-field
# passes with fresh noise. Both are parameters of the estimator and can be
# changed after fit.
for inference in ["mean", "mc", "ensemble"]:
    clf.set_params(inference=inference, n_samples=50, random_state=0)
    print(f'inference="{inference}": test accuracy {clf.score(X_test, y_test):.3f}')

# %%
# Uncertainty of every prediction
# -------------------------------
#
# :meth:`~sklearn_sas.SaSMLPClassifier.predict_uncertainty` splits the
# predictive entropy of every row into the expected entropy of the members
# (aleatoric) and the mutual information, which measures their disagreement
# (epistemic).
clf.set_params(inference="ensemble", n_samples=50)
result = clf.predict_uncertainty(X_test)
predicted = clf.classes_[result.proba.argmax(axis=1)]
wrong = predicted != y_test
print(f"{wrong.sum()} wrong predictions out of {len(y_test)}")
print("mean mutual information (nats): "
      f"correct {result.mutual_information[~wrong].mean():.4f}, "
      f"wrong {result.mutual_information[wrong].mean():.4f}")

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
bins = np.linspace(0, result.mutual_information.max(), 30)
ax.hist(result.mutual_information[~wrong], bins=bins, density=True, alpha=0.6,
        label="correct predictions")
ax.hist(result.mutual_information[wrong], bins=bins, density=True, alpha=0.6,
        label="wrong predictions")
ax.set_xlabel("mutual information (nats)")
ax.set_ylabel("density")
ax.legend()

# %%
# The most uncertain test images
# ------------------------------
#
# Ranking the rows by mutual information finds the images on which the
# sampled networks disagree most.
order = np.argsort(result.mutual_information)[::-1][:8]
fig, axes = plt.subplots(1, 8, figsize=(9, 1.9), layout="constrained")
for ax, row in zip(axes, order):
    ax.imshow(X_test[row].reshape(8, 8), cmap="gray_r")
    ax.set_title(f"{y_test[row]} -> {predicted[row]}", fontsize=9)
    ax.set_xticks([])
    ax.set_yticks([])
fig.suptitle("true label -> predicted label")
