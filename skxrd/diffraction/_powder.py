"""Powder diffraction peak lists of whole batches of crystals.

The physics is that of pymatgen's ``XRDCalculator`` (kinematic theory, real
atomic scattering factors, Lorentz–polarization); the loops over crystals
and reflections are array operations over the whole batch, the structure
factors small complex matrix products per crystal (`_structure_factors`),
and for crystals of known space group only one reflection per Laue orbit is
computed (`_symmetry`).
"""

import functools
import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from .._grid import TWO_THETA_MAX, TWO_THETA_MIN, resolve_wavelength
from ._batch import find_problems, is_single_crystal, pack_crystals
from ._reflections import enumerate_reflections, reciprocal_metrics
from ._structure_factors import squared_structure_factors
from ._symmetry import (
    check_metrics,
    laue_class_indices,
    laue_rotations,
    orbit_representatives,
    read_space_groups,
    representative_constraints,
)

__all__ = ["PowderPeaks", "powder_peaks", "TWO_THETA_TOL", "SCALED_INTENSITY_TOL"]

#: Reflections whose 2θ round to the same multiple of this (degrees) are one
#: peak; pymatgen's ``AbstractDiffractionPatternCalculator.TWO_THETA_TOL``.
TWO_THETA_TOL = 1e-5

# Bound on the (rows x rotations) arrays of the orbit computations.
_ORBIT_CHUNK_ENTRIES = 1 << 22

#: Peaks below this percentage of the strongest are dropped; pymatgen's
#: ``AbstractDiffractionPatternCalculator.SCALED_INTENSITY_TOL``.
SCALED_INTENSITY_TOL = 1e-3


@dataclass(frozen=True, eq=False)
class PowderPeaks:
    """Powder peak lists of a batch of crystals in CSR form.

    Peaks of crystal ``i`` are entries ``offsets[i]:offsets[i + 1]`` of every
    per-peak array, sorted by 2θ.  ``peaks[i]`` returns crystal ``i`` alone as
    a one-crystal `PowderPeaks`; ``len(peaks)`` is the number of crystals.
    The fields below are both the constructor's parameters and attributes.

    Parameters
    ----------
    positions : ndarray of shape (n_peaks,), dtype float64
        Peak positions 2θ in degrees.
    intensities : ndarray of shape (n_peaks,), dtype float64
        Integrated intensities: the strongest peak of each crystal is 100
        when computed with ``scaled=True``, otherwise the raw sum of
        ``|F|² · LP`` over the merged reflections (pymatgen's unscaled y).
    offsets : ndarray of shape (n_crystals + 1,), dtype int64
        Start of each crystal's peaks; the last entry is ``n_peaks``.
    d_spacings : ndarray of shape (n_peaks,), dtype float64
        Interplanar spacing d = λ / (2 sin θ) of each peak in Å.
    hkl : ndarray of shape (n_peaks, 3), dtype int64 or None
        One Miller index triple per peak (of the reflections merged into it,
        the lexicographically largest with h >= 0); only with
        ``return_hkl=True``.
    multiplicities : ndarray of shape (n_peaks,), dtype int64 or None
        Number of reflections hkl (Friedel mates included) merged into each
        peak; only with ``return_hkl=True``.
    valid : ndarray of shape (n_crystals,), dtype bool
        False for crystals skipped as invalid (``errors="skip"``); they have
        no peaks.

    See Also
    --------
    powder_peaks : Compute these peak lists.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.diffraction import powder_peaks
    >>> cell = {"lattice": 4.0 * np.eye(3), "frac_coords": [[0, 0, 0]], "numbers": [29]}
    >>> peaks = powder_peaks([cell, cell])
    >>> len(peaks), peaks.offsets.tolist()
    (2, [0, 12, 24])
    >>> peaks[1].positions[:2].round(3)
    array([22.224, 31.633])
    """

    positions: np.ndarray
    intensities: np.ndarray
    offsets: np.ndarray
    d_spacings: np.ndarray
    hkl: np.ndarray | None
    multiplicities: np.ndarray | None
    valid: np.ndarray

    def __len__(self):
        return len(self.offsets) - 1

    def __getitem__(self, index):
        """Return the peak list of crystal ``index`` as a one-crystal batch."""
        if not isinstance(index, numbers.Integral):
            raise TypeError(f"index a PowderPeaks with an int, got {type(index)}")
        index = range(len(self))[index]
        start, stop = self.offsets[index], self.offsets[index + 1]
        rows = slice(start, stop)
        return PowderPeaks(
            positions=self.positions[rows],
            intensities=self.intensities[rows],
            offsets=np.array([0, stop - start], dtype=np.int64),
            d_spacings=self.d_spacings[rows],
            hkl=None if self.hkl is None else self.hkl[rows],
            multiplicities=None
            if self.multiplicities is None
            else self.multiplicities[rows],
            valid=self.valid[index : index + 1],
        )


