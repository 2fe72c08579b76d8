"""Stick peak lists and space-group labels of pymatgen structures.

The physics is pymatgen's `XRDCalculator`: its reciprocal-lattice points,
its atomic scattering factor table, its Lorentz-polarization factor and its
rules for merging coincident reflections and dropping negligible ones.
`structure_peaks` computes the same positions and intensities with the
vectorized code of `skxrd.diffraction`, without the bookkeeping of hkl
families (two thirds of `XRDCalculator.get_pattern`'s time), which a
classifier never uses.
"""

import numpy as np

from .._grid import DEFAULT_WAVELENGTH, resolve_wavelength

__all__ = ["structure_peaks", "space_group_label"]


def structure_peaks(
    structure,
    *,
    wavelength=DEFAULT_WAVELENGTH,
    two_theta_range=(5.0, 90.0),
    method="vectorized",
):
    """Diffraction peak positions and intensities of a structure.

    Parameters
    ----------
    structure : pymatgen.core.Structure
        The crystal; partial occupancies are weighted as pymatgen does.
    wavelength : float or str, default=1.54184
        X-ray wavelength in Å or a name such as ``'CuKa'`` or ``'MoKa'``.
    two_theta_range : tuple of float, default=(5.0, 90.0)
        Range of 2θ in degrees.
    method : {"vectorized", "pymatgen"}, default="vectorized"
        ``"pymatgen"`` calls ``XRDCalculator.get_pattern`` itself;
        ``"vectorized"`` computes the same sticks with
        `skxrd.diffraction.powder_peaks` (no hkl families).
        Structures carrying anisotropic displacement site properties
        (``U11_cif``, ...) always go through pymatgen.

    Returns
    -------
    two_theta : ndarray of shape (n_peaks,), dtype float64
        Peak positions in degrees, increasing.
    intensity : ndarray of shape (n_peaks,), dtype float64
        Intensities scaled so the strongest peak is 100 (empty if there are
        no peaks in range).

    Raises
    ------
    ValueError
        If an element has no scattering factors in pymatgen's table.

    See Also
    --------
    compute_sticks : Peaks of many structures, in parallel, with labels.
    pymatgen.analysis.diffraction.xrd.XRDCalculator : The reference physics.

    Notes
    -----
    For every reciprocal-lattice vector g with ``λ|g|/2 = sin θ`` in range,
    ``I = |F(g)|² (1 + cos² 2θ) / (sin² θ cos θ)`` with
    ``F(g) = Σ_j o_j f_j(s) exp(2πi g·r_j)`` and ``s = |g|/2``; f is the
    pymatgen fit ``f(s) = Z - 41.78214 s² Σ a_k exp(-b_k s²)``.  Reflections
    whose 2θ round to the same multiple of pymatgen's ``TWO_THETA_TOL`` are
    summed, peaks below its ``SCALED_INTENSITY_TOL`` (percent of the maximum)
    are dropped.  Neither method includes Debye-Waller factors, anomalous
    dispersion or absorption.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.simulation import structure_peaks
    >>> nacl = Structure.from_spacegroup(
    ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    >>> two_theta, intensity = structure_peaks(nacl)
    >>> [round(float(t), 2) for t in two_theta[:3]]
    [27.39, 31.73, 45.49]
    """
    if method not in ("vectorized", "pymatgen"):
        raise ValueError(f"method must be 'vectorized' or 'pymatgen'; got {method!r}.")
    lam = resolve_wavelength(wavelength)
    if method == "pymatgen" or "U11_cif" in structure.site_properties:
        from pymatgen.analysis.diffraction.xrd import XRDCalculator

        pattern = XRDCalculator(wavelength=lam).get_pattern(
            structure, two_theta_range=tuple(two_theta_range)
        )
        return np.asarray(pattern.x, dtype=np.float64), np.asarray(
            pattern.y, dtype=np.float64
        )
    # One diffraction implementation serves skxrd: the batch code of
    # skxrd.diffraction, here for a single structure.
    from ..diffraction import powder_peaks

    peaks = powder_peaks(
        [structure], wavelength=lam, two_theta_range=tuple(two_theta_range)
    )
    return peaks.positions.copy(), peaks.intensities.copy()


def space_group_label(structure, *, symprec=0.01):
    """International space-group number of a structure.

    Parameters
    ----------
    structure : pymatgen.core.Structure
        The crystal.
    symprec : float, default=0.01
        Distance tolerance in Å of spglib's symmetry search (pymatgen's
        `SpacegroupAnalyzer`, angle tolerance 5°).

    Returns
    -------
    number : int
        Space-group number, 1..230.

    See Also
    --------
    structure_peaks : The peaks of the same structure.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.simulation import space_group_label
    >>> si = Structure.from_spacegroup(
    ...     "Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]])
    >>> space_group_label(si)
    227
    """
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    return int(SpacegroupAnalyzer(structure, symprec=symprec).get_space_group_number())
