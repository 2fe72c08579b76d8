"""
=====================================================
Training from a folder of CIF files
=====================================================

Given a folder of crystal structures as CIF files, skxrd reads them
(`skxrd.load_cif_folder`), finds their space groups and simulates their powder
patterns (`skxrd.simulate_patterns`), and a classifier is trained on them.
Here the folder is written first: 29 simple compounds of six structure types,
built with pymatgen from their space groups and Wyckoff positions.  One
compound per space group is held out, so the test asks whether the model
recognises a structure type in a compound it has never seen — a split by
compound, not by pattern, which would leak.
"""

# %%
# Sizes
# -----
import os

SMALL = os.environ.get("SKXRD_EXAMPLE_SMALL") == "1"
N_COPIES = 24 if SMALL else 200
EPOCHS = 8 if SMALL else 40

# %%
# A folder of CIF files
# ---------------------
# Each entry: formula, space-group symbol, lattice, species and Wyckoff
# coordinates.  The lattice constants are room-temperature literature values.
import tempfile
from pathlib import Path

from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter

ROCK_SALT = [[0, 0, 0], [0.5, 0.5, 0.5]]
ZINC_BLENDE = [[0, 0, 0], [0.25, 0.25, 0.25]]
HCP = [[1 / 3, 2 / 3, 0.25]]


def rutile(metal, a, c, x):
    """A rutile-type dioxide: metal on 2a, oxygen on 4f (x, x, 0)."""
    return ("P4_2/mnm", Lattice.tetragonal(a, c), [metal, "O"], [[0, 0, 0], [x, x, 0]])


