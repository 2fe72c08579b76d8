import warnings

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from skxrd.engine import StructurePatternSource
from skxrd.engine._structure_source import _perturb, _radius_ratio, _substitutes
from skxrd.simulation import GaussianWidthSampler


@pytest.fixture(scope="module")
def structures(nacl, rutile):
    monoclinic = Structure.from_spacegroup(
        "P2_1/c",
        Lattice.monoclinic(5.1, 6.2, 7.3, 101.0),
        ["Zr", "O", "O"],
        [[0.276, 0.040, 0.208], [0.070, 0.332, 0.345], [0.450, 0.757, 0.479]],
    )
    triclinic = Structure(
        Lattice.from_parameters(5.0, 6.0, 7.0, 80.0, 95.0, 105.0),
        ["Ca", "Si", "O"],
        [[0.1, 0.2, 0.3], [0.6, 0.7, 0.1], [0.35, 0.15, 0.8]],
    )
    return {"NaCl": nacl, "rutile": rutile, "ZrO2": monoclinic, "P1": triclinic}


def test_unstrained_rock_salt_peaks_are_where_braggs_law_puts_them(structures):
    source = StructurePatternSource(
        [structures["NaCl"]],
        strain=0.0,
        substitution_probability=0.0,
        march_dollase_probability=0.0,
        profile=GaussianWidthSampler(sigma_range=(0.02, 0.02)),
        batch_size=2,
        random_state=0,
    )
    X, y = source.take(2)
    assert y.tolist() == [225, 225]
    grid = np.arange(5, 90, 0.01)[: X.shape[1]]
    # Cu Kα (1.54184 Å), a = 5.64 Å: 2θ = 2 asin(λ √(h²+k²+l²) / 2a) puts (200),
    # the strongest, at 31.73°, (111) at 27.39° and (220) at 45.49°.
    assert grid[X[0].argmax()] == pytest.approx(31.73, abs=0.02)
    for hkl_angle in (27.39, 45.49):
        window = (grid > hkl_angle - 0.1) & (grid < hkl_angle + 0.1)
        assert grid[window][X[0][window].argmax()] == pytest.approx(hkl_angle, abs=0.02)


def _cell_and_config(structure, **params):
    """One structure's standard cell and the batch settings of a stream over it."""
    config = StructurePatternSource([structure], **params)._config()
    (cell,) = config["cells"]
    return cell, config


@pytest.mark.parametrize("name", ["NaCl", "rutile", "ZrO2", "P1"])
def test_perturbation_keeps_the_space_group(structures, name):
    cell, config = _cell_and_config(
        structures[name],
        strain=0.05,
        lattice_scale=0.05,
        substitution_probability=1.0,
        debye_waller_range=(0.0, 1.5),
        displacement=0.1,
    )
    rng = np.random.default_rng(0)
    for _ in range(5):
        crystal = _perturb(cell, rng, config)
        perturbed = Structure(
            crystal["lattice"], crystal["numbers"], crystal["frac_coords"]
        )
        found = SpacegroupAnalyzer(perturbed, symprec=0.01).get_space_group_number()
        assert found == cell["space_group"]
        assert not np.allclose(perturbed.lattice.abc, cell["parameters"][:3])
        moved = crystal["frac_coords"] - cell["frac_coords"]
        moved -= np.round(moved)
        # Rock salt's atoms sit on fixed special positions; the others move.
        assert (np.abs(moved).max() > 1e-3) == (name != "NaCl")


@pytest.mark.parametrize("name", ["rutile", "ZrO2", "P1"])
def test_lattice_scale_scales_the_cell_as_a_whole(structures, name):
    cell, config = _cell_and_config(
        structures[name],
        strain=0.0,
        lattice_scale=0.05,
        substitution_probability=0.0,
        debye_waller_range=(0.0, 0.0),
        displacement=0.0,
    )
    rng = np.random.default_rng(0)
    original = Lattice.from_parameters(*cell["parameters"])
    factors = []
    for _ in range(40):
        lattice = Lattice(_perturb(cell, rng, config)["lattice"])
        ratio = np.asarray(lattice.abc) / np.asarray(original.abc)
        # One factor for every length, the angles kept: peaks move in
        # proportion to their d-spacing and the pattern keeps its shape.
        np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
        np.testing.assert_allclose(lattice.angles, original.angles, atol=1e-9)
        factors.append(ratio[0])
    assert 0.95 <= min(factors) < 0.97 and 1.03 < max(factors) <= 1.05


def test_substitutes_are_column_neighbours():
    assert set(_substitutes(11)) == {3, 19}  # Na -> Li, K
    assert set(_substitutes(8)) == {16}  # O -> S
    assert 14 in _substitutes(6) and 32 in _substitutes(14)  # C, Si, Ge


