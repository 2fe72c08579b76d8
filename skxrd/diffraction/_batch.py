"""Crystals in, one set of concatenated arrays out: packing and validation.

A batch of crystals is held as the atoms of all crystals concatenated, with
``atom_offsets`` marking where each crystal's atoms start (the CSR layout the
peak lists use too), so every later step can work on the whole batch at once.
"""

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._scattering import ELEMENT_SYMBOLS, scattering_table
from ._symmetry import space_group_number

# A cell is degenerate when its volume is below this fraction of |a||b||c|
# (the volume of a box with the same edges); 1e-6 is an angle of ~1e-4 degree.
_MIN_VOLUME_RATIO = 1e-6


@dataclass
class CrystalBatch:
    """Atoms of many crystals, concatenated.

    Attributes
    ----------
    lattices : ndarray of shape (n_crystals, 3, 3), dtype float64
        Rows are the cell vectors a, b, c in Å.
    frac_coords : ndarray of shape (n_atoms_total, 3), dtype float64
        Fractional coordinates of all atoms of all crystals.
    numbers : ndarray of shape (n_atoms_total,), dtype int64
        Atomic numbers.
    occupancies : ndarray of shape (n_atoms_total,), dtype float64
        Site occupancies (1 for an ordered crystal).
    debye_waller : ndarray of shape (n_atoms_total,), dtype float64
        Isotropic Debye–Waller B factors in Å² (0 when not given).
    atom_offsets : ndarray of shape (n_crystals + 1,), dtype int64
        Atoms of crystal ``i`` are rows ``atom_offsets[i]:atom_offsets[i + 1]``.
    space_groups : ndarray of shape (n_crystals,), dtype int64
        Space-group number each crystal carries (``space_group`` attribute or
        key), 0 where it has none.
    problems : dict of int to str
        Crystals that could not be read, with the reason.
    """

    lattices: np.ndarray
    frac_coords: np.ndarray
    numbers: np.ndarray
    occupancies: np.ndarray
    debye_waller: np.ndarray
    atom_offsets: np.ndarray
    space_groups: np.ndarray
    problems: dict

    @functools.cached_property
    def n_atoms(self):
        """Number of atoms of each crystal, shape (n_crystals,)."""
        return np.diff(self.atom_offsets)

    def subset(self, keep):
        """Return the crystals where the boolean mask ``keep`` is True."""
        counts = self.n_atoms[keep]
        atom_mask = np.repeat(keep, self.n_atoms)
        return CrystalBatch(
            lattices=self.lattices[keep],
            frac_coords=self.frac_coords[atom_mask],
            numbers=self.numbers[atom_mask],
            occupancies=self.occupancies[atom_mask],
            debye_waller=self.debye_waller[atom_mask],
            atom_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
            space_groups=self.space_groups[keep],
            problems={},
        )


def is_single_crystal(obj):
    """Tell one crystal (Structure, mapping, record) from a sequence of them."""
    return isinstance(obj, Mapping) or hasattr(obj, "frac_coords")


def pack_crystals(crystals):
    """Concatenate crystals into a `CrystalBatch`, recording unreadable ones.

    Parameters
    ----------
    crystals : sequence
        Each item a pymatgen ``Structure``; a mapping with keys ``lattice``,
        ``frac_coords``, ``numbers`` and optionally ``occupancies`` and
        ``debye_waller``; an object with those attributes; or a sequence whose
        first three items are lattice, fractional coordinates and numbers.
        Mappings and objects may also carry a ``space_group`` number.

    Returns
    -------
    batch : CrystalBatch
        Unreadable crystals are in ``batch.problems`` and hold no atoms.
    """
    parts = []
    problems = {}
    for index, item in enumerate(crystals):
        try:
            parts.append(_crystal_arrays(item))
        except ValueError as exc:
            problems[index] = str(exc)
            parts.append(_empty_crystal())
        except (TypeError, IndexError, AttributeError) as exc:
            problems[index] = f"unreadable crystal ({type(exc).__name__}: {exc})"
            parts.append(_empty_crystal())
    columns = [list(column) for column in zip(*parts, strict=True)] or [[]] * 6
    lattices, frac, numbers, occupancies, debye_waller, groups = columns
    counts = [len(z) for z in numbers]
    return CrystalBatch(
        lattices=np.array(lattices, dtype=np.float64).reshape(-1, 3, 3),
        frac_coords=_concat(frac, (0, 3), np.float64),
        numbers=_concat(numbers, (0,), np.int64),
        occupancies=_concat(occupancies, (0,), np.float64),
        debye_waller=_concat(debye_waller, (0,), np.float64),
        atom_offsets=np.concatenate([[0], np.cumsum(counts)]).astype(np.int64),
        space_groups=np.array(groups, dtype=np.int64),
        problems=problems,
    )


def _concat(arrays, empty_shape, dtype):
    return (
        np.concatenate(arrays).astype(dtype) if arrays else np.zeros(empty_shape, dtype)
    )


def _empty_crystal():
    return (
        np.eye(3),
        np.zeros((0, 3)),
        np.zeros(0, np.int64),
        np.zeros(0),
        np.zeros(0),
        0,
    )


