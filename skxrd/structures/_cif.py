"""Folders of CIF files."""

import os
import re
import warnings
from pathlib import Path

from ._record import StructureList, StructureRecord

__all__ = ["load_cif_folder"]

_MISSING_ITEM = re.compile(r"'(_[\w.\-\[\]]+)'")
_OCCUPANCY = re.compile(r"Occupancy ([\d.]+) exceeded tolerance")

#: Molecular groups that CIFs (the AFLOW prototypes among them) give as one
#: atom type, and the atom that stands for each.  pymatgen would read "H2O"
#: as hydrogen, "NH4" as nihonium and drop "OH"; hydrogen scatters X-rays
#: weakly (one electron), and X-ray structures often omit it, so the group's
#: heavy atom at the group's position is the usual approximation.  For NO3
#: the three oxygens are lost (one AFLOW prototype).
MOLECULAR_GROUPS = {
    "H2O": "O",
    "H3O": "O",
    "OH": "O",
    "NH3": "N",
    "NH4": "N",
    "NO3": "N",
}
_GROUP_TOKEN = re.compile(r"\b(" + "|".join(MOLECULAR_GROUPS) + r")")
# A group, then nothing or a label's number / a charge (not another letter).
_GROUP_SYMBOL = re.compile(r"(" + "|".join(MOLECULAR_GROUPS) + r")([^A-Za-z].*)?$")


def _reason(exc, parser_warnings):
    """Say in one line why pymatgen parsed no structure from a CIF file."""
    # pymatgen's final "no structures" error hides the cause, which it kept
    # among the parser's warnings ("No structure parsed for section 1 ...").
    causes = [w for w in parser_warnings if w.startswith("No structure parsed")]
    if causes:
        text = " ".join(causes[0].split("\n", 1)[-1].split())
    elif "no structures" in str(exc):
        said = " ".join(" ".join(parser_warnings).split())
        text = "pymatgen found no structure (no usable cell or atom sites)"
        text += f"; it said: {said}" if said else ""
    else:
        text = f"pymatgen's CIF parser failed ({type(exc).__name__}: {exc})"
    if missing := _MISSING_ITEM.fullmatch(text):
        text = f"missing CIF item {missing.group(1)}"
    elif occupancy := _OCCUPANCY.search(text):
        text = (
            f"a site's occupancy sums to {float(occupancy.group(1)):.3g} after "
            "applying the symmetry operations (overlapping atoms?); a larger "
            "occupancy_tolerance scales it down to 1"
        )
    return text if len(text) < 300 else text[:297] + "..."


def replace_molecular_groups(text):
    """Rewrite molecular-group atom types of a CIF text as their heavy atom.

    Returns the CIF text with the groups replaced (None where there is none)
    and a dict counting the replaced sites by group.
    """
    from pymatgen.io.cif import CifFile

    if not _GROUP_TOKEN.search(text):
        return None, {}
    cif = CifFile.from_str(text)
    replaced = {}
    for block in cif.data.values():
        # pymatgen takes the element from the type symbol, or from the label
        # where a file has no type symbols.
        key = "_atom_site_type_symbol"
        if key not in block.data:
            key = "_atom_site_label"
        symbols = block.data.get(key)
        if not isinstance(symbols, list):
            continue
        for i, symbol in enumerate(symbols):
            if match := _GROUP_SYMBOL.match(symbol.strip()):
                group, rest = match.groups()
                symbols[i] = MOLECULAR_GROUPS[group] + (rest or "")
                replaced[group] = replaced.get(group, 0) + 1
    return (str(cif), replaced) if replaced else (None, {})


def merge_duplicate_sites(structure, tolerance):
    """Merge sites closer than ``tolerance`` Å; return the structure and count.

    Coordinates printed with too few digits (0.3333 for 1/3) make the
    symmetry operations of a CIF generate the same atom twice, a few
    thousandths of an Å apart, which doubles its scattering and defeats
    spglib.  Real interatomic distances are above ~0.5 Å.
    """
    if tolerance is None or len(structure) < 2:
        return structure, 0
    if not structure.get_neighbor_list(tolerance)[0].size:
        return structure, 0
    merged = structure.copy()
    merged.merge_sites(tol=tolerance, mode="delete")
    return merged, len(structure) - len(merged)


def parse_cif(
    path, name, *, primitive=False, occupancy_tolerance=1.0, merge_tolerance=0.01
):
    """Parse one CIF file into records, or return why it failed.

    Returns ``(records, None)`` or ``([], reason)``.  pymatgen's warnings
    (rounded coordinates, symmetry taken from the space-group name, ...) are
    kept out of the user's way; where the file fails they become the reason.
    """
    from pymatgen.io.cif import CifParser

    parser = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            text, groups = replace_molecular_groups(
                Path(path).read_text(errors="replace")
            )
            if text is None:
                parser = CifParser(path, occupancy_tolerance=occupancy_tolerance)
            else:
                parser = CifParser.from_str(
                    text, occupancy_tolerance=occupancy_tolerance
                )
            parsed = parser.parse_structures(primitive=False, on_error="ignore")
            # Duplicates are merged before any reduction to the primitive cell,
            # whose search they would confuse.
            merged = [merge_duplicate_sites(s, merge_tolerance) for s in parsed]
            if primitive:
                merged = [(s.get_primitive_structure(), n) for s, n in merged]
        # pymatgen raises anything from KeyError to ZeroDivisionError on a
        # malformed file; one bad file must not stop a folder of thousands.
        except Exception as exc:
            return [], _reason(exc, getattr(parser, "warnings", []))
    blocks = list(parser.as_dict())
    if len(merged) == 1:
        names = [name]
    elif len(merged) == len(blocks):
        names = [f"{name}[{block}]" for block in blocks]
    else:
        names = [f"{name}[{i}]" for i in range(len(merged))]
    records = []
    for (structure, n_merged), record_name in zip(merged, names, strict=True):
        metadata = {"cif_blocks": blocks, "merged_sites": n_merged}
        if groups:
            metadata["molecular_groups"] = groups
        records.append(StructureRecord(structure, record_name, str(path), metadata))
    return records, None


