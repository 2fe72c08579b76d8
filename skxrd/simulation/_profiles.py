"""Windowed rendering of stick peak lists into powder patterns.

This is skxrd's one rendering implementation: real structures
(`simulate_patterns`), cached stick datasets and the synthetic-crystal engine
all draw their peaks here.  It works on whole batches at once: the peaks of
all patterns are held in compressed-sparse-row (CSR) form and every peak is
evaluated only inside a window of a few widths around its centre, with no
Python loop over peaks.
"""

import numpy as np

from .._grid import (
    DEFAULT_WAVELENGTH,
    WAVELENGTHS,
    resolve_wavelength,
    two_theta_grid,
)
from ..utils._random import check_generator
from ._parameters import ProfileParameters
from ._widths import _widths

__all__ = ["render_patterns"]

_FOUR_LN2 = 4.0 * np.log(2.0)

# Work arrays of about this many window points keep the hot loop in cache.
_CHUNK_POINTS = 65536
# Patterns drawn together: their part of the output (64 x 8502 float32,
# about 2 MB) stays in cache while all their peaks are added.
_BLOCK = 64


def _check_csr(positions, intensities, offsets):
    """Validate CSR peak lists; return float64 arrays and each peak's pattern."""
    positions = np.asarray(positions, dtype=np.float64).ravel()
    intensities = np.asarray(intensities, dtype=np.float64).ravel()
    offsets = np.asarray(offsets)
    if (
        offsets.ndim != 1
        or offsets.size < 1
        or not np.issubdtype(offsets.dtype, np.integer)
    ):
        raise ValueError(
            "offsets must be a 1-D integer array of n_patterns + 1 values."
        )
    if positions.shape != intensities.shape:
        raise ValueError(
            f"positions and intensities differ in length ({positions.size} and "
            f"{intensities.size})."
        )
    if offsets[0] != 0 or offsets[-1] != positions.size or np.any(np.diff(offsets) < 0):
        raise ValueError(
            "offsets must start at 0, never decrease and end at the number of "
            f"peaks ({positions.size}); got offsets[0]={offsets[0]}, "
            f"offsets[-1]={offsets[-1]}."
        )
    rows = np.repeat(np.arange(offsets.size - 1), np.diff(offsets))
    for name, a, bad in (
        ("position", positions, ~np.isfinite(positions)),
        ("intensity", intensities, ~(np.isfinite(intensities) & (intensities >= 0))),
    ):
        if np.any(bad):
            k = int(np.flatnonzero(bad)[0])
            raise ValueError(
                f"Peak {k} (pattern {int(rows[k])}) has {name} {float(a[k])!r}; "
                "need a finite value" + (" >= 0." if name == "intensity" else ".")
            )
    return positions, intensities, rows


def _doublet_wavelengths(wavelength, ka_lines):
    """The Kα1 and Kα2 wavelengths that belong to the sticks' wavelength."""
    if ka_lines is not None:
        return tuple(resolve_wavelength(x) for x in ka_lines)
    lam = resolve_wavelength(wavelength)
    for name in WAVELENGTHS:
        if name.endswith("Ka"):
            lines = (WAVELENGTHS[name + "1"], WAVELENGTHS[name + "2"])
            if min(abs(lam - x) for x in (WAVELENGTHS[name], *lines)) < 1e-5:
                return lines
    raise ValueError(
        f"No Kα1/Kα2 pair is known for wavelength {lam} Å; pass ka_lines=(λ1, λ2) "
        "or set ka2_ratio=0."
    )


def _bragg_shift(two_theta, ratio):
    """Angle of the same d-spacing at wavelength ratio λ'/λ (NaN if unreachable)."""
    s = np.sin(np.deg2rad(two_theta) / 2.0) * ratio
    with np.errstate(invalid="ignore"):
        return 2.0 * np.rad2deg(np.arcsin(np.where(s <= 1.0, s, np.nan)))


