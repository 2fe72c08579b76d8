import numpy as np
import pytest
from pymatgen.core import DummySpecies, Lattice, Structure

from skxrd import two_theta_grid
from skxrd.engine import structure_variants

GRID = two_theta_grid()


def _two_theta(d):
    return 2 * np.degrees(np.arcsin(1.54184 / (2 * d)))


def _peak_near(pattern, centre, half_width=1.0):
    window = np.abs(GRID - centre) < half_width
    return GRID[window][np.argmax(pattern[window])]


def test_strained_nacl_keeps_bragg_positions_within_the_strain(nacl):
    X, y, index = structure_variants(
        [nacl], 6, strain=0.03, substitution_probability=0, random_state=0
    )
    assert X.shape == (6, GRID.size) and set(y) == {225} and set(index) == {0}
    np.testing.assert_allclose(X.max(axis=1), 1)
    # (200) of a cubic cell a(1 ± 0.03): d = a / 2.
    low, high = _two_theta(5.64 * 1.03 / 2), _two_theta(5.64 * 0.97 / 2)
    found = [_peak_near(x, _two_theta(5.64 / 2), 1.5) for x in X]
    assert all(low - 0.01 <= p <= high + 0.01 for p in found), (low, high, found)
    assert np.ptp(found) > 0.1  # the copies differ


def test_tetragonal_copies_change_a_and_c_independently(rutile):
    X, _, _ = structure_variants(
        [rutile], 8, strain=0.03, substitution_probability=0, random_state=1
    )
    # (110) depends on a only, (101) on a and c: their ratio moves only if
    # c/a does.
    d110, d101 = 4.594 / np.sqrt(2), 1 / np.sqrt(1 / 4.594**2 + 1 / 2.959**2)
    p110 = np.array([_peak_near(x, _two_theta(d110)) for x in X])
    p101 = np.array([_peak_near(x, _two_theta(d101)) for x in X])
    ratio = np.sin(np.radians(p101 / 2)) / np.sin(np.radians(p110 / 2))
    assert np.ptp(ratio) > 0.01


def test_substitution_changes_intensities_not_positions(nacl):
    (plain,), _, _ = structure_variants(
        [nacl], 1, strain=0, substitution_probability=0, random_state=0
    )
    (swapped,), _, _ = structure_variants(
        [nacl], 1, strain=0, substitution_probability=1, random_state=0
    )
    # Na and Cl have column neighbours: both are replaced, the cell is not.
    assert not np.allclose(plain, swapped, atol=0.05)
    peaks = plain > 0.05
    assert np.all(swapped[~peaks & (plain < 1e-6)] < 1e-3)


def test_seeded_and_unusable_structures_skipped_with_a_count(nacl, rutile):
    dummy = Structure(Lattice.cubic(4.0), [DummySpecies("X")], [[0, 0, 0]])
    with pytest.warns(UserWarning, match="structure_variants skipped 1 of 3"):
        X, y, index = structure_variants([nacl, dummy, rutile], 2, random_state=5)
    assert index.tolist() == [0, 0, 2, 2] and y.tolist() == [225, 225, 136, 136]
    with pytest.warns(UserWarning):
        again, _, _ = structure_variants([nacl, dummy, rutile], 2, random_state=5)
    np.testing.assert_array_equal(X, again)


@pytest.mark.parametrize(
    "params", [{"n_variants": 0}, {"strain": -0.1}, {"substitution_probability": 2}]
)
def test_bad_parameters(nacl, params):
    n = params.pop("n_variants", 2)
    with pytest.raises(ValueError):
        structure_variants([nacl], n, **params)


def test_rescaled_substitution_moves_the_peaks_to_the_new_compounds_cell():
    lime = Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(4.811), ["Ca", "O"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )
    settings = {"strain": 0, "substitution_probability": 1, "random_state": 0}
    kept, _, _ = structure_variants([lime], 6, **settings)
    moved, _, _ = structure_variants([lime], 6, rescale_substituted=True, **settings)
    # Every element replaced: Mg or Sr for Ca, S for O.  Vegard's law with
    # Slater's radii puts MgS at a = 5.01 Å (measured 5.20) and SrS at 6.01 Å
    # (measured 6.02); the cell kept, (200) stays at CaO's.
    assert all(
        GRID[x.argmax()] == pytest.approx(_two_theta(4.811 / 2), abs=0.03) for x in kept
    )
    cells = {4.811 * 2.5 / 2.4, 4.811 * 3.0 / 2.4}
    found = {
        min(cells, key=lambda a: abs(GRID[x.argmax()] - _two_theta(a / 2)))
        for x in moved
    }
    for x in moved:
        assert min(abs(GRID[x.argmax()] - _two_theta(a / 2)) for a in cells) < 0.03
    assert found == cells


def test_variant_peaks_take_the_defaults_of_structure_variants():
    # The references stored in model files are made by _variant_peaks; they
    # must be the copies structure_variants renders.
    import inspect

    from skxrd.engine._variants import _variant_peaks

    def defaults(function):
        return {
            name: p.default
            for name, p in inspect.signature(function).parameters.items()
            if p.default is not inspect.Parameter.empty
        }

    public = defaults(structure_variants)
    public.pop("profile")
    assert defaults(_variant_peaks) == public


def test_variants_are_the_same_on_two_jobs():
    # The symmetry analysis, shared among workers, must keep order and cells.
    from skxrd.structures import load_structures

    records = list(load_structures("pymatgen")) * 4
    one = structure_variants(records, 1, random_state=0)
    two = structure_variants(records, 1, n_jobs=2, random_state=0)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a, b)
