"""Metrics for space-group predictions: top-n, subgroup distance, rejection."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.utils._param_validation import Interval, validate_params

from ..spacegroups import CRYSTAL_SYSTEMS, check_space_groups, crystal_system_index
from ..spacegroups._graph import _distance_matrix

__all__ = [
    "REJECT_LABEL",
    "top_n_accuracy_score",
    "top_n_accuracy_curve",
    "subgroup_distances",
    "subgroup_distance_score",
    "coverage_score",
    "selective_accuracy_score",
    "crystal_system_accuracy_score",
    "crystal_system_proba",
    "rejection_curve",
    "threshold_for_coverage",
]

#: Label of a rejected ("unclassified") prediction when labels are numbers.
REJECT_LABEL = -1


def _check_scores(y_true, y_score, labels):
    """Arrays of labels, 2-D scores and the label of each score column."""
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    if y_score.ndim != 2:
        raise ValueError(
            f"y_score must be 2-D (n_samples, n_classes); got shape {y_score.shape}."
        )
    if y_true.shape[0] != y_score.shape[0]:
        raise ValueError(
            f"y_true has {y_true.shape[0]} samples but y_score has {y_score.shape[0]}."
        )
    labels = np.unique(y_true) if labels is None else np.asarray(labels)
    if labels.shape[0] != y_score.shape[1]:
        raise ValueError(
            f"y_score has {y_score.shape[1]} columns but there are {labels.shape[0]} "
            "labels; pass labels= (for a fitted classifier, its classes_) so that "
            "columns can be matched to classes."
        )
    return y_true, y_score, labels


def _top_n_hits(y_true, y_score, n, labels):
    y_true, y_score, labels = _check_scores(y_true, y_score, labels)
    order = np.argsort(labels, kind="stable")
    sorted_labels = labels[order]
    pos = np.searchsorted(sorted_labels, y_true)
    pos = np.clip(pos, 0, len(labels) - 1)
    known = sorted_labels[pos] == y_true
    col = order[pos]
    # Rank of the true class = number of classes scored strictly higher; ties
    # count against the prediction so that a constant score gets no credit.
    true_score = y_score[np.arange(len(y_true)), col]
    higher = (y_score > true_score[:, None]).sum(axis=1)
    ties = (y_score == true_score[:, None]).sum(axis=1) - 1
    rank = higher + ties
    # A true class the model has no column for (absent from a training fold)
    # can never be in its top n.
    return known[:, None] & (rank[:, None] < np.atleast_1d(n)[None, :])


@validate_params(
    {
        "y_true": ["array-like"],
        "y_score": ["array-like"],
        "n": [Interval(Integral, 1, None, closed="left")],
        "labels": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
def top_n_accuracy_score(y_true, y_score, *, n=5, labels=None):
    """Fraction of samples whose true class is among the n highest scores.

    Unlike scikit-learn's ``top_k_accuracy_score``, a true class that has no
    column in ``y_score`` (a rare space group absent from a training fold) is
    simply counted as missed, and ties count against the prediction.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Scores or probabilities, one column per label.
    n : int, default=5
        How many of the highest-scored classes count as a hit.
    labels : array-like of shape (n_classes,), default=None
        The label of each column of ``y_score`` (a classifier's ``classes_``).
        None means the sorted unique labels of ``y_true``.

    Returns
    -------
    score : float
        Fraction of hits, 0..1.

    See Also
    --------
    top_n_accuracy_curve : The same for n = 1..10 at once (the paper's Fig. 5a).
    top_n_scorer : The scorer that reads ``labels`` from the estimator.

    Examples
    --------
    >>> from skxrd.metrics import top_n_accuracy_score
    >>> y_score = [[0.5, 0.3, 0.2], [0.1, 0.2, 0.7], [0.6, 0.3, 0.1]]
    >>> top_n_accuracy_score([14, 14, 62], y_score, n=1, labels=[2, 14, 62])
    0.0
    >>> top_n_accuracy_score([14, 14, 62], y_score, n=2, labels=[2, 14, 62])
    0.6666666666666666
    """
    return float(_top_n_hits(y_true, y_score, n, labels)[:, 0].mean())


def top_n_accuracy_curve(y_true, y_score, *, max_n=10, labels=None):
    """Top-n accuracy for n = 1..max_n: the paper's Fig. 5a.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Scores or probabilities, one column per label.
    max_n : int, default=10
        Largest n.
    labels : array-like of shape (n_classes,), default=None
        The label of each column (a classifier's ``classes_``).

    Returns
    -------
    accuracies : ndarray of shape (max_n,)
        ``accuracies[n - 1]`` is the top-n accuracy.

    See Also
    --------
    top_n_accuracy_score : One value of n.

    Examples
    --------
    >>> from skxrd.metrics import top_n_accuracy_curve
    >>> top_n_accuracy_curve([1, 2], [[0.9, 0.1], [0.8, 0.2]], max_n=2).tolist()
    [0.5, 1.0]
    """
    ns = np.arange(1, int(max_n) + 1)
    return _top_n_hits(y_true, y_score, ns, labels).mean(axis=0)


def _classified(y_pred, reject_label):
    y_pred = np.asarray(y_pred)
    if y_pred.dtype.kind in "OUS" and not isinstance(reject_label, str):
        return np.array([p != reject_label for p in y_pred], dtype=bool)
    return y_pred != reject_label


def subgroup_distances(y_true, y_pred):
    """Per-sample maximal-subgroup distance between true and predicted groups.

    The histogram of these values is the paper's Fig. 3c: 0 is a correct
    prediction, 1 a group that is a maximal sub- or supergroup of the truth.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
        True space-group numbers.
    y_pred : array-like of int, shape (n_samples,)
        Predicted space-group numbers.

    Returns
    -------
    distances : ndarray of int64, shape (n_samples,)
        Shortest-path lengths in the maximal-subgroup graph.

    See Also
    --------
    subgroup_distance_score : Their mean, with rejected predictions left out.
    skxrd.spacegroups.subgroup_graph : The graph.

    Examples
    --------
    >>> from skxrd.metrics import subgroup_distances
    >>> subgroup_distances([14, 225, 1], [14, 166, 230]).tolist()
    [0, 1, 4]
    """
    t = check_space_groups(y_true, name="y_true")
    p = check_space_groups(y_pred, name="y_pred")
    if t.shape != p.shape:
        raise ValueError(f"y_true has shape {t.shape} but y_pred has {p.shape}.")
    return _distance_matrix()[t - 1, p - 1].astype(np.int64)


def subgroup_distance_score(y_true, y_pred, *, reject_label=REJECT_LABEL):
    """Mean maximal-subgroup distance of the classified samples.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
        True space-group numbers.
    y_pred : array-like of shape (n_samples,)
        Predicted space-group numbers; ``reject_label`` marks unclassified ones.
    reject_label : int or str, default=-1
        Label of a rejected prediction; those samples are left out.

    Returns
    -------
    distance : float
        Mean distance (0 is perfect); NaN, with a warning, if nothing was
        classified.

    See Also
    --------
    subgroup_distances : The per-sample values.

    Examples
    --------
    >>> from skxrd.metrics import subgroup_distance_score
    >>> subgroup_distance_score([14, 225, 1], [14, 166, -1])
    0.5
    """
    keep = _classified(y_pred, reject_label)
    if not keep.any():
        warnings.warn(
            "No sample was classified; the mean subgroup distance is undefined.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return float("nan")
    t = np.asarray(y_true)[keep]
    p = np.asarray(y_pred)[keep]
    return float(subgroup_distances(t, p.astype(np.int64)).mean())


def coverage_score(y_true, y_pred, *, reject_label=REJECT_LABEL):
    """Fraction of samples that were classified (not rejected).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels (only their number is used).
    y_pred : array-like of shape (n_samples,)
        Predictions; ``reject_label`` marks unclassified samples.
    reject_label : int or str, default=-1
        Label of a rejected prediction.

    Returns
    -------
    coverage : float
        0..1.

    See Also
    --------
    selective_accuracy_score : Accuracy on the classified samples.

    Examples
    --------
    >>> from skxrd.metrics import coverage_score
    >>> coverage_score([14, 2, 62, 1], [14, -1, 14, -1])
    0.5
    """
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} samples but y_pred has {len(y_pred)}."
        )
    return float(_classified(y_pred, reject_label).mean())


def selective_accuracy_score(y_true, y_pred, *, reject_label=REJECT_LABEL):
    """Accuracy on the samples that were classified (not rejected).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_pred : array-like of shape (n_samples,)
        Predictions; ``reject_label`` marks unclassified samples.
    reject_label : int or str, default=-1
        Label of a rejected prediction.

    Returns
    -------
    accuracy : float
        0..1; 0.0 with a warning if nothing was classified, so that a
        threshold that rejects everything scores worst rather than NaN.

    See Also
    --------
    coverage_score : The fraction classified.

    Examples
    --------
    >>> from skxrd.metrics import selective_accuracy_score
    >>> selective_accuracy_score([14, 2, 62, 1], [14, -1, 14, -1])
    0.5
    """
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape[0] != y_pred.shape[0]:
        raise ValueError(
            f"y_true has {len(y_true)} samples but y_pred has {len(y_pred)}."
        )
    keep = _classified(y_pred, reject_label)
    if not keep.any():
        warnings.warn(
            "No sample was classified; selective accuracy is taken as 0.",
            UndefinedMetricWarning,
            stacklevel=2,
        )
        return 0.0
    return float((y_true[keep] == y_pred[keep]).mean())


def crystal_system_accuracy_score(y_true, y_pred, *, reject_label=REJECT_LABEL):
    """Accuracy of the crystal systems implied by space-group predictions.

    A rejected prediction counts as wrong.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
        True space-group numbers.
    y_pred : array-like of shape (n_samples,)
        Predicted space-group numbers.
    reject_label : int or str, default=-1
        Label of a rejected prediction.

    Returns
    -------
    accuracy : float
        Fraction whose predicted group lies in the true crystal system.

    See Also
    --------
    crystal_system_proba : Crystal-system probabilities from space-group ones.

    Examples
    --------
    >>> from skxrd.metrics import crystal_system_accuracy_score
    >>> crystal_system_accuracy_score([14, 225, 62], [11, 229, -1])
    0.6666666666666666
    """
    keep = _classified(y_pred, reject_label)
    t = crystal_system_index(y_true)
    hits = np.zeros(t.shape[0], dtype=bool)
    if keep.any():
        p = crystal_system_index(np.asarray(y_pred)[keep].astype(np.int64))
        hits[keep] = t[keep] == p
    return float(hits.mean())


def crystal_system_proba(y_score, labels):
    """Sum space-group probabilities within each crystal system.

    Parameters
    ----------
    y_score : array-like of shape (n_samples, n_classes)
        Space-group probabilities.
    labels : array-like of int, shape (n_classes,)
        The space group of each column (a classifier's ``classes_``).

    Returns
    -------
    proba : ndarray of shape (n_samples, 7)
        Probabilities of the crystal systems in the order of
        `skxrd.spacegroups.CRYSTAL_SYSTEMS`; rows sum like the input rows.

    See Also
    --------
    crystal_system_accuracy_score : Accuracy of the systems of predicted groups.
    skxrd.ensemble.XRDEnsembleClassifier.predict_crystal_system_proba : The
        same for an ensemble's predictions.

    Examples
    --------
    >>> from skxrd.metrics import crystal_system_proba
    >>> crystal_system_proba([[0.2, 0.5, 0.3]], labels=[2, 14, 15]).round(2).tolist()
    [[0.2, 0.8, 0.0, 0.0, 0.0, 0.0, 0.0]]
    """
    y_score = np.asarray(y_score, dtype=np.float64)
    idx = crystal_system_index(labels)
    if idx.shape[0] != y_score.shape[1]:
        raise ValueError(
            f"y_score has {y_score.shape[1]} columns but {idx.shape[0]} labels."
        )
    out = np.zeros((y_score.shape[0], len(CRYSTAL_SYSTEMS)))
    np.add.at(out.T, idx, y_score.T)
    return out


def rejection_curve(y_true, y_score, *, labels=None, thresholds=None):
    """Accuracy and coverage as the certainty threshold varies (Fig. 5d/e).

    The certainty of a prediction is its highest probability; a sample whose
    certainty is below the threshold is left unclassified.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Probabilities.
    labels : array-like of shape (n_classes,), default=None
        The label of each column (a classifier's ``classes_``); None means the
        sorted unique labels of ``y_true``.
    thresholds : array-like, default=None
        Thresholds to evaluate; None uses 0, 0.01, ..., 1.

    Returns
    -------
    thresholds : ndarray of shape (n_thresholds,)
        The thresholds.
    selective_accuracy : ndarray of shape (n_thresholds,)
        Accuracy on the classified samples (NaN where none is classified).
    coverage : ndarray of shape (n_thresholds,)
        Fraction classified.

    See Also
    --------
    threshold_for_coverage : The threshold that gives a target coverage.

    Examples
    --------
    >>> from skxrd.metrics import rejection_curve
    >>> t, acc, cov = rejection_curve([1, 2], [[0.9, 0.1], [0.6, 0.4]], thresholds=[0.5, 0.7])
    >>> acc.tolist(), cov.tolist()
    ([0.5, 1.0], [1.0, 0.5])
    """
    y_true, y_score, labels = _check_scores(y_true, y_score, labels)
    thresholds = (
        np.linspace(0, 1, 101) if thresholds is None else np.asarray(thresholds, float)
    )
    certainty = y_score.max(axis=1)
    correct = labels[y_score.argmax(axis=1)] == y_true
    kept = certainty[None, :] >= thresholds[:, None]
    coverage = kept.mean(axis=1)
    n_kept = kept.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.where(
            n_kept > 0, (kept & correct[None, :]).sum(axis=1) / n_kept, np.nan
        )
    return thresholds, accuracy, coverage


def threshold_for_coverage(y_score, coverage):
    """The certainty threshold that classifies a target fraction of samples.

    Parameters
    ----------
    y_score : array-like of shape (n_samples, n_classes)
        Probabilities on validation data.
    coverage : float
        Target fraction classified, in (0, 1].

    Returns
    -------
    threshold : float
        The ``1 − coverage`` quantile of the certainties (max probabilities):
        samples at or above it are classified.

    See Also
    --------
    rejection_curve : Accuracy and coverage for many thresholds.

    Examples
    --------
    >>> from skxrd.metrics import threshold_for_coverage
    >>> threshold_for_coverage([[0.9, 0.1], [0.6, 0.4], [0.55, 0.45], [0.8, 0.2]], 0.5)
    0.8
    """
    if not 0 < coverage <= 1:
        raise ValueError(f"coverage must be in (0, 1]; got {coverage!r}.")
    certainty = np.sort(np.asarray(y_score, dtype=np.float64).max(axis=1))
    k = int(np.floor((1 - coverage) * certainty.size + 1e-9))
    return float(certainty[min(k, certainty.size - 1)])
