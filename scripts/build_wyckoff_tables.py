"""Build skxrd/synthetic/data/wyckoff_tables.npz from pyxtal's Wyckoff tables.

The 230 space groups in the settings pyxtal uses (the ITA standard settings:
unique axis b and cell choice 1 for monoclinic groups, origin choice 2 where a
group has two origins, hexagonal axes for the rhombohedral groups) are written
as flat arrays: for every Wyckoff position its multiplicity, letter, number of
free parameters, site-symmetry symbol and the affine operations that map a
free-parameter triple (x, y, z) to each point of its orbit. Rotations are
small integers; translations are stored in units of 1/24, which represents
every translation of the 230 groups exactly (1/8, 1/6, 1/4, 1/3, ...).

Every table is checked before it is written:

* the general position's operations equal spglib's database operations for
  the same Hall number (as sets, translations modulo 1);
* each Wyckoff orbit is the image of its first (projection) operation under
  the general position's operations, with the stated multiplicity;
* the number of free parameters equals the rank of the projection.

The file also records which positions *anchor* their group: a position is
``sufficient`` when one orbit of it, all atoms alike, at random free
coordinates in a random lattice of the crystal system, has exactly the
group's symmetry (spglib, symprec 1e-3, in at least 3 of 4 trials). Polar
groups and a few others have no such position (a single orbit of a polar
group is flat or centrosymmetric); for those, ``pairs`` lists the pairs of
positions whose two orbits together have exactly the group's symmetry, either
with one element on both (mode 0) or with two different elements (mode 1).
A generated crystal that contains an anchor whose element(s) occur nowhere
else in the cell cannot have more symmetry than its group.

Run ``python scripts/build_wyckoff_tables.py`` (pyxtal and spglib required;
about 15 s). The output is about 25 kB.
"""

import argparse
from pathlib import Path

import numpy as np

TRANSLATION_DENOMINATOR = 24
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "skxrd"
    / "synthetic"
    / "data"
    / "wyckoff_tables.npz"
)


def _as_integer_ops(affine_matrices):
    """Split (n, 4, 4) affine matrices into int8 rotations and 1/24 translations."""
    affine = np.asarray(affine_matrices, dtype=float)
    rotations = affine[:, :3, :3]
    translations = affine[:, :3, 3] * TRANSLATION_DENOMINATOR
    if not np.allclose(rotations, np.round(rotations), atol=1e-8):
        raise ValueError("non-integer rotation part")
    if not np.allclose(translations, np.round(translations), atol=1e-6):
        raise ValueError("translation not a multiple of 1/24")
    # Keep translations in [0, 24) so they fit int8 and compare modulo 1.
    translations = np.mod(np.round(translations), TRANSLATION_DENOMINATOR)
    return np.round(rotations).astype(np.int8), translations.astype(np.int8)


def _op_keys(rotations, translations):
    """Hashable keys of operations, translations taken modulo a lattice vector."""
    translations = np.mod(translations, TRANSLATION_DENOMINATOR)
    return {
        (tuple(r.ravel()), tuple(t))
        for r, t in zip(rotations.astype(int), translations.astype(int), strict=True)
    }


def _check_against_spglib(number, hall_number, rotations, translations):
    import spglib

    database = spglib.get_symmetry_from_database(hall_number)
    spg_translations = np.round(database["translations"] * TRANSLATION_DENOMINATOR)
    expected = _op_keys(database["rotations"], spg_translations)
    found = _op_keys(rotations, translations)
    if expected != found:
        raise ValueError(f"group {number}: operations differ from spglib")
    spg_type = spglib.get_spacegroup_type(hall_number)
    if spg_type.number != number:
        raise ValueError(f"group {number}: Hall number {hall_number} is another group")


