"""Model files that run no code when loaded: weights plus a JSON description.

A pickle can execute arbitrary code when it is loaded, so models that travel —
the pretrained ones, the files ``skxrd train`` writes — are stored as a zip
archive holding ``model.json`` (the estimator classes, their parameters, the
classes and the grid the model expects) and ``weights.npz`` (float32 arrays, or
float16 to halve the file; read with ``allow_pickle=False``, computed in
float32).  Only skxrd's own estimator classes can be
named in the JSON.  A model pooled with search-match also stores its
reference patterns, as peak lists (``references.npz``: positions to 0.0014°,
relative intensities in float16), rendered on the grid when loaded.
"""

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from .._grid import (
    DEFAULT_WAVELENGTH,
    TWO_THETA_MAX,
    TWO_THETA_MIN,
    TWO_THETA_STEP,
    two_theta_grid,
)
from .._version import __version__

__all__ = ["FILE_FORMAT", "save_model", "load_model"]

#: Layout version of the model file; files of another layout are refused.
FILE_FORMAT = 1

_NETWORKS = ("XRDDenseClassifier", "XRDCNNClassifier", "XRDResNetClassifier")
# Parameters that only matter while training, or hold objects JSON cannot.
_TRAINING_ONLY = {"augmenter", "callbacks"}
_WEIGHTS_DTYPES = ("float32", "float16")
# Peak positions are stored as steps of (last - first) / _POSITION_STEPS.
_POSITION_STEPS = 65535


def _encode_references(sticks):
    """Compact arrays of a `StickDataset`: uint16 positions, float16 intensities."""
    counts = np.diff(sticks.offsets)
    if counts.size == 0 or sticks.positions.size == 0:
        raise ValueError("references must hold at least one peak")
    first = float(np.floor(sticks.positions.min()))
    last = float(np.ceil(sticks.positions.max()))
    last = max(last, first + 1.0)
    steps = np.rint((sticks.positions - first) / (last - first) * _POSITION_STEPS)
    # Intensities relative to each pattern's strongest peak: float16 then
    # keeps 11 significant bits of every peak whatever the pattern's scale.
    strongest = np.zeros(len(counts))
    has_peaks = counts > 0
    strongest[has_peaks] = np.maximum.reduceat(
        sticks.intensities, sticks.offsets[:-1][has_peaks]
    )
    relative = sticks.intensities / np.repeat(np.where(has_peaks, strongest, 1), counts)
    return {
        "positions": steps.astype(np.uint16),
        "position_range": np.array([first, last]),
        "intensities": relative.astype(np.float16),
        "counts": counts.astype(np.uint32),
        "labels": sticks.labels.astype(np.uint8),
        "names": sticks.names,
        "wavelength": np.array(sticks.wavelength),
    }


def _decode_references(arrays):
    """The `StickDataset` that `_encode_references` stored."""
    from ..simulation import StickDataset

    first, last = arrays["position_range"]
    positions = first + arrays["positions"] * ((last - first) / _POSITION_STEPS)
    counts = arrays["counts"].astype(np.int64)
    return StickDataset(
        positions,
        arrays["intensities"].astype(np.float64),
        np.concatenate([[0], np.cumsum(counts)]),
        arrays["labels"],
        arrays["names"],
        wavelength=float(arrays["wavelength"]),
    )


def _network_class(name):
    from .. import neural_network

    if name not in _NETWORKS:
        raise ValueError(f"unknown network class {name!r} in the model file")
    return getattr(neural_network, name)


def _to_json(value):
    if isinstance(value, tuple):
        return {"__tuple__": [_to_json(v) for v in value]}
    if isinstance(value, (list, np.ndarray)):
        return [_to_json(v) for v in list(value)]
    if isinstance(value, np.generic):
        return value.item()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"cannot store the parameter value {value!r} in a model file")


def _from_json(value):
    if isinstance(value, dict) and "__tuple__" in value:
        return tuple(_from_json(v) for v in value["__tuple__"])
    if isinstance(value, list):
        return [_from_json(v) for v in value]
    return value


