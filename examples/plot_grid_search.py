"""
=====================================================
Tuning a network with GridSearchCV and skxrd scorers
=====================================================

skxrd's networks are scikit-learn classifiers, so ``GridSearchCV`` splits the
patterns with stratified folds and scores them with any scorer.  skxrd adds
scorers for the questions a crystallographer asks: is the right space group
among the n most probable ones (``top_n_scorer``), and how far in the graph
of maximal subgroups is the predicted group from the true one
(``neg_subgroup_distance_scorer``)?  Both align the probability columns
through the classifier's ``classes_``, so a fold that lacks a group still
gets a finite score.
"""

# %%
# Sizes
# -----
import os

SMALL = os.environ.get("SKXRD_EXAMPLE_SMALL") == "1"
N_PATTERNS = 240 if SMALL else 4000
EPOCHS = 5 if SMALL else 30
WIDTHS = [(32,), (128,)] if SMALL else [(64,), (256,), (512, 128)]
LEARNING_RATES = [1e-3] if SMALL else [3e-4, 1e-3]

# %%
# Patterns of random crystals in five space groups
# ------------------------------------------------
# Two monoclinic groups (P2_1/c, C2/c), one orthorhombic (Pnma) and two cubic
# (Pm-3m, Fm-3m): a wrong group can still be the right crystal system.
from skxrd.engine import SyntheticPatternSource

GROUPS = [14, 15, 62, 221, 225]
X, y = SyntheticPatternSource(space_groups=GROUPS, random_state=0).take(N_PATTERNS)

# %%
# The search
# ----------
# Parameters of the steps are addressed as ``step__parameter``.  Several
# scorers are computed for every candidate; ``refit`` names the one that picks
# the model refitted on all patterns.  ``error_score="raise"`` makes a failing
# fit stop the search instead of scoring it NaN.
from sklearn.base import is_classifier
from sklearn.model_selection import GridSearchCV, check_cv
from sklearn.pipeline import make_pipeline

from skxrd import PatternNormalizer, XRDAugmenter, XRDResampler
from skxrd.metrics import (
    crystal_system_accuracy_scorer,
    neg_subgroup_distance_scorer,
    top_n_scorer,
)
from skxrd.neural_network import XRDDenseClassifier

pipeline = make_pipeline(
    XRDResampler(step=0.05),
    PatternNormalizer(),
    XRDAugmenter(random_state=0),
    XRDDenseClassifier(dropout=0.2, epochs=EPOCHS, batch_size=32, random_state=0),
)
scoring = {
    "top_1": top_n_scorer(1),
    "top_3": top_n_scorer(3),
    "crystal_system": crystal_system_accuracy_scorer,
    "neg_subgroup_distance": neg_subgroup_distance_scorer,
}
search = GridSearchCV(
    pipeline,
    param_grid={
        "xrddenseclassifier__hidden_layer_sizes": WIDTHS,
        "xrddenseclassifier__learning_rate": LEARNING_RATES,
    },
    scoring=scoring,
    refit="top_3",
    cv=3,
    error_score="raise",
)
search.fit(X, y)
print("folds:", check_cv(search.cv, y, classifier=is_classifier(pipeline)))
print("best parameters:", search.best_params_)

# %%
# The scores of every candidate
# -----------------------------
# Each mean is over the three folds; none is NaN.
import numpy as np

results = search.cv_results_
for name in scoring:
    assert np.isfinite(results[f"mean_test_{name}"]).all(), name
header = "hidden layers   lr      " + " ".join(f"{name:>22s}" for name in scoring)
print(header)
for k, params in enumerate(results["params"]):
    widths = str(params["xrddenseclassifier__hidden_layer_sizes"])
    rate = params["xrddenseclassifier__learning_rate"]
    scores = " ".join(f"{results[f'mean_test_{name}'][k]:22.3f}" for name in scoring)
    print(f"{widths:15s} {rate:<7g} {scores}")

# %%
# Scores against the candidates
# -----------------------------
import matplotlib.pyplot as plt

labels = [
    f"{p['xrddenseclassifier__hidden_layer_sizes']}\nlr {p['xrddenseclassifier__learning_rate']:g}"
    for p in results["params"]
]
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(8, 3.5))
for name in ("top_1", "top_3", "crystal_system"):
    ax1.errorbar(
        labels,
        results[f"mean_test_{name}"],
        yerr=results[f"std_test_{name}"],
        marker="o",
        capsize=3,
        label=name,
    )
ax1.set_ylabel("accuracy (3-fold mean)")
ax1.legend()
ax2.errorbar(
    labels,
    -results["mean_test_neg_subgroup_distance"],
    yerr=results["std_test_neg_subgroup_distance"],
    marker="o",
    capsize=3,
    color="C3",
)
ax2.set_ylabel("mean subgroup distance")
for ax in (ax1, ax2):
    ax.tick_params(axis="x", labelsize=7)
fig.tight_layout()