def _crystal_arrays(item):
    """Return lattice, frac_coords, numbers, occupancies, B factors, group."""
    if hasattr(item, "sites") and hasattr(item, "lattice"):
        return *_structure_arrays(item), 0
    if isinstance(item, Mapping):
        fields = item
    elif hasattr(item, "frac_coords"):
        fields = {
            key: getattr(item, key)
            for key in (
                "lattice",
                "frac_coords",
                "numbers",
                "occupancies",
                "debye_waller",
                "space_group",
            )
            if hasattr(item, key)
        }
    else:
        lattice, frac_coords, numbers = item[:3]
        fields = {"lattice": lattice, "frac_coords": frac_coords, "numbers": numbers}
    missing = {"lattice", "frac_coords", "numbers"} - set(fields)
    if missing:
        raise ValueError(f"missing {sorted(missing)}")
    arrays = _checked_arrays(
        fields["lattice"],
        fields["frac_coords"],
        fields["numbers"],
        fields.get("occupancies"),
        fields.get("debye_waller"),
    )
    return *arrays, space_group_number(fields.get("space_group"), "space_group")


def _structure_arrays(structure):
    """Expand a (possibly disordered) pymatgen Structure into atoms."""
    lattice = structure.lattice.matrix
    if structure.is_ordered:
        numbers = [site.specie.Z for site in structure]
        return _checked_arrays(lattice, structure.frac_coords, numbers, None, None)
    # A disordered site becomes one atom per species, weighted by occupancy,
    # exactly as XRDCalculator sums occupancy-weighted scattering per site.
    rows = [
        (coords, species.Z, occupancy)
        for coords, site in zip(structure.frac_coords, structure, strict=True)
        for species, occupancy in site.species.items()
    ]
    coords, numbers, occupancies = zip(*rows, strict=True) if rows else ([], [], [])
    return _checked_arrays(lattice, coords, numbers, occupancies, None)


def _checked_arrays(lattice, frac_coords, numbers, occupancies, debye_waller):
    lattice = np.asarray(getattr(lattice, "matrix", lattice), dtype=np.float64)
    if lattice.shape != (3, 3):
        raise ValueError(f"lattice must have shape (3, 3), got {lattice.shape}")
    numbers = np.asarray(numbers)
    if numbers.ndim != 1:
        raise ValueError(f"numbers must be 1-D, got shape {numbers.shape}")
    if numbers.dtype.kind == "f" and np.all(numbers == np.round(numbers)):
        numbers = numbers.astype(np.int64)
    if numbers.size and numbers.dtype.kind not in "iu":
        raise ValueError(f"numbers must be integer atomic numbers, got {numbers.dtype}")
    n_atoms = len(numbers)
    frac_coords = np.asarray(frac_coords, dtype=np.float64).reshape(-1, 3)
    if len(frac_coords) != n_atoms:
        raise ValueError(f"{len(frac_coords)} frac_coords rows for {n_atoms} numbers")
    per_atom = []
    for values, default in ((occupancies, 1.0), (debye_waller, 0.0)):
        values = np.full(n_atoms, default) if values is None else values
        values = np.broadcast_to(np.asarray(values, dtype=np.float64), (n_atoms,))
        per_atom.append(values)
    return lattice, frac_coords, numbers.astype(np.int64), *per_atom


def find_problems(batch):
    """Return ``{index: reason}`` for every crystal that cannot be diffracted.

    Checks, on the whole batch at once: readable input, at least one atom, a
    finite lattice of non-zero volume, finite coordinates, atomic numbers in
    the scattering table, finite non-negative occupancies, finite B factors.
    """
    problems = dict(batch.problems)
    lattices = batch.lattices
    finite_lattice = np.isfinite(lattices).all(axis=(1, 2))
    safe = np.where(finite_lattice[:, None, None], lattices, np.eye(3))
    volume = np.abs(np.linalg.det(safe))
    box = np.prod(np.linalg.norm(safe, axis=2), axis=1)
    flat = ~(volume > _MIN_VOLUME_RATIO * box)
    for index in np.flatnonzero(~finite_lattice):
        problems.setdefault(int(index), "lattice has non-finite entries")
    for index in np.flatnonzero(finite_lattice & flat):
        problems.setdefault(
            int(index), f"lattice has (near) zero volume ({volume[index]:.3g} Å^3)"
        )
    for index in np.flatnonzero(batch.n_atoms == 0):
        problems.setdefault(int(index), "crystal has no atoms")
    _atom_problems(batch, problems)
    return dict(sorted(problems.items()))


def _atom_problems(batch, problems):
    a, _ = scattering_table()
    numbers = batch.numbers
    known = (numbers >= 1) & (numbers < len(a))
    known[known] = ~np.isnan(a[numbers[known], 0])
    checks = (
        (~np.isfinite(batch.frac_coords).all(axis=1), "non-finite frac_coords"),
        (~known, "atomic number without X-ray scattering factors"),
        (~(batch.occupancies >= 0) | ~np.isfinite(batch.occupancies), "bad occupancy"),
        (~np.isfinite(batch.debye_waller), "non-finite Debye-Waller factor"),
    )
    crystal_of_atom = np.repeat(np.arange(len(batch.lattices)), batch.n_atoms)
    for bad, reason in checks:
        if not bad.any():
            continue
        bad_atoms = np.flatnonzero(bad)
        # One reason per crystal: its first bad atom.
        crystals, first = np.unique(crystal_of_atom[bad_atoms], return_index=True)
        for index, atom in zip(crystals.tolist(), bad_atoms[first], strict=True):
            if index not in problems:
                local = atom - batch.atom_offsets[index]
                problems[index] = (
                    f"{reason} at atom {local} (Z={numbers[atom]}, "
                    f"{_symbol(numbers[atom])})"
                )


def _symbol(number):
    return ELEMENT_SYMBOLS[number] if 0 < number < len(ELEMENT_SYMBOLS) else "?"
