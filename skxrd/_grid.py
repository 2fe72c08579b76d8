"""The standard 2θ grid and X-ray wavelengths.

The paper (Vecsei et al. 2019) samples every pattern at 5° < 2θ < 90° in
0.01° steps, 8500 points, for Cu Kα radiation.  Everything in skxrd that
produces or consumes a pattern agrees on this grid unless told otherwise.
"""

import numbers

import numpy as np

__all__ = [
    "TWO_THETA_MIN",
    "TWO_THETA_MAX",
    "TWO_THETA_STEP",
    "WAVELENGTHS",
    "two_theta_grid",
    "resolve_wavelength",
    "convert_two_theta",
]

TWO_THETA_MIN = 5.0
TWO_THETA_MAX = 90.0
TWO_THETA_STEP = 0.01

# Weighted Kα means (2/3 Kα1 + 1/3 Kα2) and the Kα1/Kα2 lines in Å, the values
# pymatgen's XRDCalculator uses (International Tables Vol. C, Table 4.2.2.1).
WAVELENGTHS = {
    "CuKa": 1.54184,
    "CuKa1": 1.54056,
    "CuKa2": 1.54439,
    "MoKa": 0.71073,
    "MoKa1": 0.70930,
    "MoKa2": 0.71359,
    "CoKa": 1.79026,
    "CoKa1": 1.78897,
    "CoKa2": 1.79285,
    "FeKa": 1.93735,
    "FeKa1": 1.93604,
    "FeKa2": 1.93998,
    "CrKa": 2.29100,
    "CrKa1": 2.28970,
    "CrKa2": 2.29361,
    "AgKa": 0.560885,
    "AgKa1": 0.559421,
    "AgKa2": 0.563813,
}

#: Wavelength of the standard grid: the paper's "Cu Kα (1.54 Å)", taken as the
#: weighted Cu Kα mean that pymatgen uses for ``wavelength="CuKa"``.
DEFAULT_WAVELENGTH = WAVELENGTHS["CuKa"]


def two_theta_grid(start=TWO_THETA_MIN, stop=TWO_THETA_MAX, step=TWO_THETA_STEP):
    """Return an evenly spaced 2θ grid in degrees.

    The grid holds ``round((stop - start) / step)`` points ``start, start +
    step, ...``; ``stop`` itself is excluded, as in the paper's 8500-point grid.

    Parameters
    ----------
    start : float, default=5.0
        First angle in degrees.
    stop : float, default=90.0
        End of the grid in degrees (excluded).
    step : float, default=0.01
        Spacing in degrees.

    Returns
    -------
    grid : ndarray of shape (n_points,), dtype float64
        The 2θ values.

    See Also
    --------
    skxrd.preprocessing.XRDResampler : Resample measured patterns onto such a grid.
    skxrd.render_patterns : Render peak lists on a grid (this one by default).

    Examples
    --------
    >>> from skxrd import two_theta_grid
    >>> grid = two_theta_grid()
    >>> grid.shape, float(grid[0]), float(grid[-1])
    ((8500,), 5.0, 89.99)
    """
    if not (step > 0 and stop > start):
        raise ValueError(
            f"two_theta_grid needs stop > start and step > 0; got start={start}, "
            f"stop={stop}, step={step}."
        )
    n = int(round((stop - start) / step))
    return start + step * np.arange(n, dtype=np.float64)


def resolve_wavelength(wavelength):
    """Return a wavelength in Å from a number or an anode name.

    Parameters
    ----------
    wavelength : float or str
        A wavelength in Å, or one of the names in ``skxrd.WAVELENGTHS``
        (``'CuKa'``, ``'MoKa'``, ``'CoKa'``, ``'CuKa1'``, ...; case-insensitive,
        ``'Cu'`` alone means ``'CuKa'``).

    Returns
    -------
    wavelength : float
        The wavelength in Å.

    See Also
    --------
    convert_two_theta : Move angles from one wavelength to another.

    Examples
    --------
    >>> from skxrd import resolve_wavelength
    >>> resolve_wavelength("MoKa")
    0.71073
    >>> resolve_wavelength(1.5406)
    1.5406
    """
    if isinstance(wavelength, str):
        lookup = {k.lower(): v for k, v in WAVELENGTHS.items()}
        key = wavelength.strip().replace("α", "a").replace("-", "").lower()
        if key in lookup:
            return lookup[key]
        if key + "ka" in lookup:
            return lookup[key + "ka"]
        raise ValueError(
            f"Unknown wavelength name {wavelength!r}; use a number in Å or one of "
            f"{sorted(WAVELENGTHS)}."
        )
    if isinstance(wavelength, numbers.Real) and not isinstance(wavelength, bool):
        value = float(wavelength)
        if np.isfinite(value) and 0.01 < value < 20.0:
            return value
        raise ValueError(
            f"Wavelength {wavelength!r} Å is outside the X-ray range (0.01-20 Å)."
        )
    raise TypeError(
        f"wavelength must be a number in Å or a name such as 'CuKa'; got "
        f"{type(wavelength).__name__}."
    )


def convert_two_theta(two_theta, wavelength_from, wavelength_to=DEFAULT_WAVELENGTH):
    """Map 2θ angles measured at one wavelength to another by Bragg's law.

    A reflection with spacing d appears at ``2θ = 2 arcsin(λ / 2d)``, so the
    same d is found at ``2 arcsin(λ_to / λ_from · sin θ_from)``.  Angles whose
    reflection cannot be reached at the target wavelength (``sin θ > 1``)
    become NaN.

    Parameters
    ----------
    two_theta : array-like
        Angles in degrees at ``wavelength_from``.
    wavelength_from : float or str
        Wavelength of the measurement (Å or a name, see `resolve_wavelength`).
    wavelength_to : float or str, default=1.54184
        Target wavelength (Cu Kα by default).

    Returns
    -------
    two_theta_to : ndarray
        Angles in degrees at ``wavelength_to``.

    See Also
    --------
    resolve_wavelength : Turn a wavelength name into Å.
    skxrd.preprocessing.XRDResampler : Convert and resample whole patterns.

    Examples
    --------
    >>> from skxrd import convert_two_theta
    >>> round(float(convert_two_theta(20.0, "MoKa", "CuKa")), 3)
    44.26
    """
    lam_from = resolve_wavelength(wavelength_from)
    lam_to = resolve_wavelength(wavelength_to)
    s = np.sin(np.deg2rad(np.asarray(two_theta, dtype=np.float64)) / 2.0)
    s = s * (lam_to / lam_from)
    with np.errstate(invalid="ignore"):
        out = 2.0 * np.rad2deg(np.arcsin(np.where(np.abs(s) <= 1.0, s, np.nan)))
    return out