def _network_entry(net, index):
    params = {
        k: _to_json(v)
        for k, v in net.get_params(deep=False).items()
        if k not in _TRAINING_ONLY
    }
    weights = {
        f"m{index}_w{j}": np.asarray(w, dtype=np.float32)
        for j, w in enumerate(net.model_.get_weights())
    }
    return {
        "class": type(net).__name__,
        "params": params,
        "n_weights": len(weights),
    }, weights


def save_model(
    model,
    path,
    *,
    two_theta=None,
    wavelength=DEFAULT_WAVELENGTH,
    metadata=None,
    matching=None,
    references=None,
    weights_dtype="float32",
):
    """Save a fitted skxrd network or ensemble as a safe model file.

    Parameters
    ----------
    model : XRDDenseClassifier, XRDCNNClassifier or XRDEnsembleClassifier
        A fitted model (an ensemble of skxrd networks, or one network).
    path : str or Path
        File to write; ``.skxrd`` is appended if it has no suffix.
    two_theta : array-like or None, default=None
        The 2θ grid the model was trained on; None is the standard grid.
    wavelength : float, default=1.54184
        Wavelength of that grid, in Å.
    metadata : dict or None, default=None
        Anything JSON can hold (training recipe, validation figures).
    matching : dict or None, default=None
        How to pool the model with search-match against reference patterns,
        as `skxrd.models.calibrate_matching` returns it; `load_model` and
        `load_pretrained` pool the model with the stored ``references`` or
        with references given to them.
    references : StickDataset or None, default=None
        Peak lists of the references to pool with (e.g. simulated with
        `skxrd.simulation.compute_sticks`), stored compactly: positions to
        1/65535 of their range (0.0014° over 5–90°), intensities relative to
        each pattern's strongest peak in float16, and the names.  Needs
        ``matching``.
    weights_dtype : {"float32", "float16"}, default="float32"
        Precision of the stored weights.  ``"float16"`` halves the file; the
        weights are rounded to 11 significant bits and the network still
        computes in float32 when loaded.

    Returns
    -------
    path : Path
        The file written.

    Raises
    ------
    ValueError
        For an unknown ``weights_dtype``, a weight that float16 cannot hold
        (not finite or larger than 65504), naming the member and the array,
        or ``references`` without ``matching``.

    See Also
    --------
    load_model : Read it back.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from skxrd.neural_network import XRDDenseClassifier
    >>> from skxrd.models import load_model, save_model
    >>> X = np.random.default_rng(0).random((8, 30), dtype=np.float32)
    >>> y = [1, 2] * 4
    >>> net = XRDDenseClassifier(hidden_layer_sizes=(4,), dropout=0.0, epochs=1,
    ...                          random_state=0, run_eagerly=True).fit(X, y)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     back = load_model(save_model(net, os.path.join(d, "net")))
    >>> bool(np.allclose(back.predict_proba(X), net.predict_proba(X)))
    True
    """
    from sklearn.utils.validation import check_is_fitted

    check_is_fitted(model)
    if weights_dtype not in _WEIGHTS_DTYPES:
        raise ValueError(
            f"weights_dtype must be one of {_WEIGHTS_DTYPES}, got {weights_dtype!r}"
        )
    if references is not None and matching is None:
        raise ValueError(
            "references are stored for search-match pooling, which needs matching "
            "(skxrd.models.calibrate_matching)"
        )
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".skxrd")
    members = getattr(model, "estimators_", None)
    kind = "network" if members is None else "ensemble"
    members = [model] if members is None else members
    entries, weights = [], {}
    for index, net in enumerate(members):
        if type(net).__name__ not in _NETWORKS:
            raise TypeError(
                f"save_model stores skxrd networks; member {index} is a "
                f"{type(net).__name__}"
            )
        entry, arrays = _network_entry(net, index)
        if weights_dtype == "float16":
            arrays = _to_float16(arrays, index)
        entries.append(entry)
        weights.update(arrays)
    grid = (
        None
        if two_theta is None
        else np.asarray(two_theta, dtype=float)[[0, -1]].tolist() + [len(two_theta)]
    )
    description = {
        "format": FILE_FORMAT,
        "skxrd_version": __version__,
        "kind": kind,
        "classes": _to_json(np.asarray(model.classes_)),
        "n_features_in": int(model.n_features_in_),
        "members": entries,
        "grid": {"first": grid[0], "last": grid[1], "n_points": grid[2]}
        if grid
        else {
            "first": TWO_THETA_MIN,
            "last": TWO_THETA_MAX - TWO_THETA_STEP,
            "n_points": int(model.n_features_in_),
        },
        "wavelength": float(wavelength),
        "weights_dtype": weights_dtype,
        "metadata": metadata or {},
    }
    if matching is not None:
        description["matching"] = dict(matching)
    if kind == "ensemble":
        description["ensemble"] = {
            "n_estimators": model.n_estimators,
            "reject_threshold": model.reject_threshold,
            "temperature": float(model.temperature),
            "reject_label": _to_json(model.reject_label),
        }
    buffer = io.BytesIO()
    np.savez(buffer, **weights)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("model.json", json.dumps(description, indent=1))
        archive.writestr("weights.npz", buffer.getvalue())
        if references is not None:
            buffer = io.BytesIO()
            np.savez(buffer, **_encode_references(references))
            archive.writestr("references.npz", buffer.getvalue())
    return path


