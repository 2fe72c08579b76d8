"""Tests of skxrd.synthetic: Wyckoff tables, the crystal prior and the generator."""

import itertools
import subprocess
import sys
from collections import Counter

import numpy as np
import pytest
import spglib
from pymatgen.core import Lattice, Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from skxrd.synthetic import (
    Crystal,
    CrystalGenerator,
    generate_crystals,
    wyckoff_positions,
)
from skxrd.synthetic._lattice import SYSTEM_OF_GROUP
from skxrd.synthetic._prior import load_crystal_prior

ALL_GROUPS = np.arange(1, 231)
# spglib's own deprecation notice about its error handling is not ours.
pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning:spglib")


def detected_group(crystal):
    analyzer = SpacegroupAnalyzer(crystal.to_structure(), symprec=0.01)
    return analyzer.get_space_group_number()


@pytest.fixture(scope="module")
def crystals_all_groups():
    """Three crystals of every one of the 230 groups, from one seed."""
    return CrystalGenerator(random_state=2019).generate_batch(np.repeat(ALL_GROUPS, 3))


# --- Wyckoff tables ---------------------------------------------------------


@pytest.mark.parametrize("number", ALL_GROUPS)
def test_general_position_matches_spglib_database(number):
    table = wyckoff_positions(number)
    database = spglib.get_symmetry_from_database(table.hall_number)
    assert spglib.get_spacegroup_type(table.hall_number).number == number
    assert table.multiplicity[0] == len(database["rotations"])
    assert table.dof[0] == 3
    assert np.all(table.dof[1:] < 3)  # every special position has fewer freedoms


@pytest.mark.parametrize("number", [1, 2, 14, 62, 142, 166, 194, 225, 227, 230])
def test_orbits_have_their_multiplicity_of_distinct_points(number):
    table = wyckoff_positions(number)
    xyz = [0.1234, 0.3187, 0.4511]
    for index, multiplicity in enumerate(table.multiplicity):
        points = np.round(table.orbit(index, xyz), 6) % 1.0
        assert len(np.unique(points, axis=0)) == multiplicity


def test_known_wyckoff_positions():
    fm3m = wyckoff_positions(225)
    assert fm3m.labels == tuple("192l 96k 96j 48i 48h 48g 32f 24e 24d 8c 4b 4a".split())
    fcc = {(0, 0, 0), (0, 0.5, 0.5), (0.5, 0, 0.5), (0.5, 0.5, 0)}
    assert {tuple(p) for p in fm3m.orbit(-1, [0.3, 0.2, 0.1])} == fcc
    # Fd-3m in origin choice 2: 8a at (1/8, 1/8, 1/8).
    assert np.allclose(wyckoff_positions(227).orbit(-1, [0, 0, 0])[0], 1 / 8)
    # R-3m on hexagonal axes: 3a has 3 points (rhombohedral centring).
    r3m = wyckoff_positions(166)
    assert r3m.labels[-1] == "3a" and r3m.symbol == "R-3m"
    # P6_3/mmc 2c at (1/3, 2/3, 1/4).
    p63 = wyckoff_positions(194)
    assert np.allclose(
        p63.orbit(p63.labels.index("2c"), [0, 0, 0])[0], [1 / 3, 2 / 3, 1 / 4]
    )
    assert sum(len(wyckoff_positions(g).letters) for g in ALL_GROUPS) == 1731


def test_every_group_has_an_anchor():
    for number in ALL_GROUPS:
        table = wyckoff_positions(number)
        assert table.sufficient.any() or len(table.anchor_pairs) > 0, number
    # One atom per cell is centrosymmetric, so P1 needs a pair of elements.
    assert not wyckoff_positions(1).sufficient.any()
    assert wyckoff_positions(1).anchor_pairs.tolist() == [[0, 0, 1]]


@pytest.mark.parametrize("bad", [0, 231, 2.5, "14", None])
def test_wyckoff_positions_rejects_bad_groups(bad):
    with pytest.raises(ValueError, match="space_group"):
        wyckoff_positions(bad)


# --- prior ----------------------------------------------------------------


def test_prior_statistics_are_sane():
    prior = load_crystal_prior()
    used = sum(source.get("used", 0) for source in prior.sources.values())
    assert used > 1000
    assert prior.n_orbits.sum() == used
    assert prior.dof_weight.shape == (7, 4) and prior.dof_weight.max() == 1.0
    # Oxygen is the most common element of real inorganic structures.
    assert np.argmax(prior.element_weight) == 8
    assert 1.0 < prior.volume_ratio_at(0.5) < 5.0
    assert np.isclose(prior.covalent_radius[14], 1.11)  # Si, Cordero et al.


