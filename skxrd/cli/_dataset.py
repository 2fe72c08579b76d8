"""The dataset file of the command line: patterns, labels, grid and provenance."""

from pathlib import Path

import numpy as np

from ._errors import UserError

__all__ = ["save_dataset", "load_dataset"]


def save_dataset(path, X, y, two_theta, names=None):
    """Write patterns to a compressed ``.npz`` that ``np.load`` reads without pickle."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_suffix(".npz")
    names = np.asarray(names if names is not None else [""] * len(y), dtype=str)
    np.savez_compressed(
        path,
        X=np.asarray(X, np.float32),
        y=np.asarray(y),
        two_theta=np.asarray(two_theta, float),
        names=names,
    )
    return path


def load_dataset(path):
    """Read a dataset file: X, y, two_theta and names."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"dataset file not found: {path}")
    try:
        with np.load(path, allow_pickle=False) as data:
            missing = {"X", "y"} - set(data.files)
            if missing:
                raise UserError(
                    f"{path} is not an skxrd dataset (no {sorted(missing)} arrays)"
                )
            X = data["X"].astype(np.float32)
            y = data["y"]
            two_theta = data["two_theta"] if "two_theta" in data.files else None
            names = data["names"] if "names" in data.files else np.array([""] * len(y))
    except (OSError, ValueError) as exc:
        raise UserError(f"cannot read {path} as an .npz dataset ({exc})") from None
    if X.ndim != 2 or X.shape[0] != y.shape[0]:
        raise UserError(f"{path}: X has shape {X.shape} but y has {y.shape[0]} labels")
    return X, y, two_theta, names
