"""
==========================================
Plot the distribution, entropy and credit
==========================================

The four Displays of :mod:`sklearn_sas.inspection` draw the figures of Li and
Huang's paper for any fitted network, here a 64-64-64-10 network trained on
the digits: the distribution of the parameters (Fig. 3a), the connection
entropy (Fig. 3b), the per-layer profile of sparsity, entropy and credit
(Figs. 2b inset, 3c, 4b) and the targeted perturbation (Fig. 4a). See
:ref:`credit` in the user guide; :ref:`findings` shows the same figures on
MNIST.
"""

# %%
# A network with two hidden layers
# --------------------------------
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_sas import SaSMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.25, stratify=y, random_state=0
)
clf = SaSMLPClassifier(hidden_layer_sizes=(64, 64), random_state=0)
clf.fit(X_train, y_train)
print(f"test accuracy: {clf.score(X_test, y_test):.3f}")

# %%
# The parameters of every connection
# ----------------------------------
#
# One row per layer: histograms of the spike probability ``pi``, the slab
# mean ``m`` and the slab variance ``xi`` (counts on a log scale). The paper
# finds ``pi`` U-shaped (most connections always present or always absent),
# ``m`` broad and peaked around 0, and ``xi`` L-shaped.
from sklearn_sas.inspection import DistributionDisplay

disp = DistributionDisplay.from_estimator(clf, bins=30)

# %%
# The entropy of every connection
# -------------------------------
#
# A deterministic connection (always absent, or always present with a fixed
# weight) has entropy 0, which makes the peak at 0; a narrow slab has a
# negative entropy, a broad one a positive entropy.
from sklearn_sas.inspection import EntropyDisplay

disp = EntropyDisplay.from_estimator(clf, bins=30)

# %%
# Profile across layers
# ---------------------
#
# Per layer, the mean spike probability (the paper's sparsity), the VIP and
# UIP fractions, and the mean entropy per connection (on its own axis, in
# nats).
from sklearn_sas.inspection import LayerProfileDisplay

disp = LayerProfileDisplay.from_estimator(clf)

# %%
# ``from_estimators`` compares networks on one plot. Here, the UIP fraction
# of the same network trained with a weaker L2 penalty (``alpha="auto"`` is
# 0.003 for these 1,347 rows): ``alpha`` is what makes connections
# unimportant (see :ref:`recipe`).
weak = SaSMLPClassifier(hidden_layer_sizes=(64, 64), alpha=1e-4, random_state=0)
weak.fit(X_train, y_train)
disp = LayerProfileDisplay.from_estimators(
    [clf, weak], labels=["alpha='auto'", "alpha=1e-4"], quantity="uip_fraction"
)

# %%
# Targeted perturbation
# ---------------------
#
# Networks sampled from the distribution are perturbed in the first layer:
# a fraction of the VIP connections turned off, as many connections drawn at
# random turned off, or a fraction of the UIP connections turned on with
# random weights. Each curve is the mean test error of the sampled networks,
# with a band of one standard deviation.
from sklearn_sas.inspection import PerturbationDisplay

disp = PerturbationDisplay.from_estimator(
    clf,
    X_test,
    y_test,
    layer=0,
    fractions=[0, 0.25, 0.5, 0.75, 1],
    kinds=("vip", "random", "uip"),
    n_networks=5,
    random_state=0,
)