COMPOUNDS = {
    # rock salt, Fm-3m (225)
    "NaCl": ("Fm-3m", Lattice.cubic(5.640), ["Na", "Cl"], ROCK_SALT),
    "MgO": ("Fm-3m", Lattice.cubic(4.212), ["Mg", "O"], ROCK_SALT),
    "KCl": ("Fm-3m", Lattice.cubic(6.293), ["K", "Cl"], ROCK_SALT),
    "LiF": ("Fm-3m", Lattice.cubic(4.027), ["Li", "F"], ROCK_SALT),
    "PbS": ("Fm-3m", Lattice.cubic(5.936), ["Pb", "S"], ROCK_SALT),
    # caesium chloride, Pm-3m (221)
    "CsCl": ("Pm-3m", Lattice.cubic(4.123), ["Cs", "Cl"], ROCK_SALT),
    "CsBr": ("Pm-3m", Lattice.cubic(4.286), ["Cs", "Br"], ROCK_SALT),
    "CuZn": ("Pm-3m", Lattice.cubic(2.950), ["Cu", "Zn"], ROCK_SALT),
    "TlBr": ("Pm-3m", Lattice.cubic(3.985), ["Tl", "Br"], ROCK_SALT),
    "CsI": ("Pm-3m", Lattice.cubic(4.567), ["Cs", "I"], ROCK_SALT),
    # zinc blende, F-43m (216)
    "ZnS": ("F-43m", Lattice.cubic(5.409), ["Zn", "S"], ZINC_BLENDE),
    "GaAs": ("F-43m", Lattice.cubic(5.653), ["Ga", "As"], ZINC_BLENDE),
    "InP": ("F-43m", Lattice.cubic(5.869), ["In", "P"], ZINC_BLENDE),
    "CdTe": ("F-43m", Lattice.cubic(6.481), ["Cd", "Te"], ZINC_BLENDE),
    "GaP": ("F-43m", Lattice.cubic(5.451), ["Ga", "P"], ZINC_BLENDE),
    # diamond, Fd-3m (227)
    "Si": ("Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]]),
    "Ge": ("Fd-3m", Lattice.cubic(5.658), ["Ge"], [[0, 0, 0]]),
    "C": ("Fd-3m", Lattice.cubic(3.567), ["C"], [[0, 0, 0]]),
    "Sn": ("Fd-3m", Lattice.cubic(6.489), ["Sn"], [[0, 0, 0]]),
    # rutile, P4_2/mnm (136)
    "TiO2": rutile("Ti", 4.594, 2.959, 0.3053),
    "SnO2": rutile("Sn", 4.737, 3.186, 0.3056),
    "RuO2": rutile("Ru", 4.492, 3.106, 0.3058),
    "MnO2": rutile("Mn", 4.396, 2.871, 0.3046),
    "GeO2": rutile("Ge", 4.395, 2.859, 0.3060),
    # hexagonal close packed, P6_3/mmc (194)
    "Mg": ("P6_3/mmc", Lattice.hexagonal(3.209, 5.211), ["Mg"], HCP),
    "Ti": ("P6_3/mmc", Lattice.hexagonal(2.951, 4.686), ["Ti"], HCP),
    "Zn": ("P6_3/mmc", Lattice.hexagonal(2.665, 4.947), ["Zn"], HCP),
    "Co": ("P6_3/mmc", Lattice.hexagonal(2.507, 4.069), ["Co"], HCP),
    "Zr": ("P6_3/mmc", Lattice.hexagonal(3.232, 5.147), ["Zr"], HCP),
}

workdir = Path(tempfile.mkdtemp())
folder = workdir / "cifs"
folder.mkdir()
for name, (symbol, lattice, species, coords) in COMPOUNDS.items():
    structure = Structure.from_spacegroup(symbol, lattice, species, coords)
    CifWriter(structure).write_file(folder / f"{name}.cif")
print(len(list(folder.glob("*.cif"))), "CIF files in", folder.name)

# %%
# Reading the folder
# ------------------
# Files that pymatgen cannot read would be skipped with a warning naming them
# and counted in ``n_skipped``; here every file is good.
from skxrd import load_cif_folder

records = load_cif_folder(folder)
print(records, records.names[:5])

# %%
# Simulating the patterns
# -----------------------
# `simulate_patterns` computes every structure's powder peaks once, finds its
# space group with spglib, and renders one pattern per structure.  The
# peaks are kept in ``info.sticks`` and rendered again with other random peak
# shapes (pseudo-Voigt widths, Kα2, zero shift: `ProfileSampler`) to give
# every compound many patterns.
import numpy as np

from skxrd import ProfileSampler, simulate_patterns, space_group_symbol

X_one, y_one, info = simulate_patterns(
    records.structures, names=records.names, random_state=0
)
for group in np.unique(y_one):
    names = np.asarray(info.names)[y_one == group]
    print(f"{group:4d} {space_group_symbol(group):9s} {', '.join(names)}")

# %%
# Held out: the last compound of each group in file order.
held_out = np.array([np.flatnonzero(y_one == group)[-1] for group in np.unique(y_one)])
train = np.setdiff1d(np.arange(len(y_one)), held_out)
print("held out:", ", ".join(np.asarray(info.names)[held_out]))


def render(rows, n_copies, seed):
    """``n_copies`` patterns of each structure in ``rows``, random peak shapes."""
    sticks = info.sticks[np.repeat(rows, n_copies)]
    return sticks.render(ProfileSampler(), random_state=seed), sticks.labels


X_train, y_train = render(train, N_COPIES, seed=1)
X_test, y_test = render(held_out, N_COPIES, seed=2)
print("training patterns:", X_train.shape, " test patterns:", X_test.shape)

# %%
# Training
# --------
# The augmenter adds the paper's noise and backgrounds to the training
# patterns, so the network never sees the clean simulation only.
from sklearn.pipeline import make_pipeline

from skxrd import PatternNormalizer, XRDAugmenter, XRDResampler
from skxrd.neural_network import XRDDenseClassifier

model = make_pipeline(
    XRDResampler(step=0.05),
    PatternNormalizer(),
    XRDAugmenter(random_state=0),
    XRDDenseClassifier(
        hidden_layer_sizes=(256, 64),
        dropout=0.2,
        epochs=EPOCHS,
        batch_size=32,
        random_state=0,
    ),
)
model.fit(X_train, y_train)

# %%
# Evaluation on the held-out compounds
# ------------------------------------
# With a few compounds per structure type, a network learns their peak
# positions more than their symmetry; the remedy is many more structures, as
# the training-data engine (`skxrd.engine`) provides.
from skxrd.metrics import subgroup_distance_score, top_n_accuracy_score

proba = model.predict_proba(X_test)
y_pred = model.predict(X_test)
classes = model.classes_
print(f"top-1 accuracy  {top_n_accuracy_score(y_test, proba, n=1, labels=classes):.3f}")
print(f"top-2 accuracy  {top_n_accuracy_score(y_test, proba, n=2, labels=classes):.3f}")
print(f"mean subgroup distance {subgroup_distance_score(y_test, y_pred):.2f}")
for k, row in enumerate(held_out):
    mine = slice(k * N_COPIES, (k + 1) * N_COPIES)
    votes = np.bincount(np.searchsorted(classes, y_pred[mine]), minlength=classes.size)
    print(
        f"{info.names[row]:5s} true {y_one[row]:3d}, "
        f"most often predicted {classes[votes.argmax()]:3d} "
        f"({votes.max()} of {N_COPIES})"
    )

# %%
# Confusion matrix
# ----------------
# Rock salt and zinc blende are both face-centred cubic with the same allowed
# reflections — only the intensities tell them apart — and the d glides of
# diamond forbid some of those reflections in addition.
import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay

fig, ax = plt.subplots(figsize=(5, 4.5))
ConfusionMatrixDisplay.from_predictions(
    y_test, y_pred, labels=classes, ax=ax, colorbar=False
)
ax.set_xlabel("predicted space group")
ax.set_ylabel("true space group")
fig.tight_layout()

# %%
# Cleaning up
# -----------
import shutil

shutil.rmtree(workdir)
