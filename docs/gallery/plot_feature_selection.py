"""
=====================================
Select pixels with SaSFeatureSelector
=====================================

:class:`~sklearn_sas.SaSFeatureSelector` keeps the input features whose
first-layer connections carry credit, like scikit-learn's
``SelectFromModel``. Here it selects pixels of the digits for a logistic
regression, inside a ``Pipeline``. See :ref:`feature_selection` in the user
guide.
"""

# %%
# Credit of every pixel
# ---------------------
#
# The credit of a pixel is the L1 norm of its row of mean weights,
# ``sum_k (1 - pi_ik) |m_ik|``. A pixel all of whose connections are
# unimportant is never used and always dropped, and so is a pixel that is 0
# in every training image (``blank_features_``, of credit 0), whatever the
# number of epochs; ``threshold`` drops the pixels whose credit is below it
# as well.
import matplotlib.pyplot as plt
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from sklearn_sas import SaSFeatureSelector, SaSMLPClassifier

X, y = load_digits(return_X_y=True)
X_train, X_test, y_train, y_test = train_test_split(
    X / 16, y, test_size=0.25, stratify=y, random_state=0
)

selector = SaSFeatureSelector(
    SaSMLPClassifier(hidden_layer_sizes=(32,), max_iter=50, random_state=0),
    threshold="mean",
)
selector.fit(X_train, y_train)
print(f"{selector.get_support().sum()} of {X.shape[1]} pixels kept")

fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
image = axes[0].imshow(selector.feature_credit_.reshape(8, 8), cmap="viridis")
fig.colorbar(image, ax=axes[0], shrink=0.8)
axes[0].set_title("credit of every pixel")
axes[1].imshow(selector.get_support().reshape(8, 8), cmap="gray")
axes[1].set_title('kept with threshold="mean"')
for ax in axes:
    ax.set_xticks([])
    ax.set_yticks([])

# %%
# In a pipeline
# -------------
#
# The selector is a transformer: a logistic regression trained on the kept
# pixels only.
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

pipe = make_pipeline(selector, LogisticRegression(max_iter=2000))
pipe.fit(X_train, y_train)

# %%
full = LogisticRegression(max_iter=2000).fit(X_train, y_train)
print(f"all pixels:  {full.score(X_test, y_test):.3f}")
print(f"kept pixels: {pipe.score(X_test, y_test):.3f}")

# %%
# Changing the threshold
# ----------------------
#
# With ``prefit=True`` the selector uses a fitted network as it is, and, as
# with ``SelectFromModel``, changing ``threshold`` changes the selection
# without training the network again. It has no training data and reports
# the network's own credit: ``threshold=None`` drops only the pixels whose
# connections are all unimportant. The connections of a pixel that is 0 in
# every training image get no gradient from the data and shrink to
# deterministic zeros only after enough steps: after these 50 epochs on
# 1,347 images some of them are still not unimportant (after 60 epochs they
# all are), and the network's own credit keeps such pixels, while the
# selector that trained the network dropped them all.

network = selector.estimator_
all_uip = ~SaSFeatureSelector(network, prefit=True).fit(X_train).get_support()
blank = (X_train == 0).all(axis=0)
print(f"{blank.sum()} pixels are 0 in every training image, "
      f"{selector.blank_features_.sum()} of them dropped by the selector "
      f"that trained the network; {all_uip.sum()} pixels with only "
      f"unimportant connections, {(all_uip & blank).sum()} of them blank")
for threshold in [None, "0.5*mean", "mean", "1.5*mean"]:
    prefit = SaSFeatureSelector(network, prefit=True, threshold=threshold)
    model = make_pipeline(prefit, LogisticRegression(max_iter=2000))
    model.fit(X_train, y_train)
    n_kept = model[0].get_support().sum()
    print(f"threshold={threshold!s:9}: {n_kept:2d} pixels, "
          f"test accuracy {model.score(X_test, y_test):.3f}")
