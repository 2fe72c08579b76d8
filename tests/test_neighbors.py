"""Search-match against reference patterns (skxrd.neighbors)."""

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from skxrd import simulate_patterns
from skxrd.neighbors import PatternMatchClassifier


def _rock_salt(a):
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )


@pytest.fixture(scope="module")
def references():
    """Simulated NaCl, Si and rutile: space groups 225, 227 and 136."""
    structures = [
        _rock_salt(5.64),
        Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]]),
        Structure.from_spacegroup(
            "P4_2/mnm",
            Lattice.tetragonal(4.594, 2.959),
            ["Ti", "O"],
            [[0, 0, 0], [0.305, 0.305, 0]],
        ),
    ]
    X, y, _ = simulate_patterns(structures, progress=False)
    return X, y


@pytest.fixture(scope="module")
def expanded_salt():
    """NaCl with a 3% larger cell, as in a NaCl-NaBr solid solution."""
    X, y, _ = simulate_patterns([_rock_salt(5.64 * 1.03)], progress=False)
    return X, y


def test_references_have_the_known_groups(references):
    assert references[1].tolist() == [225, 227, 136]


def test_matches_a_larger_cell_of_the_same_structure_type(references, expanded_salt):
    matcher = PatternMatchClassifier().fit(*references)
    assert matcher.predict(expanded_salt[0]).tolist() == [225]
    distance, index, scale = matcher.kneighbors(
        expanded_salt[0], n_neighbors=3, return_scale=True
    )
    assert index[0, 0] == 0
    # The cell is 3% larger; the search steps by 0.5%.
    assert scale[0, 0] == pytest.approx(1.03, abs=0.0026)
    assert distance[0, 0] < 0.05
    assert np.all(np.diff(distance[0]) >= 0)


def test_without_lattice_scaling_the_larger_cell_matches_worse(
    references, expanded_salt
):
    scaled = PatternMatchClassifier().fit(*references)
    fixed = PatternMatchClassifier(max_scale=0.0).fit(*references)
    assert fixed.scales_.tolist() == [1.0]
    best_scaled = scaled.kneighbors(expanded_salt[0], 1)[0][0, 0]
    best_fixed = fixed.kneighbors(expanded_salt[0], 1)[0][0, 0]
    assert best_fixed > best_scaled + 0.3


def test_each_reference_matches_itself_exactly(references):
    X, y = references
    matcher = PatternMatchClassifier().fit(X, y)
    distance, index, scale = matcher.kneighbors(X, 1, return_scale=True)
    assert index[:, 0].tolist() == [0, 1, 2]
    np.testing.assert_allclose(distance[:, 0], 0, atol=1e-4)
    np.testing.assert_allclose(scale[:, 0], 1.0)


def test_fixed_classes_give_absent_groups_the_lowest_score(references):
    X, y = references
    matcher = PatternMatchClassifier(classes=np.arange(1, 231)).fit(X, y)
    scores = matcher.decision_function(X)
    assert scores.shape == (3, 230)
    absent = np.setdiff1d(np.arange(230), y - 1)
    assert np.all(scores[:, absent] == -1)
    proba = matcher.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    assert matcher.predict(X).tolist() == [225, 227, 136]
    assert matcher.predict_crystal_system(X).tolist() == [
        "cubic",
        "cubic",
        "tetragonal",
    ]


def test_a_label_outside_the_fixed_classes_is_refused(references):
    X, y = references
    with pytest.raises(ValueError, match=r"Labels \[225, 227\] are not in the fixed"):
        PatternMatchClassifier(classes=[136]).fit(X, y)


def test_batch_size_does_not_change_the_answer(references, expanded_salt):
    X = np.vstack([references[0], expanded_salt[0]])
    one = PatternMatchClassifier(batch_size=1).fit(*references).predict_proba(X)
    many = PatternMatchClassifier(batch_size=256).fit(*references).predict_proba(X)
    np.testing.assert_allclose(one, many, atol=1e-6)


def test_temperature_sharpens_without_changing_the_order(references, expanded_salt):
    cold = PatternMatchClassifier(temperature=0.01).fit(*references)
    warm = PatternMatchClassifier(temperature=1.0).fit(*references)
    p_cold = cold.predict_proba(expanded_salt[0])
    p_warm = warm.predict_proba(expanded_salt[0])
    assert p_cold.max() > p_warm.max()
    assert np.argsort(p_cold[0]).tolist() == np.argsort(p_warm[0]).tolist()


def test_reject_option(references, expanded_salt):
    matcher = PatternMatchClassifier(temperature=1.0, reject_threshold=0.9)
    matcher.fit(*references)
    # Correlations differ by less than 1 at temperature 1: nothing is certain.
    assert matcher.predict(expanded_salt[0]).tolist() == [-1]


def test_a_custom_grid_must_fit_the_patterns(references):
    X, y = references
    with pytest.raises(ValueError, match="two_theta has shape"):
        PatternMatchClassifier(two_theta=np.linspace(5, 90, 100)).fit(X, y)
    uneven = np.geomspace(5, 90, X.shape[1])
    with pytest.raises(ValueError, match="increasing grid of equal steps"):
        PatternMatchClassifier(two_theta=uneven).fit(X, y)


def test_a_custom_grid_is_used(references):
    X, y = references
    grid = 5 + 0.01 * np.arange(X.shape[1])
    default = PatternMatchClassifier().fit(X, y).decision_function(X)
    custom = PatternMatchClassifier(two_theta=grid).fit(X, y).decision_function(X)
    np.testing.assert_allclose(default, custom, atol=1e-6)
