"""Tests for skxrd.diffraction: powder peak lists against Bragg's law and pymatgen."""

import collections
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skxrd import two_theta_grid
from skxrd.diffraction import (
    PowderPeaks,
    atomic_scattering_factors,
    powder_peaks,
    scattering_table,
)
from skxrd.diffraction._reflections import enumerate_reflections, reciprocal_metrics
from skxrd.diffraction._symmetry import (
    laue_class_index,
    laue_rotations,
    orbit_representatives,
    representative_constraints,
)

pymatgen_core = pytest.importorskip("pymatgen.core")
xrd = pytest.importorskip("pymatgen.analysis.diffraction.xrd")
Lattice, Structure = pymatgen_core.Lattice, pymatgen_core.Structure

CU_KA = 1.54184
SIGMA = 0.05


def _structures():
    from_sg = Structure.from_spacegroup
    return {
        "NaCl": from_sg(
            "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
        ),
        "Si": from_sg("Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]]),
        "rutile": from_sg(
            "P4_2/mnm",
            Lattice.tetragonal(4.594, 2.959),
            ["Ti", "O"],
            [[0, 0, 0], [0.3053, 0.3053, 0]],
        ),
        "monoclinic": from_sg(
            "P2_1/c",
            Lattice.monoclinic(5.1, 6.2, 7.3, 101),
            ["Fe", "O", "O"],
            [[0.13, 0.27, 0.41], [0.31, 0.08, 0.19], [0.77, 0.35, 0.12]],
        ),
        "triclinic": from_sg(
            "P-1",
            Lattice.from_parameters(4.1, 5.3, 6.2, 81, 97, 104),
            ["Ca", "Si", "O", "O"],
            [[0.1, 0.2, 0.3], [0.6, 0.15, 0.7], [0.33, 0.41, 0.05], [0.8, 0.9, 0.45]],
        ),
    }


STRUCTURES = _structures()


def _arrays(structure, **extra):
    return {
        "lattice": structure.lattice.matrix,
        "frac_coords": structure.frac_coords,
        "numbers": np.array(structure.atomic_numbers),
        **extra,
    }


def _broaden(positions, intensities):
    """Full Gaussian sum on the standard grid, max-normalized."""
    grid = two_theta_grid()[:, None]
    profile = np.sum(intensities * np.exp(-0.5 * ((grid - positions) / SIGMA) ** 2), 1)
    return profile / profile.max()


def _pymatgen(structure, **options):
    calculator = xrd.XRDCalculator(**options)
    return calculator.get_pattern(structure, two_theta_range=(5, 90))


def _bragg_two_theta(lattice, hkl, wavelength=CU_KA):
    d = 1.0 / np.linalg.norm(hkl @ np.linalg.inv(lattice).T, axis=1)
    return 2.0 * np.degrees(np.arcsin(wavelength / (2.0 * d)))


# --- physics against known answers ------------------------------------------


def test_nacl_peak_positions_are_braggs_law():
    # Rock salt a = 5.64 Å: 2θ = 2 asin(λ sqrt(h²+k²+l²) / 2a), fcc families.
    peaks = powder_peaks(STRUCTURES["NaCl"], return_hkl=True)
    expected = {
        (1, 1, 1): 27.3897,
        (2, 0, 0): 31.7305,
        (2, 2, 0): 45.4877,
        (3, 1, 1): 53.9167,
        (2, 2, 2): 56.5236,
    }
    found = dict(zip(map(tuple, peaks.hkl.tolist()), peaks.positions, strict=True))
    for hkl, two_theta in expected.items():
        assert found[hkl] == pytest.approx(two_theta, abs=1e-4)
    assert peaks.multiplicities[:3].tolist() == [8, 6, 12]


@pytest.mark.parametrize("name", list(STRUCTURES))
def test_positions_follow_braggs_law(name):
    structure = STRUCTURES[name]
    peaks = powder_peaks(structure, return_hkl=True)
    lattice = structure.lattice.matrix
    assert_allclose(peaks.positions, _bragg_two_theta(lattice, peaks.hkl), atol=1e-9)
    assert_allclose(
        peaks.d_spacings,
        1 / np.linalg.norm(peaks.hkl @ np.linalg.inv(lattice).T, axis=1),
    )
    assert np.all(np.diff(peaks.positions) > 0)
    assert peaks.positions.min() >= 5 and peaks.positions.max() <= 90


@pytest.mark.parametrize("name", list(STRUCTURES))
def test_broadened_profiles_match_pymatgen(name):
    structure = STRUCTURES[name]
    reference = _pymatgen(structure)
    ours = powder_peaks(structure)
    difference = _broaden(ours.positions, ours.intensities) - _broaden(
        np.array(reference.x), np.array(reference.y)
    )
    assert np.abs(difference).max() <= 1e-3
    assert ours.intensities.max() == pytest.approx(100.0)


def test_raw_intensities_match_pymatgen_unscaled():
    # Catches a missing Friedel factor 2 or LP factor, which scaling would hide.
    structure = STRUCTURES["triclinic"]
    reference = xrd.XRDCalculator().get_pattern(
        structure, scaled=False, two_theta_range=(5, 90)
    )
    ours = powder_peaks(structure, scaled=False)
    assert_allclose(ours.positions, reference.x, atol=1e-9)
    # float64 throughout: agreement to rounding.
    assert_allclose(
        ours.intensities, reference.y, rtol=1e-9, atol=1e-12 * max(reference.y)
    )


def test_silicon_systematic_absences():
    peaks = powder_peaks(STRUCTURES["Si"], return_hkl=True)
    h, k, ell = np.abs(peaks.hkl).T
    same_parity = (h % 2 == k % 2) & (k % 2 == ell % 2)
    all_even_allowed = (h + k + ell) % 4 == 0
    assert np.all(same_parity)
    assert np.all((h % 2 == 1) | all_even_allowed)
    # (200) and (222) are forbidden by the diamond glide; (220) is not.
    positions = peaks.positions
    lattice = STRUCTURES["Si"].lattice.matrix
    for forbidden in ([2, 0, 0], [2, 2, 2]):
        two_theta = _bragg_two_theta(lattice, np.array([forbidden]))[0]
        assert np.abs(positions - two_theta).min() > 0.5
    allowed = _bragg_two_theta(lattice, np.array([[2, 2, 0]]))[0]
    assert np.abs(positions - allowed).min() < 1e-9


def test_fcc_has_no_mixed_parity_reflections():
    peaks = powder_peaks(STRUCTURES["NaCl"], return_hkl=True)
    parity = np.abs(peaks.hkl) % 2
    assert np.all(parity.min(axis=1) == parity.max(axis=1))


def test_friedel_pairs_in_noncentrosymmetric_crystal():
    # A P1 crystal and its inverted copy: Friedel's law makes their powder
    # patterns identical although F(h) differs; multiplicities count both ±h.
    rng = np.random.default_rng(3)
    crystal = {
        "lattice": Lattice.from_parameters(5.2, 6.1, 7.0, 84, 95, 101).matrix,
        "frac_coords": rng.random((6, 3)),
        "numbers": np.array([8, 14, 26, 8, 20, 8]),
    }
    inverted = dict(crystal, frac_coords=-crystal["frac_coords"])
    both = powder_peaks([crystal, inverted], return_hkl=True)
    peaks, mirror = both[0], both[1]
    assert_allclose(peaks.positions, mirror.positions)
    assert_allclose(peaks.intensities, mirror.intensities, rtol=1e-6, atol=1e-5)
    assert np.all(peaks.multiplicities % 2 == 0)
    reference = _pymatgen(
        Structure(crystal["lattice"], crystal["numbers"], crystal["frac_coords"])
    )
    assert_allclose(peaks.intensities, reference.y, rtol=1e-4, atol=1e-5)


def test_enumeration_finds_every_reflection_once():
    rng = np.random.default_rng(0)
    lattices = rng.normal(size=(20, 3, 3)) * 4 + 6 * np.eye(3)
    g_max = 0.9
    crystal, hkl, g2 = enumerate_reflections(reciprocal_metrics(lattices), 0.06, g_max)
    for index, lattice in enumerate(lattices):
        n = int(np.ceil(g_max * np.linalg.norm(lattice, axis=1).max())) + 1
        axis = np.arange(-n, n + 1)
        box = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
        g = np.linalg.norm(box @ np.linalg.inv(lattice).T, axis=1)
        h, k, ell = box.T
        half = (h > 0) | ((h == 0) & (k > 0)) | ((h == 0) & (k == 0) & (ell > 0))
        expected = box[half & (g <= g_max) & (g >= 0.06)]
        assert_array_equal(hkl[crystal == index], expected)


def test_other_wavelength():
    structure = STRUCTURES["rutile"]
    peaks = powder_peaks(structure, wavelength="MoKa", return_hkl=True)
    expected = _bragg_two_theta(structure.lattice.matrix, peaks.hkl, 0.71073)
    assert_allclose(peaks.positions, expected, atol=1e-9)
    reference = xrd.XRDCalculator("MoKa").get_pattern(
        structure, two_theta_range=(5, 90)
    )
    assert_allclose(peaks.positions, reference.x, atol=1e-9)
    assert_allclose(peaks.intensities, reference.y, atol=1e-3)


def test_full_sphere_range_matches_pymatgen():
    structure = STRUCTURES["NaCl"]
    reference = xrd.XRDCalculator().get_pattern(structure, two_theta_range=None)
    ours = powder_peaks(structure, two_theta_range=None)
    assert_allclose(ours.positions, reference.x, atol=1e-9)
    assert_allclose(ours.intensities, reference.y, atol=1e-3)


def test_debye_waller_factors_match_pymatgen():
    structure = STRUCTURES["NaCl"]
    b_factors = {11: 1.6, 17: 0.9}
    numbers = np.array(structure.atomic_numbers)
    crystal = _arrays(structure, debye_waller=[b_factors[z] for z in numbers])
    ours = powder_peaks(crystal)
    reference = _pymatgen(structure, debye_waller_factors={"Na": 1.6, "Cl": 0.9})
    assert_allclose(ours.positions, reference.x, atol=1e-9)
    assert_allclose(ours.intensities, reference.y, atol=1e-3)
    plain = powder_peaks(structure)
    assert ours.intensities[-1] < plain.intensities[-1] - 1


def test_disordered_structure_matches_pymatgen():
    structure = Structure(
        Lattice.cubic(3.6),
        [{"Fe": 0.5, "Ni": 0.5}, {"Fe": 0.5, "Ni": 0.5}, {"Cu": 0.7}, {"Cu": 0.7}],
        [[0, 0, 0], [0.5, 0.5, 0], [0.5, 0, 0.5], [0, 0.5, 0.5]],
    )
    ours = powder_peaks(structure)
    reference = _pymatgen(structure)
    assert_allclose(ours.positions, reference.x, atol=1e-9)
    assert_allclose(ours.intensities, reference.y, atol=1e-3)


def test_march_dollase_scales_by_angle():
    structure = STRUCTURES["rutile"]
    ratio = 0.7
    plain = powder_peaks(structure, scaled=False, return_hkl=True)
    textured = powder_peaks(
        structure,
        scaled=False,
        return_hkl=True,
        march_dollase_ratio=ratio,
        preferred_direction=[0, 0, 1],
    )
    assert_array_equal(plain.hkl, textured.hkl)
    factor = textured.intensities / plain.intensities
    by_hkl = dict(zip(map(tuple, plain.hkl.tolist()), factor, strict=True))
    # α = 90° for (110) and (200): P = r^1.5;  α = 0 for (002): P = r^-3.
    assert by_hkl[(1, 1, 0)] == pytest.approx(ratio**1.5, rel=1e-9)
    assert by_hkl[(2, 0, 0)] == pytest.approx(ratio**1.5, rel=1e-9)
    assert by_hkl[(0, 0, 2)] == pytest.approx(ratio**-3, rel=1e-9)
    unchanged = powder_peaks(structure, scaled=False, march_dollase_ratio=1.0)
    assert_allclose(unchanged.intensities, plain.intensities, rtol=1e-12)


def test_atomic_scattering_factors_are_pymatgens():
    params = xrd.ATOMIC_SCATTERING_PARAMS
    s = np.array([0.0, 0.1, 0.3, 0.6])
    for symbol, z in (("O", 8), ("Fe", 26), ("U", 92)):
        coefficients = np.array(params[symbol])
        s2 = s[:, None] ** 2
        expected = z - 41.78214 * s2[:, 0] * np.sum(
            coefficients[:, 0] * np.exp(-coefficients[:, 1] * s2), axis=1
        )
        assert_allclose(atomic_scattering_factors([z], s)[:, 0], expected, rtol=1e-12)
    a, _ = scattering_table()
    assert len(a) == 99
    with pytest.raises(ValueError, match="atomic number 99"):
        atomic_scattering_factors([8, 99], s)


# --- batches and input forms -------------------------------------------------


def test_batch_equals_single_crystal_results():
    crystals = [_arrays(s) for s in STRUCTURES.values()]
    batch = powder_peaks(crystals, return_hkl=True)
    assert isinstance(batch, PowderPeaks) and len(batch) == len(crystals)
    for index, crystal in enumerate(crystals):
        single = powder_peaks([crystal], return_hkl=True)
        part = batch[index]
        assert_allclose(part.positions, single.positions, rtol=1e-12)
        assert_allclose(part.intensities, single.intensities, rtol=1e-12)
        assert_array_equal(part.hkl, single.hkl)
        assert_array_equal(part.multiplicities, single.multiplicities)
    assert batch.offsets[-1] == len(batch.positions)


def test_input_forms_agree():
    structure = STRUCTURES["rutile"]
    record = collections.namedtuple(
        "Crystal", "lattice frac_coords numbers space_group"
    )
    arrays = _arrays(structure)
    forms = [
        structure,
        arrays,
        record(arrays["lattice"], arrays["frac_coords"], arrays["numbers"], 136),
        (structure.lattice, arrays["frac_coords"], arrays["numbers"], 136),
    ]
    results = powder_peaks(forms)
    for index in range(1, len(forms)):
        assert_allclose(results[index].intensities, results[0].intensities)


def test_bad_crystals_raise_with_index():
    good = _arrays(STRUCTURES["NaCl"])
    empty = dict(good, frac_coords=np.zeros((0, 3)), numbers=[])
    nan = dict(
        good, frac_coords=np.where(np.eye(8, 3) > 0, np.nan, good["frac_coords"])
    )
    flat = dict(good, lattice=[[4, 0, 0], [0, 4, 0], [4, 4, 0]])
    for bad, reason in (
        (empty, "no atoms"),
        (nan, "non-finite"),
        (flat, "zero volume"),
    ):
        with pytest.raises(ValueError, match=f"crystal 1: .*{reason}"):
            powder_peaks([good, bad, good])
    with pytest.raises(ValueError, match="crystal 0: .*scattering"):
        powder_peaks([dict(good, numbers=np.full(8, 120))])
    with pytest.raises(ValueError, match="crystal 2: .*shape"):
        powder_peaks([good, good, dict(good, lattice=np.eye(2))])


def test_bad_crystals_skipped_with_warning():
    good = _arrays(STRUCTURES["NaCl"])
    bad = dict(good, lattice=np.full((3, 3), np.nan))
    with pytest.warns(RuntimeWarning, match="Skipped 1 invalid crystal.*crystal 1"):
        peaks = powder_peaks([good, bad, good], errors="skip")
    assert peaks.valid.tolist() == [True, False, True]
    assert len(peaks[1].positions) == 0
    assert_allclose(peaks[2].intensities, powder_peaks(good).intensities)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        powder_peaks([good], errors="skip")


def test_bad_options():
    crystal = _arrays(STRUCTURES["NaCl"])
    with pytest.raises(ValueError, match="two_theta_range"):
        powder_peaks(crystal, two_theta_range=(90, 5))
    with pytest.raises(ValueError, match="errors"):
        powder_peaks(crystal, errors="ignore")
    with pytest.raises(ValueError, match="march_dollase_ratio"):
        powder_peaks(crystal, march_dollase_ratio=-1.0)
    with pytest.raises(ValueError, match="preferred_direction"):
        powder_peaks(crystal, march_dollase_ratio=0.8, preferred_direction=[0, 0, 0])


def test_empty_batch():
    peaks = powder_peaks([])
    assert len(peaks) == 0 and peaks.offsets.tolist() == [0]


def test_chunked_computation_agrees(monkeypatch):
    # Large cells and batches are processed in slices to bound memory.
    from skxrd.diffraction import _powder, _structure_factors

    crystals = [STRUCTURES["monoclinic"], STRUCTURES["Si"]]
    options = {
        "scaled": False,
        "space_groups": [14, 227],
        "march_dollase_ratio": 0.8,
        "preferred_direction": [1, 1, 0],
    }
    whole = powder_peaks(crystals, **options)
    monkeypatch.setattr(_structure_factors, "_TABLE_CHUNK_ENTRIES", 50)
    monkeypatch.setattr(_powder, "_ORBIT_CHUNK_ENTRIES", 100)
    chunked = powder_peaks(crystals, **options)
    assert_array_equal(chunked.offsets, whole.offsets)
    assert_allclose(chunked.intensities, whole.intensities, rtol=1e-12)


# --- Laue symmetry shortcut ---------------------------------------------------

SPACE_GROUPS = {"NaCl": 225, "Si": 227, "rutile": 136, "monoclinic": 14, "triclinic": 2}


@pytest.fixture(scope="module")
def generated_crystals():
    """One random crystal of every space group from skxrd.synthetic."""
    from skxrd.synthetic import CrystalGenerator

    return CrystalGenerator(random_state=7).generate_batch(np.arange(1, 231))


def _orientation(n, seed):
    rng = np.random.default_rng(seed)
    ratio = np.where(rng.random(n) < 0.7, rng.uniform(0.6, 1.4, n), 1.0)
    choices = np.array([[0, 0, 1], [1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 0, 2]])
    return ratio, choices[rng.integers(0, len(choices), n)]


def _assert_same_peaks(fast, slow, n_crystals):
    assert_array_equal(fast.offsets, slow.offsets)
    assert_allclose(fast.positions, slow.positions, rtol=0, atol=1e-9)
    assert_array_equal(fast.hkl, slow.hkl)
    assert_array_equal(fast.multiplicities, slow.multiplicities)
    for index in range(n_crystals):
        a, b = fast[index].intensities, slow[index].intensities
        assert a.max() == pytest.approx(b.max(), rel=1e-6)
        assert_allclose(a, b, rtol=0, atol=1e-9 * b.max())


@pytest.mark.parametrize("textured", [False, True], ids=["random", "textured"])
def test_symmetry_shortcut_equals_full_sum_for_all_230_groups(
    generated_crystals, textured
):
    # Every crystal system, R groups on hexagonal axes, monoclinic unique
    # axis b, both trigonal Laue classes -3m1 and -31m.
    options = {"scaled": False, "return_hkl": True, "two_theta_range": (4, 91)}
    if textured:
        ratio, direction = _orientation(len(generated_crystals), 0)
        options.update(march_dollase_ratio=ratio, preferred_direction=direction)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fast = powder_peaks(generated_crystals, **options)
    slow = powder_peaks(generated_crystals, space_groups=None, **options)
    _assert_same_peaks(fast, slow, len(generated_crystals))


def test_symmetry_shortcut_is_used_for_generated_crystals(generated_crystals):
    # The multiplicity of a single reflection is at most 2 without symmetry.
    cubic = [c for c in generated_crystals if c.space_group == 221]
    fast = powder_peaks(cubic, return_hkl=True)
    slow = powder_peaks(cubic, return_hkl=True, space_groups=None)
    assert_array_equal(fast.multiplicities, slow.multiplicities)
    from skxrd.diffraction import _powder

    crystal_rows = []
    original = _powder._orbits

    def spy(crystal, hkl, laue):
        crystal_rows.append(len(hkl))
        return original(crystal, hkl, laue)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_powder, "_orbits", spy)
        powder_peaks(cubic)
        powder_peaks(cubic, space_groups=None)
    # m-3m: the cone h >= k >= l >= 0 holds about 1/24 of the half-space.
    assert crystal_rows[0] * 10 < crystal_rows[1]


