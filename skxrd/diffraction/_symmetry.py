"""Laue-group symmetry of powder intensities: one reflection per orbit.

With real scattering factors, |F(h)|² is the same for every h of an orbit of
the crystal's Laue group (the rotation parts of its space group plus the
inversion).  A powder pattern sums every member of an orbit into the same
peak, so it is enough to compute one representative per orbit and weight it
by the orbit's size.  The representative is the lexicographically largest
member; it lies in the Friedel half-space that `enumerate_reflections`
lists, and every linear inequality that lexicographic maximality implies is
handed to the enumeration, so most non-representatives are never listed.
"""

import functools
import numbers

import numpy as np

# Laue classes in the standard settings of the International Tables (unique
# axis b for monoclinic, hexagonal axes for rhombohedral groups), given by
# generators of their rotations acting on fractional coordinates, x' = R x.
_IDENTITY = ((1, 0, 0), (0, 1, 0), (0, 0, 1))
_TWOFOLD_B = ((-1, 0, 0), (0, 1, 0), (0, 0, -1))
_TWOFOLD_C = ((-1, 0, 0), (0, -1, 0), (0, 0, 1))
_TWOFOLD_A = ((1, 0, 0), (0, -1, 0), (0, 0, -1))
_FOURFOLD_C = ((0, -1, 0), (1, 0, 0), (0, 0, 1))
_THREEFOLD_C = ((0, -1, 0), (1, -1, 0), (0, 0, 1))
_SIXFOLD_C = ((1, -1, 0), (1, 0, 0), (0, 0, 1))
# Two-fold axes of hexagonal lattices: along a, (x - y, -y, -z), as in the
# -3m1 class, and along a - b, (-y, -x, -z), as in -31m.
_TWOFOLD_HEX_A = ((1, -1, 0), (0, -1, 0), (0, 0, -1))
_TWOFOLD_HEX_A_MINUS_B = ((0, -1, 0), (-1, 0, 0), (0, 0, -1))
_THREEFOLD_111 = ((0, 0, 1), (1, 0, 0), (0, 1, 0))

#: Laue classes: name, generators (besides the inversion) and highest
#: space-group number of the class (the classes tile 1..230 in order,
#: except that -31m and -3m1 interleave).
_LAUE_CLASSES = (
    ("-1", (), 2),
    ("2/m", (_TWOFOLD_B,), 15),
    ("mmm", (_TWOFOLD_C, _TWOFOLD_B), 74),
    ("4/m", (_FOURFOLD_C,), 88),
    ("4/mmm", (_FOURFOLD_C, _TWOFOLD_A), 142),
    ("-3", (_THREEFOLD_C,), 148),
    ("-3m1", (_THREEFOLD_C, _TWOFOLD_HEX_A), 167),
    ("-31m", (_THREEFOLD_C, _TWOFOLD_HEX_A_MINUS_B), 167),
    ("6/m", (_SIXFOLD_C,), 176),
    ("6/mmm", (_SIXFOLD_C, _TWOFOLD_HEX_A), 194),
    ("m-3", (_THREEFOLD_111, _TWOFOLD_C, _TWOFOLD_B), 206),
    ("m-3m", (_THREEFOLD_111, _FOURFOLD_C), 230),
)

#: Trigonal groups whose two-fold axes run along a - b (Laue class -31m).
_MINUS_31M_GROUPS = frozenset({149, 151, 153, 157, 159, 162, 163})
_MINUS_31M = 7


def laue_class_index(space_group):
    """Index into `laue_rotations` of a space group's Laue class (0 is -1)."""
    if space_group in _MINUS_31M_GROUPS:
        return _MINUS_31M
    for index, (_, _, last) in enumerate(_LAUE_CLASSES):
        if space_group <= last and index != _MINUS_31M:
            return index
    raise ValueError(f"space group must be in 1..230, got {space_group!r}")


def laue_class_indices(space_groups):
    """Vectorized `laue_class_index`; 0 (triclinic, -1) for unknown (0) groups."""
    table = _group_to_class()
    return table[np.asarray(space_groups, dtype=np.int64)]


@functools.cache
def _group_to_class():
    table = np.array([0] + [laue_class_index(sg) for sg in range(1, 231)])
    table.setflags(write=False)
    return table


@functools.cache
def laue_rotations():
    """Rotations of each Laue class, a tuple of int arrays (n_ops, 3, 3).

    Each group is the closure of its generators and the inversion.  The
    matrices act on fractional coordinates, ``x' = R x``; on Miller indices
    written as a row they act as ``h' = h R``, since ``h · (R x) = (h R) · x``.
    """
    classes = []
    for _, generators, _ in _LAUE_CLASSES:
        group = _closure([np.array(g) for g in generators] + [-np.eye(3, dtype=int)])
        group.setflags(write=False)
        classes.append(group)
    return tuple(classes)


