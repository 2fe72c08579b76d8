import re

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from skxrd.io import (
    PATTERN_FORMATS,
    Pattern,
    read_pattern,
    read_patterns,
    read_rruff,
    read_xrdml,
    read_xy,
    write_xy,
)


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# --------------------------------------------------------------------------
# Column text
# --------------------------------------------------------------------------

COLUMN_DIALECTS = {
    "spaces.xy": "# sample A\n# measured 2024\n10.00  100\n10.02  150.5\n10.04  90\n",
    "header.csv": "2theta,intensity\n10.00,100\n10.02,150.5\n10.04,90\n",
    "comma_space.csv": "; comment\n10.00, 100\n10.02, 150.5\n10.04, 90\n",
    "semicolon.csv": "Angle;Counts\n10,00;100\n10,02;150,5\n10,04;90\n",
    "tabs.dat": "! exported\nAngle\tCounts\n10.00\t100\n10.02\t150.5\n10.04\t90\n",
    "decimal_comma_tabs.txt": "10,00\t100\n10,02\t150,5\n10,04\t90\n",
    "mixed.txt": "% note\n\n10.00 ;100\n10.02\t150.5\n\n10.04, 90\n",
    "trailing.csv": "10.00,100,\n10.02,150.5,\n10.04,90,\n",
    "scientific.xy": "1.000e1 1.0E2\n1.002e1 1.505E2\n1.004e1 9.0e1\n",
}


@pytest.mark.parametrize("name", sorted(COLUMN_DIALECTS))
def test_read_xy_dialects(tmp_path, name):
    path = write(tmp_path, name, COLUMN_DIALECTS[name])
    for pattern in (read_xy(path), read_pattern(path)):
        assert_allclose(pattern.two_theta, [10.0, 10.02, 10.04])
        assert_allclose(pattern.intensity, [100.0, 150.5, 90.0])
        assert pattern.two_theta.dtype == np.float64
        assert pattern.intensity.dtype == np.float64
        assert pattern.wavelength is None
        assert pattern.source == str(path)
        assert pattern.esd is None


def test_read_xy_keeps_header_lines(tmp_path):
    pattern = read_xy(write(tmp_path, "a.dat", COLUMN_DIALECTS["tabs.dat"]))
    assert pattern.metadata["header"] == ["! exported", "Angle\tCounts"]
    assert pattern.metadata["columns"] == 2


def test_read_xy_latin1_header(tmp_path):
    path = write(tmp_path, "a.xy", "# 2theta (°), Å\n10 1\n11 2\n", encoding="latin-1")
    assert_allclose(read_xy(path).intensity, [1.0, 2.0])


@pytest.mark.parametrize(
    "comment, expected",
    [
        ("# wavelength = 1.5406", 1.5406),
        ("# Wavelength (A): 0.70930", 0.70930),
        ("! lambda 1.78897 Angstrom", 1.78897),
        ("# WAVELENGTH=154.06 pm", None),  # not in Å: not guessed
        ("# no wave info here", None),
    ],
)
def test_read_xy_wavelength_from_comment(tmp_path, comment, expected):
    pattern = read_xy(write(tmp_path, "a.xy", f"{comment}\n10 1\n11 2\n"))
    assert pattern.wavelength == expected


def test_read_xye_keeps_esd(tmp_path):
    text = "10.0 100 10.0\n10.1 144 12.0\n10.2 81 9.0\n"
    xye = write(tmp_path, "a.xye", text)
    pattern = read_pattern(xye)
    assert_allclose(pattern.esd, [10.0, 12.0, 9.0])
    assert_allclose(pattern.intensity, [100.0, 144.0, 81.0])
    # The same three columns under another name: the third is ignored...
    assert read_pattern(write(tmp_path, "a.dat", text)).esd is None
    # ...unless the caller says what it is.
    assert_allclose(read_pattern(tmp_path / "a.dat", format="xye").esd, [10, 12, 9])


