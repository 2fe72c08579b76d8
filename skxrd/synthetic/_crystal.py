"""The plain-array crystal that the generator returns."""

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, eq=False)
class Crystal:
    """An ordered crystal as plain arrays, in its conventional cell.

    Unpacks as ``lattice, frac_coords, numbers, space_group``.

    Parameters
    ----------
    lattice : ndarray of shape (3, 3)
        Lattice vectors a, b, c as rows, in Å.
    frac_coords : ndarray of shape (n_atoms, 3)
        Fractional coordinates in [0, 1).
    numbers : ndarray of shape (n_atoms,)
        Atomic numbers Z.
    space_group : int
        Space-group number the crystal was built in (1..230).
    wyckoff_labels : tuple of str, default=()
        Wyckoff label (multiplicity and letter, e.g. ``'4a'``) of each
        occupied orbit, in the standard setting of the group.
    orbit_index : ndarray of shape (n_atoms,) or None, default=None
        Index into ``wyckoff_labels`` of the orbit of each atom.

    See Also
    --------
    CrystalGenerator : Makes random crystals of any space group.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.synthetic import Crystal
    >>> rock_salt = Crystal(
    ...     lattice=5.64 * np.eye(3),
    ...     frac_coords=np.array([[0, 0, 0], [0.5, 0.5, 0.5]]),
    ...     numbers=np.array([11, 17]),
    ...     space_group=221,
    ... )
    >>> lattice, frac_coords, numbers, space_group = rock_salt
    >>> rock_salt.n_atoms, round(rock_salt.volume, 1)
    (2, 179.4)
    """

    lattice: np.ndarray
    frac_coords: np.ndarray
    numbers: np.ndarray
    space_group: int
    wyckoff_labels: tuple = ()
    orbit_index: np.ndarray = None

    def __iter__(self):
        return iter((self.lattice, self.frac_coords, self.numbers, self.space_group))

    @property
    def n_atoms(self):
        """Number of atoms in the cell."""
        return len(self.numbers)

    @property
    def volume(self):
        """Cell volume in Å^3."""
        return float(abs(np.linalg.det(self.lattice)))

    def to_structure(self):
        """The crystal as a pymatgen ``Structure``.

        Returns
        -------
        pymatgen.core.Structure
            Same lattice, species and fractional coordinates.

        See Also
        --------
        pymatgen.core.Structure : The pymatgen structure class.

        Examples
        --------
        >>> import numpy as np
        >>> from skxrd.synthetic import Crystal
        >>> crystal = Crystal(4.0 * np.eye(3), np.zeros((1, 3)), np.array([29]), 221)
        >>> crystal.to_structure().formula
        'Cu1'
        """
        from pymatgen.core import Lattice, Structure

        return Structure(Lattice(self.lattice), self.numbers.tolist(), self.frac_coords)