def powder_peaks(
    crystals,
    *,
    wavelength="CuKa",
    two_theta_range=(TWO_THETA_MIN, TWO_THETA_MAX),
    scaled=True,
    march_dollase_ratio=None,
    preferred_direction=(0, 0, 1),
    return_hkl=False,
    errors="raise",
    space_groups="auto",
):
    """Compute powder diffraction peak lists of many crystals at once.

    The same physics as pymatgen's ``XRDCalculator.get_pattern`` with
    ``symprec=0``, computed for a whole batch with array operations.

    Parameters
    ----------
    crystals : sequence of crystals, or one crystal
        Each crystal is a pymatgen ``Structure`` (disordered sites allowed); a
        mapping with keys ``"lattice"`` (3, 3) rows a, b, c in Å,
        ``"frac_coords"`` (n_atoms, 3), ``"numbers"`` (n_atoms,) atomic
        numbers, and optionally ``"occupancies"`` (n_atoms,) and
        ``"debye_waller"`` (n_atoms,) isotropic B factors in Å²; an object
        with those attributes (e.g. a named tuple, a
        `skxrd.synthetic.Crystal`); or a sequence whose first three items are
        lattice, frac_coords and numbers (further items are ignored).
        Mappings and objects may carry a ``space_group`` number (see
        ``space_groups``).
    wavelength : float or str, default="CuKa"
        X-ray wavelength in Å or a name (see `skxrd.resolve_wavelength`).
    two_theta_range : tuple of float or None, default=(5.0, 90.0)
        Range of 2θ in degrees; None for every reflection within the
        limiting sphere ``|g| <= 2/λ`` (pymatgen's ``two_theta_range=None``).
    scaled : bool, default=True
        Scale each crystal's strongest peak to 100 (pymatgen's default).
    march_dollase_ratio : float or array-like of shape (n_crystals,), default=None
        March–Dollase ratio r for preferred orientation (r < 1: platelets
        lying on the ``preferred_direction`` planes, r > 1: needles); None or
        1 leaves intensities unchanged.
    preferred_direction : array-like of shape (3,) or (n_crystals, 3), default=(0, 0, 1)
        Miller indices of the preferred-orientation planes, used only with
        ``march_dollase_ratio``.
    return_hkl : bool, default=False
        Also return one hkl and the multiplicity of each peak.
    errors : {"raise", "skip"}, default="raise"
        On an invalid crystal (no atoms, non-finite or zero-volume lattice,
        non-finite coordinates, unknown element, negative occupancy) raise a
        ``ValueError`` naming its index, or skip it with one warning naming
        the skipped indices: it gets no peaks and ``valid`` False.
    space_groups : "auto", None or array-like of shape (n_crystals,), default="auto"
        Space group of each crystal, in the standard setting of the
        International Tables (unique axis b, hexagonal axes for rhombohedral
        groups, origin choice 2), used only to skip symmetry-equivalent
        reflections: the result is the same.  "auto" takes the
        ``space_group`` attribute or key of each crystal where it has one;
        None uses no symmetry; an array gives one number per crystal, 0 or
        None for unknown.  The atoms must have the group's symmetry; a
        lattice that lacks it is detected, warned about and computed without
        the shortcut.

    Returns
    -------
    PowderPeaks
        Peak positions (2θ, degrees), intensities and ``offsets`` in CSR
        form, plus d spacings and, with ``return_hkl``, hkl and multiplicities.

    See Also
    --------
    PowderPeaks : The returned peak lists.
    atomic_scattering_factors : The scattering factors used.
    pymatgen.analysis.diffraction.xrd.XRDCalculator : The reference.

    Notes
    -----
    For every reciprocal-lattice vector g_hkl with ``sin θ = λ |g| / 2`` in
    the 2θ range, the structure factor sums over all atoms j of the cell,

    .. math:: F_{hkl} = \\sum_j o_j f_j(s) e^{-B_j s^2}
              \\exp(2\\pi i (h x_j + k y_j + l z_j)),

    with ``s = sin θ / λ``, occupancy o_j, B factor B_j and the atomic
    scattering factor f_j of `atomic_scattering_factors`.  The intensity is

    .. math:: I_{hkl} = |F_{hkl}|^2 \\, \\frac{1 + \\cos^2 2\\theta}
              {\\sin^2\\theta \\cos\\theta} \\, P_{hkl},

    Lorentz–polarization for an unpolarized beam without monochromator, as
    in pymatgen.  With ``march_dollase_ratio`` r, each reflection is scaled
    by the March–Dollase factor [1]_ [2]_
    :math:`P(\\alpha) = (r^2 \\cos^2\\alpha + \\sin^2\\alpha / r)^{-3/2}`,
    α the angle between g_hkl and the reciprocal vector of
    ``preferred_direction``, before equivalent reflections are merged.

    Only one Friedel half of reciprocal space is computed: f is real, so
    F(-g) = F(g)* and each intensity is counted twice.  For a crystal of
    known space group, ``|F|²`` is moreover the same for every member h R of
    an orbit of its Laue group (the rotations R of the group and the
    inversion): F(h R) = exp(-2πi h·t) F(h) for an operation (R, t), with
    hkl as a row.  Only the lexicographically largest member of each orbit
    is computed and weighted by the orbit's size (up to 48 in m-3m); with
    preferred orientation, by the sum of P over the members.  Every hkl
    inside the sphere is counted, and reflections whose 2θ round to the same
    multiple of `TWO_THETA_TOL` are merged into one peak at the smallest of
    their 2θ, so multiplicities need no special treatment.  Peaks weaker
    than `SCALED_INTENSITY_TOL` percent of the strongest are dropped.  All
    arithmetic is float64 and the phases are running products of
    exp(2πi x_j), so intensities agree with pymatgen's to rounding (about
    1e-15 of the strongest peak).

    References
    ----------
    .. [1] A. March, Z. Kristallogr. 81, 285 (1932).
    .. [2] W. A. Dollase, J. Appl. Cryst. 19, 267 (1986).

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.diffraction import powder_peaks
    >>> polonium = {"lattice": 3.35 * np.eye(3), "frac_coords": [[0, 0, 0]],
    ...             "numbers": [84]}
    >>> peaks = powder_peaks([polonium], return_hkl=True)
    >>> peaks.positions[:3].round(2), peaks.intensities[:3].round(1)
    (array([26.61, 37.99, 46.98]), array([100. ,  79.6,  29.4]))
    >>> peaks.hkl[:3].tolist(), peaks.multiplicities[:3].tolist()
    ([[1, 0, 0], [1, 1, 0], [1, 1, 1]], [6, 12, 8])

    Given its space group (Pm-3m), only one hkl of each set of 48
    equivalent ones is computed, with the same result:

    >>> same = powder_peaks([polonium], space_groups=[221])
    >>> bool(np.allclose(same.intensities, peaks.intensities, rtol=1e-12))
    True
    """
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors must be 'raise' or 'skip', got {errors!r}.")
    if is_single_crystal(crystals):
        crystals = [crystals]
    batch = pack_crystals(crystals)
    n_crystals = len(batch.lattices)
    wavelength = resolve_wavelength(wavelength)
    g_min, g_max = _g_range(two_theta_range, wavelength)
    orientation = _orientation(march_dollase_ratio, preferred_direction, n_crystals)
    groups = read_space_groups(space_groups, batch.space_groups, n_crystals)

    valid = np.ones(n_crystals, dtype=bool)
    problems = find_problems(batch)
    if problems:
        _report(problems, errors)
        valid[list(problems)] = False
        batch = batch.subset(valid)
        groups = groups[valid]
        if orientation is not None:
            orientation = tuple(part[valid] for part in orientation)

    laue = _laue_classes(batch, groups, np.flatnonzero(valid))
    with _single_threaded_blas():
        reflections = _reflection_intensities(
            batch, wavelength, g_min, g_max, orientation, laue
        )
    peaks = _merge_reflections(*reflections, int(valid.sum()), return_hkl)
    return _finish(peaks, valid, wavelength, scaled, return_hkl)