def test_write_xy_round_trip(tmp_path):
    rng = np.random.default_rng(0)
    two_theta = np.linspace(5.0, 90.0, 8500, endpoint=False)
    intensity = rng.random(8500) * 1000
    esd = np.sqrt(intensity)
    path = write_xy(
        tmp_path / "out.xye",
        two_theta,
        intensity,
        wavelength=1.54184,
        esd=esd,
        comment="simulated\nNaCl",
    )
    pattern = read_pattern(path)
    assert_array_equal(pattern.two_theta, two_theta)
    assert_array_equal(pattern.intensity, intensity)
    assert_array_equal(pattern.esd, esd)
    assert pattern.wavelength == 1.54184
    assert pattern.metadata["header"][:2] == ["# simulated", "# NaCl"]


def test_write_xy_rejects_unequal_lengths(tmp_path):
    with pytest.raises(ValueError, match="same length"):
        write_xy(tmp_path / "x.xy", [1.0, 2.0], [1.0])


# Broken files: (content, line number in the message, words in the message).
BROKEN_TEXT = {
    "non_numeric": ("# c\n10.0 1\n10.1 abc\n10.2 3\n", 3, "'abc'"),
    "text_after_data": ("10.0 1\n10.1 2\nEND OF DATA\n", 3, "'END'"),
    "column_count": ("10.0 1\n10.1 2\n10.2 3 4\n", 3, "3 columns"),
    "one_column": ("# c\n10.0\n10.1\n", 2, "1 column"),
    "not_increasing": ("10.0 1\n10.2 2\n10.1 3\n", 3, "does not increase"),
    "repeated_angle": ("10.0 1\n10.1 2\n10.1 3\n", 3, "does not increase"),
    "nan_intensity": ("10.0 1\n10.1 nan\n10.2 3\n", 2, "not finite"),
    "inf_angle": ("10.0 1\ninf 2\n", 2, "not finite"),
    "negative_angle": ("-1.0 1\n10.1 2\n", 1, "outside"),
    "single_point": ("# c\n10.0 1\n", 2, "at least 2"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_TEXT))
def test_broken_text_names_file_and_line(tmp_path, case):
    text, line, words = BROKEN_TEXT[case]
    path = write(tmp_path, f"{case}.xy", text)
    with pytest.raises(ValueError) as info:
        read_pattern(path)
    message = str(info.value)
    assert f"{case}.xy" in message
    assert re.search(rf"\bline {line}\b", message), message
    assert words in message


@pytest.mark.parametrize("text", ["", "\n\n", "# only\n# comments\n", "a b\nc d\n"])
def test_file_without_data(tmp_path, text):
    path = write(tmp_path, "empty.csv", text)
    with pytest.raises(ValueError, match=r"empty\.csv.*no numeric data"):
        read_pattern(path)


def test_missing_file_names_path(tmp_path):
    missing = tmp_path / "nowhere" / "scan.xy"
    for reader in (read_pattern, read_xy, read_rruff, read_xrdml):
        with pytest.raises(FileNotFoundError, match=re.escape(str(missing))):
            reader(missing)


# --------------------------------------------------------------------------
# RRUFF
# --------------------------------------------------------------------------

RRUFF = """##NAMES=Quartz
##RRUFFID=R040031
##IDEAL CHEMISTRY=SiO_2_
##LOCALITY=Hot Springs, Arkansas, USA
##DESCRIPTION=Clear, colorless
  crystal fragment
##WAVELENGTH=1.541838
5.0000, 142.07
5.0100, 147.26
5.0200, 139.85
##END=
9.9, 1
"""


def test_read_rruff(tmp_path):
    path = write(
        tmp_path, "Quartz__R040031-1__Powder__Xray_Data_XY_RAW__2236.txt", RRUFF
    )
    for pattern in (read_rruff(path), read_pattern(path)):
        assert_allclose(pattern.two_theta, [5.0, 5.01, 5.02])
        assert_allclose(pattern.intensity, [142.07, 147.26, 139.85])
        assert pattern.wavelength == 1.541838
        assert pattern.metadata["format"] == "rruff"
        assert pattern.metadata["name"] == "Quartz"
        assert pattern.metadata["RRUFFID"] == "R040031"
        assert pattern.metadata["IDEAL CHEMISTRY"] == "SiO_2_"


