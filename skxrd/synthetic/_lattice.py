"""Random lattices of a crystal system, kept away from higher-symmetry metrics."""

import numpy as np

from ..spacegroups import crystal_system_index

# Crystal-system index (order of skxrd.spacegroups.CRYSTAL_SYSTEMS) by
# space-group number; entry 0 is unused.
SYSTEM_OF_GROUP = np.concatenate([[-1], crystal_system_index(np.arange(1, 231))])
RHOMBOHEDRAL_GROUPS = frozenset({146, 148, 155, 160, 161, 166, 167})
TRICLINIC, MONOCLINIC, ORTHORHOMBIC, TETRAGONAL, TRIGONAL, HEXAGONAL, CUBIC = range(7)

# Axis ratios at which a lattice of one system is metrically one of higher
# symmetry: a = b (tetragonal/hexagonal), b = sqrt(3) a for C-centred
# orthorhombic (hexagonal), c = sqrt(2) a for body-centred tetragonal (cubic F).
_SPECIAL_RATIOS = np.array([1.0, np.sqrt(2), np.sqrt(3)])
# Hexagonal-axes c/a of a rhombohedral lattice with alpha = 109.47, 90 and 60
# degrees: the body-centred, primitive and face-centred cubic lattices.
_CUBIC_RHOMBOHEDRAL_RATIOS = np.sqrt([3 / 8, 3 / 2, 6])


def lattice_matrix(lengths, angles):
    """Lattice vectors as rows from lengths (Å) and angles (degrees).

    The a axis lies along x and b in the xy plane (the usual crystallographic
    Cartesian frame).

    Parameters
    ----------
    lengths : array-like of shape (3,)
        a, b, c.
    angles : array-like of shape (3,)
        alpha, beta, gamma in degrees.

    Returns
    -------
    ndarray of shape (3, 3)
        Rows a, b, c in Å.
    """
    a, b, c = lengths
    cos_alpha, cos_beta, cos_gamma = np.cos(np.radians(angles))
    sin_gamma = np.sqrt(1.0 - cos_gamma**2)
    cx = c * cos_beta
    cy = c * (cos_alpha - cos_beta * cos_gamma) / sin_gamma
    cz = np.sqrt(max(c * c - cx * cx - cy * cy, 0.0))
    return np.array([[a, 0.0, 0.0], [b * cos_gamma, b * sin_gamma, 0.0], [cx, cy, cz]])


def _volume_factor(angles):
    """Cell volume of unit axis lengths with these angles."""
    ca, cb, cg = np.cos(np.radians(angles))
    return np.sqrt(max(1 - ca * ca - cb * cb - cg * cg + 2 * ca * cb * cg, 0.0))


def _near(values, targets, tolerance):
    """Whether any value lies within a relative *tolerance* of any target."""
    values = np.abs(np.atleast_1d(values))[:, None]
    return bool(np.any(np.abs(values / targets - 1.0) < tolerance))


def _length_ratios(lengths):
    a, b, c = lengths
    return np.array([b / a, c / a, c / b])


def _is_reduced(lengths, angles):
    """Whether every pair of axes is Gauss-reduced: |v_i . v_j| <= min |v|^2 / 2.

    In such a cell the nearest image of a wrapped fractional difference lies
    in a neighbouring cell, which the distance check relies on.
    """
    cosines = np.cos(np.radians(angles))
    for (i, j), cosine in zip(((1, 2), (0, 2), (0, 1)), cosines, strict=True):
        short, long_ = sorted((lengths[i], lengths[j]))
        if abs(cosine) * long_ > 0.5 * short:
            return False
    return True