@pytest.mark.parametrize("name", list(STRUCTURES))
def test_symmetry_of_pymatgen_structures_given_groups(name):
    structure = STRUCTURES[name]
    ratio, direction = 0.8, [1, 1, 0]
    options = {"scaled": False, "return_hkl": True}
    for extra in ({}, {"march_dollase_ratio": ratio, "preferred_direction": direction}):
        fast = powder_peaks(
            structure, space_groups=[SPACE_GROUPS[name]], **options, **extra
        )
        slow = powder_peaks(structure, **options, **extra)
        _assert_same_peaks(fast, slow, 1)


def test_nacl_multiplicities_with_symmetry():
    peaks = powder_peaks(STRUCTURES["NaCl"], return_hkl=True, space_groups=[225])
    assert peaks.hkl[:3].tolist() == [[1, 1, 1], [2, 0, 0], [2, 2, 0]]
    assert peaks.multiplicities[:3].tolist() == [8, 6, 12]


def test_hexagonal_and_rhombohedral_structures_with_symmetry():
    # Wurtzite-like P6_3mc (186, 6/mmm) and corundum-like R-3c (167,
    # hexagonal axes, -3m1) built by pymatgen, against the full sum and
    # against pymatgen itself.
    from_sg = Structure.from_spacegroup
    structures = {
        186: from_sg(
            186,
            Lattice.hexagonal(3.25, 5.21),
            ["Zn", "O"],
            [[1 / 3, 2 / 3, 0.0], [1 / 3, 2 / 3, 0.382]],
        ),
        167: from_sg(
            167,
            Lattice.hexagonal(4.76, 12.99),
            ["Al", "O"],
            [[0, 0, 0.352], [0.306, 0, 0.25]],
        ),
        162: from_sg(
            162,
            Lattice.hexagonal(5.1, 4.7),
            ["Mg", "O"],
            [[1 / 3, 2 / 3, 0.5], [0.37, 0, 0.21]],
        ),
    }
    for number, structure in structures.items():
        fast = powder_peaks(structure, return_hkl=True, space_groups=[number])
        slow = powder_peaks(structure, return_hkl=True, space_groups=None)
        _assert_same_peaks(fast, slow, 1)
        reference = _pymatgen(structure)
        assert_allclose(fast.positions, reference.x, atol=1e-9)
        assert_allclose(fast.intensities, reference.y, atol=1e-3)


