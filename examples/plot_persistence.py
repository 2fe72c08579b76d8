"""
=====================================================
Saving and reloading a fitted model
=====================================================

A fitted Pipeline with an ensemble of networks pickles like any scikit-learn
estimator, with ``pickle`` or ``joblib``, and predicts exactly the same after
loading.  A pickle runs code when it is loaded, so for models that travel
skxrd also writes a ``.skxrd`` file — JSON plus float32 weights — with
`skxrd.save_model` and reads it back with `skxrd.load_model`.
"""

# %%
# Sizes
# -----
import os

SMALL = os.environ.get("SKXRD_EXAMPLE_SMALL") == "1"
N_TRAIN = 200 if SMALL else 3000
EPOCHS = 3 if SMALL else 30
N_MEMBERS = 2 if SMALL else 5

# %%
# A fitted Pipeline
# -----------------
from sklearn.pipeline import make_pipeline

from skxrd import PatternNormalizer, XRDAugmenter, XRDResampler
from skxrd.engine import SyntheticPatternSource
from skxrd.ensemble import XRDEnsembleClassifier
from skxrd.neural_network import XRDDenseClassifier

GROUPS = [2, 14, 62, 194, 225]
X, y = SyntheticPatternSource(space_groups=GROUPS, random_state=0).take(N_TRAIN)
X_new, _ = SyntheticPatternSource(space_groups=GROUPS, random_state=1).take(50)

model = make_pipeline(
    XRDResampler(step=0.05),
    PatternNormalizer(),
    XRDAugmenter(random_state=0),
    XRDEnsembleClassifier(
        XRDDenseClassifier(
            hidden_layer_sizes=(64,), dropout=0.2, epochs=EPOCHS, batch_size=32
        ),
        n_estimators=N_MEMBERS,
        random_state=0,
    ),
)
model.fit(X, y)
proba = model.predict_proba(X_new)

# %%
# pickle and joblib
# -----------------
# A network is pickled as its float32 weights and rebuilt on loading; the
# optimizer state is kept only with ``warm_start=True``, for training on.
import pickle
import tempfile
from pathlib import Path

import joblib
import numpy as np

folder = Path(tempfile.mkdtemp())

blob = pickle.dumps(model)
from_pickle = pickle.loads(blob)
np.testing.assert_array_equal(from_pickle.predict_proba(X_new), proba)

joblib.dump(model, folder / "model.joblib")
from_joblib = joblib.load(folder / "model.joblib")
np.testing.assert_array_equal(from_joblib.predict_proba(X_new), proba)
np.testing.assert_array_equal(from_joblib.predict(X_new), model.predict(X_new))

n_weights = sum(
    w.size for net in model[-1].estimators_ for w in net.model_.get_weights()
)
print(f"float32 weights: {4 * n_weights / 1e6:.2f} MB")
print(f"pickle:          {len(blob) / 1e6:.2f} MB")
print(f"joblib file:     {(folder / 'model.joblib').stat().st_size / 1e6:.2f} MB")

# %%
# A safe model file
# -----------------
# `save_model` stores skxrd networks and ensembles, not whole Pipelines: the
# steps before the ensemble are recorded as the 2θ grid and wavelength the
# model expects, here the 0.05° grid of the resampler.
from skxrd import load_model, save_model

resampler, ensemble = model[0], model[-1]
path = save_model(
    ensemble,
    folder / "ensemble",
    two_theta=resampler.grid_,
    metadata={"space_groups": GROUPS, "n_train": N_TRAIN},
)
loaded = load_model(path)
print(path.name, f"{path.stat().st_size / 1e6:.2f} MB")
print("grid in the file:", loaded.skxrd_metadata_["grid"])

X_prepared = model[:-1].transform(X_new)
np.testing.assert_array_equal(loaded.predict_proba(X_prepared), proba)
print("identical predictions after pickle, joblib and load_model")

# %%
# The file is a zip archive of JSON and NumPy arrays
# --------------------------------------------------
import zipfile

with zipfile.ZipFile(path) as archive:
    for info in archive.infolist():
        print(f"{info.filename:12s} {info.file_size:>10d} bytes")

# %%
# What the loaded ensemble predicts
# ---------------------------------
import matplotlib.pyplot as plt

fig, ax = plt.subplots(figsize=(6, 3))
image = ax.imshow(
    loaded.predict_proba(X_prepared[:20]).T,
    aspect="auto",
    cmap="viridis",
    vmin=0,
    vmax=1,
)
fig.colorbar(image, ax=ax, label="probability")
ax.set_yticks(range(len(loaded.classes_)), [str(c) for c in loaded.classes_])
ax.set_xticks(range(0, 20, 2))
ax.set_xlabel("pattern")
ax.set_ylabel("space group")
ax.set_title("probabilities from the loaded model file")
fig.tight_layout()

# %%
# Cleaning up
# -----------
import shutil

shutil.rmtree(folder)