# --- generator: symmetry ------------------------------------------------------


def test_every_group_is_produced_with_its_symmetry(crystals_all_groups):
    detected = np.array([detected_group(c) for c in crystals_all_groups])
    requested = np.array([c.space_group for c in crystals_all_groups])
    assert np.array_equal(requested, np.repeat(ALL_GROUPS, 3))
    agreement = np.mean(detected == requested)
    assert agreement >= 0.99, Counter(requested[detected != requested].tolist())
    # Every group has at least one crystal whose detected group is the requested one.
    assert set(requested[detected == requested].tolist()) == set(ALL_GROUPS.tolist())


def test_label_agreement_on_a_larger_sample():
    generator = CrystalGenerator(random_state=7)
    crystals = generator.generate_batch(np.tile(ALL_GROUPS, 5))
    detected = np.array([detected_group(c) for c in crystals])
    requested = np.tile(ALL_GROUPS, 5)
    assert np.mean(detected == requested) >= 0.99


def test_orbit_sizes_match_wyckoff_multiplicities(crystals_all_groups):
    for crystal in crystals_all_groups[::7]:
        table = wyckoff_positions(crystal.space_group)
        sizes = np.bincount(crystal.orbit_index)
        expected = [
            table.multiplicity[table.labels.index(label)]
            for label in crystal.wyckoff_labels
        ]
        assert sizes.tolist() == expected
        # spglib splits the cell into orbits of the same sizes.
        cell = (crystal.lattice, crystal.frac_coords, crystal.numbers)
        dataset = spglib.get_symmetry_dataset(cell, symprec=0.01, angle_tolerance=5)
        if dataset.number == crystal.space_group:
            found = sorted(Counter(dataset.equivalent_atoms.tolist()).values())
            assert found == sorted(expected)


def test_fixed_points_are_used_once(crystals_all_groups):
    for crystal in crystals_all_groups:
        table = wyckoff_positions(crystal.space_group)
        fixed = [
            label
            for label in crystal.wyckoff_labels
            if table.dof[table.labels.index(label)] == 0
        ]
        assert len(fixed) == len(set(fixed))


# --- generator: geometry -----------------------------------------------------


