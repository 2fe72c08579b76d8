import json
import re
import subprocess
import sys

import numpy as np
import pytest
from pymatgen.core import Lattice, Structure

from skxrd.cli import main


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def dataset(workdir):
    path = workdir / "ds.npz"
    assert (
        main(
            [
                "simulate",
                "--synthetic",
                "96",
                "--space-groups",
                "14,225",
                "-o",
                str(path),
                "--no-progress",
                "--augment",
            ]
        )
        == 0
    )
    return path


@pytest.fixture(scope="module")
def model(workdir, dataset):
    path = workdir / "model.skxrd"
    assert (
        main(
            [
                "train",
                str(dataset),
                "-o",
                str(path),
                "--epochs",
                "2",
                "--n-estimators",
                "2",
                "--reject-threshold",
                "0.9",
            ]
        )
        == 0
    )
    return path


def test_python_dash_m_runs_the_command_line():
    out = subprocess.run(
        [sys.executable, "-m", "skxrd", "--help"], capture_output=True, text=True
    )
    assert out.returncode == 0 and "usage: skxrd" in out.stdout


@pytest.mark.parametrize(
    "command", ["demo", "simulate", "train", "evaluate", "predict"]
)
def test_help_works_for_every_command(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([command, "--help"])
    assert exit_info.value.code == 0
    assert f"usage: skxrd {command}" in capsys.readouterr().out


def test_simulate_writes_a_dataset(dataset):
    with np.load(dataset) as data:
        assert data["X"].shape == (96, 8500) and set(data["y"]) <= {14, 225}
        assert data["two_theta"][0] == 5.0


def test_simulate_structure_source(workdir, capsys):
    path = workdir / "pmg.npz"
    assert (
        main(["simulate", "--source", "pymatgen", "-o", str(path), "--no-progress"])
        == 0
    )
    assert "wrote 21 patterns" in capsys.readouterr().out


def test_simulate_variants_adds_named_copies(workdir, capsys):
    from skxrd.cli._dataset import load_dataset

    folder = workdir / "two_cifs"
    folder.mkdir()
    for name, a in (("NaCl", 5.64), ("KCl", 6.29)):
        Structure.from_spacegroup(
            "Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
        ).to(filename=str(folder / f"{name}.cif"))
    path = workdir / "variants.npz"
    argv = ["simulate", "--cif-folder", str(folder), "-o", str(path)]
    assert main([*argv, "--variants", "3", "--no-progress"]) == 0
    assert "wrote 8 patterns" in capsys.readouterr().out
    X, y, _, names = load_dataset(path)
    assert X.shape == (8, 8500) and set(y) == {225}
    assert sorted(names)[:4] == ["KCl", "KCl~0", "KCl~1", "KCl~2"]
    assert main(["simulate", "--synthetic", "4", "-o", str(path), "--variants", "2"])
    assert "does not apply to --synthetic" in capsys.readouterr().err


def test_evaluate_prints_table_and_writes_json_and_figures(
    workdir, model, dataset, capsys
):
    out_json = workdir / "metrics.json"
    figures = workdir / "figures"
    assert (
        main(
            [
                "evaluate",
                str(model),
                str(dataset),
                "--json",
                str(out_json),
                "--figures",
                str(figures),
            ]
        )
        == 0
    )
    text = capsys.readouterr().out
    assert "space group, top-1" in text and "accuracy at 50% coverage" in text
    report = json.loads(out_json.read_text())
    assert report["n_samples"] == 96 and 0 <= report["space_group_accuracy"] <= 1
    assert (figures / "top_n_accuracy.png").stat().st_size > 1000


def test_predict_reads_a_measured_file(workdir, model, dataset, capsys):
    from skxrd import read_pattern, write_xy

    with np.load(dataset) as data:
        X = data["X"]
    xy = workdir / "pattern.xy"
    write_xy(xy, np.linspace(5, 89.99, 8500), X[0] * 1000)
    assert read_pattern(xy).intensity.size == 8500
    assert main(["predict", str(xy), "-m", str(model)]) == 0
    text = capsys.readouterr().out
    assert "crystal system" in text and "P2_1/c" in text and "Fm-3m" in text
    assert main(["predict", str(xy), "-m", str(model), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    assert len(result["top"]) == 2
    assert sum(t["probability"] for t in result["top"]) == pytest.approx(1, abs=1e-4)
    assert result["classified"] == (result["certainty"] >= 0.9)


@pytest.mark.parametrize(
    "argv, message",
    [
        (["predict", "BROKEN"], "no numeric data"),
        (["predict", "missing.xy"], "missing.xy"),
        (["evaluate", "nothere.skxrd", "BROKEN"], "nothere.skxrd"),
        (["train", "nodata.npz", "-o", "x"], "dataset file not found"),
    ],
)
def test_user_errors_are_one_line_with_exit_code(
    workdir, model, argv, message, capsys, monkeypatch
):
    monkeypatch.chdir(workdir)
    broken = workdir / "broken.xy"
    broken.write_text("this is not a pattern\nat all\n")
    argv = [str(broken) if a == "BROKEN" else a for a in argv]
    if argv[0] == "predict":
        argv += ["-m", str(model)]
    assert main(argv) != 0
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("skxrd")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in err


def test_model_file_from_another_version_is_refused(workdir, model, capsys):
    import zipfile

    with zipfile.ZipFile(model) as archive:
        description = json.loads(archive.read("model.json"))
        weights = archive.read("weights.npz")
    description["format"] = 999
    old = workdir / "old.skxrd"
    with zipfile.ZipFile(old, "w") as archive:
        archive.writestr("model.json", json.dumps(description))
        archive.writestr("weights.npz", weights)
    assert main(["predict", str(workdir / "pattern.xy"), "-m", str(old)]) != 0
    assert "format 999" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_tiny_prints_the_table_and_writes_figures(workdir, capsys):
    out = workdir / "demo"
    assert main(["demo", "--size", "tiny", "-o", str(out), "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "space group, top-5" in text and "mean subgroup distance" in text
    assert (out / "report.json").exists()
    for name in (
        "top_n_accuracy.png",
        "subgroup_distances.png",
        "pattern_prediction.png",
    ):
        assert (out / name).stat().st_size > 1000


def test_model_file_keeps_the_temperature(workdir, model, dataset):
    from skxrd.models import load_model, save_model

    loaded = load_model(model)
    assert loaded.temperature == 1.0
    with np.load(dataset, allow_pickle=False) as data:
        X = next(data[k] for k in data.files if data[k].ndim == 2)[:5]
    loaded.set_params(temperature=2.5)
    path = save_model(loaded, workdir / "warm.skxrd")
    again = load_model(path)
    assert again.temperature == 2.5
    np.testing.assert_allclose(
        again.predict_proba(X), loaded.predict_proba(X), rtol=1e-5
    )


def test_train_dataset_rules_for_presets(workdir, dataset, capsys):
    out = str(workdir / "never.skxrd")
    assert main(["train", "-o", out]) != 0
    assert "needs a dataset file" in capsys.readouterr().err
    code = main(
        ["train", str(dataset), "-o", out, "--preset", "pretrained-space-group"]
    )
    assert code != 0
    assert "streams its own training data" in capsys.readouterr().err
    code = main(["train", str(dataset), "-o", out, "--bootstrap", "--epochs", "1"])
    assert code != 0
    err = capsys.readouterr().err
    assert "only the pretrained-space-group preset takes --bootstrap" in err
    assert not (workdir / "never.skxrd").exists()


def test_train_resnet_preset(workdir, dataset, capsys):
    from skxrd.models import load_model
    from skxrd.neural_network import XRDResNetClassifier

    out = workdir / "resnet.skxrd"
    args = ["train", str(dataset), "-o", str(out), "--preset", "resnet"]
    assert main([*args, "--epochs", "1", "--n-estimators", "1"]) == 0
    # Each epoch shows on stderr; stdout holds the result alone.
    captured = capsys.readouterr()
    assert "loss:" in captured.err and "loss:" not in captured.out
    assert captured.out.startswith("trained resnet")
    assert main([*args, "--epochs", "1", "--n-estimators", "1", "--no-progress"]) == 0
    assert "loss:" not in capsys.readouterr().err
    member = load_model(out).estimators_[0]
    assert isinstance(member, XRDResNetClassifier)
    assert member.loss == "categorical_crossentropy"


def test_model_file_in_float16_is_smaller_and_agrees(workdir, model, dataset):
    from skxrd.models import load_model, save_model

    loaded = load_model(model)
    with np.load(dataset, allow_pickle=False) as data:
        X = next(data[k] for k in data.files if data[k].ndim == 2)[:20]
    half = save_model(loaded, workdir / "half.skxrd", weights_dtype="float16")
    full = save_model(loaded, workdir / "full.skxrd")
    assert half.stat().st_size < 0.6 * full.stat().st_size
    again = load_model(half)
    assert again.skxrd_metadata_["weights_dtype"] == "float16"
    assert load_model(full).skxrd_metadata_["weights_dtype"] == "float32"
    # float16 keeps 11 significant bits: probabilities move by far less than
    # the gaps between classes.
    np.testing.assert_allclose(
        again.predict_proba(X), loaded.predict_proba(X), atol=2e-3
    )
    with pytest.raises(ValueError, match="weights_dtype must be"):
        save_model(loaded, workdir / "x.skxrd", weights_dtype="int8")
    member = loaded.estimators_[0].model_
    weights = member.get_weights()
    member.set_weights([w + 1e5 if j == 0 else w for j, w in enumerate(weights)])
    with pytest.raises(ValueError, match="member 0, weight array m0_w0"):
        save_model(loaded, workdir / "x.skxrd", weights_dtype="float16")


def test_calibrate_in_place_sets_temperature_and_half_coverage(model, dataset):
    from sklearn.metrics import log_loss

    from skxrd.models import load_model
    from skxrd.models._matching import calibrate_in_place

    loaded = load_model(model)
    with np.load(dataset, allow_pickle=False) as data:
        X = next(data[k] for k in data.files if data[k].ndim == 2)
        y = next(
            data[k] for k in data.files if data[k].ndim == 1 and len(data[k]) == len(X)
        )
    loaded.set_params(temperature=3.0)
    temperature, threshold = calibrate_in_place(loaded, X, y)
    assert loaded.temperature == temperature and loaded.reject_threshold == threshold
    assert temperature == round(temperature, 3) and threshold == round(threshold, 4)
    tempered = log_loss(y, loaded.predict_proba(X), labels=loaded.classes_)
    loaded.set_params(temperature=1.0)
    assert tempered <= log_loss(y, loaded.predict_proba(X), labels=loaded.classes_)
    loaded.set_params(temperature=temperature)
    coverage = (loaded.predict_proba(X).max(axis=1) >= threshold).mean()
    assert 0.4 <= coverage <= 0.6


@pytest.mark.slow
def test_pretrained_recipe_runs_end_to_end(workdir, capsys):
    from skxrd.models import load_model

    out = workdir / "recipe.skxrd"
    code = main(
        [
            "train",
            "--preset",
            "pretrained-space-group",
            "--minutes",
            "0.01",
            # Both cores: loading and analysing the ~1,500 structures is most
            # of this test's time.
            "--n-jobs",
            "2",
            # Levers pass through to the recipe and are recorded; none of
            # them changes the members, their precision or the prior.
            "--bootstrap",
            "--learning-rate-decay",
            "cosine",
            "--decay-start",
            "0.5",
            "-o",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 0, err
    # A run of 100 minutes shows where it is.
    assert re.search(r"saw \d+ patterns \(\d+ fresh\) in", err), err
    model = load_model(out)
    assert model.skxrd_metadata_["metadata"]["patterns_seen"] >= 512
    assert list(model.classes_) == list(range(1, 231))
    # The recipe's defaults make what ships: the same members, precision and
    # class prior.
    from skxrd import load_pretrained

    shipped = load_pretrained(references=None)
    assert [type(m).__name__ for m in model.estimators_] == [
        type(m).__name__ for m in shipped.estimators_
    ]
    assert [type(m).__name__ for m in model.estimators_] == [
        "XRDCNNClassifier",
        "XRDCNNClassifier",
        "XRDResNetClassifier",
    ]
    assert model.skxrd_metadata_["weights_dtype"] == "float16"
    for key in ("architecture", "class_prior_systems"):
        assert (
            model.skxrd_metadata_["metadata"][key]
            == shipped.skxrd_metadata_["metadata"][key]
        )
    recorded = model.skxrd_metadata_["metadata"]
    assert recorded["bootstrap"] is True
    assert (recorded["learning_rate_decay"], recorded["decay_start"]) == ("cosine", 0.5)


@pytest.fixture(scope="module")
def salt_references(workdir):
    """Reference dataset of NaCl and Si, and a NaCl scan with a 2% larger cell."""
    from pymatgen.core import Lattice, Structure

    from skxrd import simulate_patterns, two_theta_grid, write_xy
    from skxrd.cli._dataset import save_dataset

    def salt(a):
        return Structure.from_spacegroup(
            "Fm-3m", Lattice.cubic(a), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
        )

    silicon = Structure.from_spacegroup(
        "Fd-3m", Lattice.cubic(5.431), ["Si"], [[0] * 3]
    )
    X, y, _ = simulate_patterns([salt(5.64), silicon], progress=False)
    path = save_dataset(workdir / "refs.npz", X, y, two_theta_grid(), ["NaCl", "Si"])
    (scan,), _, _ = simulate_patterns([salt(5.64 * 1.02)], progress=False)
    xy = workdir / "salt.xy"
    write_xy(xy, two_theta_grid(), scan * 1000)
    return path, xy


def test_predict_with_references_names_the_closest(
    matching_model, salt_references, capsys
):
    refs, xy = salt_references
    argv = ["predict", str(xy), "-m", str(matching_model), "--references", str(refs)]
    assert main(argv + ["--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    closest = result["closest_references"]
    assert [c["name"] for c in closest] == ["refs:NaCl", "refs:Si"]
    assert closest[0]["space_group"] == 225 and closest[0]["correlation"] > 0.95
    assert closest[0]["lattice_scale"] == pytest.approx(1.02, abs=0.003)
    assert result["top"][0]["space_group"] == 225
    assert main(argv) == 0
    assert "refs:NaCl  Fm-3m (225)" in capsys.readouterr().out


@pytest.fixture(scope="module")
def matching_model(workdir, model):
    """The CLI test model with search-match settings."""
    from skxrd.models import load_model, save_model

    matching = {"matcher": {}, "weight": 0.5, "temperature": 1.0}
    return save_model(load_model(model), workdir / "m.skxrd", matching=matching)


def test_references_writes_a_pooled_model_file(
    workdir, model, dataset, matching_model, salt_references, capsys
):
    from pymatgen.core import Lattice, Structure
    from pymatgen.io.cif import CifWriter

    cifs = workdir / "cifs"
    cifs.mkdir()
    for name, structure in {
        "NaCl": Structure.from_spacegroup(
            "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5] * 3]
        ),
        "Si": Structure.from_spacegroup(
            "Fd-3m", Lattice.cubic(5.431), ["Si"], [[0] * 3]
        ),
    }.items():
        CifWriter(structure).write_file(cifs / f"{name}.cif")
    library = workdir / "library.skxrd"
    argv = ["references", "-m", str(matching_model), "--cif-folder", str(cifs)]
    assert main(argv + ["--variants", "2", "-o", str(library), "--no-progress"]) == 0
    assert "6 search-match references (2 structures, 4 copies)" in (
        capsys.readouterr().out
    )
    # predict pools the file's network with its references, unasked.
    _, xy = salt_references
    assert main(["predict", str(xy), "-m", str(library), "--json"]) == 0
    (result,) = json.loads(capsys.readouterr().out)
    closest = result["closest_references"]
    assert closest[0]["name"] == "NaCl" and closest[0]["space_group"] == 225
    assert closest[0]["lattice_scale"] == pytest.approx(1.02, abs=0.003)
    assert result["top"][0]["space_group"] == 225
    argv = ["predict", str(xy), "-m", str(library), "--no-references", "--json"]
    assert main(argv) == 0
    (alone,) = json.loads(capsys.readouterr().out)
    assert "closest_references" not in alone
    assert main(argv + ["--references", "r.npz"]) != 0
    assert "not both" in capsys.readouterr().err
    # evaluate scores the pool too, or the network alone when asked.
    for extra in ([], ["--no-references"]):
        assert main(["evaluate", str(library), str(dataset)] + extra) == 0
        assert "space group, top-1" in capsys.readouterr().out
    # A model that could be pooled but holds no references says how, once.
    assert main(["predict", str(xy), "-m", str(matching_model)]) == 0
    hint = f"skxrd references -m {matching_model} -o pooled.skxrd"
    assert capsys.readouterr().err.count(hint) == 1
    assert main(["predict", str(xy), "-m", str(library)]) == 0
    assert "skxrd references" not in capsys.readouterr().err
    # A model without search-match settings cannot be pooled.
    argv = ["references", "-m", str(model), "--cif-folder", str(cifs), "-o", "x"]
    assert main(argv) != 0
    assert "stores no search-match settings" in capsys.readouterr().err


def test_predict_with_references_needs_settings_and_the_grid(
    workdir, model, salt_references, capsys
):
    from skxrd.cli._dataset import save_dataset

    refs, xy = salt_references
    assert main(["predict", str(xy), "-m", str(model), "--references", str(refs)]) != 0
    assert "stores no search-match settings" in capsys.readouterr().err
    coarse = save_dataset(
        workdir / "coarse.npz", np.ones((1, 100)), [225], np.linspace(5, 90, 100)
    )
    argv = ["predict", str(xy), "--references", str(coarse)]
    assert main(argv) != 0
    assert "coarse.npz: the references are not on the model's grid" in (
        capsys.readouterr().err
    )
