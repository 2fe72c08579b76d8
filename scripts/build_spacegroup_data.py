"""Freeze the space-group table and the maximal-subgroup graph into skxrd.

Run from the repository root::

    python scripts/build_spacegroup_data.py

Sources: spglib's space-group-type database (symbols, point groups; the
first Hall setting of each type is the standard one) and pymatgen's
``symm_data.json`` (key ``maximal_subgroups``, from the Bilbao Crystallographic
Server's MAXSUB tables).  Isomorphic subgroups (a group listed as its own
maximal subgroup) are dropped, as in Vecsei et al. (2019).
"""

import json
import os
from pathlib import Path

import pymatgen.symmetry
import spglib

OUT = Path(__file__).resolve().parents[1] / "skxrd" / "spacegroups" / "data"

# The 11 Laue classes and the point groups that belong to each.
LAUE = {
    "1": "-1",
    "-1": "-1",
    "2": "2/m",
    "m": "2/m",
    "2/m": "2/m",
    "222": "mmm",
    "mm2": "mmm",
    "mmm": "mmm",
    "4": "4/m",
    "-4": "4/m",
    "4/m": "4/m",
    "422": "4/mmm",
    "4mm": "4/mmm",
    "-42m": "4/mmm",
    "4/mmm": "4/mmm",
    "3": "-3",
    "-3": "-3",
    "32": "-3m",
    "3m": "-3m",
    "-3m": "-3m",
    "6": "6/m",
    "-6": "6/m",
    "6/m": "6/m",
    "622": "6/mmm",
    "6mm": "6/mmm",
    "-6m2": "6/mmm",
    "6/mmm": "6/mmm",
    "23": "m-3",
    "m-3": "m-3",
    "432": "m-3m",
    "-43m": "m-3m",
    "m-3m": "m-3m",
}


def space_group_table():
    seen = {}
    for hall in range(1, 531):
        t = spglib.get_spacegroup_type(hall)
        if t.number in seen:
            continue
        pg = t.pointgroup_international
        seen[t.number] = {
            "number": t.number,
            "symbol": t.international_short,
            "full_symbol": t.international_full,
            "schoenflies": t.schoenflies,
            "hall_number": hall,
            "point_group": pg,
            "laue_class": LAUE[pg],
            # A point group is centrosymmetric exactly when it is its own Laue class.
            "centrosymmetric": LAUE[pg] == pg,
        }
    assert sorted(seen) == list(range(1, 231))
    return [seen[n] for n in range(1, 231)]


def maximal_subgroup_edges():
    path = os.path.join(os.path.dirname(pymatgen.symmetry.__file__), "symm_data.json")
    with open(path) as f:
        table = json.load(f)["maximal_subgroups"]
    edges = set()
    for group, subgroups in table.items():
        for sub in subgroups:
            if int(sub) != int(group):
                edges.add(tuple(sorted((int(group), int(sub)))))
    return sorted(edges)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "spacegroups.json", "w") as f:
        json.dump(space_group_table(), f, indent=0, ensure_ascii=False)
    with open(OUT / "maximal_subgroups.json", "w") as f:
        json.dump(
            {
                "source": "pymatgen symm_data.json 'maximal_subgroups' "
                "(Bilbao MAXSUB), isomorphic subgroups dropped",
                "edges": maximal_subgroup_edges(),
            },
            f,
        )


if __name__ == "__main__":
    main()
