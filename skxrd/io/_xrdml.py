"""PANalytical / Malvern Panalytical XRDML files (XML)."""

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from ._columns import read_text
from ._pattern import Pattern, bad_file, check_pattern_arrays

__all__ = ["read_xrdml"]

_KALPHA_RULES = ("auto", "mean", "kalpha1")


def _local(tag):
    """Tag name without its XML namespace (XRDML 1.0 ... 2.x differ in it)."""
    return tag.rsplit("}", 1)[-1]


def _children(element, name):
    return [child for child in element if _local(child.tag) == name]


def _child(element, name):
    found = _children(element, name)
    return found[0] if found else None


def _tag_line(text, name, occurrence):
    """Line of the ``occurrence``-th opening tag ``name`` in the raw XML."""
    pattern = re.compile(rf"<(?:[\w.-]+:)?{name}\b")
    for i, match in enumerate(pattern.finditer(text)):
        if i == occurrence:
            return text.count("\n", 0, match.start()) + 1
    return None


def _numbers(path, text, element, occurrence):
    """Parse the whitespace-separated numbers inside ``element``."""
    try:
        return np.array((element.text or "").split(), dtype=np.float64)
    except ValueError as exc:
        name = _local(element.tag)
        line = _tag_line(text, name, occurrence)
        raise bad_file(path, line, f"<{name}> holds a non-number ({exc}).") from None


def _number(path, text, element, occurrence):
    """The single number inside ``element``."""
    values = _numbers(path, text, element, occurrence)
    if values.size != 1:
        name = _local(element.tag)
        line = _tag_line(text, name, occurrence)
        raise bad_file(path, line, f"<{name}> should hold one number.")
    return float(values[0])


def _wavelength(path, text, used, kalpha):
    """Wavelength in Å from ``<usedWavelength>``, and its parts for metadata.

    ``intended="K-Alpha 1"`` marks a scan with Kα2 removed by a
    monochromator: its lines sit at Kα1.  Otherwise the tube's Kα doublet is
    seen and the intensity-weighted mean (λ1 + r λ2) / (1 + r) is the
    wavelength of the doublet's centroid.
    """
    if used is None:
        return None, {}
    parts = {"intended": used.get("intended")}
    for name in ("kAlpha1", "kAlpha2", "kBeta", "ratioKAlpha2KAlpha1"):
        node = _child(used, name)
        if node is not None and (node.text or "").strip():
            parts[name] = _number(path, text, node, 0)
    k1, k2 = parts.get("kAlpha1"), parts.get("kAlpha2")
    ratio = parts.get("ratioKAlpha2KAlpha1")
    monochromatic = (parts["intended"] or "").replace(" ", "").lower() == "k-alpha1"
    use_mean = kalpha == "mean" or (kalpha == "auto" and not monochromatic)
    if use_mean and None not in (k1, k2, ratio):
        return (k1 + ratio * k2) / (1.0 + ratio), parts
    return k1, parts


def _scans(root):
    """Every ``(xrdMeasurement, scan)`` pair in document order."""
    measurements = [e for e in root.iter() if _local(e.tag) == "xrdMeasurement"]
    return [(m, scan) for m in measurements for scan in _children(m, "scan")]


def _two_theta(path, text, points, n_points, index):
    """2θ of each point: a start/end range or an explicit list."""
    for positions in _children(points, "positions"):
        if positions.get("axis") != "2Theta":
            continue
        listed = _child(positions, "listPositions")
        if listed is not None:
            return _numbers(path, text, listed, index)
        start = _child(positions, "startPosition")
        end = _child(positions, "endPosition")
        if start is not None and end is not None:
            # Points are equally spaced from the first to the last, both included.
            first = _number(path, text, start, index)
            return np.linspace(first, _number(path, text, end, index), n_points)
        line = _tag_line(text, "dataPoints", index)
        raise bad_file(
            path, line, "the scan does not move 2θ (no start/end or listed positions)."
        )
    line = _tag_line(text, "dataPoints", index)
    raise bad_file(path, line, 'no <positions axis="2Theta"> in <dataPoints>.')


def _parse(path, text):
    try:
        return ET.fromstring(text)
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise bad_file(path, line, f"not well-formed XML ({exc}).") from None


