"""
=====================================================
Classifying a measured pattern file
=====================================================

A diffractometer writes a text file of 2θ and counts, often with another anode
than the Cu Kα of the training patterns.  This example makes such a file —
the simulated Mo Kα scan of rutile (TiO\\ :sub:`2`, space group 136,
P4_2/mnm) with counting noise and a background — and then does what one
would do with a real measurement: read it, move it onto the standard Cu Kα
grid, and ask a model trained here for the most probable space groups.
"""

# %%
# Sizes
# -----
import os

SMALL = os.environ.get("SKXRD_EXAMPLE_SMALL") == "1"
N_TRAIN = 320 if SMALL else 6000
EPOCHS = 8 if SMALL else 40
N_MEMBERS = 2 if SMALL else 5

# %%
# A "measured" file
# -----------------
# Rutile is built from its space group and Wyckoff positions, simulated with
# Mo Kα on the diffractometer's own axis (3–40° in 0.01° steps), given a
# background and Poisson counting noise, and written as an ``.xy`` file that
# states its wavelength in a comment line.
import tempfile
from pathlib import Path

import numpy as np
from pymatgen.core import Lattice, Structure

from skxrd import read_pattern, resolve_wavelength, simulate_patterns, write_xy
from skxrd.augmentation import augment_patterns

rutile = Structure.from_spacegroup(
    "P4_2/mnm",
    Lattice.tetragonal(4.594, 2.959),
    ["Ti", "O"],
    [[0, 0, 0], [0.3053, 0.3053, 0]],
)
axis_mo = np.round(np.arange(3.0, 40.0, 0.01), 2)
clean, labels, _ = simulate_patterns(
    [rutile], grid=axis_mo, wavelength="MoKa", random_state=0
)
noisy = augment_patterns(clean, noise=None, counts=(2e4, 2e4), random_state=0)
counts = np.round(2e4 * noisy[0])

folder = Path(tempfile.mkdtemp())
path = write_xy(
    folder / "rutile_MoKa.xy",
    axis_mo,
    counts,
    wavelength=resolve_wavelength("MoKa"),
    comment="simulated rutile, Mo Kα",
)
print(path.name, "space group", labels[0])
print("".join(path.read_text().splitlines(keepends=True)[:4]))

# %%
# A model for a handful of space groups
# -------------------------------------
# Trained on random crystals of the training-data engine: none of them is
# rutile.
from sklearn.pipeline import make_pipeline

from skxrd import PatternNormalizer, XRDAugmenter, XRDResampler
from skxrd.engine import SyntheticPatternSource
from skxrd.ensemble import XRDEnsembleClassifier
from skxrd.neural_network import XRDDenseClassifier

GROUPS = [14, 62, 136, 194, 225]
X_train, y_train = SyntheticPatternSource(space_groups=GROUPS, random_state=0).take(
    N_TRAIN
)
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
# Reading the file and moving it onto the standard grid
# -----------------------------------------------------
# `read_pattern` recognises the format and returns the angles, intensities
# and the wavelength the file states.  `XRDResampler` converts each angle by
# Bragg's law to where Cu Kα would put the same reflection, then interpolates
# onto the standard grid (5–90° in 0.01° steps).
pattern = read_pattern(path)
print(f"{pattern.n_points} points, wavelength {pattern.wavelength} Å")

to_grid = XRDResampler(wavelength=pattern.wavelength)
X = to_grid.fit_transform([(pattern.two_theta, pattern.intensity)])
print("on the standard grid:", X.shape)

# %%
# The prediction
# --------------
# The model's own resampler then bins the standard grid to 0.05°, as in
# training.
from skxrd import space_group_symbol

proba = model.predict_proba(X)[0]
for k in np.argsort(proba)[::-1]:
    group = int(model.classes_[k])
    print(f"{group:4d} {space_group_symbol(group):10s} {proba[k]:.3f}")

# %%
# The pattern with its top-5
# --------------------------
import matplotlib.pyplot as plt

from skxrd.plotting import plot_pattern_prediction

fig, ax = plt.subplots(figsize=(7, 3.5))
plot_pattern_prediction(
    to_grid.grid_,
    X[0] / X[0].max(),
    proba,
    model.classes_,
    title="rutile (136), measured with Mo Kα, shown on the Cu Kα grid",
    ax=ax,
)
fig.tight_layout()

# %%
# Cleaning up
# -----------
import shutil

shutil.rmtree(folder)
