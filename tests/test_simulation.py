"""Tests of peak lists of real structures, stick datasets and simulate_patterns."""

import itertools
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skxrd import WAVELENGTHS
from skxrd.simulation import (
    ProfileParameters,
    ProfileSampler,
    SkippedStructureWarning,
    StickDataset,
    compute_sticks,
    simulate_patterns,
    space_group_label,
    structure_peaks,
)

pymatgen_core = pytest.importorskip("pymatgen.core")
Lattice, Structure = pymatgen_core.Lattice, pymatgen_core.Structure

BROKEN_CIF = "data_broken\n_cell_length_a 5.0\nloop_\n_atom_site_label\ngarbage\n"
# pymatgen refuses a site whose occupancies add up to 2.
OVERFULL_CIF = """data_overfull
_symmetry_space_group_name_H-M 'P 1'
_cell_length_a 4.0
_cell_length_b 4.0
_cell_length_c 4.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
loop_
_symmetry_equiv_pos_as_xyz
'x, y, z'
loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
_atom_site_occupancy
Fe1 Fe 0 0 0 1.0
Ni1 Ni 0 0 0 1.0
"""


@pytest.fixture(scope="module")
def silicon():
    return Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]])


@pytest.fixture(scope="module")
def monoclinic():
    lattice = Lattice.from_parameters(5.1, 6.3, 7.2, 90, 104.5, 90)
    return Structure.from_spacegroup(
        "P2_1/c",
        lattice,
        ["Zn", "O", "S"],
        [[0.12, 0.21, 0.33], [0.4, 0.05, 0.27], [0.71, 0.38, 0.09]],
    )


@pytest.fixture(scope="module")
def triclinic():
    lattice = Lattice.from_parameters(5.3, 6.1, 7.4, 81.0, 97.0, 103.0)
    return Structure(
        lattice,
        ["Ca", "Ca", "O", "O", "Si"],
        [
            [0, 0, 0],
            [0.41, 0.17, 0.63],
            [0.22, 0.71, 0.12],
            [0.83, 0.35, 0.44],
            [0.57, 0.91, 0.28],
        ],
    )


@pytest.fixture(scope="module")
def disordered():
    """fcc site half Fe, half Ni: a partial occupancy pymatgen accepts."""
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(3.56), [{"Fe": 0.5, "Ni": 0.5}], [[0, 0, 0]]
    )


def bragg_two_theta(d, wavelength=WAVELENGTHS["CuKa"]):
    return 2 * np.degrees(np.arcsin(wavelength / (2 * d)))


def allowed_reflections(inv_d2, allowed, max_index=8, two_theta_max=90.0):
    """Bragg angles of all hkl passing `allowed`, from hand-written 1/d²."""
    angles = set()
    for h, k, l in itertools.product(range(-max_index, max_index + 1), repeat=3):
        if (h, k, l) != (0, 0, 0) and allowed(h, k, l):
            s = WAVELENGTHS["CuKa"] * np.sqrt(inv_d2(h, k, l)) / 2
            if s < 1 and 5.0 <= 2 * np.degrees(np.arcsin(s)) <= two_theta_max:
                angles.add(round(2 * np.degrees(np.arcsin(s)), 6))
    return np.array(sorted(angles))


def fcc(h, k, l):
    return len({h % 2, k % 2, l % 2}) == 1


def diamond(h, k, l):
    return fcc(h, k, l) and not (h % 2 == 0 and (h + k + l) % 4 == 2)


def p42mnm(h, k, l):
    # Reflection conditions of P4_2/mnm: 0kl: k+l=2n, h0l: h+l=2n, 00l: l=2n.
    if h == 0 and (k + l) % 2:
        return False
    return not (k == 0 and (h + l) % 2)


