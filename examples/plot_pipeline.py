"""
=====================================================
A Pipeline from synthetic patterns to space groups
=====================================================

The training-data engine makes labelled patterns of random crystals; a
scikit-learn Pipeline moves them onto a coarser grid, scales them to maximum 1,
augments them with the paper's noise and backgrounds while fitting, and
averages a small ensemble of dense networks — the set-up of Vecsei et al.
(2019), shrunk to five space groups so that it trains in seconds.

Set the environment variable ``SKXRD_EXAMPLE_SMALL=1`` for a quick run (the
documentation build and the test suite do).
"""

# %%
# Sizes
# -----
# The small sizes only show that the code runs; the full ones learn more.
import os

SMALL = os.environ.get("SKXRD_EXAMPLE_SMALL") == "1"
N_TRAIN = 320 if SMALL else 6000
N_TEST = 160 if SMALL else 1000
EPOCHS = 8 if SMALL else 40
N_MEMBERS = 2 if SMALL else 5

# %%
# Patterns of random crystals in five space groups
# ------------------------------------------------
# One group from each of five crystal systems: P-1 (2), P2_1/c (14), Pnma (62),
# P6_3/mmc (194) and Fm-3m (225).  The engine draws a random crystal of a random
# group for every pattern, computes its powder peaks and renders them with a
# random realistic peak shape on the standard Cu Kα grid (5–90°, 0.01°).  Two
# seeds give two independent streams: training and test crystals never repeat.
from skxrd import space_group_symbol
from skxrd.engine import SyntheticPatternSource

GROUPS = [2, 14, 62, 194, 225]
X_train, y_train = SyntheticPatternSource(space_groups=GROUPS, random_state=0).take(
    N_TRAIN
)
X_test, y_test = SyntheticPatternSource(space_groups=GROUPS, random_state=1).take(
    N_TEST
)
print("training patterns:", X_train.shape, X_train.dtype)
for group in GROUPS:
    print(f"{group:4d} {space_group_symbol(group):10s} {(y_train == group).sum():5d}")

# %%
# The Pipeline
# ------------
# ``XRDResampler(step=0.05)`` averages the 8500 points into 1700 bins, which
# keeps the networks small; ``XRDAugmenter`` adds noise and background only in
# ``fit`` — ``predict`` and ``score`` see the patterns as they are.  The
# ensemble clones the network once per member, each with its own seed, and
# averages their probabilities.
from sklearn.pipeline import make_pipeline

from skxrd import PatternNormalizer, XRDAugmenter, XRDResampler
from skxrd.ensemble import XRDEnsembleClassifier
from skxrd.neural_network import XRDDenseClassifier

network = XRDDenseClassifier(
    hidden_layer_sizes=(256, 64),
    dropout=0.2,
    epochs=EPOCHS,
    batch_size=32,
)
model = make_pipeline(
    XRDResampler(step=0.05),
    PatternNormalizer(),
    XRDAugmenter(random_state=0),
    XRDEnsembleClassifier(network, n_estimators=N_MEMBERS, random_state=0),
)
model.fit(X_train, y_train)

# %%
# Evaluation
# ----------
# Top-1 and top-3 accuracy over space groups, the accuracy of the crystal
# system implied by the predicted group, and the mean distance in the graph
# of maximal subgroups between predicted and true group (0 when right).
from skxrd.metrics import (
    crystal_system_accuracy_score,
    subgroup_distance_score,
    top_n_accuracy_score,
)

proba = model.predict_proba(X_test)
y_pred = model.predict(X_test)
classes = model.classes_
print(
    f"top-1 accuracy          {top_n_accuracy_score(y_test, proba, n=1, labels=classes):.3f}"
)
print(
    f"top-3 accuracy          {top_n_accuracy_score(y_test, proba, n=3, labels=classes):.3f}"
)
print(f"crystal-system accuracy {crystal_system_accuracy_score(y_test, y_pred):.3f}")
print(f"mean subgroup distance  {subgroup_distance_score(y_test, y_pred):.2f}")
print(f"chance (top-1)          {1 / len(GROUPS):.3f}")

# %%
# Accuracy within the n most probable groups
# ------------------------------------------
# The paper's Fig. 5a, for training and test patterns: the gap between the two
# curves is what the networks memorized of their training crystals.
import matplotlib.pyplot as plt

from skxrd.plotting import plot_top_n_accuracy

fig, ax = plt.subplots(figsize=(5, 3.5))
plot_top_n_accuracy(
    {
        "training": (y_train, model.predict_proba(X_train), classes),
        "test": (y_test, proba, classes),
    },
    max_n=len(GROUPS),
    ax=ax,
)
fig.tight_layout()

# %%
# Per-group accuracy
# ------------------
from skxrd.plotting import plot_space_group_accuracy

fig, ax = plt.subplots(figsize=(5, 3.5))
plot_space_group_accuracy(y_test, y_pred, ax=ax)
fig.tight_layout()
