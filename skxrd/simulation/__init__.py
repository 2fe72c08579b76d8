"""Powder patterns of real structures, and the windowed peak renderer.

Peak lists (sticks) of pymatgen structures are computed once
(`compute_sticks`) and kept in a `StickDataset`; `render_patterns` turns the
sticks of whole batches into patterns with Gaussian or pseudo-Voigt peaks,
Caglioti, crystallite-size and strain widths, the Kα1/Kα2 doublet, zero
shift, sample displacement and intensity jitter.  `simulate_patterns` does
both in one call.
"""

from ._parameters import ProfileParameters
from ._peaks import space_group_label, structure_peaks
from ._profiles import render_patterns
from ._sampling import GaussianWidthSampler, ProfileSampler
from ._simulate import SkippedStructureWarning, compute_sticks, simulate_patterns
from ._sticks import StickDataset
from ._widths import peak_profiles

__all__ = [
    "GaussianWidthSampler",
    "ProfileParameters",
    "ProfileSampler",
    "SkippedStructureWarning",
    "StickDataset",
    "compute_sticks",
    "peak_profiles",
    "render_patterns",
    "simulate_patterns",
    "space_group_label",
    "structure_peaks",
]
