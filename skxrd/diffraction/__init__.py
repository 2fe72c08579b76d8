"""Vectorized powder X-ray diffraction of whole batches of crystals.

The physics of pymatgen's ``XRDCalculator`` (atomic scattering factors from
its table, structure factors over all atoms of the cell, Lorentz–polarization,
merging of reflections with equal 2θ), computed for many crystals at once —
one reflection per Laue orbit for crystals of known space group — and
returned as peak lists in CSR form (``positions``, ``intensities``,
``offsets``) for the profile renderer.
"""

from ._powder import SCALED_INTENSITY_TOL, TWO_THETA_TOL, PowderPeaks, powder_peaks
from ._scattering import ELEMENT_SYMBOLS, atomic_scattering_factors, scattering_table

__all__ = [
    "ELEMENT_SYMBOLS",
    "SCALED_INTENSITY_TOL",
    "TWO_THETA_TOL",
    "PowderPeaks",
    "atomic_scattering_factors",
    "powder_peaks",
    "scattering_table",
]
