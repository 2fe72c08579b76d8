"""Two-column text patterns: .xy, .xye, .dat, .csv, .txt."""

from pathlib import Path

import numpy as np

from ._columns import find_wavelength, parse_columns, read_text
from ._pattern import Pattern, check_pattern_arrays

__all__ = ["read_xy", "write_xy"]


def read_xy(path, *, esd=None):
    """Read a pattern stored as columns of text (.xy, .xye, .dat, .csv, .txt).

    The first column is 2θ in degrees, the second the intensity.  Columns
    may be separated by whitespace, commas, semicolons or tabs; a decimal
    comma (``12,5``) is recognised when the columns are separated by
    semicolons, tabs or spaces.  Blank lines, comment lines (starting with
    ``#``, ``!``, ``;``, ``%`` or ``//``) and text lines before the first
    number (a column header) are skipped.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    esd : bool or None, default=None
        Whether the third column holds estimated standard deviations of the
        intensities.  None means: when the file name ends in ``.xye`` and
        the file has three columns or more.  Other extra columns are ignored.

    Returns
    -------
    pattern : Pattern
        2θ, intensity, the wavelength if a header or comment line states one
        (``# wavelength = 1.5406``, ``Lambda: 1.5406``; in Å) and otherwise
        None, the source path and metadata with the ``header`` lines and the
        number of ``columns``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the file holds no data, a data line holds a non-number, a line
        has a different number of columns from the first data line, a value
        is NaN or infinite, or 2θ is not strictly increasing; the message
        names the file and the line.

    See Also
    --------
    read_pattern : Read any supported format, chosen from the file.
    write_xy : The inverse: write a pattern as two-column text.

    Notes
    -----
    A value in a comment line is taken as the wavelength only when it lies
    between 0.01 and 20 Å; the unit is assumed to be Å.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skxrd.io import read_xy
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scan.csv"
    >>> _ = path.write_text("2theta;counts\\n10,00;120\\n10,02;135\\n")
    >>> p = read_xy(path)
    >>> p.two_theta.tolist(), p.intensity.tolist(), p.wavelength
    ([10.0, 10.02], [120.0, 135.0], None)
    """
    path = Path(path)
    columns = parse_columns(path, read_text(path))
    values = columns.values
    n_columns = values.shape[1]
    if esd is None:
        esd = path.suffix.lower() == ".xye" and n_columns >= 3
    if esd and n_columns < 3:
        raise ValueError(
            f"{path}: esd=True needs a third column, but the file has {n_columns}."
        )
    two_theta, intensity = values[:, 0].copy(), values[:, 1].copy()
    check_pattern_arrays(path, two_theta, intensity, columns.lines)
    return Pattern(
        two_theta=two_theta,
        intensity=intensity,
        wavelength=find_wavelength(columns.header),
        source=str(path),
        metadata={"format": "xy", "header": columns.header, "columns": n_columns},
        esd=values[:, 2].copy() if esd else None,
    )


def write_xy(path, two_theta, intensity, *, wavelength=None, esd=None, comment=None):
    """Write a pattern as whitespace-separated columns of text.

    Parameters
    ----------
    path : str or path-like
        The file to write (overwritten if it exists).
    two_theta : array-like of shape (n_points,)
        Angles 2θ in degrees.
    intensity : array-like of shape (n_points,)
        Intensities.
    wavelength : float or None, default=None
        Wavelength in Å; written as a ``# wavelength = ...`` comment that
        `read_xy` reads back.
    esd : array-like of shape (n_points,) or None, default=None
        Standard deviations written as a third column (the ``.xye`` layout).
    comment : str or None, default=None
        Free text written as ``#`` comment lines at the top.

    Returns
    -------
    path : pathlib.Path
        The path written.

    See Also
    --------
    read_xy : Read the file back.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skxrd.io import read_xy, write_xy
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "out.xy"
    >>> _ = write_xy(path, [10.0, 10.02], [1.0, 3.5], wavelength=1.5406)
    >>> p = read_xy(path)
    >>> p.intensity.tolist(), p.wavelength
    ([1.0, 3.5], 1.5406)
    """
    path = Path(path)
    columns = [np.asarray(two_theta, dtype=np.float64).ravel()]
    columns.append(np.asarray(intensity, dtype=np.float64).ravel())
    if esd is not None:
        columns.append(np.asarray(esd, dtype=np.float64).ravel())
    if len({c.size for c in columns}) != 1:
        raise ValueError(
            "two_theta, intensity and esd must have the same length; got "
            f"{[c.size for c in columns]}."
        )
    lines = [f"# {line}" for line in (comment or "").splitlines()]
    if wavelength is not None:
        lines.append(f"# wavelength = {float(wavelength)!r} A")
    # repr-precision floats make the round trip exact.
    rows = np.column_stack(columns).tolist()
    lines += [" ".join(repr(value) for value in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
