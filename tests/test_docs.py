"""The documentation builds without a single warning and lists every public name."""

import doctest
import importlib
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import skxrd

ROOT = Path(__file__).resolve().parents[1]
SUBPACKAGES = [
    "augmentation",
    "cli",
    "diffraction",
    "engine",
    "ensemble",
    "io",
    "metrics",
    "models",
    "neighbors",
    "neural_network",
    "plotting",
    "preprocessing",
    "simulation",
    "spacegroups",
    "structures",
    "synthetic",
    "utils",
]
_BUILD_OUTPUTS = ("_build", "generated", "auto_examples", "sg_execution_times.rst")


def _api_reference_names():
    """Qualified names in docs/api.rst: autosummary entries and ``Constants:``."""
    names, module, in_constants = set(), None, False
    for line in (ROOT / "docs" / "api.rst").read_text(encoding="utf-8").splitlines():
        if match := re.match(r"\.\. currentmodule:: (\S+)", line):
            module = match.group(1)
        elif match := re.fullmatch(r" {3}~?([A-Za-z_]\w*)", line):
            names.add(f"{module}.{match.group(1)}")
        in_constants = line.startswith("Constants:") or (in_constants and line.strip())
        if in_constants:
            names.update(f"{module}.{c}" for c in re.findall(r"``(\w+)``", line))
    return names


def test_every_public_name_is_in_the_api_reference():
    documented = _api_reference_names()
    missing = [
        f"skxrd.{sub}.{name}"
        for sub in SUBPACKAGES
        for name in importlib.import_module(f"skxrd.{sub}").__all__
        if f"skxrd.{sub}.{name}" not in documented
    ]
    # Top-level names are re-exports; documented under a subpackage is enough.
    missing += [
        f"skxrd.{name}"
        for name in skxrd.__all__
        if f"skxrd.{name}" not in documented
        and not any(f"skxrd.{sub}.{name}" in documented for sub in SUBPACKAGES)
    ]
    assert not missing, f"not in docs/api.rst: {missing}"


def test_api_reference_names_exist():
    for qualified in sorted(_api_reference_names()):
        module, _, name = qualified.rpartition(".")
        assert name in importlib.import_module(module).__all__, qualified


@pytest.mark.parametrize(
    "page",
    sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "docs").rglob("*.rst")
        if ">>>" in p.read_text(encoding="utf-8")
        and not set(p.relative_to(ROOT / "docs").parts) & set(_BUILD_OUTPUTS)
    ),
)
def test_doctests_in_the_user_guide_run(page):
    # pytest's --doctest-modules reads docstrings, not .rst pages.
    result = doctest.testfile(
        str(ROOT / page),
        module_relative=False,
        optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
        verbose=False,
    )
    assert result.attempted > 0 and result.failed == 0, result


@pytest.mark.slow
def test_docs_build_without_warnings(tmp_path):
    # The ``docs`` extra; without it there is nothing to build.
    for module in ("sphinx", "numpydoc", "sphinx_gallery", "pydata_sphinx_theme"):
        pytest.importorskip(
            module, reason=f"{module} is not installed: pip install -e '.[docs]'"
        )
    # Build a copy, so that the files autosummary and sphinx-gallery write
    # next to the sources stay out of the working tree.
    shutil.copytree(
        ROOT / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns(*_BUILD_OUTPUTS)
    )
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {
        **os.environ,
        "SKXRD_EXAMPLE_SMALL": "1",
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "TMPDIR": str(tmp_path),
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]
        ),
    }
    # The examples themselves run in test_examples.py; here the gallery only
    # renders their pages (plot_gallery=0), which halves the build.
    command = [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html"]
    command += ["-D", "plot_gallery=0"]
    result = subprocess.run(
        [*command, str(tmp_path / "docs"), str(tmp_path / "html")],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    warnings = [
        line
        for line in result.stderr.splitlines()
        if "WARNING" in line or "ERROR" in line
    ]
    assert result.returncode == 0, "\n".join(warnings[:40]) or result.stderr[-4000:]
    assert (tmp_path / "html" / "index.html").is_file()
    assert (tmp_path / "html" / "auto_examples" / "plot_pipeline.html").is_file()
