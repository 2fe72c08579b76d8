"""Wyckoff positions of the 230 space groups, loaded once from a shipped table."""

import numbers
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

_TABLE_FILE = "wyckoff_tables.npz"


@dataclass(frozen=True, eq=False)
class SpaceGroupWyckoff:
    """Wyckoff positions of one space group in its standard setting.

    Parameters
    ----------
    number : int
        International space-group number, 1..230.
    symbol : str
        Short Hermann–Mauguin symbol.
    hall_number : int
        The spglib Hall number of the setting (origin choice 2 where there are two,
        hexagonal axes for rhombohedral groups, unique axis b for monoclinic).
    multiplicity : ndarray of shape (n_positions,)
        Points per conventional cell of each Wyckoff position, general first.
    letters : tuple of str
        Wyckoff letters, in the same order.
    dof : ndarray of shape (n_positions,)
        Number of free coordinates of each position (0 for fixed points).
    site_symmetry : tuple of str
        Oriented site-symmetry symbols, e.g. ``'m.m2'``.
    rotations : tuple of ndarray, each of shape (multiplicity, 3, 3)
        Linear parts of the affine maps from free coordinates (x, y, z) to the
        orbit's points; the first map projects (x, y, z) onto the site.
    translations : tuple of ndarray, each of shape (multiplicity, 3)
        Translation parts of those maps, fractional.
    sufficient : ndarray of bool of shape (n_positions,)
        Whether one orbit of the position, all atoms alike, at generic free
        coordinates in a generic lattice of the crystal system, has exactly
        this group's symmetry (no more).
    anchor_pairs : ndarray of shape (n_pairs, 3)
        For groups without a sufficient position: position indices ``i, j``
        and a mode (0: one element on both orbits, 1: two elements) of pairs
        of orbits that together have exactly this group's symmetry.

    See Also
    --------
    wyckoff_positions : The table of one group.
    CrystalGenerator : Random crystals built from these tables.

    Notes
    -----
    Point ``k`` of the orbit of position ``i`` for free coordinates
    :math:`p = (x, y, z)` is :math:`R_{ik} p + t_{ik}` (modulo 1); for a fixed
    point :math:`R_{ik} = 0`. The maps come from pyxtal's tables (International
    Tables for Crystallography, Vol. A) and were checked against spglib's
    symmetry database when the shipped file was built
    (``scripts/build_wyckoff_tables.py``), which also found the sufficient
    positions and pairs with spglib. A crystal holding such an *anchor* whose
    element(s) occur nowhere else cannot have more symmetry than the group:
    every symmetry of the crystal maps the anchor's atoms onto themselves.

    Examples
    --------
    >>> from skxrd.synthetic import wyckoff_positions
    >>> table = wyckoff_positions(62)
    >>> table.symbol, table.labels, table.dof.tolist()
    ('Pnma', ('8d', '4c', '4b', '4a'), [3, 2, 0, 0])
    """

    number: int
    symbol: str
    hall_number: int
    multiplicity: np.ndarray
    letters: tuple
    dof: np.ndarray
    site_symmetry: tuple
    rotations: tuple
    translations: tuple
    sufficient: np.ndarray
    anchor_pairs: np.ndarray

    @property
    def labels(self):
        """Wyckoff labels such as ``'4a'``, one per position."""
        return tuple(
            f"{m}{letter}"
            for m, letter in zip(self.multiplicity, self.letters, strict=True)
        )

    def orbit(self, index, xyz):
        """Fractional coordinates of the orbit of position *index* at *xyz*.

        Parameters
        ----------
        index : int
            Position index into this table (0 is the general position).
        xyz : array-like of shape (3,)
            Free coordinates; components a fixed position does not use are
            ignored.

        Returns
        -------
        ndarray of shape (multiplicity, 3)
            Points of the orbit, wrapped into [0, 1).

        See Also
        --------
        wyckoff_positions : The table of a group.

        Examples
        --------
        >>> from skxrd.synthetic import wyckoff_positions
        >>> p63mmc = wyckoff_positions(194)
        >>> p63mmc.orbit(p63mmc.labels.index("2c"), [0, 0, 0]).round(3).tolist()
        [[0.333, 0.667, 0.25], [0.667, 0.333, 0.75]]
        """
        points = self.rotations[index] @ np.asarray(xyz, dtype=float)
        return np.mod(points + self.translations[index], 1.0)


@lru_cache(maxsize=1)
def load_wyckoff_tables():
    """Read the shipped Wyckoff tables of all 230 groups (cached).

    Returns
    -------
    tuple of SpaceGroupWyckoff
        Indexed by space-group number; element 0 is None.
    """
    source = resources.files("skxrd.synthetic") / "data" / _TABLE_FILE
    with resources.as_file(source) as path, np.load(path) as data:
        arrays = {key: data[key] for key in data.files}
    denominator = float(arrays["translation_denominator"])
    rotations = arrays["rotation"].astype(float)
    translations = arrays["translation"].astype(float) / denominator
    op_offsets = arrays["op_offsets"]
    pairs = arrays["anchor_pairs"]
    tables = [None]
    for number in range(1, 231):
        start, stop = arrays["group_offsets"][number - 1 : number + 1]
        positions = range(start, stop)
        tables.append(
            SpaceGroupWyckoff(
                number=number,
                symbol=str(arrays["symbol"][number - 1]),
                hall_number=int(arrays["hall_number"][number - 1]),
                multiplicity=arrays["multiplicity"][start:stop].astype(int),
                letters=tuple(str(s) for s in arrays["letter"][start:stop]),
                dof=arrays["dof"][start:stop].astype(int),
                site_symmetry=tuple(
                    str(s) for s in arrays["site_symmetry"][start:stop]
                ),
                rotations=tuple(
                    rotations[op_offsets[i] : op_offsets[i + 1]] for i in positions
                ),
                translations=tuple(
                    translations[op_offsets[i] : op_offsets[i + 1]] for i in positions
                ),
                sufficient=arrays["sufficient"][start:stop],
                anchor_pairs=pairs[pairs[:, 0] == number, 1:].astype(int),
            )
        )
    return tuple(tables)


def wyckoff_positions(space_group):
    """Wyckoff positions of a space group in its standard setting.

    Parameters
    ----------
    space_group : int
        International space-group number, 1..230.

    Returns
    -------
    SpaceGroupWyckoff
        Multiplicities, letters, free-parameter counts, site symmetries and
        orbit maps of every Wyckoff position, general position first.

    See Also
    --------
    CrystalGenerator : Random crystals built from these tables.

    Examples
    --------
    >>> from skxrd.synthetic import wyckoff_positions
    >>> table = wyckoff_positions(225)
    >>> table.symbol, table.labels[-2:]
    ('Fm-3m', ('4b', '4a'))
    >>> table.orbit(-1, [0.3, 0.1, 0.7]).shape
    (4, 3)
    """
    return load_wyckoff_tables()[check_space_group(space_group)]


def check_space_group(space_group):
    """The space-group number as an int, or ValueError if not an integer 1..230."""
    if (
        isinstance(space_group, bool)
        or not isinstance(space_group, numbers.Integral)
        or not 1 <= space_group <= 230
    ):
        raise ValueError(
            f"space_group must be an integer in 1..230, got {space_group!r}"
        )
    return int(space_group)