def _is_generic(number, lengths, angles, tolerance):
    """Whether the cell is far enough from a metric of higher symmetry."""
    system = SYSTEM_OF_GROUP[number]
    ratios = _length_ratios(lengths)
    if system == TRICLINIC:
        alpha_beta_gamma = np.sort(angles)
        return (
            not _near(ratios, _SPECIAL_RATIOS[:1], tolerance)
            and np.all(np.abs(angles - 90) > 200 * tolerance)
            and np.all(np.diff(alpha_beta_gamma) > 100 * tolerance)
            and _volume_factor(angles) > 0.5
            and _is_reduced(lengths, angles)
        )
    if system == MONOCLINIC:
        a, _, c = lengths
        # A monoclinic cell with |2 c cos(beta)| = a (or |2 a cos(beta)| = c)
        # is a C-centred orthorhombic cell in disguise.
        cos_beta = np.cos(np.radians(angles[1]))
        diagonals = np.array([2 * c * cos_beta / a, 2 * a * cos_beta / c])
        return (
            abs(angles[1] - 90) > 200 * tolerance
            and not _near(ratios, _SPECIAL_RATIOS[:1], tolerance)
            and not _near(diagonals, _SPECIAL_RATIOS[:1], tolerance)
            and _is_reduced(lengths, angles)
        )
    if system == ORTHORHOMBIC:
        return not _near(ratios, _SPECIAL_RATIOS, tolerance)
    if system == TETRAGONAL:
        return not _near(ratios[1], _SPECIAL_RATIOS[:2], tolerance)
    if number in RHOMBOHEDRAL_GROUPS:
        return not _near(ratios[1], _CUBIC_RHOMBOHEDRAL_RATIOS, tolerance)
    return True


def _constrain(number, ratios, angles):
    """Impose the crystal system's equalities on a (b/a, c/a) and angles."""
    system = SYSTEM_OF_GROUP[number]
    if system == MONOCLINIC:
        # Unique axis b, beta obtuse (the standard choice of the a, c pair).
        beta = angles[1] if angles[1] >= 90 else 180 - angles[1]
        return ratios, np.array([90.0, beta, 90.0])
    if system == ORTHORHOMBIC:
        return ratios, np.full(3, 90.0)
    if system == TETRAGONAL:
        return np.array([1.0, ratios[1]]), np.full(3, 90.0)
    if system in (TRIGONAL, HEXAGONAL):
        return np.array([1.0, ratios[1]]), np.array([90.0, 90.0, 120.0])
    if system == CUBIC:
        return np.ones(2), np.full(3, 90.0)
    return ratios, angles


def random_lattice(number, volume, shapes, rng, *, tolerance=0.02, max_tries=100):
    """Random lattice of a space group's crystal system with a given volume.

    A standardized cell shape of a real structure of the same crystal system
    is drawn, jittered (axis ratios by a log-normal factor of 10 %, angles by
    4 degrees), forced onto the system's metric and redrawn until it is
    clearly not of higher metric symmetry and its oblique axes are reduced.

    Parameters
    ----------
    number : int
        Space-group number; only its crystal system (and whether it is
        rhombohedral) matters.
    volume : float
        Cell volume in Å^3.
    shapes : ndarray of shape (n, 5)
        Real cell shapes of the system: b/a, c/a, alpha, beta, gamma.
    rng : numpy.random.Generator
        Source of randomness.
    tolerance : float, default=0.02
        Relative distance kept from special axis ratios (and 200 × tolerance
        degrees from right angles where angles are free).
    max_tries : int, default=100
        Redraws before falling back to a plain generic shape.

    Returns
    -------
    ndarray of shape (3, 3)
        Lattice vectors as rows, in Å.
    """
    for _ in range(max_tries):
        shape = shapes[rng.integers(len(shapes))] if len(shapes) else _FALLBACK
        ratios = shape[:2] * np.exp(rng.normal(0.0, 0.1, 2))
        angles = shape[2:] + rng.normal(0.0, 4.0, 3)
        ratios, angles = _constrain(number, ratios, angles)
        lengths = np.array([1.0, *ratios])
        if _is_generic(number, lengths, angles, tolerance):
            break
    else:
        lengths, angles = _constrain(number, *_FALLBACK_SHAPE)
        lengths = np.array([1.0, *lengths])
    scale = np.cbrt(volume / (np.prod(lengths) * _volume_factor(angles)))
    return lattice_matrix(lengths * scale, angles)


# A generic triclinic shape used only when no drawn shape passed the checks.
_FALLBACK = np.array([1.13, 1.31, 78.0, 84.0, 71.0])
_FALLBACK_SHAPE = (_FALLBACK[:2], _FALLBACK[2:])
