"""Calibration: does a certainty of 0.8 mean right four times in five?"""

import numpy as np
from scipy.optimize import minimize_scalar

from ._classification import _check_scores

__all__ = ["apply_temperature", "expected_calibration_error", "fit_temperature"]


def apply_temperature(proba, temperature):
    """Rescale probabilities by a temperature: :math:`p_i \\propto p_i^{1/T}`.

    Parameters
    ----------
    proba : array-like of shape (n_samples, n_classes)
        Probabilities (rows summing to 1).
    temperature : float > 0
        Above 1 flattens, below 1 sharpens; the order of classes is kept.

    Returns
    -------
    scaled : ndarray of shape (n_samples, n_classes), dtype float32

    See Also
    --------
    fit_temperature : The temperature that best fits held-out data.

    Examples
    --------
    >>> from skxrd.metrics import apply_temperature
    >>> apply_temperature([[0.8, 0.2]], 2.0).round(3)
    array([[0.667, 0.333]], dtype=float32)
    """
    with np.errstate(divide="ignore"):
        logits = np.log(np.asarray(proba, dtype=np.float64)) / float(temperature)
    logits -= logits.max(axis=1, keepdims=True)
    scaled = np.exp(logits)
    return (scaled / scaled.sum(axis=1, keepdims=True)).astype(np.float32)


def _true_columns(y_true, labels):
    order = np.argsort(labels, kind="stable")
    position = np.searchsorted(labels[order], y_true)
    position = np.minimum(position, len(labels) - 1)
    found = labels[order][position] == y_true
    return order[position], found


def fit_temperature(y_true, y_score, *, labels=None, bounds=(0.05, 20.0)):
    """Temperature that minimises the log-loss of ``y_score`` on ``y_true``.

    Temperature scaling (Guo et al. 2017) fits one number on held-out data so
    that certainties become probabilities; it does not change which class
    ranks first.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Probabilities, columns in the order of ``labels``.
    labels : array-like of shape (n_classes,) or None, default=None
        Label of each column (a classifier's ``classes_``).
    bounds : (float, float), default=(0.05, 20.0)
        Range searched.

    Returns
    -------
    temperature : float

    See Also
    --------
    apply_temperature, expected_calibration_error
    skxrd.ensemble.XRDEnsembleClassifier : Its ``temperature`` parameter.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.metrics import fit_temperature
    >>> proba = np.array([[0.99, 0.01]] * 6 + [[0.01, 0.99]] * 4)
    >>> y = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 0])  # overconfident: 8 of 10
    >>> float(round(fit_temperature(y, proba, labels=[0, 1]), 1))  # ln 99 / ln 4
    3.3
    """
    y_true, y_score, labels = _check_scores(y_true, y_score, labels)
    columns, found = _true_columns(y_true, labels)
    log_p = np.log(np.clip(y_score, 1e-12, None))

    def loss(log_t):
        z = log_p / np.exp(log_t)
        z -= z.max(axis=1, keepdims=True)
        log_norm = np.log(np.exp(z).sum(axis=1))
        picked = z[np.arange(len(z)), columns] - log_norm
        return -np.where(found, picked, np.log(1e-12)).mean()

    result = minimize_scalar(
        loss, bounds=np.log(bounds), method="bounded", options={"xatol": 1e-4}
    )
    return float(np.exp(result.x))


def expected_calibration_error(y_true, y_score, *, labels=None, n_bins=10):
    """Gap between certainty and accuracy, averaged over certainty bins.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
    y_score : array-like of shape (n_samples, n_classes)
    labels : array-like of shape (n_classes,) or None, default=None
    n_bins : int, default=10
        Equal-width bins of the certainty (largest probability) in [0, 1].

    Returns
    -------
    ece : float
        :math:`\\sum_b (n_b/n) |\\mathrm{acc}_b - \\mathrm{conf}_b|`.

    See Also
    --------
    fit_temperature : Rescale certainties on held-out data to calibrate them.
    sklearn.calibration.calibration_curve : Per-bin accuracy and certainty of
        a binary classifier.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.metrics import expected_calibration_error
    >>> proba = np.array([[0.9, 0.1], [0.9, 0.1], [0.2, 0.8], [0.2, 0.8]])
    >>> round(expected_calibration_error([0, 1, 1, 1], proba, labels=[0, 1]), 2)
    0.3
    """
    y_true, y_score, labels = _check_scores(y_true, y_score, labels)
    certainty = y_score.max(axis=1)
    correct = labels[y_score.argmax(axis=1)] == y_true
    bins = np.minimum((certainty * n_bins).astype(int), n_bins - 1)
    ece = 0.0
    for b in np.unique(bins):
        inside = bins == b
        ece += inside.mean() * abs(correct[inside].mean() - certainty[inside].mean())
    return float(ece)