CASES = {
    "nacl": (
        lambda h, k, l: (h * h + k * k + l * l) / 5.64**2,
        fcc,
        225,
        [(1, 1, 1), (2, 0, 0), (2, 2, 0), (3, 1, 1), (2, 2, 2), (4, 0, 0)],
    ),
    "silicon": (
        lambda h, k, l: (h * h + k * k + l * l) / 5.431**2,
        diamond,
        227,
        [(1, 1, 1), (2, 2, 0), (3, 1, 1), (4, 0, 0), (3, 3, 1)],
    ),
    "rutile": (
        lambda h, k, l: (h * h + k * k) / 4.594**2 + l * l / 2.959**2,
        p42mnm,
        136,
        [(1, 1, 0), (1, 0, 1), (2, 0, 0), (1, 1, 1), (2, 1, 1), (2, 2, 0)],
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_known_structures_peak_positions_and_labels(name, request):
    structure = request.getfixturevalue(name)
    inv_d2, allowed, label, strong = CASES[name]
    two_theta, intensity = structure_peaks(structure)
    expected = allowed_reflections(inv_d2, allowed)
    # Every computed peak sits on an allowed Bragg angle ...
    nearest = np.abs(two_theta[:, None] - expected[None, :]).min(axis=1)
    assert nearest.max() < 0.01
    # ... and the strong low-angle reflections are all there.
    for hkl in strong:
        angle = bragg_two_theta(1 / np.sqrt(inv_d2(*hkl)))
        assert np.abs(two_theta - angle).min() < 0.01, hkl
    assert intensity.max() == pytest.approx(100.0)
    assert space_group_label(structure) == label


def test_silicon_forbidden_reflections_absent(silicon):
    two_theta, _ = structure_peaks(silicon)
    for hkl in [(2, 0, 0), (2, 2, 2), (4, 2, 0)]:
        angle = bragg_two_theta(5.431 / np.sqrt(sum(i * i for i in hkl)))
        assert np.abs(two_theta - angle).min() > 0.1, hkl


def test_other_wavelength(nacl):
    two_theta, _ = structure_peaks(nacl, wavelength="MoKa", two_theta_range=(5, 40))
    d200 = 5.64 / 2
    angle = bragg_two_theta(d200, WAVELENGTHS["MoKa"])
    assert np.abs(two_theta - angle).min() < 0.01
    assert two_theta.max() < 40


@pytest.mark.parametrize(
    "name", ["nacl", "silicon", "rutile", "monoclinic", "triclinic", "disordered"]
)
def test_vectorized_peaks_equal_pymatgen(name, request):
    structure = request.getfixturevalue(name)
    ours = structure_peaks(structure)
    reference = structure_peaks(structure, method="pymatgen")
    assert ours[0].shape == reference[0].shape
    assert_allclose(ours[0], reference[0], atol=1e-8)
    assert_allclose(ours[1], reference[1], rtol=1e-7, atol=1e-9)


def test_labels_of_low_symmetry_and_disordered(monoclinic, triclinic, disordered):
    assert space_group_label(monoclinic) == 14
    assert space_group_label(triclinic) == 1
    assert space_group_label(disordered) == 225


@pytest.fixture
def cif_folder(tmp_path, nacl, silicon):
    from pymatgen.io.cif import CifWriter

    paths = []
    for name, structure in [("nacl", nacl), ("silicon", silicon)]:
        CifWriter(structure).write_file(tmp_path / f"{name}.cif")
        paths.append(tmp_path / f"{name}.cif")
    (tmp_path / "broken.cif").write_text(BROKEN_CIF)
    (tmp_path / "overfull.cif").write_text(OVERFULL_CIF)
    return tmp_path, [
        paths[0],
        tmp_path / "broken.cif",
        paths[1],
        tmp_path / "overfull.cif",
    ]


def test_broken_cifs_are_skipped_and_named(cif_folder):
    folder, paths = cif_folder
    with pytest.warns(SkippedStructureWarning) as record:
        X, y, info = simulate_patterns(paths, random_state=0)
    messages = [str(w.message) for w in record]
    assert any("broken.cif" in m and "no structures" in m for m in messages)
    assert any("overfull.cif" in m and "ccupanc" in m for m in messages)
    assert X.shape == (2, 8500) and X.dtype == np.float32
    assert y.tolist() == [225, 227]
    assert info.names.tolist() == [str(paths[0]), str(paths[2])]
    assert info.n_skipped == 2
    assert [name for name, _ in info.skipped] == [str(paths[1]), str(paths[3])]


def test_no_peaks_in_range_and_bad_items_are_skipped(nacl, tmp_path):
    tiny = Structure(Lattice.cubic(0.8), ["H"], [[0, 0, 0]])
    with pytest.warns(SkippedStructureWarning) as record:
        sticks = compute_sticks(
            [tiny, nacl, 42, tmp_path / "missing.cif"],
            names=["tiny", "salt", "number", "missing"],
        )
    reasons = dict(sticks.skipped)
    assert "no diffraction peaks" in reasons["tiny"]
    assert "not a pymatgen Structure" in reasons["number"]
    assert "cannot read" in reasons["missing"]
    assert sticks.names.tolist() == ["salt"]
    assert len(record) == 3


def test_simulated_pattern_matches_full_gaussian(nacl):
    sigma = 0.05
    X, y, info = simulate_patterns([nacl], profile=ProfileParameters.gaussian(sigma))
    grid = np.arange(8500) * 0.01 + 5.0
    positions, intensities = structure_peaks(nacl)
    full = (
        intensities[:, None]
        * np.exp(-0.5 * ((grid[None, :] - positions[:, None]) / sigma) ** 2)
    ).sum(0)
    assert_allclose(X[0], full / full.max(), atol=1e-5)
    assert y.tolist() == [225]


def test_sticks_save_load_round_trip(tmp_path, nacl, silicon, rutile):
    tiny = Structure(Lattice.cubic(0.8), ["H"], [[0, 0, 0]])
    with pytest.warns(SkippedStructureWarning):
        sticks = compute_sticks(
            [nacl, tiny, silicon, rutile], names=["NaCl", "tiny", "Si", "TiO2"]
        )
    sticks.save(tmp_path / "sticks.npz")
    loaded = StickDataset.load(tmp_path / "sticks.npz")
    for field in ("positions", "intensities", "offsets", "labels", "names"):
        assert_array_equal(getattr(loaded, field), getattr(sticks, field))
    assert loaded.wavelength == sticks.wavelength
    assert loaded.two_theta_range == sticks.two_theta_range
    assert loaded.skipped == sticks.skipped and loaded.skipped[0][0] == "tiny"
    assert_array_equal(
        loaded.render(ProfileSampler(), random_state=2),
        sticks.render(ProfileSampler(), random_state=2),
    )


def test_load_rejects_other_files(tmp_path):
    np.savez(tmp_path / "other.npz", x=np.ones(3))
    with pytest.raises(ValueError, match="other.npz is not a stick dataset"):
        StickDataset.load(tmp_path / "other.npz")


def test_stick_dataset_subsets_and_concatenation(nacl, silicon, rutile):
    sticks = compute_sticks([nacl, silicon, rutile], names=["a", "b", "c"])
    sub = sticks[[2, 0]]
    assert sub.names.tolist() == ["c", "a"] and sub.labels.tolist() == [136, 225]
    assert_array_equal(sub.peaks(0)[0], sticks.peaks(2)[0])
    assert_array_equal(sub.peaks(1)[1], sticks.peaks(0)[1])
    joined = StickDataset.concatenate([sticks[:1], sticks[1:]])
    assert_array_equal(joined.positions, sticks.positions)
    assert_array_equal(joined.offsets, sticks.offsets)
    with pytest.raises(ValueError, match="labels must be space groups"):
        StickDataset([20.0], [1.0], [0, 1], labels=[0])


def test_memory_cache_avoids_recomputation(tmp_path, nacl, monkeypatch):
    first = compute_sticks([nacl], memory=tmp_path)

    def fail(*args, **kwargs):
        raise AssertionError("diffraction recomputed")

    monkeypatch.setattr("skxrd.simulation._simulate.structure_peaks", fail)
    with warnings.catch_warnings():
        warnings.simplefilter("error", SkippedStructureWarning)
        second = compute_sticks([nacl], memory=tmp_path)
    assert_array_equal(second.positions, first.positions)
    with pytest.warns(SkippedStructureWarning, match="diffraction recomputed"):
        compute_sticks([nacl], memory=None)


def test_progress_bar_can_be_forced(nacl, capsys):
    compute_sticks([nacl], progress=True)
    assert "structures" in capsys.readouterr().err
    compute_sticks([nacl], progress=False)
    assert capsys.readouterr().err == ""


def test_simulate_patterns_is_seeded(nacl, rutile):
    a, _, _ = simulate_patterns(
        [nacl, rutile], profile=ProfileSampler(), random_state=5
    )
    b, _, _ = simulate_patterns(
        [nacl, rutile], profile=ProfileSampler(), random_state=5
    )
    assert_array_equal(a, b)
    assert_allclose(a.max(axis=1), 1.0)


@pytest.mark.slow
def test_parallel_jobs_give_the_same_sticks(cif_folder, monoclinic):
    _, paths = cif_folder
    items = [*paths, monoclinic]
    with pytest.warns(SkippedStructureWarning):
        serial = compute_sticks(items)
    with pytest.warns(SkippedStructureWarning):
        parallel = compute_sticks(items, n_jobs=2)
    # joblib's workers cap BLAS threads, which may change the last bit of a sum.
    np.testing.assert_allclose(parallel.positions, serial.positions, rtol=1e-12)
    np.testing.assert_allclose(parallel.intensities, serial.intensities, rtol=1e-9)
    assert parallel.names.tolist() == serial.names.tolist()
    assert parallel.skipped == serial.skipped


@pytest.mark.slow
def test_dask_backend_unchanged(cif_folder, rutile):
    distributed = pytest.importorskip("distributed")
    import joblib

    _, paths = cif_folder
    items = [*paths, rutile]
    with pytest.warns(SkippedStructureWarning):
        serial = compute_sticks(items)
    with distributed.Client(
        processes=False, n_workers=1, threads_per_worker=2, dashboard_address=None
    ):
        with (
            joblib.parallel_config(backend="dask"),
            pytest.warns(SkippedStructureWarning),
        ):
            on_dask = compute_sticks(items, n_jobs=2)
    assert_array_equal(on_dask.positions, serial.positions)
    assert_array_equal(on_dask.labels, serial.labels)
    assert on_dask.skipped == serial.skipped
