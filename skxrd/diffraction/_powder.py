"""Powder diffraction peak lists of whole batches of crystals.

The physics is that of pymatgen's ``XRDCalculator`` (kinematic theory, real
atomic scattering factors, Lorentz–polarization); the loops over crystals,
reflections and atoms are array operations over the whole batch, except the
structure factor, which is one pair of small matrix products per crystal.
"""

import math
import numbers
import warnings
from dataclasses import dataclass

import numpy as np

from .._grid import TWO_THETA_MAX, TWO_THETA_MIN, resolve_wavelength
from ._batch import find_problems, is_single_crystal, pack_crystals
from ._reflections import enumerate_reflections, reciprocal_metrics
from ._scattering import _FORM_FACTOR_CONSTANT, scattering_table

__all__ = ["PowderPeaks", "powder_peaks", "TWO_THETA_TOL", "SCALED_INTENSITY_TOL"]

#: Reflections whose 2θ round to the same multiple of this (degrees) are one
#: peak; pymatgen's ``AbstractDiffractionPatternCalculator.TWO_THETA_TOL``.
TWO_THETA_TOL = 1e-5

#: Peaks below this percentage of the strongest are dropped; pymatgen's
#: ``AbstractDiffractionPatternCalculator.SCALED_INTENSITY_TOL``.
SCALED_INTENSITY_TOL = 1e-3