@functools.cache
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _single_threaded_blas():
    """Context in which BLAS runs on one thread.

    The matrix products here are small (tens to hundreds of rows per
    crystal); BLAS threads would only spin and burn the other cores' time.
    scikit-learn limits its own small-matrix loops the same way.
    """
    return _blas_controller().limit(limits=1, user_api="blas")


def _g_range(two_theta_range, wavelength):
    """Bounds on |g| = 2 sin θ / λ from a 2θ range in degrees."""
    if two_theta_range is None:
        return 0.0, 2.0 / wavelength
    low, high = (float(t) for t in two_theta_range)
    if not 0.0 <= low < high <= 180.0:
        raise ValueError(
            f"two_theta_range must satisfy 0 <= min < max <= 180 degrees, got "
            f"{two_theta_range!r}."
        )
    return tuple(
        2.0 * math.sin(math.radians(t / 2.0)) / wavelength for t in (low, high)
    )


def _orientation(ratio, direction, n_crystals):
    """Per-crystal March–Dollase ratio and direction, or None when off."""
    if ratio is None:
        return None
    ratio = np.broadcast_to(np.asarray(ratio, dtype=np.float64), (n_crystals,))
    direction = np.asarray(direction, dtype=np.float64)
    direction = np.broadcast_to(direction, (n_crystals, 3))
    checks = (
        (~(np.isfinite(ratio) & (ratio > 0)), "march_dollase_ratio must be > 0"),
        (
            ~np.isfinite(direction).all(axis=1) | ~direction.any(axis=1),
            "preferred_direction must be a finite, non-zero hkl",
        ),
    )
    for bad, message in checks:
        if bad.any():
            raise ValueError(f"Crystal {int(np.flatnonzero(bad)[0])}: {message}.")
    return ratio, direction