def test_space_group_from_mapping_key_and_attribute():
    arrays = _arrays(STRUCTURES["rutile"])
    record = collections.namedtuple(
        "Crystal", "lattice frac_coords numbers space_group"
    )
    keyed = dict(arrays, space_group=136)
    plain = powder_peaks(arrays, return_hkl=True)
    for crystal in (keyed, record(**keyed)):
        fast = powder_peaks(crystal, return_hkl=True)
        _assert_same_peaks(fast, plain, 1)
    with pytest.raises(ValueError, match="crystal 1: .*space_group"):
        powder_peaks([arrays, dict(arrays, space_group="P4_2/mnm")])


def test_wrong_setting_is_detected_and_computed_without_symmetry():
    # A monoclinic cell with its unique axis along c, declared P2_1/c in the
    # standard unique-axis-b setting: the lattice lacks the 2-fold along b.
    crystal = _arrays(STRUCTURES["triclinic"])
    crystal["lattice"] = Lattice.monoclinic(5.1, 6.2, 7.3, 101).matrix
    crystal["lattice"] = crystal["lattice"][[1, 2, 0]][:, [1, 2, 0]]
    with pytest.warns(RuntimeWarning, match="crystal 1 .space group 14.*lacks"):
        peaks = powder_peaks([crystal, crystal], space_groups=[None, 14])
    assert_allclose(peaks[1].intensities, peaks[0].intensities, rtol=1e-12)