def find_cif_files(folder, recursive=True, suffixes=(".cif",)):
    """CIF files under ``folder`` in sorted order (suffix case ignored)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"CIF folder not found: {folder}")
    candidates = folder.rglob("*") if recursive else folder.iterdir()
    suffixes = tuple(s.lower() for s in suffixes)
    return sorted(p for p in candidates if p.suffix.lower() in suffixes and p.is_file())


def load_cif_paths(
    paths,
    root=None,
    *,
    primitive=False,
    occupancy_tolerance=1.0,
    merge_tolerance=0.01,
    n_jobs=None,
):
    """Parse CIF files into a `StructureList`, warning about each bad one.

    Names are the paths relative to ``root`` without the extension.
    """
    from joblib import Parallel, delayed

    paths = [Path(p) for p in paths]

    def name_of(path):
        relative = path.relative_to(root) if root is not None else Path(path.name)
        return relative.with_suffix("").as_posix()

    options = {
        "primitive": primitive,
        "occupancy_tolerance": occupancy_tolerance,
        "merge_tolerance": merge_tolerance,
    }
    jobs = (delayed(parse_cif)(p, name_of(p), **options) for p in paths)
    results = Parallel(n_jobs=n_jobs)(jobs)
    loaded = StructureList()
    for path, (records, reason) in zip(paths, results, strict=True):
        if reason is None:
            loaded.extend(records)
            continue
        # Warnings are raised here, not in the workers, so they reach the user.
        warnings.warn(f"Skipped CIF file {path}: {reason}", stacklevel=3)
        loaded.skipped.append((str(path), reason))
    return loaded


def load_cif_folder(
    path,
    *,
    recursive=True,
    primitive=False,
    occupancy_tolerance=1.0,
    merge_tolerance=0.01,
    suffixes=(".cif",),
    n_jobs=None,
):
    """Load every CIF file in a folder, skipping the ones pymatgen cannot read.

    Parameters
    ----------
    path : str or path-like
        The folder.
    recursive : bool, default=True
        Whether to descend into sub-folders.
    primitive : bool, default=False
        Whether to reduce each structure to its primitive cell.  The
        diffraction pattern does not depend on the cell chosen; primitive
        cells hold fewer atoms and are faster to diffract.
    occupancy_tolerance : float, default=1.0
        Passed to pymatgen's `CifParser`: site occupancies up to this value
        are scaled down to 1.
    merge_tolerance : float or None, default=0.01
        Sites closer than this (Å) are duplicates and merged into one (see
        Notes); the number merged is in ``metadata["merged_sites"]``.  None
        keeps every site.
    suffixes : tuple of str, default=('.cif',)
        File name endings to read (case-insensitive).
    n_jobs : int or None, default=None
        Number of joblib workers parsing files in parallel (None: one,
        -1: all cores; any joblib backend in a ``parallel_config`` context).

    Returns
    -------
    structures : StructureList
        One `StructureRecord` per structure, in sorted path order; ``name``
        is the path relative to ``path`` without the extension (with
        ``[block]`` appended when a file holds several structures) and
        ``source`` the file path.  ``structures.skipped`` lists
        ``(path, reason)`` for every file skipped.

    Raises
    ------
    FileNotFoundError
        If ``path`` is not a folder.

    Warns
    -----
    UserWarning
        For every file skipped, naming it and why (pymatgen's own warnings
        on files that load are silenced).

    See Also
    --------
    load_structures : Load a folder or a packaged collection by name.

    Notes
    -----
    CIF files that print coordinates with too few digits (0.3333 for 1/3)
    make the symmetry operations generate one atom twice, about 0.001 Å
    apart.  Such a duplicate doubles that atom's scattering in a simulated
    pattern and makes spglib fail to find the space group; merging sites
    closer than 0.01 Å repairs it (17 of the Avogadro zeolite frameworks
    need it and come out in their known space groups).  Real interatomic
    distances are above ~0.5 Å, so the merge touches nothing else.

    Some CIFs, among them 53 of the AFLOW prototypes, give a molecular group
    as one atom type (``H2O``, ``OH``, ``H3O``, ``NH4``, ``NH3``, ``NO3``).
    pymatgen alone would read water as hydrogen, ``NH4`` as nihonium and drop
    ``OH``; skxrd puts the group's heavy atom (O or N) at the group's
    position instead, the usual approximation for X-rays, which hydrogen
    scatters weakly.  The groups replaced are counted in
    ``metadata["molecular_groups"]``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from pymatgen.core import Lattice, Structure
    >>> from pymatgen.io.cif import CifWriter
    >>> from skxrd.structures import load_cif_folder
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> nacl = Structure.from_spacegroup("Fm-3m", Lattice.cubic(5.64),
    ...                                  ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    >>> CifWriter(nacl).write_file(folder / "NaCl.cif")
    >>> records = load_cif_folder(folder)
    >>> records.names, records.n_skipped
    (['NaCl'], 0)
    """
    root = Path(os.fspath(path))
    paths = find_cif_files(root, recursive, suffixes)
    return load_cif_paths(
        paths,
        root,
        primitive=primitive,
        occupancy_tolerance=occupancy_tolerance,
        merge_tolerance=merge_tolerance,
        n_jobs=n_jobs,
    )
