"""The pretrained models that ship inside the package."""

from importlib import resources

from ._file import load_model

__all__ = ["PRETRAINED_MODELS", "load_pretrained"]

#: Names of the pretrained models and what each predicts.
PRETRAINED_MODELS = {
    "space-group": "space group (230 classes); crystal systems from summed probabilities",
}


def load_pretrained(name="space-group"):
    """Load a model that ships with skxrd; no download, no code from the file.

    Parameters
    ----------
    name : {"space-group"}, default="space-group"
        Which model. The space-group model also gives crystal-system
        probabilities (``predict_crystal_system_proba``), consistent with its
        space-group ones.

    Returns
    -------
    model : XRDEnsembleClassifier
        Ready to predict on patterns on the standard grid (5–90° 2θ, 0.01°,
        Cu Kα, maximum 1).

    Raises
    ------
    ValueError
        For an unknown name, or when this build of skxrd ships no such file.

    See Also
    --------
    load_model : Load a model file of your own.
    """
    if name not in PRETRAINED_MODELS:
        raise ValueError(
            f"unknown pretrained model {name!r}; choose from "
            f"{sorted(PRETRAINED_MODELS)}"
        )
    file = resources.files("skxrd.models").joinpath(f"data/{name}.skxrd")
    if not file.is_file():
        raise ValueError(
            f"this installation of skxrd ships no pretrained {name!r} model; give a "
            "model file (skxrd predict --model FILE) or train one with "
            "'skxrd train --preset ...'"
        )
    with resources.as_file(file) as path:
        return load_model(path)
