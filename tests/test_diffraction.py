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
    # float32 structure factors: errors are ~1e-7 of the strongest peak.
    assert_allclose(
        ours.intensities, reference.y, rtol=1e-6, atol=1e-6 * max(reference.y)
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


def test_chunked_structure_factors_agree(monkeypatch):
    # Large cells are processed in row chunks to bound memory; same result.
    from skxrd.diffraction import _powder

    structure = STRUCTURES["monoclinic"]
    whole = powder_peaks(structure, scaled=False)
    monkeypatch.setattr(_powder, "_PHASE_CHUNK_ENTRIES", 50)
    chunked = powder_peaks(structure, scaled=False)
    assert_allclose(chunked.intensities, whole.intensities, rtol=1e-6)
