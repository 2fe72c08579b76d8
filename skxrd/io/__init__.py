"""Readers and writers for measured powder diffraction patterns.

Every reader returns a `Pattern`: 2θ in degrees, intensities, and the
wavelength in Å when the file states it, ready to be resampled onto the
standard grid.
"""

from ._pattern import Pattern
from ._read import PATTERN_FORMATS, read_pattern, read_patterns
from ._rruff import read_rruff
from ._xrdml import read_xrdml
from ._xy import read_xy, write_xy

__all__ = [
    "PATTERN_FORMATS",
    "Pattern",
    "read_pattern",
    "read_patterns",
    "read_rruff",
    "read_xrdml",
    "read_xy",
    "write_xy",
]
