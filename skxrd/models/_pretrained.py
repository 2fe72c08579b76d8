"""The pretrained models that ship inside the package."""

from importlib import resources

from ._file import load_model

__all__ = ["PRETRAINED_MODELS", "load_pretrained"]

#: Names of the pretrained models and what each predicts.
PRETRAINED_MODELS = {
    "space-group": "space group (230 classes); crystal systems from summed probabilities",
}


def load_pretrained(name="space-group", *, references="stored"):
    """Load a model that ships with skxrd; no download, no code from the file.

    Parameters
    ----------
    name : {"space-group"}, default="space-group"
        Which model. The space-group model also gives crystal-system
        probabilities (``predict_crystal_system_proba``), consistent with its
        space-group ones.
    references : "stored", tuple (X, y) or None, default="stored"
        What the network is pooled with by search-match
        (`skxrd.neighbors.PatternMatchClassifier`), with the weight,
        temperature and reject threshold the model file stores:

        - ``"stored"``: the references the file stores.  The shipped files
          store none (they are made from the AFLOW prototypes, whose licence
          does not allow redistribution), so this is the network alone; build
          them with ``skxrd references -o pooled.skxrd`` and load that file
          with `load_model`.
        - ``(X, y)``: reference patterns (on the standard grid) and their
          space groups, e.g. from ``skxrd simulate --source aflow-prototypes
          --variants 8``.
        - None: the network alone.

    Returns
    -------
    model : XRDEnsembleClassifier or XRDVotingClassifier
        Ready to predict on patterns on the standard grid (5–90° 2θ, 0.01°,
        Cu Kα, maximum 1); the voting classifier when pooled.

    Raises
    ------
    ValueError
        For an unknown name, or when this build of skxrd ships no such file.

    See Also
    --------
    load_model : Load a model file of your own (pooled when it holds
        references).
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
    with resources.as_file(_pretrained_file(name)) as path:
        return load_model(path, references=references)


def _pretrained_file(name):
    """The packaged file of pretrained model ``name`` (a Traversable)."""
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
    return file