def test_bad_space_groups_argument():
    crystal = _arrays(STRUCTURES["NaCl"])
    with pytest.raises(ValueError, match="2 entries for 1 crystals"):
        powder_peaks([crystal], space_groups=[225, 225])
    with pytest.raises(ValueError, match=r"space_groups\[0\] must be in 1..230"):
        powder_peaks([crystal], space_groups=[231])
    with pytest.raises(ValueError, match="space_groups must be 'auto'"):
        powder_peaks([crystal], space_groups="yes")


def test_laue_classes_match_the_wyckoff_tables():
    # Rotation parts of the general position, plus inversion, in the
    # standard settings the generator uses (unique axis b, hexagonal axes).
    from skxrd.synthetic import wyckoff_positions

    orders = {}
    for number in range(1, 231):
        rotations = np.rint(wyckoff_positions(number).rotations[0]).astype(int)
        expected = np.unique(np.concatenate([rotations, -rotations]), axis=0)
        ours = laue_rotations()[laue_class_index(number)]
        assert_array_equal(np.unique(ours, axis=0), expected, err_msg=str(number))
        orders[number] = len(ours)
    assert [orders[n] for n in (1, 14, 62, 88, 139, 148, 162, 166, 176, 194)] == [
        2,
        4,
        8,
        8,
        16,
        6,
        12,
        12,
        12,
        24,
    ]
    assert orders[206] == 24 and orders[225] == 48


