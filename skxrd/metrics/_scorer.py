"""Scorers for ``scoring=`` in GridSearchCV and cross_validate."""

import numpy as np
from sklearn.metrics import get_scorer as _sklearn_get_scorer

from ..spacegroups import crystal_system_index
from ._classification import (
    REJECT_LABEL,
    coverage_score,
    crystal_system_proba,
    selective_accuracy_score,
    subgroup_distance_score,
    top_n_accuracy_score,
)

__all__ = [
    "XRDScorer",
    "top_n_scorer",
    "neg_subgroup_distance_scorer",
    "coverage_scorer",
    "selective_accuracy_scorer",
    "crystal_system_accuracy_scorer",
    "get_scorer",
    "get_scorer_names",
]


class XRDScorer:
    """A scorer ``scorer(estimator, X, y)`` that knows the estimator's classes.

    scikit-learn's ``make_scorer`` hands the metric only the predictions, but
    probability columns mean something only together with
    ``estimator.classes_``, which differ between cross-validation folds when a
    fold lacks rare space groups.  This scorer passes them on.

    Parameters
    ----------
    score_func : callable
        ``score_func(y_true, response, estimator)`` returning a float.
    response_method : {"predict", "predict_proba"}
        Which estimator method produces the response.
    sign : {1, -1}, default=1
        Multiplier so that greater is always better.
    name : str, default=""
        Name shown in the repr.

    See Also
    --------
    top_n_scorer : Top-n accuracy scorer.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.dummy import DummyClassifier
    >>> from skxrd.metrics import top_n_scorer
    >>> X, y = np.zeros((4, 1)), np.array([2, 14, 14, 62])
    >>> clf = DummyClassifier().fit(X, y)
    >>> top_n_scorer(1)(clf, X, y)
    0.5
    """

    def __init__(self, score_func, response_method, *, sign=1, name=""):
        self._score_func = score_func
        self._response_method = response_method
        self._sign = sign
        self._name = name

    def __call__(self, estimator, X, y_true, sample_weight=None):
        if sample_weight is not None:
            raise ValueError(f"The {self._name} scorer does not support sample_weight.")
        response = getattr(estimator, self._response_method)(X)
        return self._sign * self._score_func(np.asarray(y_true), response, estimator)

    def __repr__(self):
        return f"<skxrd scorer {self._name} ({self._response_method})>"


def _reject_label(estimator):
    return getattr(estimator, "reject_label_", REJECT_LABEL)


def top_n_scorer(n=5):
    """Scorer for top-n accuracy that aligns probability columns via ``classes_``.

    Parameters
    ----------
    n : int, default=5
        Number of highest-ranked classes that count as a hit (1..10 typical).

    Returns
    -------
    scorer : XRDScorer
        Callable ``scorer(estimator, X, y)``, greater is better.

    See Also
    --------
    skxrd.metrics.top_n_accuracy_score : The metric.

    Examples
    --------
    >>> from skxrd.metrics import top_n_scorer
    >>> top_n_scorer(5)
    <skxrd scorer top_5_accuracy (predict_proba)>
    """

    def score(y_true, proba, estimator):
        return top_n_accuracy_score(y_true, proba, n=n, labels=estimator.classes_)

    return XRDScorer(score, "predict_proba", name=f"top_{n}_accuracy")


def _subgroup(y_true, y_pred, estimator):
    return subgroup_distance_score(
        y_true, y_pred, reject_label=_reject_label(estimator)
    )


def _coverage(y_true, y_pred, estimator):
    return coverage_score(y_true, y_pred, reject_label=_reject_label(estimator))


def _selective(y_true, y_pred, estimator):
    return selective_accuracy_score(
        y_true, y_pred, reject_label=_reject_label(estimator)
    )


def _system_accuracy(y_true, proba, estimator):
    # Sum probabilities over each system: the same answer the ensemble's
    # crystal-system probabilities give, rather than the system of the argmax.
    systems = crystal_system_proba(proba, estimator.classes_).argmax(axis=1)
    return float((systems == crystal_system_index(y_true)).mean())


#: Negative mean maximal-subgroup distance of the classified samples.
neg_subgroup_distance_scorer = XRDScorer(
    _subgroup, "predict", sign=-1, name="neg_subgroup_distance"
)
#: Fraction of samples classified (not rejected).
coverage_scorer = XRDScorer(_coverage, "predict", name="coverage")
#: Accuracy on the classified samples.
selective_accuracy_scorer = XRDScorer(_selective, "predict", name="selective_accuracy")
#: Crystal-system accuracy from space-group probabilities summed per system.
crystal_system_accuracy_scorer = XRDScorer(
    _system_accuracy, "predict_proba", name="crystal_system_accuracy"
)

_SCORERS = {
    **{f"top_{n}_accuracy": top_n_scorer(n) for n in range(1, 11)},
    "neg_subgroup_distance": neg_subgroup_distance_scorer,
    "coverage": coverage_scorer,
    "selective_accuracy": selective_accuracy_scorer,
    "crystal_system_accuracy": crystal_system_accuracy_scorer,
}


def get_scorer_names():
    """Names of the skxrd scorers.

    Returns
    -------
    names : list of str
        ``top_1_accuracy`` .. ``top_10_accuracy``, ``neg_subgroup_distance``,
        ``coverage``, ``selective_accuracy``, ``crystal_system_accuracy``.

    See Also
    --------
    get_scorer : Return one of these scorers by name.
    sklearn.metrics.get_scorer_names : The scikit-learn names, also accepted.

    Examples
    --------
    >>> from skxrd.metrics import get_scorer_names
    >>> "neg_subgroup_distance" in get_scorer_names()
    True
    """
    return sorted(_SCORERS)


def get_scorer(name):
    """Return an skxrd scorer by name, or scikit-learn's for other names.

    Parameters
    ----------
    name : str
        An skxrd scorer name (see `get_scorer_names`) or any name
        scikit-learn's ``get_scorer`` knows.

    Returns
    -------
    scorer : callable
        ``scorer(estimator, X, y)``.

    See Also
    --------
    get_scorer_names : The skxrd scorer names.
    sklearn.metrics.get_scorer : The fallback for other names.

    Examples
    --------
    >>> from skxrd.metrics import get_scorer
    >>> get_scorer("top_5_accuracy")
    <skxrd scorer top_5_accuracy (predict_proba)>
    """
    if name in _SCORERS:
        return _SCORERS[name]
    return _sklearn_get_scorer(name)
