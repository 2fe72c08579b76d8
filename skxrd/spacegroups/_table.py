"""The 230 space-group types: symbols, crystal systems, point groups, Laue classes."""

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

__all__ = [
    "CRYSTAL_SYSTEMS",
    "SpaceGroup",
    "space_group",
    "space_group_symbol",
    "crystal_system",
    "crystal_systems",
    "crystal_system_index",
    "check_space_groups",
]

#: The seven crystal systems in the order of increasing symmetry, which is also
#: the order of their space-group number ranges.
CRYSTAL_SYSTEMS = (
    "triclinic",
    "monoclinic",
    "orthorhombic",
    "tetragonal",
    "trigonal",
    "hexagonal",
    "cubic",
)

# Last space-group number of each crystal system (International Tables, Vol. A).
_SYSTEM_ENDS = np.array([2, 15, 74, 142, 167, 194, 230])


@dataclass(frozen=True)
class SpaceGroup:
    """One of the 230 space-group types.

    Records are read from the package's table; get one with `space_group`
    rather than building it.  Each parameter is kept as the attribute of the
    same name.

    Parameters
    ----------
    number : int
        International Tables number, 1..230.
    symbol : str
        Short Hermann–Mauguin symbol of the standard setting, e.g. ``'P2_1/c'``.
    full_symbol : str
        Full Hermann–Mauguin symbol, e.g. ``'P 1 2_1/c 1'``.
    schoenflies : str
        Schoenflies symbol, e.g. ``'C2h^5'``.
    crystal_system : str
        One of `CRYSTAL_SYSTEMS`.
    point_group : str
        Hermann–Mauguin symbol of the crystal class, e.g. ``'2/m'``.
    laue_class : str
        The Laue class (the point group plus inversion), one of the 11.
    centrosymmetric : bool
        Whether the group contains the inversion.

    See Also
    --------
    space_group : The record of a space-group number.

    Examples
    --------
    >>> from skxrd.spacegroups import space_group
    >>> g = space_group(225)
    >>> g.full_symbol, g.schoenflies, g.laue_class
    ('F 4/m -3 2/m', 'Oh^5', 'm-3m')
    """

    number: int
    symbol: str
    full_symbol: str
    schoenflies: str
    crystal_system: str
    point_group: str
    laue_class: str
    centrosymmetric: bool


@lru_cache(maxsize=1)
def _table():
    text = resources.files("skxrd.spacegroups").joinpath("data/spacegroups.json")
    rows = json.loads(text.read_text(encoding="utf-8"))
    return tuple(
        SpaceGroup(
            number=row["number"],
            symbol=row["symbol"],
            full_symbol=row["full_symbol"],
            schoenflies=row["schoenflies"],
            crystal_system=CRYSTAL_SYSTEMS[int(np.searchsorted(_SYSTEM_ENDS, n))],
            point_group=row["point_group"],
            laue_class=row["laue_class"],
            centrosymmetric=row["centrosymmetric"],
        )
        for n, row in ((r["number"], r) for r in rows)
    )


def check_space_groups(space_groups, *, name="space_groups"):
    """Validate space-group numbers and return them as an int64 array.

    Parameters
    ----------
    space_groups : array-like of int
        Space-group numbers.
    name : str, default="space_groups"
        Name used in the error message.

    Returns
    -------
    space_groups : ndarray of int64
        The same numbers.

    Raises
    ------
    ValueError
        If a value is not an integer in 1..230; the message names the first
        offending index and value.

    See Also
    --------
    skxrd.utils.check_patterns : Validate patterns, naming the first bad sample.

    Examples
    --------
    >>> from skxrd.spacegroups import check_space_groups
    >>> check_space_groups([14, 225.0]).tolist()
    [14, 225]
    >>> check_space_groups([14, 231])
    Traceback (most recent call last):
    ...
    ValueError: space_groups[1] = 231 is not a space-group number (an integer 1..230).
    """
    arr = np.asarray(space_groups)
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(arr))
        if bad.any():
            i = int(np.flatnonzero(bad.ravel())[0])
            raise ValueError(
                f"{name}[{i}] = {arr.ravel()[i]!r} is not a space-group number "
                "(an integer 1..230)."
            )
    elif arr.dtype.kind not in "iu":
        raise ValueError(
            f"{name} must hold integer space-group numbers 1..230; got dtype "
            f"{arr.dtype}."
        )
    arr = arr.astype(np.int64)
    bad = (arr < 1) | (arr > 230)
    if bad.any():
        i = int(np.flatnonzero(bad.ravel())[0])
        raise ValueError(
            f"{name}[{i}] = {int(arr.ravel()[i])} is not a space-group number "
            "(an integer 1..230)."
        )
    return arr