def _to_float16(arrays, index):
    limit = np.finfo(np.float16).max
    for name, array in arrays.items():
        if not np.isfinite(array).all() or np.abs(array).max(initial=0) > limit:
            raise ValueError(
                f"member {index}, weight array {name}: values beyond float16's "
                f"range (±{limit:g}) or not finite; save with weights_dtype='float32'"
            )
    return {name: array.astype(np.float16) for name, array in arrays.items()}


def _read(path, references=False):
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model file not found: {path}")
    try:
        with zipfile.ZipFile(path) as archive:
            description = json.loads(archive.read("model.json"))
            weights = np.load(
                io.BytesIO(archive.read("weights.npz")), allow_pickle=False
            )
            weights = {k: weights[k] for k in weights.files}
            stored = None
            if references and "references.npz" in archive.namelist():
                with np.load(
                    io.BytesIO(archive.read("references.npz")), allow_pickle=False
                ) as arrays:
                    stored = _decode_references(arrays)
    except (zipfile.BadZipFile, KeyError, json.JSONDecodeError, ValueError) as exc:
        raise ValueError(f"{path} is not an skxrd model file ({exc})") from None
    if description.get("format") != FILE_FORMAT:
        raise ValueError(
            f"{path} was written by skxrd {description.get('skxrd_version', '?')} in "
            f"model-file format {description.get('format')}; skxrd {__version__} reads "
            f"format {FILE_FORMAT}. Use that skxrd version or retrain the model."
        )
    return description, weights, stored


def _rebuild_network(entry, index, weights, n_features, classes):
    cls = _network_class(entry["class"])
    params = {k: _from_json(v) for k, v in entry["params"].items()}
    net = cls(**params)
    net.n_features_in_ = n_features
    net._start(np.zeros((1, n_features), dtype=np.float32), classes)
    net.model_.set_weights(
        [
            weights[f"m{index}_w{j}"].astype(np.float32)
            for j in range(entry["n_weights"])
        ]
    )
    return net


