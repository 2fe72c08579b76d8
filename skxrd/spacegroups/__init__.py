"""The space-group domain: the 230 types, crystal systems, the maximal-subgroup graph."""

from ._graph import subgroup_distance, subgroup_distance_matrix, subgroup_graph
from ._table import (
    CRYSTAL_SYSTEMS,
    SpaceGroup,
    check_space_groups,
    crystal_system,
    crystal_system_index,
    crystal_systems,
    space_group,
    space_group_symbol,
)

__all__ = [
    "CRYSTAL_SYSTEMS",
    "SpaceGroup",
    "check_space_groups",
    "crystal_system",
    "crystal_system_index",
    "crystal_systems",
    "space_group",
    "space_group_symbol",
    "subgroup_distance",
    "subgroup_distance_matrix",
    "subgroup_graph",
]