def test_read_rruff_without_wavelength(tmp_path):
    path = write(tmp_path, "x.txt", "##NAMES=X\n20, 1\n21, 2\n##END=\n")
    assert read_rruff(path).wavelength is None


def test_read_rruff_x_ray_wavelength_key(tmp_path):
    path = write(tmp_path, "x.txt", "##X-RAY WAVELENGTH=0.7093\n20, 1\n21, 2\n")
    assert read_rruff(path).wavelength == 0.7093


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("##NAMES=X\n##WAVELENGTH=Cu\n20, 1\n21, 2\n", 2, "not a number"),
        ("##NAMES=X\n20, 1\n20.5; x\n21, 2\n##END=\n", 3, "'x'"),
        ("##NAMES=X\n20, 1\n19, 2\n##END=\n", 3, "does not increase"),
        ("##NAMES=X\n##END=\n20, 1\n21, 2\n", None, "no numeric data"),
    ],
)
def test_broken_rruff(tmp_path, text, line, words):
    path = write(tmp_path, "broken_rruff.txt", text)
    with pytest.raises(ValueError) as info:
        read_pattern(path)
    message = str(info.value)
    assert "broken_rruff.txt" in message and words in message
    if line is not None:
        assert f"line {line}" in message


# --------------------------------------------------------------------------
# XRDML
# --------------------------------------------------------------------------


def xrdml(
    data,
    intended="K-Alpha",
    version="1.5",
    wavelength=True,
    scans=1,
):
    used = (
        f'<usedWavelength intended="{intended}">'
        '<kAlpha1 unit="Angstrom">1.5405980</kAlpha1>'
        '<kAlpha2 unit="Angstrom">1.5444260</kAlpha2>'
        '<kBeta unit="Angstrom">1.3922500</kBeta>'
        "<ratioKAlpha2KAlpha1>0.5000</ratioKAlpha2KAlpha1>"
        "</usedWavelength>"
        if wavelength
        else ""
    )
    scan = f'<scan scanAxis="Gonio"><dataPoints>{data}</dataPoints></scan>'
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<xrdMeasurements xmlns="http://www.xrdml.com/XRDMeasurement/{version}"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" status="Completed">
  <sample type="To be analyzed"><id>42</id><name>NaCl standard</name></sample>
  <xrdMeasurement measurementType="Scan" status="Completed">
    {used}
    {scan * scans}
  </xrdMeasurement>
</xrdMeasurements>
"""


RANGE = """
<positions axis="2Theta" unit="deg">
  <startPosition>10.00</startPosition><endPosition>10.08</endPosition>
</positions>
<positions axis="Omega" unit="deg">
  <startPosition>5.00</startPosition><endPosition>5.04</endPosition>
