"""RRUFF powder-pattern text files (rruff.info, Lafuente et al. 2015)."""

from pathlib import Path

from ._columns import parse_columns, read_text
from ._pattern import Pattern, bad_file, check_pattern_arrays

__all__ = ["read_rruff"]

# Keys under which RRUFF files state the X-ray wavelength in Å.
_WAVELENGTH_KEYS = ("WAVELENGTH", "X-RAY WAVELENGTH")


def _header_items(columns):
    """Parse ``##KEY=value`` (or ``##KEY: value``) lines into a dict.

    Returns the items and the line number of each key.
    """
    items, where = {}, {}
    for line, number in zip(columns.header, columns.header_lines, strict=True):
        if not line.startswith("##"):
            continue
        body = line[2:]
        cut = body.find("=") if "=" in body else body.find(":")
        if cut > 0:
            key = body[:cut].strip().upper()
            items[key], where[key] = body[cut + 1 :].strip(), number
    return items, where


def _wavelength(path, items, where):
    for key in _WAVELENGTH_KEYS:
        if items.get(key):
            try:
                return float(items[key].split()[0])
            except ValueError:
                raise bad_file(
                    path, where[key], f"##{key}={items[key]!r} is not a number in Å."
                ) from None
    return None


def read_rruff(path):
    """Read a powder pattern in the RRUFF text format.

    RRUFF (rruff.info) distributes measured powder patterns as text: header
    lines ``##KEY=value`` (``##NAMES=Quartz``, ``##RRUFFID=R040031``,
    ``##WAVELENGTH=1.541838``, ...), then ``2theta, intensity`` lines, then
    a closing ``##END=`` line, after which nothing is read.

    Parameters
    ----------
    path : str or path-like
        The file to read.

    Returns
    -------
    pattern : Pattern
        2θ, intensity, the wavelength from ``##WAVELENGTH=`` (or
        ``##X-RAY WAVELENGTH=``) in Å, or None when absent, the source path,
        and metadata holding every ``##`` key (upper case) with its value,
        plus ``name`` from ``##NAMES``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file has no data lines, a data line is malformed, a value is
        NaN, or 2θ is not strictly increasing; the message names the file
        and the line.

    See Also
    --------
    read_pattern : Read any supported format, chosen from the file.
    read_xy : Plain column text without RRUFF headers.

    Notes
    -----
    RRUFF states the wavelength with which the pattern was measured
    (commonly 1.541838 Å, a Cu Kα mean); pass it to the resampler so the
    pattern is moved onto the Cu Kα grid by Bragg's law.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skxrd.io import read_rruff
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "Quartz__R040031.txt"
    >>> _ = path.write_text(
    ...     "##NAMES=Quartz\\n##WAVELENGTH=1.541838\\n"
    ...     "20.00, 12.5\\n20.02, 14.0\\n##END=\\n"
    ... )
    >>> p = read_rruff(path)
    >>> p.wavelength, p.metadata["NAMES"], p.n_points
    (1.541838, 'Quartz', 2)
    """
    path = Path(path)
    columns = parse_columns(path, read_text(path), end_marker="##END")
    items, where = _header_items(columns)
    two_theta, intensity = columns.values[:, 0].copy(), columns.values[:, 1].copy()
    check_pattern_arrays(path, two_theta, intensity, columns.lines)
    metadata = {"format": "rruff", **items}
    if "NAMES" in items:
        metadata["name"] = items["NAMES"]
    return Pattern(
        two_theta=two_theta,
        intensity=intensity,
        wavelength=_wavelength(path, items, where),
        source=str(path),
        metadata=metadata,
    )
