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

# %%
# Choosing a rejection threshold
# ------------------------------
#
# :class:`~sklearn_sas.inspection.RejectionCurveDisplay` shows the accuracy of
# the rows kept and the fraction kept against a threshold on the uncertainty:
# rows at or below it are predicted, the others left to a person. The
# predictive entropy (the total uncertainty) ranks the likely errors last.
# Choose the threshold on held-out data (here the test set, for brevity).
# :meth:`~sklearn_sas.inspection.RejectionCurveDisplay.from_predictions` takes
# any model's scores: an ``MLPClassifier``'s entropy on the same axes.
from sklearn.neural_network import MLPClassifier

from sklearn_sas.inspection import RejectionCurveDisplay
from sklearn_sas.metrics import expected_calibration_error

fig, ax = plt.subplots(figsize=(6, 3.5), layout="constrained")
disp = RejectionCurveDisplay.from_estimator(
    clf, X_test, y_test, uncertainty="predictive_entropy", name="SaS", ax=ax
)
mlp = MLPClassifier(hidden_layer_sizes=(64,), max_iter=1000, random_state=0)
mlp_proba = mlp.fit(X_train, y_train).predict_proba(X_test)
mlp_entropy = -np.sum(mlp_proba * np.log(np.clip(mlp_proba, 1e-300, None)), axis=1)
RejectionCurveDisplay.from_predictions(
    y_test, mlp.classes_[mlp_proba.argmax(axis=1)], mlp_entropy,
    uncertainty_name="predictive entropy (nats)", name="MLP", ax=ax,
    curve_kwargs=[{"color": "C2"}, {"color": "C3", "linestyle": "--"}],
)
ax.set_ylim(0.5, 1.01)

threshold = disp.thresholds[disp.accuracy >= 0.99].max()
kept = disp.fraction_kept[disp.thresholds == threshold][0]
print(f"SaS: entropy at most {threshold:.3f} keeps {kept:.0%} of the rows at "
      "99% accuracy or more")

# %%
# The calibration of the two, by the expected calibration error (15 bins of
# the largest probability; 0 is perfect):
print(f"ECE: SaS ensemble {expected_calibration_error(y_test, result.proba):.3f}, "
      f"MLPClassifier {expected_calibration_error(y_test, mlp_proba):.3f}")