</positions>
<commonCountingTime unit="seconds">0.5</commonCountingTime>
<intensities unit="counts">10 20 35 20 10</intensities>
"""


def test_read_xrdml_range_and_weighted_wavelength(tmp_path):
    path = write(tmp_path, "scan.xrdml", xrdml(RANGE))
    pattern = read_pattern(path)
    assert_allclose(pattern.two_theta, [10.0, 10.02, 10.04, 10.06, 10.08])
    assert_allclose(pattern.intensity, [10, 20, 35, 20, 10])
    # (λ1 + 0.5 λ2) / 1.5 for the Cu doublet.
    assert pattern.wavelength == pytest.approx((1.540598 + 0.5 * 1.544426) / 1.5)
    assert pattern.metadata["kAlpha1"] == 1.540598
    assert pattern.metadata["ratioKAlpha2KAlpha1"] == 0.5
    assert pattern.metadata["name"] == "NaCl standard"
    assert pattern.metadata["counting_time_s"] == 0.5


def test_read_xrdml_monochromatic_is_kalpha1(tmp_path):
    path = write(tmp_path, "scan.xrdml", xrdml(RANGE, intended="K-Alpha 1"))
    assert read_xrdml(path).wavelength == 1.540598
    assert read_xrdml(path, kalpha="mean").wavelength == pytest.approx(1.5418739)
    with pytest.raises(ValueError, match="kalpha"):
        read_xrdml(path, kalpha="kbeta")


def test_read_xrdml_without_wavelength(tmp_path):
    path = write(tmp_path, "scan.xrdml", xrdml(RANGE, wavelength=False))
    assert read_xrdml(path).wavelength is None


def test_read_xrdml_listed_positions_and_old_counts(tmp_path):
    data = """<positions axis="2Theta" unit="deg">
      <listPositions>20.0 20.5 21.25</listPositions></positions>
      <counts unit="counts">3 4 5</counts>"""
    # XRDML 1.0 calls the counts <counts>; sniffed from the XML, not the name.
    path = write(tmp_path, "scan.xml", xrdml(data, version="1.0"))
    pattern = read_pattern(path)
    assert_allclose(pattern.two_theta, [20.0, 20.5, 21.25])
    assert_allclose(pattern.intensity, [3, 4, 5])


def test_read_xrdml_chooses_scan(tmp_path):
    path = write(tmp_path, "scan.xrdml", xrdml(RANGE, scans=2))
    assert read_xrdml(path, scan=1).metadata["n_scans"] == 2
    with pytest.raises(ValueError, match="scan=2"):
        read_xrdml(path, scan=2)


@pytest.mark.parametrize(
    "text, line, words",
    [
        # Unclosed <sample>: expat notices at the closing root tag, line 18.
        (xrdml(RANGE).replace("</sample>", ""), 18, "not well-formed"),
        (xrdml(RANGE.replace("35", "3x5")), 15, "<intensities> holds a non-number"),
        (xrdml(RANGE.replace("intensities", "values")), 7, "no <intensities>"),
        (xrdml(RANGE.replace('axis="2Theta"', 'axis="Chi"')), 7, "2Theta"),
        (xrdml(RANGE.replace("<endPosition>10.08", "<endPosition>9.9")), None, "2θ"),
    ],
    ids=["xml", "non_number", "no_counts", "no_two_theta", "decreasing"],
)
def test_broken_xrdml(tmp_path, text, line, words):
    path = write(tmp_path, "broken.xrdml", text)
    with pytest.raises(ValueError) as info:
        read_pattern(path)
    message = str(info.value)
    assert "broken.xrdml" in message and words in message, message
    if line is not None:
        assert f"line {line}:" in message, message


def test_other_xml_is_refused(tmp_path):
    path = write(tmp_path, "plot.xml", "<svg><g/></svg>")
    with pytest.raises(ValueError, match=r"plot\.xml.*not XRDML"):
        read_pattern(path)


# --------------------------------------------------------------------------
# Dispatch and many files
# --------------------------------------------------------------------------


def test_format_argument(tmp_path):
    path = write(tmp_path, "data.asc", "##NAMES=Y\n10, 1\n11, 2\n")
    assert read_pattern(path).metadata["format"] == "rruff"
    assert read_pattern(path, format="xy").metadata["format"] == "xy"
    assert read_pattern(path, format=".TXT").metadata["format"] == "xy"
    with pytest.raises(ValueError, match="Unknown pattern format 'raw'"):
        read_pattern(path, format="raw")
    assert {"xy", "xye", "xrdml", "rruff"} <= set(PATTERN_FORMATS)


def test_read_patterns_folder_and_warnings(tmp_path):
    write_xy(tmp_path / "b.xy", [10.0, 11.0], [1.0, 2.0])
    write(tmp_path, "a.xrdml", xrdml(RANGE))
    write(tmp_path, "c.csv", "10, 1\n9, 2\n")
    write(tmp_path, "notes.md", "not a pattern")
    with pytest.raises(ValueError, match=r"c\.csv, line 2"):
        read_patterns(tmp_path)
    with pytest.warns(UserWarning, match=r"Skipped pattern file .*c\.csv.*line 2"):
        patterns = read_patterns(tmp_path, errors="warn")
    assert [p.name for p in patterns] == ["a", "b"]
    assert all(isinstance(p, Pattern) for p in patterns)
    listed = read_patterns([tmp_path / "b.xy", str(tmp_path / "a.xrdml")])
    assert [p.metadata["format"] for p in listed] == ["xy", "xrdml"]
    with pytest.raises(ValueError, match="errors"):
        read_patterns(tmp_path, errors="ignore")