def _closure(generators):
    """All products of the generators (a finite group of integer matrices)."""
    elements = {np.array(_IDENTITY).tobytes(): np.array(_IDENTITY)}
    frontier = list(elements.values())
    while frontier:
        new = []
        for element in frontier:
            for generator in generators:
                product = element @ generator
                key = product.tobytes()
                if key not in elements:
                    elements[key] = product
                    new.append(product)
        frontier = new
    # Identity first, then a fixed order, so results never depend on hashing.
    return np.array(sorted(elements.values(), key=lambda m: (-m.trace(), m.tolist())))


@functools.cache
def representative_constraints(laue_index):
    """Integer vectors c with ``c · h >= 0`` for every orbit representative h.

    The representative r of an orbit is its lexicographically largest member,
    so ``r >= r R`` for every rotation R.  Where the first component of
    ``r R`` is not always r's own (column 0 of R is not e0), this gives the
    linear inequality ``r · (e0 - R[:, 0]) >= 0``; where it always is, the
    comparison moves on to the second component, then to the third.
    """
    vectors = set()
    eye = np.eye(3, dtype=np.int64)
    for rotation in laue_rotations()[laue_index]:
        for axis in range(3):
            if not np.array_equal(rotation[:, axis], eye[:, axis]):
                vectors.add(tuple((eye[:, axis] - rotation[:, axis]).tolist()))
                break
    constraints = np.array(sorted(vectors), dtype=np.int64).reshape(-1, 3)
    constraints.setflags(write=False)
    return constraints


def orbit_representatives(hkl, rotations):
    """Tell orbit representatives among ``hkl`` and give their orbit sizes.

    Parameters
    ----------
    hkl : ndarray of shape (n, 3), dtype int64
        Miller indices.
    rotations : ndarray of shape (n_ops, 3, 3)
        A Laue group (it contains the identity and the inversion).

    Returns
    -------
    is_representative : ndarray of shape (n,), dtype bool
        Whether ``hkl[i]`` is the lexicographically largest member of its orbit.
    orbit_size : ndarray of shape (n,), dtype int64
        Number of distinct members ``h R`` of the orbit of ``hkl[i]``.
    """
    if len(hkl) == 0:
        return np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64)
    # Encode hkl as one number whose order is the lexicographic order; the
    # code is linear in hkl, so the codes of all images h R are one product,
    # laid out (n_ops, n) so that the reductions over ops run along rows.
    # The span must hold every image's components, which for hexagonal
    # rotations reach |h| + |k|.
    reach = int(np.abs(hkl).max()) * int(np.abs(rotations).sum(axis=1).max())
    span = 2 * reach + 1
    weights = np.array([span * span, span, 1], dtype=np.float64)
    columns = hkl.T.astype(np.float64)
    codes = (rotations.astype(np.float64) @ weights) @ columns
    own = weights @ columns
    is_representative = own >= codes.max(axis=0)
    stabilizer = np.add.reduce(codes == own, axis=0, dtype=np.int64)
    return is_representative, len(rotations) // stabilizer


def read_space_groups(space_groups, crystal_groups, n_crystals):
    """Space group of each crystal for the symmetry shortcut, 0 for none.

    ``space_groups`` is the `powder_peaks` argument: "auto" takes the
    crystals' own groups, None turns symmetry off, else one number per
    crystal (0 or None for none).
    """
    if isinstance(space_groups, str):
        if space_groups != "auto":
            raise ValueError(
                f"space_groups must be 'auto', None or one number per crystal, "
                f"got {space_groups!r}."
            )
        return crystal_groups
    if space_groups is None:
        return np.zeros(n_crystals, dtype=np.int64)
    values = list(space_groups)
    if len(values) != n_crystals:
        raise ValueError(
            f"space_groups has {len(values)} entries for {n_crystals} crystals."
        )
    out = np.zeros(n_crystals, dtype=np.int64)
    for index, value in enumerate(values):
        out[index] = space_group_number(value, f"space_groups[{index}]")
    return out


def space_group_number(value, name):
    """An int 1..230, or 0 for None/0 (no group known)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer 1..230 or None, got {value!r}")
    if not 0 <= value <= 230:
        raise ValueError(f"{name} must be in 1..230 (0 for none), got {value!r}")
    return int(value)


def check_metrics(metrics, laue_index, rtol=1e-8):
    """Whether each reciprocal metric is invariant under its Laue class.

    Every member h R of an orbit must have the same |g|² = h G* hᵀ, that is
    ``R G* Rᵀ = G*``; a crystal given a group in another setting fails.
    """
    ok = np.ones(len(metrics), dtype=bool)
    for index in np.unique(laue_index):
        if index == 0:
            continue
        rows = np.flatnonzero(laue_index == index)
        g = metrics[rows]
        scale = np.abs(g).max(axis=(1, 2))
        error = np.zeros(len(rows))
        # Invariance under the generators is invariance under the group.
        for generator in _LAUE_CLASSES[index][1]:
            rotation = np.array(generator, dtype=np.float64)
            moved = rotation @ g @ rotation.T
            error = np.maximum(error, np.abs(moved - g).max(axis=(1, 2)))
        ok[rows] = error <= rtol * scale
    return ok
