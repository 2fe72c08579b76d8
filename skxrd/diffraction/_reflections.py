"""Reciprocal-lattice points inside the reflection sphere, for a whole batch.

Only one Friedel half-space is enumerated (h > 0, or h = 0 and k > 0, or
h = k = 0 and l > 0): with real scattering factors F(-g) = F(g)*, so the
other half adds the same intensity, which the caller counts twice.  The hkl
ranges are exact, row by row: for each h the allowed k form an interval,
for each (h, k) the allowed l form an interval, both solved from the
quadratic form |g|^2 = hᵀ G* h <= r^2.  No bounding box is scanned.
Optional linear constraints c · hkl >= 0 per crystal (the cone in which the
Laue-orbit representatives lie) narrow those intervals further.
"""

import numpy as np

# Slack on the analytic bounds so rounding never loses a point on the sphere;
# the exact |g| filter afterwards removes the few extra points it admits.
_BOUND_SLACK = 1e-7


def reciprocal_metrics(lattices):
    """Return the reciprocal metric tensors G* = B* B*ᵀ, shape (n, 3, 3).

    Rows of ``B* = inv(A)ᵀ`` are a*, b*, c* (crystallographic convention,
    no factor 2π), so ``|g_hkl|^2 = hᵀ G* h = 1 / d_hkl^2``.
    """
    recip = np.linalg.inv(lattices).transpose(0, 2, 1)
    return recip @ recip.transpose(0, 2, 1)


def ragged_arange(starts, counts):
    """Concatenate ``arange(start, start + count)`` for every row.

    Returns the row each value comes from and the values, both int64.
    """
    counts = np.maximum(counts, 0)
    rows = np.repeat(np.arange(len(counts)), counts)
    first = np.cumsum(counts) - counts
    values = np.arange(counts.sum()) + np.repeat(starts - first, counts)
    return rows, values


def _interval(a, b, c):
    """Integer x with a x² + 2 b x + c <= 0 (a > 0): returns (lowest, count)."""
    root = np.sqrt(np.maximum(b * b - a * c, 0.0))
    lowest = np.ceil((-b - root) / a - _BOUND_SLACK)
    highest = np.floor((-b + root) / a + _BOUND_SLACK)
    return lowest.astype(np.int64), (highest - lowest + 1).astype(np.int64)


def _linear_bounds(constraints, level, fixed):
    """Bounds on index ``level`` from ``c · hkl >= 0``, earlier indices fixed.

    Only constraints whose last non-zero coefficient is at ``level`` apply:
    ``c[level] x >= -c[:level] · fixed``.  Returns (lowest, highest) per row,
    ±2^62 where no constraint applies.
    """
    coefficient = constraints[:, :, level]
    applies = (coefficient != 0) & ~constraints[:, :, level + 1 :].any(axis=2)
    rest = np.einsum("rmi,ri->rm", constraints[:, :, :level], fixed)
    divisor = np.where(applies, np.abs(coefficient), 1)
    unbounded = np.int64(1) << 62
    # x >= ceil(-rest / c) for c > 0, x <= floor(rest / |c|) for c < 0.
    lowest = np.where(applies & (coefficient > 0), -(rest // divisor), -unbounded)
    highest = np.where(applies & (coefficient < 0), rest // divisor, unbounded)
    return lowest.max(axis=1), highest.min(axis=1)


def _clip_interval(start, count, bounds):
    """Intersect [start, start + count) with the inclusive ``bounds``."""
    lowest, highest = bounds
    new_start = np.maximum(start, lowest)
    stop = np.minimum(start + count - 1, highest)
    return new_start, stop - new_start + 1


def enumerate_reflections(metrics, g_min, g_max, constraints=None):
    """List the half-space hkl of every crystal with ``g_min <= |g| <= g_max``.

    Parameters
    ----------
    metrics : ndarray of shape (n_crystals, 3, 3)
        Reciprocal metric tensors from `reciprocal_metrics`.
    g_min, g_max : float
        Bounds on |g| = 1/d in 1/Å.
    constraints : ndarray of shape (n_crystals, n_constraints, 3), default=None
        Integer vectors c: only hkl with ``c · hkl >= 0`` for every c of
        their crystal are listed (rows of zeros are no constraint).

    Returns
    -------
    crystal : ndarray of shape (n_reflections,), dtype int64
        Crystal of each reflection, ascending.
    hkl : ndarray of shape (n_reflections, 3), dtype int64
        Miller indices, lexicographically ascending within each crystal.
    g2 : ndarray of shape (n_reflections,), dtype float64
        ``|g|^2 = 1 / d^2`` in 1/Å².
    """
    g = metrics
    r2 = g_max * g_max
    g33 = g[:, 2, 2]
    # Eliminate l: the (h, k) for which some l reaches the sphere satisfy the
    # Schur-complement quadratic form q (minimum of |g|^2 over l).
    q11 = g[:, 0, 0] - g[:, 0, 2] ** 2 / g33
    q12 = g[:, 0, 1] - g[:, 0, 2] * g[:, 1, 2] / g33
    q22 = g[:, 1, 1] - g[:, 1, 2] ** 2 / g33
    # Eliminating k too leaves q11 - q12²/q22 = 1/|a|², so |h| <= g_max |a|.
    h_max = np.floor(g_max * np.sqrt(q22 / (q11 * q22 - q12**2)) + _BOUND_SLACK)
    h_count = h_max.astype(np.int64) + 1
    if constraints is not None:
        zeros = np.zeros((len(g), 0), np.int64)
        h_count = _clip_interval(0, h_count, _linear_bounds(constraints, 0, zeros))[1]
    crystal, h = ragged_arange(np.zeros(len(g), np.int64), h_count)

    k_low, k_count = _interval(
        q22[crystal], q12[crystal] * h, q11[crystal] * h * h - r2
    )
    # Half-space: h = 0 keeps k >= 0 only.
    k_start = np.where(h == 0, np.maximum(k_low, 0), k_low)
    k_count -= k_start - k_low
    if constraints is not None:
        bounds = _linear_bounds(constraints[crystal], 1, h[:, None])
        k_start, k_count = _clip_interval(k_start, k_count, bounds)
    row, k = ragged_arange(k_start, k_count)
    crystal, h = crystal[row], h[row]

    gc = g[crystal]
    linear = gc[:, 0, 2] * h + gc[:, 1, 2] * k
    constant = gc[:, 0, 0] * h * h + 2 * gc[:, 0, 1] * h * k + gc[:, 1, 1] * k * k
    l_low, l_count = _interval(gc[:, 2, 2], linear, constant - r2)
    # Half-space: h = k = 0 keeps l >= 1 only (this also drops g = 0).
    l_start = np.where((h == 0) & (k == 0), np.maximum(l_low, 1), l_low)
    l_count -= l_start - l_low
    if constraints is not None:
        fixed = np.stack([h, k], axis=1)
        bounds = _linear_bounds(constraints[crystal], 2, fixed)
        l_start, l_count = _clip_interval(l_start, l_count, bounds)
    row, ell = ragged_arange(l_start, l_count)

    g2 = gc[row, 2, 2] * ell * ell + 2 * linear[row] * ell + constant[row]
    inside = (g2 <= r2) & (g2 >= g_min * g_min)
    row, ell, g2 = row[inside], ell[inside], g2[inside]
    hkl = np.stack([h[row], k[row], ell], axis=1)
    return crystal[row], hkl, g2
