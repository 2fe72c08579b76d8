"""Choose the reader for a pattern file, and read many files."""

import os
import warnings
from functools import partial
from pathlib import Path

from ._rruff import read_rruff
from ._xrdml import read_xrdml
from ._xy import read_xy

__all__ = ["PATTERN_FORMATS", "read_pattern", "read_patterns"]

#: Format names accepted by `read_pattern` and the reader each one uses.
PATTERN_FORMATS = {
    "xy": read_xy,
    "xye": partial(read_xy, esd=True),
    "csv": read_xy,
    "dat": read_xy,
    "txt": read_xy,
    "text": read_xy,
    "xrdml": read_xrdml,
    "rruff": read_rruff,
}

#: File name endings `read_patterns` picks up when given a folder.
PATTERN_SUFFIXES = (".xy", ".xye", ".dat", ".csv", ".txt", ".xrdml")


def _sniff(path):
    """Guess the format from the file name and its first bytes."""
    if path.suffix.lower() == ".xrdml":
        return "xrdml"
    if not path.is_file():
        raise FileNotFoundError(f"Pattern file not found: {path}")
    with open(path, "rb") as stream:
        head = stream.read(4096).decode("latin-1").lstrip("\ufeff\xef\xbb\xbf \t\r\n")
    if head.startswith("<"):
        if "xrdMeasurement" in head:
            return "xrdml"
        raise ValueError(
            f"{path}: an XML file that is not XRDML (no <xrdMeasurements>); "
            "no reader for it."
        )
    if head.startswith("##"):
        return "rruff"
    return "xy"


def read_pattern(path, *, format=None):
    """Read a measured powder pattern from a file of any supported format.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    format : str or None, default=None
        One of ``'xy'``, ``'xye'``, ``'csv'``, ``'dat'``, ``'txt'`` (all
        column text; ``'xye'`` keeps the third column as ``esd``),
        ``'xrdml'`` or ``'rruff'``.  None guesses: ``.xrdml`` files and XML
        files holding ``<xrdMeasurements>`` are XRDML, text files whose first
        line starts with ``##`` are RRUFF, everything else is column text.

    Returns
    -------
    pattern : Pattern
        2θ (degrees, strictly increasing), intensity, the wavelength in Å
        where the file states it (else None), the source path and metadata.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the format is unknown or the file is malformed; the message names
        the file and, where it applies, the line.

    See Also
    --------
    read_patterns : Read many files at once.
    read_xy, read_xrdml, read_rruff : The readers for each format.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skxrd.io import read_pattern
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "sample.xy"
    >>> _ = path.write_text("# wavelength = 1.5406\\n10.00 3\\n10.01 4\\n10.02 8\\n")
    >>> p = read_pattern(path)
    >>> p.n_points, p.wavelength, p.metadata["format"]
    (3, 1.5406, 'xy')
    """
    path = Path(os.fspath(path))
    if format is None:
        format = _sniff(path)
    reader = PATTERN_FORMATS.get(str(format).lower().lstrip("."))
    if reader is None:
        raise ValueError(
            f"Unknown pattern format {format!r}; use one of {sorted(PATTERN_FORMATS)}."
        )
    return reader(path)


def _expand(paths):
    """A folder becomes its pattern files (sorted); anything else a list."""
    if isinstance(paths, str | os.PathLike):
        path = Path(paths)
        if path.is_dir():
            files = (p for p in path.iterdir() if p.is_file())
            return sorted(p for p in files if p.suffix.lower() in PATTERN_SUFFIXES)
        return [path]
    return [Path(os.fspath(p)) for p in paths]


def read_patterns(paths, *, format=None, errors="raise"):
    """Read several pattern files.

    Parameters
    ----------
    paths : str, path-like or iterable of them
        The files to read, or one folder: its files ending in ``.xy``,
        ``.xye``, ``.dat``, ``.csv``, ``.txt`` or ``.xrdml`` are read in
        sorted order (not recursively).
    format : str or None, default=None
        Passed to `read_pattern` for every file.
    errors : {'raise', 'warn'}, default='raise'
        ``'raise'`` stops at the first bad file; ``'warn'`` skips it with a
        warning that names it and says why.

    Returns
    -------
    patterns : list of Pattern
        One per file read, in order.

    See Also
    --------
    read_pattern : Read one file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skxrd.io import read_patterns, write_xy
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = write_xy(folder / "a.xy", [10.0, 10.01], [1.0, 2.0])
    >>> _ = write_xy(folder / "b.xy", [20.0, 20.01], [3.0, 1.0])
    >>> [p.name for p in read_patterns(folder)]
    ['a', 'b']
    """
    if errors not in ("raise", "warn"):
        raise ValueError(f"errors must be 'raise' or 'warn'; got {errors!r}.")
    patterns = []
    for path in _expand(paths):
        try:
            patterns.append(read_pattern(path, format=format))
        except (ValueError, OSError) as exc:
            if errors == "raise":
                raise
            warnings.warn(f"Skipped pattern file {path}: {exc}", stacklevel=2)
    return patterns
