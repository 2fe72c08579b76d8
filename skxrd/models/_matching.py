"""A pretrained network pooled with search-match against reference patterns."""

import numpy as np

__all__ = ["calibrate_matching", "with_references"]

#: Weights of the search-match tried by `calibrate_matching` (the network
#: gets one minus it).
MATCH_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9)


def with_references(model, X, y, matching):
    """Pool a fitted space-group model with a matcher fitted on references.

    Parameters
    ----------
    model : classifier
        A fitted model with ``predict_proba`` over ``classes_`` (used as
        fitted, through ``sklearn.frozen.FrozenEstimator``).
    X : array-like of shape (n_references, n_points)
        Reference patterns on the model's grid.
    y : array-like of shape (n_references,)
        Their space groups.
    matching : dict
        ``matcher`` (parameters of `skxrd.neighbors.PatternMatchClassifier`),
        ``weight`` (of the matcher, the network gets ``1 - weight``),
        ``temperature`` and ``reject_threshold`` of the pool, as
        `calibrate_matching` returns them and model files store them.

    Returns
    -------
    vote : XRDVotingClassifier
        Geometric pool of ``("network", model)`` and ``("match", matcher)``.

    See Also
    --------
    calibrate_matching : Choose the weight and calibrate the pool.
    load_pretrained : The shipped model, pooled when given references.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxrd.models import with_references
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((40, 50)), np.repeat([14, 225], 20)
    >>> X[y == 225, 10] += 3
    >>> network = LogisticRegression().fit(X, y)
    >>> pooled = with_references(network, X, y, {"matcher": {}, "weight": 0.3})
    >>> pooled.predict(X[[0, -1]]).tolist()
    [14, 225]
    """
    from sklearn.frozen import FrozenEstimator

    from ..ensemble import XRDVotingClassifier
    from ..neighbors import PatternMatchClassifier

    # A reference may name a group the network never learned (a model of a
    # few classes): the pool knows it, with the network's floor probability.
    classes = np.union1d(model.classes_, y)
    weight = float(matching["weight"])
    vote = XRDVotingClassifier(
        [
            ("network", FrozenEstimator(model)),
            ("match", PatternMatchClassifier(classes=classes, **matching["matcher"])),
        ],
        weights=[1.0 - weight, weight],
        classes=classes,
        temperature=matching.get("temperature", 1.0),
        reject_threshold=matching.get("reject_threshold"),
    )
    return vote.fit(X, y)


def calibrate_matching(model, references, held_out, calibration=None, matcher=None):
    """Choose how much the search-match counts, then calibrate the pool.

    The matcher's weight minimises the log-loss on ``held_out`` (each weight
    with its own best temperature there, so that sharpness does not decide);
    ``calibration`` (measured patterns), when given, then sets the pool's
    temperature (log-loss) and the reject threshold that leaves half of it
    unclassified, as for the network alone.

    Parameters
    ----------
    model : classifier
        The fitted space-group model.
    references : tuple (X, y)
        Reference patterns and their space groups (never a test pattern).
    held_out : tuple (X, y)
        Patterns to choose the weight on, none of them a training or reference
        pattern itself: structures the model and the references do not hold
        and, to value a matcher whose library holds the measured types, other
        compounds of the references' types (the shipped model:
        ``skxrd.models._recipe.selection_patterns``).
    calibration : tuple (X, y) or None, default=None
        Measured patterns for the temperature and the threshold.
    matcher : dict or None, default=None
        Parameters of `skxrd.neighbors.PatternMatchClassifier` (None: its
        defaults).

    Returns
    -------
    matching : dict
        ``matcher``, ``weight``, ``temperature``, ``reject_threshold`` and
        ``held_out_log_loss`` (per weight tried, on ``held_out``): what
        `with_references` and model files take.

    See Also
    --------
    with_references : Build the pool from these settings.
    skxrd.metrics.fit_temperature : The temperature fits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skxrd.models import calibrate_matching
    >>> rng = np.random.default_rng(0)
    >>> X, y = rng.random((60, 50)), np.repeat([14, 225], 30)
    >>> X[y == 225, 10] += 1
    >>> network = LogisticRegression().fit(X[:40], y[:40])
    >>> matching = calibrate_matching(network, (X[:40], y[:40]), (X[40:], y[40:]))
    >>> sorted(matching)
    ['held_out_log_loss', 'matcher', 'reject_threshold', 'temperature', 'weight']
    """
    matching = {"matcher": dict(matcher or {}), "temperature": 1.0, "weight": 0.0}
    vote = with_references(model, *references, matching)
    pools = _pools_by_weight(vote, held_out[0])
    matching["weight"], losses = _best_weight(pools, held_out[1], vote.classes_)
    matching["held_out_log_loss"] = {str(w): round(v, 4) for w, v in losses.items()}
    matching["reject_threshold"] = None
    if calibration is not None:
        vote.set_params(weights=[1.0 - matching["weight"], matching["weight"]])
        temperature, threshold = calibrate_in_place(vote, *calibration)
        matching["temperature"], matching["reject_threshold"] = temperature, threshold
    return matching


def calibrate_in_place(model, X, y):
    """Fit a classifier's temperature and 50%-coverage reject threshold on (X, y).

    The temperature minimises the log-loss (from 1.0; 3 decimals), then the
    threshold leaves half of the tempered patterns unclassified (4 decimals,
    as model files store them); both are set on ``model``.

    Returns
    -------
    temperature, threshold : float
    """
    from ..metrics import fit_temperature, threshold_for_coverage

    model.set_params(temperature=1.0)
    temperature = fit_temperature(y, model.predict_proba(X), labels=model.classes_)
    model.set_params(temperature=round(float(temperature), 3))
    threshold = threshold_for_coverage(model.predict_proba(X), 0.5)
    model.set_params(reject_threshold=round(float(threshold), 4))
    return model.temperature, model.reject_threshold


def _pools_by_weight(vote, X):
    """The pool's probabilities (no temperature) at each of `MATCH_WEIGHTS`.

    ``vote`` is a `with_references` pool; its members predict once.
    """
    members = vote._member_probas(X)
    return {
        w: vote._pool(members, [1.0 - w, w]).astype(np.float32) for w in MATCH_WEIGHTS
    }


def _best_weight(pools, y, classes):
    """The weight whose pool has the lowest log-loss at its own best temperature.

    Returns the weight and the log-loss of every weight.
    """
    from ..metrics import fit_temperature

    losses = {}
    for weight, proba in pools.items():
        temperature = fit_temperature(y, proba, labels=classes)
        losses[weight] = _log_loss(y, proba, classes, temperature)
    return min(losses, key=losses.get), losses


def _log_loss(y, proba, classes, temperature):
    from ..metrics import apply_temperature

    proba = apply_temperature(proba, temperature)
    rows = np.arange(len(y))
    return float(-np.mean(np.log(proba[rows, np.searchsorted(classes, y)] + 1e-12)))