def space_group(number):
    """Return the `SpaceGroup` record of a space-group number.

    Parameters
    ----------
    number : int
        Space-group number, 1..230.

    Returns
    -------
    group : SpaceGroup
        Its symbols, crystal system, point group, Laue class and centrosymmetry.

    See Also
    --------
    space_group_symbol : Only the Hermann–Mauguin symbol.
    crystal_system : Only the crystal system.

    Examples
    --------
    >>> from skxrd.spacegroups import space_group
    >>> g = space_group(14)
    >>> g.symbol, g.crystal_system, g.point_group, g.centrosymmetric
    ('P2_1/c', 'monoclinic', '2/m', True)
    """
    (n,) = check_space_groups([number], name="number")
    return _table()[int(n) - 1]


def space_group_symbol(number):
    """Return the short Hermann–Mauguin symbol of a space group.

    Parameters
    ----------
    number : int
        Space-group number, 1..230.

    Returns
    -------
    symbol : str
        For example ``'Fm-3m'`` for 225.

    See Also
    --------
    space_group : The whole record: full symbol, Schoenflies symbol, ...

    Examples
    --------
    >>> from skxrd.spacegroups import space_group_symbol
    >>> space_group_symbol(225)
    'Fm-3m'
    """
    return space_group(number).symbol


def crystal_system(number):
    """Return the crystal system of a space group.

    Parameters
    ----------
    number : int
        Space-group number, 1..230.

    Returns
    -------
    system : str
        One of `CRYSTAL_SYSTEMS`: triclinic 1–2, monoclinic 3–15, orthorhombic
        16–74, tetragonal 75–142, trigonal 143–167, hexagonal 168–194, cubic
        195–230.

    See Also
    --------
    crystal_systems : The same for an array of numbers.

    Examples
    --------
    >>> from skxrd.spacegroups import crystal_system
    >>> crystal_system(62), crystal_system(166)
    ('orthorhombic', 'trigonal')
    """
    return space_group(number).crystal_system


def crystal_system_index(space_groups):
    """Map space-group numbers to crystal-system indices 0..6.

    Parameters
    ----------
    space_groups : array-like of int
        Space-group numbers 1..230.

    Returns
    -------
    index : ndarray of int64
        Position of each group's system in `CRYSTAL_SYSTEMS`.

    See Also
    --------
    crystal_systems : The system names instead of indices.

    Examples
    --------
    >>> from skxrd.spacegroups import crystal_system_index
    >>> crystal_system_index([1, 14, 225]).tolist()
    [0, 1, 6]
    """
    sg = check_space_groups(space_groups)
    return np.searchsorted(_SYSTEM_ENDS, sg).astype(np.int64)


def crystal_systems(space_groups):
    """Map space-group numbers to crystal-system names.

    Parameters
    ----------
    space_groups : array-like of int
        Space-group numbers 1..230.

    Returns
    -------
    systems : ndarray of str
        The crystal system of each group.

    See Also
    --------
    crystal_system : The same for one number.

    Examples
    --------
    >>> from skxrd.spacegroups import crystal_systems
    >>> crystal_systems([2, 62, 194]).tolist()
    ['triclinic', 'orthorhombic', 'hexagonal']
    """
    return np.asarray(CRYSTAL_SYSTEMS, dtype=object)[crystal_system_index(space_groups)]