def load_model(path, *, references="stored"):
    """Load a model file written by `save_model`; runs no code from the file.

    Parameters
    ----------
    path : str or Path
        The ``.skxrd`` file.
    references : "stored", tuple (X, y) or None, default="stored"
        What to pool the network with by search-match
        (`skxrd.neighbors.PatternMatchClassifier`, with the weight,
        temperature and reject threshold the file stores):

        - ``"stored"``: the reference peak lists the file stores (``skxrd
          references`` writes them), rendered on the standard grid (13,000
          references: ~7 s and ~0.7 GB more while loading, ~120 MB kept); a
          file without them gives the network alone.
        - ``(X, y)``: these reference patterns (on the model's grid) and
          their space groups; the file must store search-match settings.
        - None: the network alone.

    Returns
    -------
    model : XRDEnsembleClassifier, skxrd network or XRDVotingClassifier
        Ready to predict; the voting classifier when pooled.  Its
        ``skxrd_metadata_`` attribute holds the file's description (grid,
        wavelength, metadata, and ``matching`` when the file says how to pool
        the model with search-match); a pool of the stored references also
        has their names as ``skxrd_reference_names_``.

    Raises
    ------
    FileNotFoundError
        If the file does not exist.
    ValueError
        If it is not a model file, or one of another file format; if
        ``references`` are given for a file without search-match settings, or
        stored ones for a model on another grid or wavelength.

    See Also
    --------
    save_model : Write one.
    load_pretrained : The models that ship with skxrd.

    Examples
    --------
    >>> from importlib import resources
    >>> from skxrd.models import load_model
    >>> file = resources.files("skxrd.models") / "data" / "space-group.skxrd"
    >>> with resources.as_file(file) as path:
    ...     model = load_model(path)
    >>> type(model).__name__, model.classes_.shape, model.n_features_in_
    ('XRDEnsembleClassifier', (230,), 8500)
    >>> model.skxrd_metadata_["grid"]
    {'first': 5.0, 'last': 89.99, 'n_points': 8500}
    """
    stored_wanted = isinstance(references, str)
    if stored_wanted and references != "stored":
        raise ValueError(
            f'references must be "stored", a tuple (X, y) or None; got {references!r}'
        )
    description, weights, stored = _read(path, references=stored_wanted)
    classes = np.asarray(_from_json(description["classes"]))
    n_features = int(description["n_features_in"])
    members = [
        _rebuild_network(e, i, weights, n_features, classes)
        for i, e in enumerate(description["members"])
    ]
    if description["kind"] == "network":
        model = members[0]
    else:
        from ..ensemble import XRDEnsembleClassifier

        spec = description["ensemble"]
        model = XRDEnsembleClassifier(
            members[0],
            n_estimators=spec["n_estimators"],
            classes=classes,
            reject_threshold=spec["reject_threshold"],
            temperature=spec.get("temperature", 1.0),
            reject_label=_from_json(spec["reject_label"]),
        )
        model.n_features_in_ = n_features
        model.classes_ = classes
        model.estimators_ = members
    model.skxrd_metadata_ = {
        k: description[k] for k in ("skxrd_version", "grid", "wavelength", "metadata")
    }
    # Files written before float16 storage existed hold float32.
    model.skxrd_metadata_["weights_dtype"] = description.get("weights_dtype", "float32")
    if "matching" in description:
        model.skxrd_metadata_["matching"] = description["matching"]
    if references is None or (stored_wanted and stored is None):
        return model
    return _pooled(model, path, references if stored is None else stored)


def _reference_patterns(sticks, chunk=1000):
    """Patterns, labels and names of the references with a peak on the grid.

    Rendered ``chunk`` at a time (rendering a whole library at once holds
    its temporaries too); a library without empty patterns is not copied.
    """
    X = np.empty((len(sticks), len(two_theta_grid())), dtype=np.float32)
    for start in range(0, len(sticks), chunk):
        X[start : start + chunk] = sticks[start : start + chunk].render()
    y, names = sticks.labels, sticks.names
    keep = X.max(axis=1) > 0
    if not keep.all():
        X, y, names = X[keep], y[keep], names[keep]
    return X, y, names


def _pooled(model, path, references):
    """The model pooled with search-match against (X, y) or a StickDataset."""
    from ._matching import with_references

    matching = model.skxrd_metadata_.get("matching")
    if matching is None:
        raise ValueError(
            f"{path} stores no search-match settings "
            "(skxrd.models.calibrate_matching makes them); load it with "
            "references=None"
        )
    names = None
    if hasattr(references, "render"):
        grid = model.skxrd_metadata_["grid"]
        standard = np.isclose(
            [grid["first"], grid["last"], grid["n_points"]],
            [TWO_THETA_MIN, TWO_THETA_MAX - TWO_THETA_STEP, len(two_theta_grid())],
        ).all()
        wavelength = model.skxrd_metadata_["wavelength"]
        if not standard or not np.isclose(wavelength, references.wavelength):
            raise ValueError(
                f"{path}: stored references are rendered on the standard grid "
                f"(5-90° 2θ, 0.01°, {references.wavelength:g} Å); the model expects "
                f"{grid['n_points']} points from {grid['first']:g}° at "
                f"{wavelength:g} Å. Load it with references=None."
            )
        X, y, names = _reference_patterns(references)
    else:
        X, y = references
    vote = with_references(model, X, y, matching)
    vote.skxrd_metadata_ = model.skxrd_metadata_
    if names is not None:
        vote.skxrd_reference_names_ = names
    return vote
