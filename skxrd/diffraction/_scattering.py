"""X-ray atomic scattering factors from the table pymatgen's XRDCalculator uses.

The coefficients are read at run time from the installed pymatgen
(``pymatgen/analysis/diffraction/atomic_scattering_params.json``), so skxrd
and ``XRDCalculator`` always scatter with the same numbers.  Only the JSON
file is opened: pymatgen itself is not imported.
"""

import functools
import importlib.util
import json
from pathlib import Path

import numpy as np

__all__ = ["ELEMENT_SYMBOLS", "atomic_scattering_factors", "scattering_table"]

#: Element symbols indexed by atomic number (index 0 is a placeholder).
ELEMENT_SYMBOLS = (
    "X H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni "
    "Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe "
    "Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir Pt Au Hg "
    "Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg "
    "Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og"
).split()

# The constant of pymatgen's fit, f(s) = Z - 41.78214 s^2 sum_i a_i exp(-b_i s^2)
# (De Graef & McHenry, Structure of Materials, ch. 12).
_FORM_FACTOR_CONSTANT = 41.78214

_TABLE_RELATIVE_PATH = ("analysis", "diffraction", "atomic_scattering_params.json")


def _table_path():
    """Locate pymatgen's coefficient file without importing pymatgen."""
    spec = importlib.util.find_spec("pymatgen")
    roots = list(spec.submodule_search_locations or []) if spec else []
    for root in roots:
        path = Path(root).joinpath(*_TABLE_RELATIVE_PATH)
        if path.is_file():
            return path
    raise ImportError(
        "skxrd.diffraction needs pymatgen's atomic_scattering_params.json; install "
        "pymatgen (pip install pymatgen)."
    )


@functools.lru_cache(maxsize=1)
def scattering_table():
    """Return the scattering-factor coefficients indexed by atomic number.

    Four (a_i, b_i) pairs per element, as fitted in pymatgen's table; the
    arrays are read-only and shared by every caller.

    Returns
    -------
    a : ndarray of shape (n_elements + 1, 4), dtype float64
        Coefficients ``a_i`` of each element; row ``Z`` holds element ``Z``,
        rows of elements missing from the table are NaN.
    b : ndarray of shape (n_elements + 1, 4), dtype float64
        Coefficients ``b_i`` in Å², laid out like ``a``.

    See Also
    --------
    atomic_scattering_factors : Evaluate the factors from these coefficients.

    Notes
    -----
    The table is pymatgen's ``atomic_scattering_params.json`` (elements H to
    Cf), read once per process.  Its ``"D"`` (deuterium) entry is not used:
    atomic number 1 maps to ``"H"``.

    Examples
    --------
    >>> from skxrd.diffraction import scattering_table
    >>> a, b = scattering_table()
    >>> a.shape, bool(np.isnan(a[0]).all())
    ((99, 4), True)
    """
    with open(_table_path(), encoding="utf-8") as file:
        params = json.load(file)
    n_rows = 1 + max(ELEMENT_SYMBOLS.index(s) for s in params if s in ELEMENT_SYMBOLS)
    a = np.full((n_rows, 4), np.nan)
    b = np.full((n_rows, 4), np.nan)
    for symbol, coefficients in params.items():
        if symbol in ELEMENT_SYMBOLS:
            z = ELEMENT_SYMBOLS.index(symbol)
            a[z], b[z] = np.asarray(coefficients, dtype=np.float64).T
    a.setflags(write=False)
    b.setflags(write=False)
    return a, b


def atomic_scattering_factors(numbers, sin_theta_over_lambda):
    """Return X-ray atomic scattering factors f(s), as pymatgen computes them.

    The factor is the Fourier transform of an atom's spherical electron
    density: Z electrons at s = 0, falling off with angle.

    Parameters
    ----------
    numbers : array-like of int, shape (n_atoms,)
        Atomic numbers, 1 (H) to 98 (Cf).
    sin_theta_over_lambda : array-like of float, shape (n_s,)
        Values of ``s = sin θ / λ`` in 1/Å (``s = 1 / (2 d)``).

    Returns
    -------
    ndarray of shape (n_s, n_atoms), dtype float64
        Scattering factor of each atom at each ``s``, in electrons.

    See Also
    --------
    scattering_table : The coefficients.
    powder_peaks : Powder peak lists that use these factors.

    Notes
    -----
    pymatgen's ``XRDCalculator`` fits (after De Graef & McHenry [1]_)

    .. math:: f(s) = Z - 41.78214\\, s^2 \\sum_{i=1}^{4} a_i \\exp(-b_i s^2),

    so ``f(0) = Z``.  No anomalous dispersion is included, so ``f`` is real.

    References
    ----------
    .. [1] M. De Graef and M. E. McHenry, *Structure of Materials*, 2nd ed.,
       Cambridge University Press (2012), ch. 12.

    Examples
    --------
    >>> from skxrd.diffraction import atomic_scattering_factors
    >>> atomic_scattering_factors([11, 17], [0.0, 0.25]).round(2)
    array([[11.  , 17.  ],
           [ 7.6 , 10.63]])
    """
    numbers = np.asarray(numbers)
    if numbers.ndim != 1 or not np.issubdtype(numbers.dtype, np.integer):
        raise ValueError("numbers must be a 1-D array of integer atomic numbers.")
    a, b = scattering_table()
    bad = (numbers < 1) | (numbers >= len(a))
    bad[~bad] = np.isnan(a[numbers[~bad], 0])
    if bad.any():
        raise ValueError(
            f"No X-ray scattering factors for atomic number {int(numbers[bad][0])} "
            f"(atom {int(np.flatnonzero(bad)[0])}); the table covers 1 (H) to "
            f"{len(a) - 1} ({ELEMENT_SYMBOLS[len(a) - 1]})."
        )
    s2 = np.square(np.asarray(sin_theta_over_lambda, dtype=np.float64))[:, None, None]
    series = np.sum(a[numbers] * np.exp(-b[numbers] * s2), axis=-1)
    return numbers - _FORM_FACTOR_CONSTANT * s2[..., 0] * series
