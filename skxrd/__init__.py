"""skxrd: classify powder X-ray diffraction patterns by crystal system and space group.

Neural networks with the manners of scikit-learn, after Vecsei et al.,
Phys. Rev. B 99, 245120 (2019).
"""

from ._grid import (
    DEFAULT_WAVELENGTH,
    TWO_THETA_MAX,
    TWO_THETA_MIN,
    TWO_THETA_STEP,
    WAVELENGTHS,
    convert_two_theta,
    resolve_wavelength,
    two_theta_grid,
)
from ._version import __version__

__all__ = [
    "__version__",
    "DEFAULT_WAVELENGTH",
    "TWO_THETA_MIN",
    "TWO_THETA_MAX",
    "TWO_THETA_STEP",
    "WAVELENGTHS",
    "convert_two_theta",
    "resolve_wavelength",
    "two_theta_grid",
]
