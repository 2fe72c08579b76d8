"""The pretrained models that ship inside the package."""

from importlib import resources

from ._file import load_model
from ._matching import with_references

__all__ = ["PRETRAINED_MODELS", "load_pretrained"]

#: Names of the pretrained models and what each predicts.
PRETRAINED_MODELS = {
    "space-group": "space group (230 classes); crystal systems from summed probabilities",
}


def load_pretrained(name="space-group", *, references=None):
    """Load a model that ships with skxrd; no download, no code from the file.

    Parameters
    ----------
    name : {"space-group"}, default="space-group"
        Which model. The space-group model also gives crystal-system
        probabilities (``predict_crystal_system_proba``), consistent with its
        space-group ones.
    references : tuple (X, y) or None, default=None
        Reference patterns (on the standard grid) and their space groups --
        simulated from the structures you have, e.g. with ``skxrd simulate
        --source aflow-prototypes --variants 8``.  When given, the network is
        pooled with a search-match against them
        (`skxrd.neighbors.PatternMatchClassifier`) with the weight, temperature
        and reject threshold the model file stores (chosen for the structures
        plus 8 strained, substituted copies of each,
        `skxrd.engine.structure_variants`).

    Returns
    -------
    model : XRDEnsembleClassifier or XRDVotingClassifier
        Ready to predict on patterns on the standard grid (5–90° 2θ, 0.01°,
        Cu Kα, maximum 1); the voting classifier when ``references`` are given.

    Raises
    ------
    ValueError
        For an unknown name, or when this build of skxrd ships no such file.

    See Also
    --------
    load_model : Load a model file of your own.
    skxrd.models.with_references : Pool any fitted model with search-match.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd import load_pretrained
    >>> model = load_pretrained("space-group")
    >>> type(model).__name__, int(model.classes_[0]), int(model.classes_[-1])
    ('XRDEnsembleClassifier', 1, 230)
    >>> X = np.zeros((2, model.n_features_in_), dtype=np.float32)
    >>> model.predict_proba(X).shape, model.predict_crystal_system_proba(X).shape
    ((2, 230), (2, 7))
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
        model = load_model(path)
    if references is None:
        return model
    matching = model.skxrd_metadata_.get("matching")
    if matching is None:
        raise ValueError(
            f"the pretrained {name!r} model file stores no search-match settings; "
            "use it without references"
        )
    vote = with_references(model, *references, matching)
    vote.skxrd_metadata_ = model.skxrd_metadata_
    return vote