def _laue_classes(batch, groups, original_index):
    """Laue class of each crystal, 0 (no shortcut) where the cell disagrees."""
    laue = laue_class_indices(groups)
    fits = check_metrics(reciprocal_metrics(batch.lattices), laue)
    if not fits.all():
        bad = np.flatnonzero(~fits)
        names = ", ".join(
            f"crystal {original_index[i]} (space group {groups[i]})" for i in bad[:5]
        )
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        warnings.warn(
            f"The lattice of {names}{more} lacks the symmetry of its space group "
            "in the standard setting; computed without the symmetry shortcut.",
            RuntimeWarning,
            stacklevel=3,
        )
        laue[bad] = 0
    return laue


def _report(problems, errors):
    details = "; ".join(f"crystal {i}: {why}" for i, why in list(problems.items())[:5])
    more = f" (and {len(problems) - 5} more)" if len(problems) > 5 else ""
    if errors == "raise":
        raise ValueError(f"Cannot diffract {details}{more}.")
    warnings.warn(
        f"Skipped {len(problems)} invalid crystal(s): {details}{more}.",
        RuntimeWarning,
        stacklevel=3,
    )


def _reflection_intensities(batch, wavelength, g_min, g_max, orientation, laue):
    """Crystal, hkl, 2θ, intensity and multiplicity of every computed reflection.

    Only one reflection per orbit of the crystal's Laue class is listed (the
    Friedel pair h, -h for crystals without a known group); its intensity is
    that of the whole orbit.
    """
    metrics = reciprocal_metrics(batch.lattices)
    constraints = None if not laue.any() else _constraint_table()[laue]
    crystal, hkl, g2 = enumerate_reflections(metrics, g_min, g_max, constraints)
    keep, multiplicity = _orbits(crystal, hkl, laue)
    if keep is not None:
        crystal, hkl, g2, multiplicity = (
            crystal[keep],
            hkl[keep],
            g2[keep],
            multiplicity[keep],
        )
    s2 = g2 / 4.0
    # Bragg: sin θ = λ |g| / 2.
    sin2 = np.minimum(wavelength * wavelength * s2, 1.0)
    # Lorentz-polarization (1 + cos² 2θ) / (sin² θ cos θ), written in sin² θ
    # (cos 2θ = 1 - 2 sin² θ) to spare float64 cosines.
    lorentz = (1.0 + (1.0 - 2.0 * sin2) ** 2) / (sin2 * np.sqrt(1.0 - sin2))
    refl_offsets = np.searchsorted(crystal, np.arange(len(batch.lattices) + 1))
    squared = squared_structure_factors(batch, hkl, s2, refl_offsets)
    # Every member of the orbit (Friedel mates included) scatters alike.
    intensity = multiplicity * squared * lorentz
    if orientation is not None:
        intensity *= _march_dollase(metrics, crystal, hkl, g2, *orientation, laue)
    two_theta = np.degrees(2.0 * np.arcsin(np.sqrt(sin2)))
    return crystal, hkl, two_theta, intensity, multiplicity


