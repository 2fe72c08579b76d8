import networkx as nx
import numpy as np
import pytest

from skxrd.spacegroups import (
    CRYSTAL_SYSTEMS,
    check_space_groups,
    crystal_system,
    crystal_system_index,
    crystal_systems,
    space_group,
    space_group_symbol,
    subgroup_distance,
    subgroup_distance_matrix,
    subgroup_graph,
)


@pytest.mark.parametrize(
    "number, system",
    [
        (1, "triclinic"),
        (2, "triclinic"),
        (3, "monoclinic"),
        (15, "monoclinic"),
        (16, "orthorhombic"),
        (74, "orthorhombic"),
        (75, "tetragonal"),
        (142, "tetragonal"),
        (143, "trigonal"),
        (167, "trigonal"),
        (168, "hexagonal"),
        (194, "hexagonal"),
        (195, "cubic"),
        (230, "cubic"),
    ],
)
def test_crystal_system_boundaries(number, system):
    assert crystal_system(number) == system
    assert CRYSTAL_SYSTEMS[crystal_system_index([number])[0]] == system


def test_crystal_systems_counts():
    counts = {s: 0 for s in CRYSTAL_SYSTEMS}
    for s in crystal_systems(np.arange(1, 231)):
        counts[s] += 1
    assert counts == {
        "triclinic": 2,
        "monoclinic": 13,
        "orthorhombic": 59,
        "tetragonal": 68,
        "trigonal": 25,
        "hexagonal": 27,
        "cubic": 36,
    }


@pytest.mark.parametrize(
    "number, symbol, point_group, laue, centro",
    [
        (1, "P1", "1", "-1", False),
        (2, "P-1", "-1", "-1", True),
        (14, "P2_1/c", "2/m", "2/m", True),
        (62, "Pnma", "mmm", "mmm", True),
        (136, "P4_2/mnm", "4/mmm", "4/mmm", True),
        (166, "R-3m", "-3m", "-3m", True),
        (186, "P6_3mc", "6mm", "6/mmm", False),
        (216, "F-43m", "-43m", "m-3m", False),
        (225, "Fm-3m", "m-3m", "m-3m", True),
        (227, "Fd-3m", "m-3m", "m-3m", True),
    ],
)
def test_known_space_groups(number, symbol, point_group, laue, centro):
    g = space_group(number)
    assert g.number == number
    assert space_group_symbol(number) == symbol
    assert g.point_group == point_group
    assert g.laue_class == laue
    assert g.centrosymmetric is centro


def test_table_is_complete_and_consistent():
    groups = [space_group(n) for n in range(1, 231)]
    assert len({g.symbol for g in groups}) == 230
    assert sum(g.centrosymmetric for g in groups) == 92
    assert len({g.point_group for g in groups}) == 32
    assert len({g.laue_class for g in groups}) == 11


@pytest.mark.parametrize("bad", [0, 231, -5, 2.5, np.nan])
def test_bad_space_group_numbers(bad):
    with pytest.raises(ValueError, match="space-group number"):
        check_space_groups([14, bad])


def test_bad_dtype():
    with pytest.raises(ValueError, match="integer"):
        check_space_groups(["P1"])


def test_graph_counts():
    g = subgroup_graph()
    assert sorted(g.nodes) == list(range(1, 231))
    assert g.number_of_edges() == 1236
    assert nx.is_connected(g)
    assert nx.diameter(g) == 6
    assert not any(u == v for u, v in g.edges)


@pytest.mark.parametrize(
    "edge",
    [
        (225, 166),
        (225, 139),
        (225, 216),
        (225, 221),
        (2, 1),
        (14, 2),
        (62, 14),
        (230, 206),
        (194, 186),
    ],
)
def test_known_edges(edge):
    assert subgroup_graph().has_edge(*edge)


def test_graph_is_a_copy():
    g = subgroup_graph()
    g.remove_edge(2, 1)
    assert subgroup_graph().has_edge(2, 1)


@pytest.mark.parametrize(
    "a, b, d", [(1, 230, 4), (2, 225, 3), (14, 62, 1), (62, 14, 1), (14, 14, 0)]
)
def test_known_distances(a, b, d):
    assert subgroup_distance(a, b) == d


def test_distance_matrix_pair_counts():
    dist = subgroup_distance_matrix()
    assert dist.shape == (230, 230)
    assert (dist == dist.T).all()
    values, counts = np.unique(dist, return_counts=True)
    assert dict(zip(values.tolist(), counts.tolist(), strict=False)) == {
        0: 230,
        1: 2472,
        2: 11168,
        3: 21726,
        4: 15016,
        5: 2284,
        6: 4,
    }
    with pytest.raises(ValueError):
        dist[0, 0] = 3


def test_distance_vectorised_matches_networkx():
    g = subgroup_graph()
    rng = np.random.default_rng(0)
    a, b = rng.integers(1, 231, size=(2, 50))
    expected = [
        nx.shortest_path_length(g, int(x), int(y)) for x, y in zip(a, b, strict=False)
    ]
    assert subgroup_distance(a, b).tolist() == expected