# Bound on the (reflections x atoms) phase matrix held at once: 4 Mi float32.
_PHASE_CHUNK_ENTRIES = 1 << 22


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
        with those attributes (e.g. a named tuple); or a sequence whose first
        three items are lattice, frac_coords and numbers (further items, such
        as a space-group number, are ignored).
    wavelength : float or str, default="CuKa"
        X-ray wavelength in Å or a name (see `skxrd.resolve_wavelength`).
    two_theta_range : tuple of float or None, default=(5.0, 90.0)
        Range of 2θ in degrees; None for every reflection within the
        limiting sphere |g| <= 2/λ (pymatgen's ``two_theta_range=None``).
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
    F(-g) = F(g)* and each intensity is counted twice.  Multiplicities need
    no special treatment: every hkl inside the sphere is summed, and
    reflections whose 2θ round to the same multiple of `TWO_THETA_TOL` are
    merged into one peak at the smallest of their 2θ.  Peaks weaker than
    `SCALED_INTENSITY_TOL` percent of the strongest are dropped.  Phases and
    scattering factors are float32 (intensities then differ from pymatgen's
    float64 ones by about 1e-7 of the strongest peak); angles and the
    merging use float64.

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

    valid = np.ones(n_crystals, dtype=bool)
    problems = find_problems(batch)
    if problems:
        _report(problems, errors)
        valid[list(problems)] = False
        batch = batch.subset(valid)
        if orientation is not None:
            orientation = tuple(part[valid] for part in orientation)

    reflections = _reflection_intensities(batch, wavelength, g_min, g_max, orientation)
    peaks = _merge_reflections(*reflections, int(valid.sum()), return_hkl)
    return _finish(peaks, valid, wavelength, scaled, return_hkl)


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


def _reflection_intensities(batch, wavelength, g_min, g_max, orientation):
    """Return crystal index, hkl, 2θ and intensity of every reflection."""
    metrics = reciprocal_metrics(batch.lattices)
    crystal, hkl, g2 = enumerate_reflections(metrics, g_min, g_max)
    s2 = g2 / 4.0
    # Bragg: sin θ = λ |g| / 2.
    sin2 = np.minimum(wavelength * wavelength * s2, 1.0)
    # Lorentz-polarization (1 + cos² 2θ) / (sin² θ cos θ), written in sin² θ
    # (cos 2θ = 1 - 2 sin² θ) to spare float64 cosines.
    lorentz = (1.0 + (1.0 - 2.0 * sin2) ** 2) / (sin2 * np.sqrt(1.0 - sin2))
    refl_offsets = np.searchsorted(crystal, np.arange(len(batch.lattices) + 1))
    squared = squared_structure_factors(batch, hkl, s2, refl_offsets)
    # Factor 2: the Friedel mate -g, not enumerated, scatters the same.
    intensity = 2.0 * squared * lorentz
    if orientation is not None:
        intensity *= _march_dollase(metrics, crystal, hkl, g2, *orientation)
    return crystal, hkl, np.degrees(2.0 * np.arcsin(np.sqrt(sin2))), intensity


def _march_dollase(metrics, crystal, hkl, g2, ratio, direction):
    """March–Dollase factor of each reflection (even in g, Friedel-safe)."""
    metric_direction = np.einsum("nij,nj->ni", metrics, direction)
    direction_norm2 = np.einsum("ni,ni->n", direction, metric_direction)
    dot = np.einsum("ni,ni->n", hkl, metric_direction[crystal])
    cos2 = np.clip(dot * dot / (g2 * direction_norm2[crystal]), 0.0, 1.0)
    r = ratio[crystal]
    return (r * r * cos2 + (1.0 - cos2) / r) ** -1.5


def squared_structure_factors(batch, hkl, s2, refl_offsets):
    """Return |F_hkl|² of every reflection of every crystal.

    Parameters
    ----------
    batch : CrystalBatch
        The crystals.
    hkl : ndarray of shape (n_reflections, 3)
        Miller indices, grouped by crystal.
    s2 : ndarray of shape (n_reflections,)
        ``(sin θ / λ)² = |g|² / 4``.
    refl_offsets : ndarray of shape (n_crystals + 1,)
        Reflections of crystal i are rows ``refl_offsets[i]:refl_offsets[i+1]``.

    Returns
    -------
    squared : ndarray of shape (n_reflections,), dtype float64
        ``|F|²`` in electrons².
    """
    atom_type, type_z, type_b, type_offsets = _scatterer_types(batch)
    occupancies = _occupancy_blocks(batch, atom_type, type_offsets)
    form = _FormFactors(type_z, type_b, type_offsets)
    # Phases repeat with period 1 in x: reduce coordinates to [0, 1) first.
    frac = np.mod(batch.frac_coords, 1.0).astype(np.float32)
    hkl32 = hkl.astype(np.float32)
    s2 = s2.astype(np.float32)
    squared = np.zeros(len(hkl), dtype=np.float64)
    for index in range(len(batch.lattices)):
        r0, r1 = refl_offsets[index], refl_offsets[index + 1]
        if r0 == r1:
            continue
        a0, a1 = batch.atom_offsets[index], batch.atom_offsets[index + 1]
        occupancy = occupancies(index)
        factors = form(index, s2[r0:r1])
        coords_t = frac[a0:a1].T
        step = max(1, _PHASE_CHUNK_ENTRIES // (a1 - a0))
        for start in range(r0, r1, step):
            stop = min(start + step, r1)
            squared[start:stop] = _chunk_squared(
                hkl32[start:stop], coords_t, occupancy, factors[start - r0 : stop - r0]
            )
    return squared


def _chunk_squared(hkl, coords_t, occupancy, factors):
    """|F|² for rows of hkl: Σ_t f_t Σ_j o_jt exp(2πi h·x_j), all float32."""
    phase = hkl @ coords_t
    # h·x modulo 1 keeps the float32 argument of cos/sin within [-π, π].
    phase -= np.rint(phase)
    phase *= np.float32(2.0 * np.pi)
    trig = np.empty((2, *phase.shape), dtype=np.float32)
    np.cos(phase, out=trig[0])
    np.sin(phase, out=trig[1])
    # Real and imaginary parts of F: (2, rows, types) summed over types (a
    # product with ones: numpy's reduction over a short last axis is slow).
    weighted = (trig @ occupancy) * factors
    real, imag = weighted @ np.ones(factors.shape[1], dtype=np.float32)
    return real * real + imag * imag


def _scatterer_types(batch):
    """Group each crystal's atoms by (Z, B): those share a form factor.

    Returns the type of each atom, the Z and B of each type, and type
    offsets per crystal (types of crystal i are ``offsets[i]:offsets[i+1]``).
    """
    n_crystals = len(batch.lattices)
    crystal = np.repeat(np.arange(n_crystals), batch.n_atoms)
    order = np.lexsort((batch.debye_waller, batch.numbers, crystal))
    keys = (crystal[order], batch.numbers[order], batch.debye_waller[order])
    new = np.zeros(len(order), dtype=bool)
    new[:1] = True
    for key in keys:
        new[1:] |= key[1:] != key[:-1]
    atom_type = np.empty(len(order), dtype=np.int64)
    atom_type[order] = np.cumsum(new) - 1
    first = order[new]
    offsets = np.searchsorted(crystal[first], np.arange(n_crystals + 1))
    return atom_type, batch.numbers[first], batch.debye_waller[first], offsets


class _BlockMatrices:
    """Small per-crystal matrices stored flat; ``self(i)`` is crystal i's."""

    def __init__(self, shapes, crystal, rows, cols, values):
        self.shapes = shapes
        self.offsets = np.concatenate([[0], np.cumsum(shapes[:, 0] * shapes[:, 1])])
        self.flat = np.zeros(self.offsets[-1], dtype=np.float32)
        self.flat[self.offsets[crystal] + rows * shapes[crystal, 1] + cols] = values

    def __call__(self, index):
        block = self.flat[self.offsets[index] : self.offsets[index + 1]]
        return block.reshape(self.shapes[index])


def _occupancy_blocks(batch, atom_type, type_offsets):
    """Each crystal's (n_atoms, n_types) matrix of occupancies."""
    shapes = np.stack([batch.n_atoms, np.diff(type_offsets)], axis=1)
    crystal = np.repeat(np.arange(len(shapes)), batch.n_atoms)
    local_atom = np.arange(len(crystal)) - batch.atom_offsets[crystal]
    local_type = atom_type - type_offsets[crystal]
    return _BlockMatrices(shapes, crystal, local_atom, local_type, batch.occupancies)


class _FormFactors:
    """Atomic scattering factors of each crystal's scatterer types, float32.

    ``f_t(s) = Z_t - 41.78214 s² Σ_i a_ti exp(-b_ti s²)``: one exponential of
    an (n_reflections, 4 n_types) array, then a product with the crystal's
    block-diagonal (4 n_types, n_types) matrix of the a_ti.
    """

    def __init__(self, type_z, type_b, type_offsets):
        a, b = scattering_table()
        self.offsets = type_offsets
        self.z = type_z.astype(np.float32)
        self.minus_b = -b[type_z].astype(np.float32)
        self.debye_waller = type_b.astype(np.float32)
        self.any_debye_waller = bool(np.any(type_b))
        n_types = np.diff(type_offsets)
        crystal = np.repeat(np.arange(len(n_types)), n_types)
        local = np.arange(len(type_z)) - type_offsets[crystal]
        shapes = np.stack([4 * n_types, n_types], axis=1)
        self.a_blocks = _BlockMatrices(
            shapes,
            np.repeat(crystal, 4),
            (4 * local[:, None] + np.arange(4)).ravel(),
            np.repeat(local, 4),
            a[type_z].ravel(),
        )

    def __call__(self, index, s2):
        """f of crystal ``index``'s types at ``s2``: shape (len(s2), n_types)."""
        types = slice(self.offsets[index], self.offsets[index + 1])
        s2 = s2[:, None]
        series = np.exp(s2 * self.minus_b[types].reshape(1, -1)) @ self.a_blocks(index)
        factors = self.z[types] - np.float32(_FORM_FACTOR_CONSTANT) * s2 * series
        if self.any_debye_waller:
            # Debye–Waller (temperature) factor exp(-B s²), as in XRDCalculator.
            factors *= np.exp(-self.debye_waller[types] * s2)
        return factors


def _merge_reflections(crystal, hkl, two_theta, intensity, n_crystals, return_hkl):
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
    ends = np.append(starts[1:], len(order))
    return {
        "crystal": crystal[order[starts]],
        "positions": np.minimum.reduceat(two_theta[order], starts),
        "intensities": np.add.reduceat(intensity[order], starts),
        "hkl": _representative_hkl(hkl[order], starts) if return_hkl else None,
        "multiplicities": 2 * (ends - starts),
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