@functools.cache
def _constraint_table():
    """Orbit-representative constraints of every Laue class, zero-padded."""
    constraints = [representative_constraints(i) for i in range(len(laue_rotations()))]
    table = np.zeros((len(constraints), max(map(len, constraints)), 3), np.int64)
    for index, rows in enumerate(constraints):
        table[index, : len(rows)] = rows
    return table


def _orbits(crystal, hkl, laue):
    """Which listed hkl represent their Laue orbit, and the orbits' sizes.

    Returns None for the mask when all are kept (no crystal has a group).
    """
    # Without a group the orbit is the Friedel pair: the half-space holds one.
    multiplicity = np.full(len(hkl), 2, dtype=np.int64)
    if not laue.any():
        return None, multiplicity
    keep = np.ones(len(hkl), dtype=bool)
    reflection_laue = laue[crystal]
    for index in np.unique(laue):
        if index == 0:
            continue
        rotations = laue_rotations()[index]
        for rows in _row_chunks(reflection_laue == index, len(rotations)):
            keep[rows], multiplicity[rows] = orbit_representatives(hkl[rows], rotations)
    return keep, multiplicity


def _row_chunks(mask, width):
    """Rows where ``mask`` holds, in pieces of at most 2^22 / width rows."""
    rows = np.flatnonzero(mask)
    step = max(1, _ORBIT_CHUNK_ENTRIES // width)
    return [rows[start : start + step] for start in range(0, len(rows), step)]


def _march_dollase(metrics, crystal, hkl, g2, ratio, direction, laue):
    """Orbit mean of the March–Dollase factor of each reflection.

    Preferred orientation breaks the Laue symmetry: each member h R of the
    orbit has its own angle to the texture axis, so a representative gets the
    mean of P over the images h R (the mean over the group equals the mean
    over the distinct members, each reached equally often).  P(-h) = P(h),
    so the proper rotations (det R = 1), half the Laue group, suffice.
    """
    factor = np.ones(len(hkl))
    textured = ratio[crystal] != 1.0
    metric_direction = np.einsum("nij,nj->ni", metrics, direction)
    direction_norm2 = np.einsum("ni,ni->n", direction, metric_direction)
    for index, rotations in _proper_rotations(np.unique(laue[crystal[textured]])):
        for rows in _row_chunks(textured & (laue[crystal] == index), len(rotations)):
            factor[rows] = _orbit_mean_march_dollase(
                hkl[rows],
                g2[rows],
                ratio[crystal[rows]],
                metric_direction[crystal[rows]],
                direction_norm2[crystal[rows]],
                rotations,
            )
    return factor


def _orbit_mean_march_dollase(hkl, g2, r, metric_direction, norm2, rotations):
    """Mean of P over the images h R of each row (see `_march_dollase`)."""
    # (h R) · G* d = Σ_ji R_ji h_j (G* d)_i: all rotations in one product.
    outer = hkl[:, :, None] * metric_direction[:, None, :]
    dot = rotations @ outer.reshape(-1, 9).T
    # P = (r² cos²α + sin²α / r)^(-3/2) = x^(-3/2) with x linear in
    # cos²α = dot² / (|g|² |d*|²).
    x = dot * dot
    x *= (r * r - 1.0 / r) / (g2 * norm2)
    x += 1.0 / r
    return np.mean(1.0 / (x * np.sqrt(x)), axis=0)


def _proper_rotations(laue_indices):
    """(index, rotations) of each class: its det = +1 half as rows of 9 floats."""
    for index in laue_indices:
        rotations = laue_rotations()[index]
        proper = rotations[np.linalg.det(rotations) > 0]
        yield index, proper.reshape(-1, 9).astype(np.float64)


def _merge_reflections(
    crystal, hkl, two_theta, intensity, multiplicity, n_crystals, return_hkl
):
    """Sum reflections of one crystal whose 2θ bin (TWO_THETA_TOL) is equal.

    As in XRDCalculator, a peak's 2θ is that of its smallest-angle member.
    """
    bins = np.rint(two_theta / TWO_THETA_TOL).astype(np.int64)
    key = crystal * (int(bins.max(initial=0)) + 1) + bins
    # Nothing below depends on the order inside a bin, so the fast unstable
    # sort will do.
    order = np.argsort(key)
    key = key[order]
    starts = np.flatnonzero(np.diff(key, prepend=key[:1] - 1))
    return {
        "crystal": crystal[order[starts]],
        "positions": np.minimum.reduceat(two_theta[order], starts),
        "intensities": np.add.reduceat(intensity[order], starts),
        "hkl": _representative_hkl(hkl[order], starts) if return_hkl else None,
        "multiplicities": np.add.reduceat(multiplicity[order], starts),
        "n_crystals": n_crystals,
    }


def _representative_hkl(hkl, starts):
    """Lexicographically largest hkl of each run of rows starting at ``starts``."""
    # Pack (h, k, l) into one integer whose order is the lexicographic order.
    span = 2 * int(np.abs(hkl).max(initial=0)) + 1
    code = ((hkl[:, 0] * span + hkl[:, 1] + span // 2) * span) + hkl[:, 2] + span // 2
    code = np.maximum.reduceat(code, starts)
    high, ell = np.divmod(code, span)
    h, k = np.divmod(high, span)
    return np.stack([h, k - span // 2, ell - span // 2], axis=1)


def _finish(peaks, valid, wavelength, scaled, return_hkl):
    """Drop weak peaks, scale, and lay the peaks out per crystal (CSR)."""
    crystal, intensities = peaks["crystal"], peaks["intensities"]
    counts = np.bincount(crystal, minlength=peaks["n_crystals"])
    offsets = np.concatenate([[0], np.cumsum(counts)])
    strongest = np.zeros(peaks["n_crystals"])
    filled = counts > 0
    strongest[filled] = np.maximum.reduceat(intensities, offsets[:-1][filled])
    # A crystal with nothing but zero intensities (all occupancies 0) keeps
    # no peaks: its 0/0 is NaN, which fails the threshold.
    with np.errstate(invalid="ignore"):
        relative = intensities / strongest[crystal] * 100
    keep = relative > SCALED_INTENSITY_TOL
    counts = np.bincount(crystal[keep], minlength=peaks["n_crystals"])
    # Invalid (skipped) crystals get empty rows.
    full_counts = np.zeros(len(valid), dtype=np.int64)
    full_counts[valid] = counts
    positions = peaks["positions"][keep]
    return PowderPeaks(
        positions=positions,
        intensities=relative[keep] if scaled else intensities[keep],
        offsets=np.concatenate([[0], np.cumsum(full_counts)]).astype(np.int64),
        d_spacings=wavelength / (2.0 * np.sin(np.radians(positions) / 2.0)),
        hkl=peaks["hkl"][keep] if return_hkl else None,
        multiplicities=peaks["multiplicities"][keep] if return_hkl else None,
        valid=valid,
    )
