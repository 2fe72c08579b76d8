"""Structures with provenance, and the list every loader returns."""

from dataclasses import dataclass, field

__all__ = ["StructureList", "StructureRecord"]


@dataclass(frozen=True, eq=False)
class StructureRecord:
    """A crystal structure and where it came from.

    Parameters
    ----------
    structure : pymatgen.core.Structure
        The structure.
    name : str
        A short human-readable name, unique within its source (a file
        name without extension, a mineral name with its prototype label).
    source : str
        Where to find the original: a file path, possibly followed by
        ``#`` and an entry key inside the file.
    metadata : dict, default={}
        What else the source states (mineral name, Pearson symbol, CIF data
        block, ...).

    See Also
    --------
    StructureList : The list of records the loaders return.
    load_structures : Load the structures of a source.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.structures import StructureRecord
    >>> si = Structure.from_spacegroup("Fd-3m", Lattice.cubic(5.43), ["Si"],
    ...                                [[0, 0, 0]])
    >>> record = StructureRecord(si, "Si", "built in code")
    >>> record.name, len(record.structure)
    ('Si', 8)
    """

    structure: object
    name: str
    source: str
    metadata: dict = field(default_factory=dict)


class StructureList(list):
    """A list of `StructureRecord` that also remembers what was skipped.

    It behaves as a plain list of records; loaders that meet entries they
    cannot read skip them with a warning and list them in `skipped`.

    Parameters
    ----------
    records : iterable of StructureRecord, default=()
        The structures loaded.
    skipped : iterable of (str, str), default=()
        ``(source, reason)`` for every entry that could not be loaded.

    Attributes
    ----------
    skipped : list of (str, str)
        ``(source, reason)`` of the entries skipped.

    See Also
    --------
    StructureRecord : One entry.

    Examples
    --------
    >>> from skxrd.structures import StructureList
    >>> records = StructureList([], skipped=[("bad.cif", "no atoms")])
    >>> len(records), records.n_skipped
    (0, 1)
    """

    def __init__(self, records=(), skipped=()):
        super().__init__(records)
        self.skipped = list(skipped)

    @property
    def n_skipped(self):
        """Number of entries skipped."""
        return len(self.skipped)

    @property
    def structures(self):
        """The pymatgen structures, in order."""
        return [record.structure for record in self]

    @property
    def names(self):
        """The record names, in order."""
        return [record.name for record in self]

    @property
    def sources(self):
        """The record sources, in order."""
        return [record.source for record in self]

    def extend(self, other):
        """Append the records of ``other``, and its skipped entries if it has any."""
        super().extend(other)
        self.skipped.extend(getattr(other, "skipped", ()))

    def __repr__(self):
        return f"StructureList({len(self)} structures, {self.n_skipped} skipped)"
