"""Compact, versioned pickles of fitted networks.

scikeras pickles a fitted network as a whole keras archive, optimizer state
included: three times the float32 weights (105 MB for an 8.7 M-parameter
network).  skxrd stores what is needed to predict — the weights, as float32
arrays — and rebuilds the network from the estimator's own parameters when the
pickle is loaded.  The optimizer state (Adam's two moments per weight) is kept
only when the estimator says it will go on training (``warm_start=True``).

Every pickle records its state format and the skxrd version that wrote it; a
pickle in another format is refused with a message naming both versions.
"""

import warnings

import numpy as np

from .._version import __version__

__all__ = ["STATE_FORMAT", "check_state", "pack_network", "unpack_network"]

# Bump when the layout of a pickled network changes: older pickles are refused.
STATE_FORMAT = 1

_KEY = "_skxrd_state"


def pack_network(estimator, state):
    """Replace the keras model in a ``__getstate__`` dict by its weights.

    Parameters
    ----------
    estimator : skxrd network classifier
        The estimator being pickled.
    state : dict
        A copy of its ``__dict__``; modified in place.

    Returns
    -------
    state : dict
        Without live keras objects, with ``_skxrd_state`` added.
    """
    model = state.pop("model_", None)
    keep_training_state = bool(getattr(estimator, "warm_start", False))
    if not keep_training_state:
        # The best-weight snapshot only serves further training.
        state.pop("_best_weights", None)
    packed = {"format": STATE_FORMAT, "skxrd_version": __version__}
    if model is not None:
        packed["weights"] = [np.asarray(w) for w in model.get_weights()]
        if (
            keep_training_state
            and model.optimizer is not None
            and model.optimizer.built
        ):
            packed["optimizer"] = [np.asarray(v) for v in model.optimizer.variables]
    state[_KEY] = packed
    return state


def check_state(state, class_name):
    """Refuse a pickle written in another state format; warn on a version change.

    Parameters
    ----------
    state : dict
        The unpickled ``__dict__``.
    class_name : str
        Name of the estimator class, for messages.

    Returns
    -------
    packed : dict
        The ``_skxrd_state`` entry, removed from `state`.

    Raises
    ------
    ValueError
        If the pickle has no skxrd state or another state format.

    Examples
    --------
    >>> from skxrd.neural_network._persistence import check_state
    >>> check_state({"_skxrd_state": {"format": -1, "skxrd_version": "0.0"}}, "Net")
    Traceback (most recent call last):
    ...
    ValueError: This Net was pickled by skxrd 0.0 (state format -1), ...
    """
    packed = state.pop(_KEY, None)
    if packed is None:
        raise ValueError(
            f"This {class_name} pickle carries no skxrd state: it was written by an "
            f"skxrd version older than 0.1 or by another package. skxrd "
            f"{__version__} cannot load it; refit the model."
        )
    saved_version = packed.get("skxrd_version", "unknown")
    if packed.get("format") != STATE_FORMAT:
        raise ValueError(
            f"This {class_name} was pickled by skxrd {saved_version} (state format "
            f"{packed.get('format')}), which skxrd {__version__} (state format "
            f"{STATE_FORMAT}) cannot read. Load it with skxrd {saved_version}, or "
            "refit the model."
        )
    if saved_version != __version__:
        warnings.warn(
            f"This {class_name} was pickled by skxrd {saved_version} and is loaded "
            f"by skxrd {__version__}; the format is compatible, but predictions may "
            "differ if the network code changed.",
            UserWarning,
            stacklevel=3,
        )
    return packed


def unpack_network(estimator, packed):
    """Rebuild the keras model of an unpickled estimator from its weights.

    Parameters
    ----------
    estimator : skxrd network classifier
        With its ``__dict__`` restored (parameters and fitted metadata).
    packed : dict
        Returned by `check_state`.
    """
    if "weights" not in packed:
        return
    estimator.model_ = estimator._build_keras_model()
    estimator.model_.set_weights(packed["weights"])
    if "optimizer" in packed:
        optimizer = estimator.model_.optimizer
        optimizer.build(estimator.model_.trainable_variables)
        for variable, value in zip(
            optimizer.variables, packed["optimizer"], strict=True
        ):
            variable.assign(value)