def _check_orbit(number, letter, general, ops, rng):
    """The orbit of a random point equals the general ops applied to its projection."""
    g_rot, g_tra = general
    rot, tra = ops
    xyz = rng.random(3)
    orbit = (rot @ xyz + tra / TRANSLATION_DENOMINATOR) % 1.0
    projected = orbit[0]
    images = (g_rot @ projected + g_tra / TRANSLATION_DENOMINATOR) % 1.0
    unique_orbit = np.unique(np.round(orbit, 8) % 1.0, axis=0)
    unique_images = np.unique(np.round(images, 8) % 1.0, axis=0)
    if len(unique_orbit) != len(rot) or not np.allclose(unique_orbit, unique_images):
        raise ValueError(f"group {number} site {letter}: orbit mismatch")


def _generic_lattice(number, rng):
    """Random lattice of the group's crystal system, away from special metrics."""
    while True:
        lengths = 5.0 * np.exp(rng.uniform(-0.4, 0.4, 3))
        angles = rng.uniform(70, 110, 3)
        if number <= 2:
            pass
        elif number <= 15:
            angles[[0, 2]] = 90
        elif number <= 74:
            angles[:] = 90
        elif number <= 142:
            lengths[1], angles[:] = lengths[0], 90
        elif number <= 194:
            lengths[1], angles[:] = lengths[0], (90, 90, 120)
        else:
            lengths[:], angles[:] = lengths[0], 90
        free = angles[angles != 90]
        distinct = np.unique(np.round(lengths, 6))
        if np.all(np.abs(free - 90) > 5) and np.all(np.diff(np.sort(distinct)) > 0.3):
            return _lattice_matrix(lengths, angles)


def _lattice_matrix(lengths, angles):
    a, b, c = lengths
    alpha, beta, gamma = np.radians(angles)
    cx = c * np.cos(beta)
    cy = c * (np.cos(alpha) - np.cos(beta) * np.cos(gamma)) / np.sin(gamma)
    cz = np.sqrt(c**2 - cx**2 - cy**2)
    return np.array(
        [[a, 0, 0], [b * np.cos(gamma), b * np.sin(gamma), 0], [cx, cy, cz]]
    )


def _random_free(rng, margin=0.004):
    """Free coordinates in [0, 1) at least *margin* from every multiple of 1/24.

    Every special coordinate of the 230 groups is a multiple of 1/24; a free
    coordinate within a hair of one gives an orbit of higher symmetry.
    """
    xyz = rng.random(3)
    offset = xyz * 24 - np.round(xyz * 24)
    return xyz + np.where(np.abs(offset) < margin * 24, 2 * margin, 0) * np.where(
        offset < 0, -1, 1
    )


def _has_exact_symmetry(number, orbits, types, rng, n_trials=4, n_needed=3):
    """Whether the union of orbits (callables of xyz) has exactly group *number*."""
    import spglib

    n_passed = 0
    for _ in range(n_trials):
        points = np.concatenate([orbit(_random_free(rng)) for orbit in orbits])
        numbers = np.concatenate(
            [
                np.full(len(orbit(np.zeros(3))), t)
                for orbit, t in zip(orbits, types, strict=True)
            ]
        )
        cell = (_generic_lattice(number, rng), points % 1.0, numbers)
        dataset = spglib.get_symmetry_dataset(cell, symprec=1e-3)
        n_passed += dataset is not None and dataset.number == number
    return n_passed >= n_needed


def _orbit_function(rotations, translations):
    return lambda xyz: rotations @ xyz + translations / TRANSLATION_DENOMINATOR


