"""Crystal structures with provenance: CIF folders and packaged collections.

Every loader returns a `StructureList` of `StructureRecord` (structure,
name, source file), so that any simulated pattern can be traced back to
the file it came from; entries that cannot be read are skipped with a
warning and listed in ``StructureList.skipped``.
"""

from ._cif import load_cif_folder
from ._record import StructureList, StructureRecord
from ._sources import (
    STRUCTURE_SOURCES,
    available_structure_sources,
    load_aflow_prototypes,
    load_avogadro_crystals,
    load_pymatgen_structures,
    load_robocrys_minerals,
    load_structures,
)

__all__ = [
    "STRUCTURE_SOURCES",
    "StructureList",
    "StructureRecord",
    "available_structure_sources",
    "load_aflow_prototypes",
    "load_avogadro_crystals",
    "load_cif_folder",
    "load_pymatgen_structures",
    "load_robocrys_minerals",
    "load_structures",
]
