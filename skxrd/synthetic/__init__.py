"""Random crystals of all 230 space groups, built from Wyckoff tables.

The generator draws lattices, Wyckoff sites, elements and coordinates
following statistics of real structures, fast enough to feed a training
stream (no symmetry search in the loop), and every crystal has exactly the
symmetry of its requested group.
"""

from ._crystal import Crystal
from ._generator import CrystalGenerator, generate_crystals
from ._wyckoff import SpaceGroupWyckoff, wyckoff_positions

__all__ = [
    "Crystal",
    "CrystalGenerator",
    "SpaceGroupWyckoff",
    "generate_crystals",
    "wyckoff_positions",
]