def _box(n):
    axis = np.arange(-n, n + 1)
    box = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(-1, 3)
    return box[np.abs(box).sum(axis=1) > 0]


@pytest.mark.parametrize("laue_index", range(12))
def test_orbit_representatives_and_sizes(laue_index):
    rotations = laue_rotations()[laue_index]
    box = _box(5)
    is_rep, size = orbit_representatives(box, rotations)
    images = np.einsum("ni,oij->noj", box, rotations)
    distinct = [{tuple(v) for v in image} for image in images.tolist()]
    assert_array_equal(size, [len(members) for members in distinct])
    # The representative is the lexicographically largest member, and every
    # orbit has exactly one.
    largest = [max(members) for members in distinct]
    expected = [tuple(h) == m for h, m in zip(box.tolist(), largest, strict=True)]
    assert_array_equal(is_rep, expected)
    # Orbits wholly inside the box: one representative each, sizes add up.
    inside = np.array([max(map(abs, sum(m, ()))) <= 5 for m in distinct])
    assert size[is_rep & inside].sum() == inside.sum()
    # The enumeration's constraints keep every representative.
    constraints = representative_constraints(laue_index)
    assert np.all(box[is_rep] @ constraints.T >= 0)


def test_enumeration_constraints_filter_exactly():
    rng = np.random.default_rng(1)
    lattices = rng.normal(size=(6, 3, 3)) * 3 + 7 * np.eye(3)
    metrics = reciprocal_metrics(lattices)
    constraints = np.array(
        [[[0, 1, -1], [1, -1, 0], [0, 0, 0]], [[0, 0, 1], [2, 1, 0], [1, 0, -3]]]
    )[np.arange(6) % 2]
    crystal, hkl, g2 = enumerate_reflections(metrics, 0.05, 0.8)
    keep = np.all(np.einsum("ni,nmi->nm", hkl, constraints[crystal]) >= 0, axis=1)
    got = enumerate_reflections(metrics, 0.05, 0.8, constraints)
    assert_array_equal(got[0], crystal[keep])
    assert_array_equal(got[1], hkl[keep])
    assert_allclose(got[2], g2[keep])