def test_distance_constraint_holds_with_all_images():
    prior = load_crystal_prior()
    images = np.array(list(itertools.product(range(-2, 3), repeat=3)), dtype=float)
    generator = CrystalGenerator(random_state=3, min_distance_factor=0.8)
    groups = [1, 2, 5, 12, 15, 62, 88, 146, 166, 176, 194, 221, 227, 230]
    for crystal in generator.generate_batch(groups * 3):
        diff = crystal.frac_coords[:, None, :] - crystal.frac_coords[None, :, :]
        vectors = (diff[:, :, None, :] + images) @ crystal.lattice
        distance = np.linalg.norm(vectors, axis=-1)
        n = crystal.n_atoms
        distance[np.arange(n), np.arange(n), len(images) // 2] = np.inf
        radius = prior.covalent_radius[crystal.numbers]
        bond = radius[:, None] + radius[None, :]
        assert np.all(distance.min(axis=-1) >= 0.8 * bond - 1e-9), crystal.space_group


def test_lattices_follow_the_crystal_system(crystals_all_groups):
    for crystal in crystals_all_groups:
        a, b, c, alpha, beta, gamma = Lattice(crystal.lattice).parameters
        system = SYSTEM_OF_GROUP[crystal.space_group]
        if system == 1:
            assert np.allclose([alpha, gamma], 90) and abs(beta - 90) > 3
        elif system == 2:
            assert np.allclose([alpha, beta, gamma], 90)
            assert min(abs(b / a - 1), abs(c / a - 1), abs(c / b - 1)) > 0.015
        elif system == 3:
            assert np.isclose(a, b) and np.allclose([alpha, beta, gamma], 90)
            assert abs(c / a - 1) > 0.015
        elif system in (4, 5):
            assert np.isclose(a, b) and np.allclose([alpha, beta, gamma], [90, 90, 120])
        elif system == 6:
            assert np.allclose([a, b], c) and np.allclose([alpha, beta, gamma], 90)


def test_coordinates_avoid_special_values(crystals_all_groups):
    # A free coordinate near a special value would make extra symmetry likely;
    # the generator keeps every orbit's first point 0.004 from multiples of 1/24
    # in each coordinate that is free.
    crystal = crystals_all_groups[0]  # P1: every coordinate is free
    scaled = crystal.frac_coords * 24
    assert np.all(np.abs(scaled - np.rint(scaled)) >= 0.004 * 24 - 1e-9)


def test_max_atoms_and_max_orbits_are_respected():
    generator = CrystalGenerator(max_atoms=100, max_orbits=3, random_state=5)
    for crystal in generator.generate_batch(np.arange(1, 231, 3)):
        assert crystal.n_atoms <= 100
        assert len(crystal.wyckoff_labels) <= 3


# --- generator: API ----------------------------------------------------------


def test_same_seed_same_crystals_other_seed_other_crystals():
    groups = [1, 14, 62, 139, 166, 194, 225]
    first = generate_crystals(groups, random_state=11)
    second = generate_crystals(groups, random_state=11)
    third = generate_crystals(groups, random_state=12)
    for x, y in zip(first, second, strict=True):
        assert np.array_equal(x.lattice, y.lattice)
        assert np.array_equal(x.frac_coords, y.frac_coords)
        assert np.array_equal(x.numbers, y.numbers)
    assert not all(
        x.lattice.shape == y.lattice.shape and np.allclose(x.lattice, y.lattice)
        for x, y in zip(first, third, strict=True)
    )


def test_successive_calls_continue_the_stream():
    generator = CrystalGenerator(random_state=0)
    one, two = generator.generate(62), generator.generate(62)
    assert not np.array_equal(one.frac_coords[:1], two.frac_coords[:1])


def test_generate_draws_from_the_given_groups():
    generator = CrystalGenerator(space_groups=[2, 225], random_state=0)
    assert {c.space_group for c in generator.generate_batch(20)} == {2, 225}
    assert generator.generate().space_group in (2, 225)
    assert generator.generate(14).space_group == 14


def test_elements_are_restricted():
    generator = CrystalGenerator(elements=[8, 14, 26], random_state=0)
    numbers = np.concatenate([c.numbers for c in generator.generate_batch(30)])
    assert set(numbers.tolist()) <= {8, 14, 26}


def test_to_structure_and_unpacking():
    crystal = CrystalGenerator(random_state=1).generate(227)
    lattice, frac_coords, numbers, space_group = crystal
    structure = crystal.to_structure()
    assert isinstance(structure, Structure)
    assert len(structure) == crystal.n_atoms == len(numbers)
    assert np.allclose(structure.lattice.matrix, lattice)
    assert np.allclose(structure.frac_coords, frac_coords)
    assert [site.specie.Z for site in structure] == numbers.tolist()
    assert space_group == 227
    assert np.isclose(structure.volume, crystal.volume)


def test_known_crystal_round_trip():
    diamond = Crystal(
        lattice=5.431 * np.eye(3),
        frac_coords=wyckoff_positions(227).orbit(-1, [0, 0, 0]),
        numbers=np.full(8, 14),
        space_group=227,
    )
    assert detected_group(diamond) == 227


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"max_atoms": 8}, "max_atoms=8 is too small for space group"),
        ({"max_atoms": 0}, "max_atoms"),
        ({"max_orbits": 1}, "max_orbits"),
        ({"min_distance_factor": 0}, "min_distance_factor"),
        ({"volume_quantiles": (0.9, 0.1)}, "volume_quantiles"),
        ({"elements": [8, 14]}, "at least 3 elements"),
        ({"elements": [0, 8]}, "atomic numbers"),
        ({"space_groups": [0]}, "space_group"),
        ({"space_groups": []}, "empty"),
    ],
)
def test_bad_options_raise(options, match):
    with pytest.raises(ValueError, match=match):
        CrystalGenerator(**options).generate(225)


@pytest.mark.parametrize("bad", [0, 231, 3.0, True, "14"])
def test_bad_requested_group_raises(bad):
    with pytest.raises(ValueError, match="space_group"):
        CrystalGenerator(random_state=0).generate(bad)


def test_generator_does_not_need_pyxtal_or_pymatgen():
    code = (
        "import sys; from skxrd.synthetic import CrystalGenerator; "
        "CrystalGenerator(random_state=0).generate_batch(50); "
        "print('pyxtal' in sys.modules, 'pymatgen.core' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "False"]
