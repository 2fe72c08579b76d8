"""Structure factors |F_hkl|² of many crystals, as matrix products.

The phase factor of atom j separates over the Miller indices,

    exp(2πi (h x_j + k y_j + l z_j)) = u_j^h v_j^k w_j^l,
    u_j = exp(2πi x_j), v_j = exp(2πi y_j), w_j = exp(2πi z_j),

so one complex exponential per atom and axis gives every phase: the powers
u^h, v^k, w^l are running products.  For each crystal and scatterer type t
(atoms of equal Z and B factor, which share a scattering factor f_t), the
partial structure factors

    F_t(h, k, l) = Σ_{j of type t} o_j (u_j^h v_j^k) w_j^l

of all its rows (h, k) and all l of its range are one complex matrix
product, (rows × atoms of type t) @ (atoms of type t × l), which BLAS
computes far faster than a sine and cosine per reflection and atom.  Each
reflection then picks its entry of every table:
F = Σ_t f_t(s) F_t(h, k, l).
"""

import numpy as np

from ._scattering import _FORM_FACTOR_CONSTANT, scattering_table

# Bound on the entries of one crystal's (h, k) x atoms complex matrix held
# at once; larger crystals are done in slices of (h, k) rows.
_TABLE_CHUNK_ENTRIES = 1 << 21


def squared_structure_factors(batch, hkl, s2, refl_offsets):
    """Return |F_hkl|² of every reflection of every crystal.

    Parameters
    ----------
    batch : CrystalBatch
        The crystals.
    hkl : ndarray of shape (n_reflections, 3), dtype int64
        Miller indices, grouped by crystal and lexicographically ascending
        within each crystal.
    s2 : ndarray of shape (n_reflections,)
        ``(sin θ / λ)² = |g|² / 4``.
    refl_offsets : ndarray of shape (n_crystals + 1,)
        Reflections of crystal i are rows ``refl_offsets[i]:refl_offsets[i+1]``.

    Returns
    -------
    squared : ndarray of shape (n_reflections,), dtype float64
        ``|F|²`` in electrons².
    """
    types = _ScattererTypes(batch)
    rows = _ReflectionRows(hkl, refl_offsets)
    # Atoms sorted by type within each crystal: a type is a range of columns.
    base, first_power = _atom_phasors(batch, rows.low)
    base, first_power = base[:, types.order], first_power[:, types.order]
    occupancy = batch.occupancies[types.order]
    squared = np.empty(len(hkl), dtype=np.float64)
    for index in rows.filled:
        refl = slice(refl_offsets[index], refl_offsets[index + 1])
        atoms = slice(batch.atom_offsets[index], batch.atom_offsets[index + 1])
        count = int(rows.span[index].max())
        powers = _powers(base[:, atoms], first_power[:, atoms], count)
        squared[refl] = _crystal_squared(
            rows.of_crystal(index),
            powers,
            occupancy[atoms],
            types.atom_bounds(index),
            types.form_factors(index, s2[refl]),
        )
    return squared


