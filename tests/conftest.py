"""Fixtures shared by several test modules."""

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure


@pytest.fixture(scope="module")
def blobs():
    """Three overlapping classes (space groups 14, 62, 225) in 6 features."""
    rng = np.random.default_rng(0)
    y = np.repeat([14, 62, 225], 40)
    X = rng.random((120, 6)) + 0.8 * np.searchsorted([14, 62, 225], y)[:, None]
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def nacl():
    """Rock salt, a = 5.64 Å (Fm-3m, 225)."""
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )


@pytest.fixture(scope="module")
def rutile():
    """TiO2 rutile, a = 4.594 Å, c = 2.959 Å (P4_2/mnm, 136)."""
    return Structure.from_spacegroup(
        "P4_2/mnm",
        Lattice.tetragonal(4.594, 2.959),
        ["Ti", "O"],
        [[0, 0, 0], [0.305, 0.305, 0]],
    )
