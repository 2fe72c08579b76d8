import warnings

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from skxrd.diffraction import powder_peaks
from skxrd.engine import StructurePatternSource, symmetry_derivatives
from skxrd.spacegroups import crystal_system


@pytest.fixture(scope="module")
def perovskite():
    return Structure.from_spacegroup(
        "Pm-3m",
        Lattice.cubic(3.905),
        ["Sr", "Ti", "O"],
        [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0]],
    )


def _group(structure):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return SpacegroupAnalyzer(
            structure, symprec=0.01, angle_tolerance=-1
        ).get_space_group_number()


@pytest.mark.parametrize("system", ["monoclinic", "triclinic"])
def test_derivatives_fall_in_the_requested_system(nacl, rutile, perovskite, system):
    records = symmetry_derivatives(
        [nacl, rutile, perovskite], 3, system=system, random_state=0
    )
    assert len(records) == 9
    parents = [225] * 3 + [136] * 3 + [221] * 3
    assert [r.metadata["parent_space_group"] for r in records] == parents
    for record in records:
        group = record.metadata["space_group"]
        assert crystal_system(group) == system
        # The label is what the structure has, not what was aimed at.
        assert _group(record.structure) == group
        # All three parents are centrosymmetric and the inversion is kept:
        # 2/m groups (10-15) or P-1.
        assert group in (range(10, 16) if system == "monoclinic" else (2,))
    assert records[0].name == "structure 0>H0"


def test_a_derivative_splits_the_cubic_reflections(nacl):
    # NaCl's (200) is one reflection of multiplicity 6; in a monoclinic
    # derivative the three axes differ, so it becomes several d-spacings.
    (record,) = symmetry_derivatives([nacl], system="monoclinic", random_state=1)
    d_parent = 5.64 / 2
    peaks = powder_peaks([nacl, record.structure], wavelength="CuKa")

    def spacings(k):
        d = peaks.d_spacings[peaks.offsets[k] : peaks.offsets[k + 1]]
        return d[np.abs(d / d_parent - 1) < 0.05]

    np.testing.assert_allclose(spacings(0), [d_parent], rtol=1e-6)
    assert len(np.unique(np.round(spacings(1), 4))) >= 2


def test_distortion_size_follows_strain(perovskite):
    def angle_spread(strain):
        records = symmetry_derivatives(
            [perovskite], 8, strain=strain, displacement=0, random_state=0
        )
        return np.mean(
            [np.abs(np.array(r.structure.lattice.angles) - 90).max() for r in records]
        )

    small, large = angle_spread(0.01), angle_spread(0.04)
    assert 0.1 < small < large


def test_seeded_and_named(nacl):
    first = symmetry_derivatives([nacl], 2, random_state=3)
    again = symmetry_derivatives([nacl], 2, random_state=3)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_allclose(
            a.structure.lattice.matrix, b.structure.lattice.matrix
        )
        np.testing.assert_allclose(a.structure.frac_coords, b.structure.frac_coords)
    assert [r.name for r in first] == ["structure 0>H0", "structure 0>H1"]


def test_low_symmetry_and_broken_parents_are_skipped_and_counted(nacl):
    monoclinic = Structure(
        Lattice.monoclinic(5, 6, 7, 100),
        ["Si", "O"],
        [[0.1, 0.2, 0.3], [0.4, 0.1, 0.2]],
    )
    broken = "not a structure"
    with pytest.warns(UserWarning, match="skipped 2 of 3 parents") as record:
        records = symmetry_derivatives(
            [monoclinic, broken, nacl], system="monoclinic", random_state=0
        )
    message = str(record[0].message)
    assert "structure 0 (already triclinic)" in message
    assert "structure 1 (AttributeError" in message
    assert [r.metadata["parent"] for r in records] == ["structure 2"]


def test_derivatives_stream_with_their_own_labels(perovskite):
    records = symmetry_derivatives([perovskite], 2, random_state=0)
    groups = {r.metadata["space_group"] for r in records}
    source = StructurePatternSource(
        records,
        angle_tolerance=-1,
        class_prior="structures",
        batch_size=8,
        random_state=0,
    )
    X, y = source.take(8)
    assert set(y) <= groups and X.shape == (8, 8500)
    # With pymatgen's 5-degree angle tolerance the sheared cells would be
    # read as the cubic parent.
    coarse = StructurePatternSource(
        records, class_prior="structures", batch_size=8, random_state=0
    )
    assert not set(coarse.take(8)[1]) & groups


def test_bad_parameters_are_refused(nacl):
    with pytest.raises(ValueError, match="system"):
        symmetry_derivatives([nacl], system="orthorhombic")
    with pytest.raises(ValueError, match="strain"):
        symmetry_derivatives([nacl], strain=0)


def test_a_group_without_two_fold_axes_has_only_triclinic_derivatives():
    # P3 (143): trigonal, but no two-fold axis or mirror to keep.
    p3 = Structure.from_spacegroup(
        "P3",
        Lattice.hexagonal(5.0, 6.0),
        ["Si", "O"],
        [[0.1, 0.2, 0.3], [0.4, 0.1, 0.7]],
    )
    with pytest.warns(UserWarning, match="no two-fold axis or mirror"):
        assert symmetry_derivatives([p3], system="monoclinic", random_state=0) == []
    (record,) = symmetry_derivatives([p3], system="triclinic", random_state=0)
    assert record.metadata["space_group"] == 1  # no inversion to keep: P1