def test_stream_is_reproducible_and_uses_every_structure(structures):
    source = StructurePatternSource(
        list(structures.values()), class_prior="uniform", batch_size=32, random_state=3
    )
    (X1, y1), (X2, y2) = source.batches(2)
    again = next(source.batches(1))
    np.testing.assert_array_equal(again[0], X1)
    assert not np.array_equal(X1, X2)
    assert set(np.concatenate([y1, y2])) == {225, 136, 14, 1}
    assert X1.dtype == np.float32 and np.allclose(X1.max(axis=1), 1.0)
    assert list(source.classes) == list(range(1, 231))
    systems = StructurePatternSource(
        [structures["rutile"]], target="crystal_system", batch_size=4, random_state=0
    ).take(4)[1]
    assert set(systems) == {"tetragonal"}


def test_unusable_structures_are_skipped_and_counted(structures):
    broken = Structure(Lattice.cubic(4.0), ["X0+"], [[0, 0, 0]])
    source = StructurePatternSource(
        [structures["NaCl"], broken], batch_size=4, random_state=0
    )
    with pytest.warns(UserWarning, match="skipped 1 of 2 structures"):
        X, y = source.take(4)
    assert (y == 225).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ValueError, match="at least one usable structure"):
            StructurePatternSource([broken]).take(1)
    with pytest.raises(ValueError, match="debye_waller_range"):
        StructurePatternSource(
            [structures["NaCl"]], debye_waller_range=(2.0, 1.0)
        ).take(1)


def test_class_prior_array_weights_the_groups_present(structures):
    # Rock salt (225) weighted 3:1 against rutile (136); the triclinic
    # structure's group gets no weight and is never drawn.
    weights = np.zeros(230)
    weights[[224, 135]] = [3.0, 1.0]
    source = StructurePatternSource(
        [structures["NaCl"], structures["rutile"], structures["P1"]],
        class_prior=weights,
        batch_size=400,
        random_state=0,
    )
    _, y = source.take(400)
    assert set(y) == {225, 136}
    assert np.mean(y == 225) == pytest.approx(0.75, abs=0.07)


@pytest.mark.parametrize(
    "weights, match",
    [(np.ones(7), "230 non-negative weights"), (-np.ones(230), "non-negative")],
)
def test_class_prior_array_must_hold_230_non_negative_weights(
    structures, weights, match
):
    source = StructurePatternSource([structures["NaCl"]], class_prior=weights)
    with pytest.raises(ValueError, match=match):
        source.take(1)


def test_class_prior_without_weight_on_any_present_group_is_refused(structures):
    weights = np.zeros(230)
    weights[0] = 1.0
    source = StructurePatternSource([structures["NaCl"]], class_prior=weights)
    with pytest.raises(ValueError, match=r"no weight to any space group.*225"):
        source.take(1)


@pytest.mark.parametrize(
    "before, after, a_before, a_after",
    [
        ((12, 8), (20, 8), 4.211, 4.811),  # MgO -> CaO
        ((20, 8), (38, 8), 4.811, 5.160),  # CaO -> SrO
        ((20, 8), (20, 16), 4.811, 5.690),  # CaO -> CaS
        ((11, 17), (11, 35), 5.640, 5.973),  # NaCl -> NaBr
        ((19, 17), (19, 35), 6.293, 6.600),  # KCl -> KBr
    ],
)
def test_radius_ratio_gives_measured_rock_salt_cells(before, after, a_before, a_after):
    # Measured lattice constants of the rock-salt compounds (Wyckoff, Crystal
    # Structures); Vegard's law with Slater's radii meets them within 1.5%.
    ratio = _radius_ratio(np.array(before), np.array(after), np.ones(2))
    assert a_before * ratio == pytest.approx(a_after, rel=0.015)


def test_rescaled_substitution_scales_the_cell_by_the_radius_ratio():
    mgo = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(4.211), ["Mg", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    settings = {"strain": 0.0, "substitution_probability": 1.0}
    cell, rescaled = _cell_and_config(mgo, rescale_substituted=True, **settings)
    _, kept = _cell_and_config(mgo, **settings)
    a = {}
    for name, config in (("rescaled", rescaled), ("kept", kept)):
        rng = np.random.default_rng(0)
        crystals = [_perturb(cell, rng, config) for _ in range(12)]
        a[name] = [np.linalg.norm(c["lattice"][0]) for c in crystals]
    # The same seed draws the same substitutes (Be or Ca for Mg, S for O):
    # only the cell differs.
    np.testing.assert_allclose(a["kept"], 4.211)
    expected = {
        4: 4.211 * (1.05 + 1.0) / (1.5 + 0.6),  # Be, S
        20: 4.211 * (1.8 + 1.0) / (1.5 + 0.6),  # Ca, S: CaS, a = 5.69 Å
    }
    rng = np.random.default_rng(0)
    cations = [
        int(np.setdiff1d(_perturb(cell, rng, rescaled)["numbers"], [16])[0])
        for _ in range(12)
    ]
    assert set(cations) == {4, 20}
    np.testing.assert_allclose(a["rescaled"], [expected[z] for z in cations])
