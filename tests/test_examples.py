"""Every gallery example runs to the end in its small size."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("plot_*.py"))

# Examples that took about 20 s or more in small mode on a loaded 2-core
# machine (TensorFlow import included), so that the rest stay under a minute
# together; they still run in CI.
SLOW = {
    "plot_cif_folder.py",
    "plot_grid_search.py",
    "plot_reject_option.py",
}


def _param(path):
    marks = [pytest.mark.slow] if path.name in SLOW else []
    return pytest.param(path, id=path.stem, marks=marks)


def test_examples_are_found():
    names = {path.name for path in EXAMPLES}
    assert {
        "plot_pipeline.py",
        "plot_grid_search.py",
        "plot_reject_option.py",
        "plot_persistence.py",
        "plot_measured_file.py",
        "plot_cif_folder.py",
    } <= names
    assert SLOW <= names


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_example_is_a_gallery_script(path):
    source = path.read_text(encoding="utf-8")
    docstring = ast.get_docstring(ast.parse(source), clean=False)
    assert docstring, f"{path.name} has no module docstring"
    lines = [line for line in docstring.strip().splitlines() if line.strip()]
    # An RST title: over- and underlined with '=' around the title line.
    assert set(lines[0]) == {"="} and set(lines[2]) == {"="}, path.name
    assert "# %%" in source, f"{path.name} has no '# %%' cells"
    # Fresh clones have no ../shared, and examples must not download.
    for forbidden in ("shared/", "http://", "https://", "urlopen", "requests"):
        assert forbidden not in source, f"{path.name} mentions {forbidden!r}"


# Runs the examples one after another in one fresh interpreter, each in its
# own folder, so that TensorFlow and skxrd are imported once (~5 s an example)
# while pytest's process stays untouched; prints {path: traceback or None}.
_DRIVER = """
import json, os, runpy, sys, tempfile, traceback
import matplotlib.pyplot as plt
results = {}
for path, folder in json.loads(sys.argv[1]):
    os.chdir(folder)
    os.environ["TMPDIR"] = folder
    tempfile.tempdir = None
    try:
        runpy.run_path(path, run_name="__main__")
        results[path] = None
    except SystemExit as exc:
        results[path] = None if exc.code in (0, None) else f"exit code {exc.code}"
    except BaseException:
        results[path] = traceback.format_exc()[-4000:]
    plt.close("all")
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def example_runs(request, tmp_path_factory):
    # Only the examples this session selected (``-m "not slow"`` skips some).
    selected = [
        item.callspec.params["path"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_example_runs"
    ]
    jobs = [(str(p), str(tmp_path_factory.mktemp(p.stem))) for p in selected]
    env = {
        **os.environ,
        "SKXRD_EXAMPLE_SMALL": "1",
        "MPLBACKEND": "Agg",
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    result = subprocess.run(
        [sys.executable, "-c", _DRIVER, json.dumps(jobs)],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("path", [_param(p) for p in EXAMPLES])
def test_example_runs(path, example_runs):
    failure = example_runs[str(path)]
    assert failure is None, f"{path.name} failed:\n{failure}"
