"""Column parsing shared by the text readers (.xy, .xye, .csv, RRUFF ...).

Instrument software writes two-column text in many dialects: whitespace,
comma, semicolon or tab between the columns, ``#``, ``!``, ``;`` or ``%``
comment lines, a text header naming the columns, and, from software set to
a European locale, a decimal comma with ``;`` or tab between the columns.
One parser handles them all and remembers the line number of every point,
so that later checks can name the line at fault.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ._pattern import bad_file

COMMENT_PREFIXES = ("#", "!", ";", "%", "//")

# Any run of whitespace, commas or semicolons separates two fields.
_SEPARATORS = re.compile(r"[\s,;]+")
# With a decimal comma only whitespace, semicolons and tabs separate fields.
_SEPARATORS_DECIMAL_COMMA = re.compile(r"[\s;]+")
_DECIMAL_COMMA_FIELD = re.compile(r"[-+]?\d+(,\d+)?([eE][-+]?\d+)?")
# "wavelength = 1.5406", "Wavelength (A): 1.5406", "lambda 1.5406", "λ=1.5406".
_WAVELENGTH = re.compile(
    r"(?:wave\s*length|lambda|λ)\s*(?:\([^)]*\))?\s*[:=]?\s*"
    r"([0-9]*\.?[0-9]+(?:[eE][-+]?\d+)?)",
    re.IGNORECASE,
)


@dataclass
class Columns:
    """Numbers read from a text file, with where each row came from."""

    values: np.ndarray
    lines: np.ndarray
    header: list = field(default_factory=list)
    header_lines: list = field(default_factory=list)


def read_text(path):
    """Return the lines of a text file; UTF-8 first, Latin-1 as a fallback.

    Older instrument software writes the degree sign and Å in Latin-1.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"Pattern file not found: {path}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.splitlines()


def uses_decimal_comma(line):
    """Tell whether a data line writes ``12,5`` for 12.5.

    Only lines without any ``.`` whose fields, split on whitespace,
    semicolons and tabs, each look like ``digits,digits`` qualify; a line
    such as ``10, 20`` or ``10,20`` is comma-separated integers.
    """
    if "." in line or "," not in line:
        return False
    fields = _SEPARATORS_DECIMAL_COMMA.split(line.strip())
    return len(fields) >= 2 and all(_DECIMAL_COMMA_FIELD.fullmatch(f) for f in fields)


def split_fields(line, decimal_comma):
    """Split a stripped line into numeric strings (trailing separators dropped)."""
    if decimal_comma:
        fields = _SEPARATORS_DECIMAL_COMMA.split(line)
        return [f.replace(",", ".") for f in fields if f]
    return [f for f in _SEPARATORS.split(line) if f]


def to_floats(fields):
    """Convert fields to floats, or return the first one that is not a number."""
    values = []
    for text in fields:
        try:
            values.append(float(text))
        except ValueError:
            return None, text
    return values, None


def parse_columns(path, lines, *, end_marker=None):
    """Read the numeric rows of a text file.

    Blank lines and comment lines are skipped; text lines before the first
    numeric row are kept as the header; after it, every line must hold the
    same number of numeric fields, at least two.  Reading stops at a line
    starting with ``end_marker`` (case-insensitive), for formats such as
    RRUFF that close their data block.
    """
    rows, numbers, header, header_numbers = [], [], [], []
    decimal_comma = False
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if end_marker and text.upper().startswith(end_marker):
            break
        if not text:
            continue
        if text.startswith(COMMENT_PREFIXES):
            header.append(text)
            header_numbers.append(number)
            continue
        if not rows:
            # The first data line fixes the dialect for the whole file.
            decimal_comma = uses_decimal_comma(text)
        fields = split_fields(text, decimal_comma)
        values, bad = to_floats(fields)
        if values is None and not rows and bad == fields[0]:
            # A text line before any data: a column header such as "2theta,I".
            header.append(text)
            header_numbers.append(number)
            continue
        if values is None:
            raise bad_file(path, number, f"cannot read {bad!r} as a number: {text!r}")
        if not rows and len(values) < 2:
            raise bad_file(
                path, number, f"found 1 column in {text!r}; expected 2θ and intensity."
            )
        if rows and len(values) != len(rows[0]):
            raise bad_file(
                path,
                number,
                f"found {len(values)} columns in {text!r}; the data begin at "
                f"line {numbers[0]} with {len(rows[0])} columns.",
            )
        rows.append(values)
        numbers.append(number)
    if not rows:
        raise bad_file(path, None, "no numeric data lines found.")
    values = np.asarray(rows, dtype=np.float64)
    return Columns(values, np.asarray(numbers), header, header_numbers)


def find_wavelength(lines):
    """Return the first wavelength in Å stated in header/comment lines, or None.

    Values outside the X-ray range 0.01-20 Å are not wavelengths in Å (they
    may be in nm or pm) and are ignored rather than guessed.
    """
    for line in lines:
        match = _WAVELENGTH.search(line)
        if match:
            value = float(match.group(1))
            if 0.01 < value < 20.0:
                return value
    return None