def read_xrdml(path, *, scan=0, kalpha="auto"):
    """Read a PANalytical XRDML file (``.xrdml``).

    XRDML is the XML format of PANalytical (Malvern Panalytical)
    diffractometers.  The reader takes the 2θ positions (``startPosition`` /
    ``endPosition`` of the ``2Theta`` axis, spread evenly over the points,
    or ``listPositions``), the counts (``<intensities>``, or ``<counts>`` in
    XRDML 1.0) and the wavelength from ``<usedWavelength>``.  Namespaces of
    all XRDML versions are accepted.

    Parameters
    ----------
    path : str or path-like
        The file to read.
    scan : int, default=0
        Which scan to read when the file holds several (document order).
    kalpha : {'auto', 'mean', 'kalpha1'}, default='auto'
        Which wavelength to report.  ``'auto'``: Kα1 when the file says
        ``intended="K-Alpha 1"`` (a monochromated beam), else the weighted
        Kα mean.  ``'mean'``: always the weighted mean.  ``'kalpha1'``:
        always Kα1.

    Returns
    -------
    pattern : Pattern
        2θ, intensity (counts as stored), the wavelength in Å (None when the
        file has no ``<usedWavelength>``), the source path, and metadata with
        the wavelength parts (``kAlpha1``, ``kAlpha2``, ``kBeta``,
        ``ratioKAlpha2KAlpha1``, ``intended``), the sample ``name``, the
        counting time, ``n_scans`` and the chosen ``scan``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If the XML is not well-formed (with its line), the scan is missing,
        its counts or 2θ positions are missing or not numbers, their numbers
        differ, or 2θ is not strictly increasing.

    See Also
    --------
    read_pattern : Read any supported format, chosen from the file.

    Notes
    -----
    With a Kα doublet the peaks of a lab pattern sit near the intensity
    weighted mean wavelength (λ1 + r λ2) / (1 + r), r = I(Kα2)/I(Kα1)
    (0.5 for Cu), which is also what skxrd's simulated patterns use
    ("CuKa" = 1.54184 Å).  Only ``intended="K-Alpha 1"`` is read as a
    monochromated beam; check ``metadata["intended"]`` when in doubt.
    Beam attenuation factors, if stored, are not applied.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skxrd.io import read_xrdml
    >>> xml = '''<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/1.5">
    ... <xrdMeasurement><usedWavelength intended="K-Alpha">
    ... <kAlpha1 unit="Angstrom">1.5406</kAlpha1>
    ... <kAlpha2 unit="Angstrom">1.5444</kAlpha2>
    ... <ratioKAlpha2KAlpha1>0.5</ratioKAlpha2KAlpha1></usedWavelength>
    ... <scan><dataPoints><positions axis="2Theta" unit="deg">
    ... <startPosition>10.00</startPosition><endPosition>10.04</endPosition>
    ... </positions><intensities unit="counts">5 9 7</intensities>
    ... </dataPoints></scan></xrdMeasurement></xrdMeasurements>'''
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "scan.xrdml"
    >>> _ = path.write_text(xml)
    >>> p = read_xrdml(path)
    >>> p.two_theta.tolist(), p.intensity.tolist(), round(p.wavelength, 5)
    ([10.0, 10.02, 10.04], [5.0, 9.0, 7.0], 1.54187)
    """
    if kalpha not in _KALPHA_RULES:
        raise ValueError(f"kalpha must be one of {_KALPHA_RULES}; got {kalpha!r}.")
    path = Path(path)
    text = "\n".join(read_text(path))
    root = _parse(path, text)
    scans = _scans(root)
    if not scans:
        raise bad_file(path, None, "no <scan> element found; is this an XRDML file?")
    if not -len(scans) <= scan < len(scans):
        raise ValueError(f"{path}: scan={scan} requested, the file has {len(scans)}.")
    index = scan % len(scans)
    measurement, element = scans[index]
    points = _child(element, "dataPoints")
    if points is None:
        raise bad_file(path, _tag_line(text, "scan", index), "<scan> has no data.")
    counts = _child(points, "intensities")
    if counts is None:
        counts = _child(points, "counts")
    if counts is None:
        line = _tag_line(text, "dataPoints", index)
        raise bad_file(path, line, "no <intensities> or <counts> in <dataPoints>.")
    intensity = _numbers(path, text, counts, index)
    two_theta = _two_theta(path, text, points, intensity.size, index)
    check_pattern_arrays(path, two_theta, intensity)
    used = _child(measurement, "usedWavelength")
    wavelength, parts = _wavelength(path, text, used, kalpha)
    metadata = {"format": "xrdml", "n_scans": len(scans), "scan": index, **parts}
    sample = _child(root, "sample")
    sample_name = _child(sample, "name") if sample is not None else None
    if sample_name is not None and sample_name.text:
        metadata["name"] = sample_name.text.strip()
    time = _child(points, "commonCountingTime")
    if time is not None and time.text:
        metadata["counting_time_s"] = _number(path, text, time, index)
    return Pattern(two_theta, intensity, wavelength, str(path), metadata)