def find_anchors(tables, rng):
    """Sufficient single positions and, where none exists, sufficient pairs."""
    sufficient = np.zeros(len(tables["letter"]), dtype=bool)
    pairs = []
    for number in range(1, 231):
        start, stop = tables["group_offsets"][number - 1 : number + 1]
        orbits = {}
        for i in range(start, stop):
            ops = slice(tables["op_offsets"][i], tables["op_offsets"][i + 1])
            orbits[i] = _orbit_function(
                tables["rotation"][ops].astype(float), tables["translation"][ops]
            )
            sufficient[i] = _has_exact_symmetry(number, [orbits[i]], [1], rng)
        if sufficient[start:stop].any():
            continue
        for i in range(start, stop):
            for j in range(i, stop):
                for mode, types in enumerate(([1, 1], [1, 2])):
                    if _has_exact_symmetry(number, [orbits[i], orbits[j]], types, rng):
                        pairs.append((number, i - start, j - start, mode))
    return sufficient, np.asarray(pairs, dtype=np.int16).reshape(-1, 4)


def build_tables():
    """Collect and check the tables of all 230 groups; return the npz arrays."""
    from pyxtal.symmetry import Group

    rng = np.random.default_rng(0)
    columns = {
        key: [] for key in ("multiplicity", "letter", "dof", "site_symmetry", "n_ops")
    }
    rotations, translations = [], []
    group_offsets, hall_numbers, symbols = [0], [], []
    for number in range(1, 231):
        group = Group(number)
        general = _as_integer_ops(
            [op.affine_matrix for op in group.Wyckoff_positions[0].ops]
        )
        _check_against_spglib(number, group.hall_number, *general)
        for wp in group.Wyckoff_positions:
            ops = _as_integer_ops([op.affine_matrix for op in wp.ops])
            _check_orbit(number, wp.letter, general, ops, rng)
            dof = int(np.linalg.matrix_rank(ops[0][0].astype(float)))
            if dof != wp.get_dof() or len(wp.ops) != wp.multiplicity:
                raise ValueError(f"group {number} site {wp.letter}: bad dof/mult")
            columns["multiplicity"].append(wp.multiplicity)
            columns["letter"].append(wp.letter)
            columns["dof"].append(dof)
            columns["site_symmetry"].append(wp.get_site_symmetry_object().name)
            columns["n_ops"].append(len(wp.ops))
            rotations.append(ops[0])
            translations.append(ops[1])
        group_offsets.append(len(columns["letter"]))
        hall_numbers.append(group.hall_number)
        symbols.append(group.symbol)
    return {
        "group_offsets": np.asarray(group_offsets, dtype=np.int32),
        "hall_number": np.asarray(hall_numbers, dtype=np.int16),
        "symbol": np.asarray(symbols),
        "multiplicity": np.asarray(columns["multiplicity"], dtype=np.int16),
        "letter": np.asarray(columns["letter"]),
        "dof": np.asarray(columns["dof"], dtype=np.int8),
        "site_symmetry": np.asarray(columns["site_symmetry"]),
        "op_offsets": np.concatenate([[0], np.cumsum(columns["n_ops"])]).astype(
            np.int32
        ),
        "rotation": np.concatenate(rotations),
        "translation": np.concatenate(translations),
        "translation_denominator": np.asarray(TRANSLATION_DENOMINATOR),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    tables = build_tables()
    rng = np.random.default_rng(20190624)
    tables["sufficient"], tables["anchor_pairs"] = find_anchors(tables, rng)
    missing = [
        number
        for number in range(1, 231)
        if not tables["sufficient"][
            slice(*tables["group_offsets"][number - 1 : number + 1])
        ].any()
        and number not in tables["anchor_pairs"][:, 0]
    ]
    if missing:
        raise ValueError(f"groups without any anchor: {missing}")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.output, **tables)
    n_sites = len(tables["letter"])
    n_ops = len(tables["rotation"])
    size = args.output.stat().st_size
    print(f"{n_sites} Wyckoff positions, {n_ops} operations -> {args.output}")
    n_single = int(tables["sufficient"].sum())
    n_pairs = len(tables["anchor_pairs"])
    print(f"{n_single} sufficient positions, {n_pairs} sufficient pairs")
    print(f"{size / 1024:.1f} kB")


if __name__ == "__main__":
    main()
