"""
=====================================================
Search-match with strained, substituted references
=====================================================

Search-match compares a measured pattern with the patterns of known structures
(`skxrd.neighbors.PatternMatchClassifier`).  A measured compound is rarely one
of the references: it is a relative of the same structure type, with other
elements and another cell.  The matcher searches an isotropic lattice scale by
itself; `skxrd.engine.structure_variants` adds copies of every reference that
are strained anisotropically (``a`` and ``c`` apart for a tetragonal cell) and
have elements replaced by their neighbours in the periodic table.

Here the references are one compound per structure type, and the queries are
other compounds of those types, simulated with realistic profiles and
counting noise.  Two of them lie beyond the matcher's own ±5% isotropic
scale: NaBr's cell is 5.9% larger than NaCl's, and SnO2's is 3% larger than
rutile TiO2's in ``a`` but 8% in ``c``.  The matcher is scored with and
without the copies.  (Relatives further off — KBr's cell is 17% larger than
NaCl's — stay out of reach of both.)
"""

# %%
# References and queries
# ----------------------
import numpy as np
from pymatgen.core import Lattice, Structure

ROCK_SALT = [[0, 0, 0], [0.5, 0.5, 0.5]]
ZINC_BLENDE = [[0, 0, 0], [0.25, 0.25, 0.25]]
HCP = [[1 / 3, 2 / 3, 0.25]]


def build(group, lattice, species, coords):
    return Structure.from_spacegroup(group, lattice, species, coords)


REFERENCES = {
    "NaCl": build("Fm-3m", Lattice.cubic(5.640), ["Na", "Cl"], ROCK_SALT),
    "CsCl": build("Pm-3m", Lattice.cubic(4.123), ["Cs", "Cl"], ROCK_SALT),
    "ZnS": build("F-43m", Lattice.cubic(5.409), ["Zn", "S"], ZINC_BLENDE),
    "TiO2": build(
        "P4_2/mnm",
        Lattice.tetragonal(4.594, 2.959),
        ["Ti", "O"],
        [[0, 0, 0], [0.305, 0.305, 0]],
    ),
    "Zr": build("P6_3/mmc", Lattice.hexagonal(3.232, 5.147), ["Zr"], HCP),
    "ZrO2": build(
        "P2_1/c",
        Lattice.monoclinic(5.15, 5.21, 5.31, 99.2),
        ["Zr", "O", "O"],
        [[0.276, 0.040, 0.208], [0.070, 0.332, 0.345], [0.450, 0.757, 0.479]],
    ),
}
QUERIES = {
    "NaBr": build("Fm-3m", Lattice.cubic(5.973), ["Na", "Br"], ROCK_SALT),
    "CsBr": build("Pm-3m", Lattice.cubic(4.286), ["Cs", "Br"], ROCK_SALT),
    "GaAs": build("F-43m", Lattice.cubic(5.653), ["Ga", "As"], ZINC_BLENDE),
    "SnO2": build(
        "P4_2/mnm",
        Lattice.tetragonal(4.737, 3.186),
        ["Sn", "O"],
        [[0, 0, 0], [0.306, 0.306, 0]],
    ),
    "Hf": build("P6_3/mmc", Lattice.hexagonal(3.195, 5.051), ["Hf"], HCP),
    "HfO2": build(
        "P2_1/c",
        Lattice.monoclinic(5.12, 5.17, 5.29, 99.2),
        ["Hf", "O", "O"],
        [[0.276, 0.040, 0.208], [0.070, 0.332, 0.345], [0.450, 0.757, 0.479]],
    ),
}

# %%
# Simulate: clean references, realistic queries
# ---------------------------------------------
# The queries get pseudo-Voigt profiles with Caglioti widths, the Kα doublet,
# a zero shift (`skxrd.simulation.ProfileSampler`) and counting noise, three
# draws each.
from skxrd import simulate_patterns
from skxrd.augmentation import augment_patterns
from skxrd.simulation import ProfileSampler

X_ref, y_ref, _ = simulate_patterns(list(REFERENCES.values()), progress=False)
structures = [s for s in QUERIES.values() for _ in range(3)]
X_query, y_query, _ = simulate_patterns(
    structures, profile=ProfileSampler(), progress=False, random_state=0
)
X_query = augment_patterns(X_query, counts=(1e3, 1e4), renormalize=True, random_state=0)

# %%
# Add copies of the references
# ----------------------------
# Eight copies of each reference: 3% strain keeping the metric symmetry, each
# element replaced with probability 0.5 — the settings of the shipped pool's
# references.
from skxrd.engine import structure_variants

X_copies, y_copies, index = structure_variants(
    list(REFERENCES.values()),
    8,
    strain=0.03,
    substitution_probability=0.5,
    random_state=0,
)
X_more = np.vstack([X_ref, X_copies])
y_more = np.concatenate([y_ref, y_copies])
print(f"{len(y_ref)} references, {len(y_more)} with the copies")

# %%
# Score the matcher both ways
# ---------------------------
from skxrd.neighbors import PatternMatchClassifier

alone = PatternMatchClassifier().fit(X_ref, y_ref)
with_copies = PatternMatchClassifier().fit(X_more, y_more)
for name, matcher in (("structures only", alone), ("with copies", with_copies)):
    correlation = matcher.decision_function(X_query).max(axis=1)
    print(
        f"{name:>16s}: {matcher.score(X_query, y_query):.0%} right, "
        f"median best correlation {np.median(correlation):.3f}"
    )

# %%
# The closest references of one query
# -----------------------------------
# ``kneighbors`` names the best references and the lattice scale at which they
# matched: the SnO2 cell is about 3% larger than rutile's TiO2 in ``a`` and 8%
# in ``c``.
names = list(REFERENCES) + [f"{list(REFERENCES)[i]} (copy)" for i in index]
query = 3 * list(QUERIES).index("SnO2")
distance, neighbours, scale = with_copies.kneighbors(
    X_query[[query]], 3, return_scale=True
)
for d, n, s in zip(distance[0], neighbours[0], scale[0], strict=True):
    print(f"SnO2 ~ {names[n]:<12s} correlation {1 - d:.3f}, cell x {s:.3f}")

# %%
# Plot the query and its best reference
# -------------------------------------
import matplotlib.pyplot as plt

from skxrd import two_theta_grid

grid = two_theta_grid()
fig, ax = plt.subplots(figsize=(7, 3))
ax.plot(grid, X_query[query], lw=0.8, label="SnO2 (query, simulated measurement)")
ax.plot(
    grid,
    -X_more[neighbours[0, 0]],
    lw=0.8,
    label=f"{names[neighbours[0, 0]]} (reference)",
)
ax.set_xlim(20, 80)
ax.set_xlabel("2θ (°)")
ax.set_yticks([])
ax.legend(loc="lower right", fontsize=8)
fig.tight_layout()
plt.show()
