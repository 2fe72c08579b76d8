"""
=====================================================
The reject option: a threshold for a target coverage
=====================================================

An ensemble's certainty is its largest averaged probability (the paper's
eq. 13).  Leaving the least certain patterns unclassified trades coverage
(the fraction classified) for accuracy on the rest.  Here a threshold is
chosen on validation patterns so that half of them are classified, and then
applied to independent test patterns.
"""

# %%
# Sizes
# -----
import os

SMALL = os.environ.get("SKXRD_EXAMPLE_SMALL") == "1"
N_TRAIN = 320 if SMALL else 6000
N_VALIDATION = 200 if SMALL else 1000
N_TEST = 200 if SMALL else 1000
EPOCHS = 8 if SMALL else 40
N_MEMBERS = 2 if SMALL else 5
TARGET_COVERAGE = 0.5

# %%
# Training, validation and test patterns
# --------------------------------------
# Three seeds of the training-data engine give three independent sets of
# random crystals.
from skxrd.engine import SyntheticPatternSource

GROUPS = [2, 14, 62, 194, 225]


def patterns(n, seed):
    """Labelled patterns of ``n`` random crystals of GROUPS."""
    return SyntheticPatternSource(space_groups=GROUPS, random_state=seed).take(n)


X_train, y_train = patterns(N_TRAIN, 0)
X_val, y_val = patterns(N_VALIDATION, 1)
X_test, y_test = patterns(N_TEST, 2)

# %%
# An ensemble of dense networks
# -----------------------------
from sklearn.pipeline import make_pipeline

from skxrd import PatternNormalizer, XRDAugmenter, XRDResampler
from skxrd.ensemble import XRDEnsembleClassifier
from skxrd.neural_network import XRDDenseClassifier

model = make_pipeline(
    XRDResampler(step=0.05),
    PatternNormalizer(),
    XRDAugmenter(random_state=0),
    XRDEnsembleClassifier(
        XRDDenseClassifier(
            hidden_layer_sizes=(256, 64), dropout=0.2, epochs=EPOCHS, batch_size=32
        ),
        n_estimators=N_MEMBERS,
        random_state=0,
    ),
)
model.fit(X_train, y_train)

# %%
# Choosing the threshold on validation patterns
# ---------------------------------------------
# `threshold_for_coverage` returns the certainty above which the target
# fraction of the validation patterns lies.  Choosing it on the test patterns
# themselves would make the test coverage exact, and optimistic.
from skxrd.metrics import threshold_for_coverage

threshold = threshold_for_coverage(model.predict_proba(X_val), TARGET_COVERAGE)
print(f"threshold for {TARGET_COVERAGE:.0%} coverage: {threshold:.3f}")

# %%
# Applying it
# -----------
# The threshold is a parameter of the ensemble and can be set after fitting.
# Rejected patterns get the label -1 (`skxrd.metrics.REJECT_LABEL`), which
# the skxrd metrics recognise.
from sklearn.metrics import accuracy_score

from skxrd.metrics import REJECT_LABEL, coverage_score, selective_accuracy_score

y_all = model.predict(X_test)
model.set_params(xrdensembleclassifier__reject_threshold=threshold)
y_pred = model.predict(X_test)
print(f"accuracy, all classified        {accuracy_score(y_test, y_all):.3f}")
print(f"coverage on the test patterns   {coverage_score(y_test, y_pred):.3f}")
print(f"accuracy on the classified ones {selective_accuracy_score(y_test, y_pred):.3f}")
print(f"unclassified (label {REJECT_LABEL})        {(y_pred == REJECT_LABEL).sum()}")

# %%
# Accuracy and coverage for every threshold
# -----------------------------------------
# The paper's Fig. 5d/e, with the 50%-coverage point marked, and the
# certainties of right and wrong predictions (Fig. 5b/c): the more the two
# histograms separate, the more rejection helps.
import matplotlib.pyplot as plt

from skxrd.plotting import plot_certainty_histograms, plot_rejection_curve

proba_test = model.predict_proba(X_test)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9, 3.5))
plot_rejection_curve(y_test, proba_test, model.classes_, ax=ax1)
ax1.axvline(threshold, color="0.5", ls=":", lw=1, label="chosen on validation")
ax1.legend(fontsize=7)
plot_certainty_histograms(y_test, proba_test, model.classes_, ax=ax2)
fig.tight_layout()

# %%
# The whole curve as numbers
# --------------------------
from skxrd.metrics import rejection_curve

thresholds, accuracy, coverage = rejection_curve(
    y_test, proba_test, labels=model.classes_, thresholds=[0.2, 0.3, 0.4, 0.5, 0.6]
)
for t, a, c in zip(thresholds, accuracy, coverage, strict=True):
    print(f"threshold {t:.1f}: coverage {c:.2f}, accuracy {a:.3f}")