def _crystal_squared(rows, powers, occupancy, type_bounds, factors):
    """|F|² of one crystal's reflections from its tables of powers."""
    row_h, row_k, table_index, n_l = rows
    # o_j w_j^l of each atom: (atoms, l).
    weights = powers[2, :n_l].T * occupancy[:, None]
    squared = np.empty(len(table_index), dtype=np.float64)
    step = max(1, _TABLE_CHUNK_ENTRIES // powers.shape[2])
    for first in range(0, len(row_h), step):
        # Reflections of rows first .. first + step: one slice of the rows.
        start, stop = np.searchsorted(table_index, [first * n_l, (first + step) * n_l])
        in_plane = powers[0, row_h[first : first + step]]
        in_plane *= powers[1, row_k[first : first + step]]
        picks = table_index[start:stop] - first * n_l
        structure = np.zeros(stop - start, dtype=np.complex128)
        for t, (low, high) in enumerate(type_bounds):
            # F_t on the (rows, l) grid, then each reflection's entry.
            table = in_plane[:, low:high] @ weights[low:high]
            structure += table.ravel()[picks] * factors[start:stop, t]
        squared[start:stop] = structure.real**2 + structure.imag**2
    return squared


class _ReflectionRows:
    """The (h, k) rows of each crystal's reflections, found for the whole batch.

    Reflections are sorted by crystal, h, k, l, so each row (crystal, h, k)
    is a run of consecutive reflections.  ``low`` and ``span`` are each
    crystal's lowest index and index range per axis; row indices are stored
    relative to the lowest h and k (indices into the tables of powers), and
    each reflection's place in its crystal's (rows, l) table as one number.
    """

    def __init__(self, hkl, refl_offsets):
        n_refl = np.diff(refl_offsets)
        self.filled = np.flatnonzero(n_refl)
        self.offsets = refl_offsets
        crystal = np.repeat(np.arange(len(n_refl)), n_refl)
        h, k, ell = (np.ascontiguousarray(column) for column in hkl.T)
        new_row = np.ones(len(hkl), dtype=bool)
        new_row[1:] = (h[1:] != h[:-1]) | (k[1:] != k[:-1])
        new_row[refl_offsets[self.filled]] = True
        row = np.cumsum(new_row) - 1
        starts = refl_offsets[self.filled]
        self.low = np.zeros((len(n_refl), 3), dtype=np.int64)
        high = np.zeros((len(n_refl), 3), dtype=np.int64)
        if len(starts):
            self.low[self.filled] = np.minimum.reduceat(hkl, starts, axis=0)
            high[self.filled] = np.maximum.reduceat(hkl, starts, axis=0)
        self.span = high - self.low + 1
        self.first_row = np.zeros(len(n_refl), dtype=np.int64)
        self.first_row[self.filled] = row[starts]
        row_crystal = crystal[new_row]
        self.row_h = h[new_row] - self.low[row_crystal, 0]
        self.row_k = k[new_row] - self.low[row_crystal, 1]
        local_row = row - self.first_row[crystal]
        n_l = self.span[crystal, 2]
        self.table_index = local_row * n_l + ell - self.low[crystal, 2]
        self.n_rows = np.zeros(len(n_refl), dtype=np.int64)
        self.n_rows[self.filled] = local_row[refl_offsets[self.filled + 1] - 1] + 1

    def of_crystal(self, index):
        """Row h and k indices, table index of each reflection, number of l."""
        first = self.first_row[index]
        rows = slice(first, first + self.n_rows[index])
        refl = slice(self.offsets[index], self.offsets[index + 1])
        n_l = int(self.span[index, 2])
        return self.row_h[rows], self.row_k[rows], self.table_index[refl], n_l


def _atom_phasors(batch, low):
    """exp(2πi x) per axis and atom, and its power at the crystal's lowest index.

    Both of shape (3, n_atoms).
    """
    crystal = np.repeat(np.arange(len(batch.lattices)), batch.n_atoms)
    frac = batch.frac_coords.T
    # Turns reduced modulo 1 keep the sines and cosines exact to rounding.
    turns = low[crystal].T * frac
    turns -= np.rint(turns)
    base = np.exp(2j * np.pi * (frac - np.rint(frac)))
    return base, np.exp(2j * np.pi * turns)


def _powers(base, first_power, count):
    """Powers base**(low + n), n = 0 .. count - 1: shape (3, count, atoms).

    A running product from the power at the crystal's lowest index keeps
    the rounding error near n times machine precision.
    """
    steps = np.empty((3, count, base.shape[1]), dtype=np.complex128)
    steps[:, 0] = first_power
    steps[:, 1:] = base[:, None]
    return np.cumprod(steps, axis=1, out=steps)


class _ScattererTypes:
    """Each crystal's atoms grouped by (Z, B), which share a form factor.

    ``order`` sorts the batch's atoms by crystal, Z and B, so that the atoms
    of one type are consecutive; ``offsets`` gives each crystal's types
    (``offsets[i]:offsets[i+1]``); per type, Z, B, the table coefficients
    and the range of its atoms in sorted order.
    """

    def __init__(self, batch):
        n_crystals = len(batch.lattices)
        crystal = np.repeat(np.arange(n_crystals), batch.n_atoms)
        self.order = np.lexsort((batch.debye_waller, batch.numbers, crystal))
        keys = (crystal, batch.numbers, batch.debye_waller)
        new = np.zeros(len(self.order), dtype=bool)
        new[:1] = True
        for key in keys:
            key = key[self.order]
            new[1:] |= key[1:] != key[:-1]
        self.atom_starts = np.append(np.flatnonzero(new), len(self.order))
        first = self.order[new]
        self.offsets = np.searchsorted(crystal[first], np.arange(n_crystals + 1))
        self.atom_offsets = batch.atom_offsets
        a, b = scattering_table()
        z = batch.numbers[first]
        self.z, self.a, self.minus_b = z.astype(np.float64), a[z], -b[z]
        self.debye_waller = batch.debye_waller[first]
        self.any_debye_waller = bool(self.debye_waller.any())

    def atom_bounds(self, index):
        """(first, stop) of each type's atoms, relative to the crystal's first."""
        starts = self.atom_starts[self.offsets[index] : self.offsets[index + 1] + 1]
        starts = (starts - self.atom_offsets[index]).tolist()
        return list(zip(starts[:-1], starts[1:], strict=True))

    def form_factors(self, index, s2):
        """f(s) of crystal ``index``'s types at ``s2 = s²``: (len(s2), n_types)."""
        types = slice(self.offsets[index], self.offsets[index + 1])
        n_types = types.stop - types.start
        s2 = s2[:, None]
        # f = Z - 41.78214 s² Σ_i a_i exp(-b_i s²), pymatgen's fit; the sum
        # over i is a product with the block-diagonal (4 types, types) a_ti.
        terms = np.exp(s2 * self.minus_b[types].reshape(1, -1))
        a_blocks = np.zeros((n_types, 4, n_types))
        a_blocks[np.arange(n_types), :, np.arange(n_types)] = self.a[types]
        series = terms @ a_blocks.reshape(4 * n_types, n_types)
        factors = self.z[types] - _FORM_FACTOR_CONSTANT * s2 * series
        if self.any_debye_waller:
            # Debye–Waller (temperature) factor exp(-B s²), as in XRDCalculator.
            factors *= np.exp(-self.debye_waller[types] * s2)
        return factors