def _apply_doublet(two_theta, weights, rows, ka2_ratio, wavelength, ka_lines):
    """Split every stick of a pattern with ka2_ratio > 0 into Kα1 + Kα2 lines."""
    split = ka2_ratio[rows] > 0
    if not np.any(split):
        return two_theta, weights, rows
    lam = resolve_wavelength(wavelength)
    lam1, lam2 = _doublet_wavelengths(wavelength, ka_lines)
    r = ka2_ratio[rows[split]]
    # Intensities 1/(1+r) and r/(1+r) keep each reflection's integrated intensity.
    pos = np.concatenate(
        [
            two_theta[~split],
            _bragg_shift(two_theta[split], lam1 / lam),
            _bragg_shift(two_theta[split], lam2 / lam),
        ]
    )
    wts = np.concatenate(
        [weights[~split], weights[split] / (1 + r), weights[split] * r / (1 + r)]
    )
    rws = np.concatenate([rows[~split], rows[split], rows[split]])
    return pos, wts, rws


def _window_ladder():
    # Window half-lengths grow by ~20 % per step, so padding wastes at most ~20 %.
    return np.unique(np.ceil(1.2 ** np.arange(80)).astype(np.int64))


_LADDER = _window_ladder()


def _scatter(out, row_start, center, width, weight, half_width, *, lorentz, n_points):
    """Add windowed unit-area profiles into the flat buffer `out`.

    `center`, `width` (FWHM) and the window `half_width` are in grid points.
    Each pattern row of `out` has one dump column on either side that
    collects the points of windows reaching off the grid.
    """
    base = np.floor(center)
    needed = np.ceil(half_width).astype(np.int64)
    bucket = np.searchsorted(_LADDER, needed)
    half = _LADDER[bucket]
    # Windows inside the grid need no clipping of their indices.
    inside = (base - half >= 0) & (base + half <= n_points - 1)
    key = 2 * bucket + inside
    order = np.argsort(key, kind="stable")
    edges = np.flatnonzero(np.diff(key[order])) + 1
    index_type = np.int32 if out.size < 2**31 else np.int64
    for group in np.split(order, edges):
        if group.size == 0:
            continue
        offsets = np.arange(-half[group[0]], half[group[0]] + 1, dtype=index_type)
        step = max(1, _CHUNK_POINTS // offsets.size)
        for start in range(0, group.size, step):
            sel = group[start : start + step]
            index = _window_index(
                base[sel],
                row_start[sel],
                offsets,
                None if inside[group[0]] else n_points,
            )
            values = _window_values(
                center[sel] - base[sel], width[sel], weight[sel], offsets, lorentz
            )
            np.add.at(out, index.ravel(), values.ravel())


def _window_index(base, row_start, offsets, clip_to):
    """Flat buffer indices of the windows (rows of `offsets` around `base`)."""
    if clip_to is None:
        return (base + row_start).astype(offsets.dtype)[:, None] + offsets
    index = base.astype(offsets.dtype)[:, None] + offsets
    np.clip(index, -1, clip_to, out=index)
    index += row_start.astype(offsets.dtype)[:, None]
    return index


def _window_values(frac, width, weight, offsets, lorentz):
    """Unit-area profile times `weight` at the window points, float32."""
    x = offsets.astype(np.float32)[None, :] - frac.astype(np.float32)[:, None]
    x *= x
    if lorentz:
        # L(x) = γ / (π (x² + γ²)), γ = FWHM/2.  The value just beyond the
        # window end is subtracted so the truncated tail meets zero smoothly.
        gamma2 = (width / 2.0) ** 2
        x += gamma2.astype(np.float32)[:, None]
        peak = weight * np.sqrt(gamma2) / np.pi
        values = np.divide(peak.astype(np.float32)[:, None], x, out=x)
        edge = peak / ((offsets[-1] + 1.0) ** 2 + gamma2)
        values -= edge.astype(np.float32)[:, None]
        # In float32 the outermost points can round to just below the edge
        # value; a profile is never negative.
        np.maximum(values, 0.0, out=values)
        return values
    # G(x) = sqrt(4 ln2 / π) / H exp(-4 ln2 x² / H²).
    x *= (-_FOUR_LN2 / width**2).astype(np.float32)[:, None]
    values = np.exp(x, out=x)
    values *= (weight * np.sqrt(_FOUR_LN2 / np.pi) / width).astype(np.float32)[:, None]
    return values


def _grid_spec(grid):
    grid = two_theta_grid() if grid is None else np.asarray(grid, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 2:
        raise ValueError("grid must be a 1-D array of at least two 2θ values.")
    step = (grid[-1] - grid[0]) / (grid.size - 1)
    if step <= 0 or not np.allclose(np.diff(grid), step, rtol=1e-6, atol=1e-9):
        raise ValueError("grid must be evenly spaced and increasing.")
    return float(grid[0]), float(step), grid.size


def render_patterns(
    positions,
    intensities,
    offsets,
    params=None,
    *,
    grid=None,
    wavelength=DEFAULT_WAVELENGTH,
    ka_lines=None,
    normalize="max",
    gaussian_window=2.5,
    lorentz_window=20.0,
    tail_tolerance=1e-4,
    random_state=None,
):
    """Render batches of stick peak lists into powder patterns.

    Parameters
    ----------
    positions : array-like of shape (n_peaks_total,)
        Peak positions in degrees 2θ at `wavelength`, all patterns one after
        the other.
    intensities : array-like of shape (n_peaks_total,)
        Integrated peak intensities (>= 0).
    offsets : array-like of int of shape (n_patterns + 1,)
        Pattern ``i`` owns peaks ``offsets[i]:offsets[i + 1]`` (CSR layout).
    params : ProfileParameters or sampler, default=None
        Peak shape and position parameters, shared or one per pattern.  An
        object with a ``sample(n_patterns, random_state)`` method (such as
        `ProfileSampler`) is asked for fresh parameters.  None means the
        default `ProfileParameters` (Gaussian, FWHM 0.076°).
    grid : array-like of shape (n_points,), default=None
        Evenly spaced 2θ grid in degrees; None means the standard grid.
    wavelength : float or str, default=1.54184
        Wavelength at which `positions` were computed.  With the Kα doublet
        on, the sticks are taken to be at this wavelength and moved by Bragg's
        law to the Kα1 and Kα2 lines of the same anode.
    ka_lines : tuple of two floats, default=None
        Kα1 and Kα2 wavelengths in Å, for a `wavelength` skxrd does not know.
    normalize : {"max", None}, default="max"
        Scale every pattern to maximum 1 (the paper's convention), or keep
        unit-area profiles times the intensities (intensity per degree).
    gaussian_window : float, default=2.5
        Half-width of the window of Gaussian parts, in FWHM (the profile has
        fallen to 3e-8 of its peak there).
    lorentz_window : float, default=20.0
        Largest half-width of the window of Lorentzian parts, in FWHM.
    tail_tolerance : float, default=1e-4
        A Lorentzian tail is cut where it falls below this fraction of the
        height of the pattern's tallest peak (but not inside
        `gaussian_window`); 0 always uses `lorentz_window`.
    random_state : int, Generator, RandomState or None, default=None
        Seeds the intensity jitter and, when `params` is a sampler, the
        parameter draw.

    Returns
    -------
    X : ndarray of shape (n_patterns, n_points), dtype float32
        The patterns.  A pattern without peaks on the grid stays zero.

    See Also
    --------
    ProfileParameters : The physics of widths, shifts and the doublet.
    ProfileSampler : Random realistic parameters.
    StickDataset.render : Render a stored stick dataset.

    Notes
    -----
    Each peak is a pseudo-Voigt ``(1 - η) G(x; H) + η L(x; H)`` of unit area
    whose FWHM H and mixing η come from `peak_profiles`.  Before that,
    intensities get a log-normal jitter, the doublet splits each stick into
    Kα1 and Kα2 lines (weights ``1/(1+r)`` and ``r/(1+r)``; for Cu the
    weighted mean of the two lines is pymatgen's "CuKa" wavelength, so the
    doublet is centred where the sticks were), and the positions move by the
    zero shift and the sample displacement ``Δ2θ = -2 s cosθ / R``.

    Every component is evaluated only inside its window, with no loop over
    peaks: a Gaussian at 2.5 FWHM has fallen to 3e-8 of its height, but a
    Lorentzian at 20 FWHM still has 1/1601 of it.  Lorentzian tails are
    therefore cut where they drop below `tail_tolerance` of the pattern's
    tallest peak — strong peaks keep up to `lorentz_window` FWHM, weak ones
    much less — and the value just beyond the window end is subtracted, so
    a tail meets zero without a step.  Windows are rounded up to a ladder of
    lengths 20 % apart (peaks of one length are evaluated together), so the
    cut lies between 1 and 1.2 times the stated distance.  A Lorentzian
    kept to k FWHM holds ``(2/π) arctan(2k) - 4k / (π (1 + 4k²))`` of its
    area (96.8 % for k = 20).  The missing tails add up to a smooth
    pedestal: rendered with `ProfileSampler` parameters, the sticks of 200
    real structures differed from renderings with tails kept to 300 FWHM
    by at most 2.7e-3 of the maximum (median 5e-4), below the noise the
    paper adds.  ``tail_tolerance=0`` with a larger `lorentz_window` keeps
    more of the tails, at a higher cost.
    Profiles are sampled at the grid points, so peaks narrower than about
    two grid steps are undersampled.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.simulation import ProfileParameters, render_patterns
    >>> X = render_patterns([20.0, 30.0, 25.0], [100.0, 50.0, 80.0], [0, 2, 3],
    ...                     ProfileParameters.gaussian(0.05))
    >>> X.shape, X.dtype, float(X[0].max())
    ((2, 8500), dtype('float32'), 1.0)
    >>> round(float(np.arange(5.0, 90.0, 0.01)[X[1].argmax()]), 2)
    25.0
    """
    positions, intensities, rows = _check_csr(positions, intensities, offsets)
    if not tail_tolerance >= 0:
        raise ValueError(f"tail_tolerance must be >= 0; got {tail_tolerance!r}.")
    n_patterns = len(offsets) - 1
    start, step, n_points = _grid_spec(grid)
    rng = check_generator(random_state)
    if params is None:
        params = ProfileParameters()
    elif hasattr(params, "sample"):
        params = params.sample(n_patterns, random_state=rng)
    values = params.broadcast(n_patterns)
    pos, weights, rows, fwhm, eta = _observed_peaks(
        positions, intensities, rows, values, wavelength, ka_lines, rng
    )
    X = _draw(
        n_patterns,
        rows,
        (pos - start) / step,
        fwhm / step,
        eta,
        weights / step,
        n_points,
        gaussian_window,
        lorentz_window,
        tail_tolerance,
    )
    return _normalize(X, normalize)


def _observed_peaks(positions, intensities, rows, values, wavelength, ka_lines, rng):
    """Sticks as the diffractometer records them: jittered intensities, the
    Kα doublet, widths and mixing at each line, zero and displacement shifts."""
    weights = _jitter(intensities, rows, values["intensity_jitter"], rng)
    pos, weights, rows = _apply_doublet(
        positions, weights, rows, values["ka2_ratio"], wavelength, ka_lines
    )
    keep = np.isfinite(pos) & (weights > 0)
    pos, weights, rows = pos[keep], weights[keep], rows[keep]
    per_peak = {name: a[rows] for name, a in values.items()}
    fwhm, eta = _widths(pos, per_peak, wavelength)
    # Sample displacement s moves peaks by -2 s cosθ / R (radians).
    displacement = np.rad2deg(
        2.0
        * per_peak["displacement"]
        * np.cos(np.deg2rad(pos) / 2.0)
        / per_peak["goniometer_radius"]
    )
    pos = pos + per_peak["zero_shift"] - displacement
    return pos, weights, rows, fwhm, eta


def _lorentz_reach(
    rows, center, width, eta, weight, n_points, n_patterns, tail_tolerance
):
    """Distance (grid points) at which a peak's Lorentzian part falls below
    `tail_tolerance` times the height of its pattern's tallest peak on the grid
    (a lower bound of the pattern's maximum: profiles are never negative)."""
    gamma = width / 2.0
    height = weight * (
        (1.0 - eta) * np.sqrt(_FOUR_LN2 / np.pi) / width + eta / (np.pi * gamma)
    )
    on_grid = (center >= 0) & (center <= n_points - 1)
    tallest = np.zeros(n_patterns)
    np.maximum.at(tallest, rows[on_grid], height[on_grid])
    # L(x) = a / (x² + γ²) with a = weight η γ / π reaches the level at
    # x² = a / level - γ².
    level = tail_tolerance * tallest[rows]
    amplitude = weight * eta * gamma / np.pi
    with np.errstate(divide="ignore", invalid="ignore"):
        reach2 = amplitude / level - gamma**2
    return np.sqrt(np.where(np.isfinite(reach2), np.maximum(reach2, 0.0), np.inf))


def _draw(
    n_patterns,
    rows,
    center,
    width,
    eta,
    weight,
    n_points,
    gaussian_window,
    lorentz_window,
    tail_tolerance,
):
    """Sum the Gaussian and Lorentzian parts of all peaks onto the grid.

    Positions and widths are in grid points, weights per grid point.
    """
    lorentz_half = np.clip(
        _lorentz_reach(
            rows, center, width, eta, weight, n_points, n_patterns, tail_tolerance
        ),
        gaussian_window * width,
        lorentz_window * width,
    )
    row_width = n_points + 2
    out = np.zeros(n_patterns * row_width, dtype=np.float32)
    # Blocks of patterns keep the part of `out` being written in cache.
    order = np.argsort(rows, kind="stable")
    bounds = np.searchsorted(rows[order], np.arange(0, n_patterns + _BLOCK, _BLOCK))
    for block_index, (lo, hi) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        peaks = order[lo:hi]
        block = out[
            block_index * _BLOCK * row_width : (block_index + 1) * _BLOCK * row_width
        ]
        row_start = (rows[peaks] - block_index * _BLOCK) * row_width + 1
        for lorentz, half, part in (
            (False, gaussian_window * width[peaks], 1.0 - eta[peaks]),
            (True, lorentz_half[peaks], eta[peaks]),
        ):
            _scatter_visible(
                block,
                row_start,
                center[peaks],
                width[peaks],
                weight[peaks] * part,
                half,
                lorentz,
                n_points,
            )
    return np.ascontiguousarray(out.reshape(n_patterns, row_width)[:, 1:-1])


def _scatter_visible(out, row_start, center, width, weight, half, lorentz, n_points):
    """`_scatter` for the peaks with weight whose window reaches the grid."""
    reach = np.ceil(half) + 1
    on = (weight > 0) & (center + reach >= 0) & (center - reach <= n_points - 1)
    if np.any(on):
        _scatter(
            out,
            row_start[on],
            center[on],
            width[on],
            weight[on],
            half[on],
            lorentz=lorentz,
            n_points=n_points,
        )


def _jitter(intensities, rows, jitter, rng):
    sigma = jitter[rows]
    if not np.any(sigma > 0):
        return intensities
    # exp(σ z - σ²/2) is log-normal with mean 1: jitter does not bias intensities.
    z = rng.normal(size=intensities.size)
    return intensities * np.exp(sigma * z - 0.5 * sigma**2)


def _normalize(X, normalize):
    if normalize is None:
        return X
    if normalize != "max":
        raise ValueError(f"normalize must be 'max' or None; got {normalize!r}.")
    peak = X.max(axis=1, keepdims=True)
    np.divide(X, peak, out=X, where=peak > 0)
    return X
