"""The maximal-subgroup graph of the 230 space-group types and its distances."""

import json
from functools import lru_cache
from importlib import resources

import numpy as np

from ._table import check_space_groups

__all__ = ["subgroup_graph", "subgroup_distance", "subgroup_distance_matrix"]


@lru_cache(maxsize=1)
def _edges():
    text = resources.files("skxrd.spacegroups").joinpath("data/maximal_subgroups.json")
    return tuple(
        tuple(e) for e in json.loads(text.read_text(encoding="utf-8"))["edges"]
    )


def subgroup_graph():
    """Return the maximal-subgroup graph of the 230 space-group types.

    Nodes are the numbers 1..230; an edge joins two groups when one is a
    maximal (non-isomorphic) subgroup of the other.  This is the graph whose
    shortest paths Vecsei et al. (2019) use to say how far a wrong prediction
    is from the truth.

    Returns
    -------
    graph : networkx.Graph
        A new graph (1236 edges, connected, diameter 6); changing it does not
        affect skxrd.

    See Also
    --------
    subgroup_distance : Shortest-path length between two groups.
    subgroup_distance_matrix : All 230 × 230 distances.

    Notes
    -----
    The edges come from pymatgen's ``symm_data.json`` (key
    ``maximal_subgroups``, which follows the Bilbao Crystallographic Server's
    MAXSUB tables), frozen into the package by
    ``scripts/build_spacegroup_data.py``.  A group listed as its own maximal
    subgroup (an isomorphic subgroup of lower index) gives no edge.

    Examples
    --------
    >>> from skxrd.spacegroups import subgroup_graph
    >>> g = subgroup_graph()
    >>> g.number_of_nodes(), g.number_of_edges(), g.has_edge(225, 166)
    (230, 1236, True)
    """
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(1, 231))
    graph.add_edges_from(_edges())
    return graph


@lru_cache(maxsize=1)
def _distance_matrix():
    import networkx as nx

    dist = np.full((230, 230), -1, dtype=np.int8)
    for source, lengths in nx.all_pairs_shortest_path_length(subgroup_graph()):
        for target, d in lengths.items():
            dist[source - 1, target - 1] = d
    dist.setflags(write=False)
    return dist


def subgroup_distance_matrix():
    """Return the 230 × 230 matrix of maximal-subgroup distances.

    Entry ``[i, j]`` is the shortest-path length between space groups
    ``i + 1`` and ``j + 1`` in `subgroup_graph`.  The matrix is computed once
    per process and returned read-only.

    Returns
    -------
    distances : ndarray of shape (230, 230), dtype int8
        Symmetric, zero on the diagonal, at most 6.

    See Also
    --------
    subgroup_distance : Distances for given pairs.

    Examples
    --------
    >>> from skxrd.spacegroups import subgroup_distance_matrix
    >>> d = subgroup_distance_matrix()
    >>> int(d[0, 229]), int(d.max())
    (4, 6)
    """
    return _distance_matrix()


def subgroup_distance(group_a, group_b):
    """Shortest-path distance between space groups in the maximal-subgroup graph.

    Parameters
    ----------
    group_a, group_b : int or array-like of int
        Space-group numbers 1..230; arrays are broadcast against each other.

    Returns
    -------
    distance : int or ndarray of int
        0 for the same group, 1 when one is a maximal subgroup of the other, and
        so on; an int for scalar input.

    See Also
    --------
    skxrd.metrics.subgroup_distance_score : Mean distance of predictions.

    Examples
    --------
    >>> from skxrd.spacegroups import subgroup_distance
    >>> subgroup_distance(14, 62), subgroup_distance(2, 225)
    (1, 3)
    >>> subgroup_distance([1, 2], [230, 2]).tolist()
    [4, 0]
    """
    a = check_space_groups(group_a, name="group_a")
    b = check_space_groups(group_b, name="group_b")
    out = _distance_matrix()[a - 1, b - 1].astype(np.int64)
    if out.ndim == 0:
        return int(out)
    return out
