"""The paper-style summary of a classifier's predictions."""

import numpy as np

from ..spacegroups import crystal_system_index
from ._calibration import expected_calibration_error
from ._classification import (
    crystal_system_proba,
    rejection_curve,
    subgroup_distances,
    threshold_for_coverage,
    top_n_accuracy_score,
)

__all__ = ["xrd_report", "format_reports"]


def xrd_report(y_true, y_score, *, labels, reject_threshold=None):
    """Summarize space-group predictions the way the paper's Table I does.

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
        True space-group numbers.
    y_score : array-like of shape (n_samples, n_classes)
        Space-group probabilities.
    labels : array-like of int, shape (n_classes,)
        The space group of each column (a classifier's ``classes_``).
    reject_threshold : float or None, default=None
        A certainty threshold whose coverage and accuracy are reported too.

    Returns
    -------
    report : dict
        ``n_samples``, ``space_group_accuracy`` (top-1), ``top_5_accuracy``,
        ``crystal_system_accuracy`` (from probabilities summed per system),
        ``mean_subgroup_distance``, ``accuracy_at_50_coverage`` and
        ``threshold_at_50_coverage``, ``expected_calibration_error`` (of the
        space-group certainty, 10 bins); with a threshold also
        ``coverage_at_threshold`` and ``accuracy_at_threshold``.

    See Also
    --------
    top_n_accuracy_score, subgroup_distance_score, rejection_curve

    Examples
    --------
    >>> from skxrd.metrics import xrd_report
    >>> r = xrd_report([14, 62], [[0.8, 0.2], [0.6, 0.4]], labels=[14, 62])
    >>> r["space_group_accuracy"], r["crystal_system_accuracy"]
    (0.5, 0.5)
    """
    y_true = np.asarray(y_true)
    y_score = np.asarray(y_score, dtype=np.float64)
    labels = np.asarray(labels)
    y_pred = labels[y_score.argmax(axis=1)]
    systems = crystal_system_proba(y_score, labels).argmax(axis=1)
    half = threshold_for_coverage(y_score, 0.5)
    _, acc_half, _ = rejection_curve(y_true, y_score, labels=labels, thresholds=[half])
    report = {
        "n_samples": int(y_true.shape[0]),
        "space_group_accuracy": float((y_pred == y_true).mean()),
        "top_5_accuracy": top_n_accuracy_score(y_true, y_score, n=5, labels=labels),
        "crystal_system_accuracy": float(
            (systems == crystal_system_index(y_true)).mean()
        ),
        "mean_subgroup_distance": float(subgroup_distances(y_true, y_pred).mean()),
        "accuracy_at_50_coverage": float(acc_half[0]),
        "threshold_at_50_coverage": half,
        "expected_calibration_error": expected_calibration_error(
            y_true, y_score, labels=labels
        ),
    }
    if reject_threshold is not None:
        _, acc, cov = rejection_curve(
            y_true, y_score, labels=labels, thresholds=[reject_threshold]
        )
        report["reject_threshold"] = float(reject_threshold)
        report["coverage_at_threshold"] = float(cov[0])
        report["accuracy_at_threshold"] = float(acc[0]) if cov[0] > 0 else 0.0
    return report


_ROWS = [
    ("space group, top-1", "space_group_accuracy", "{:.1%}"),
    ("space group, top-5", "top_5_accuracy", "{:.1%}"),
    ("crystal system", "crystal_system_accuracy", "{:.1%}"),
    ("mean subgroup distance", "mean_subgroup_distance", "{:.2f}"),
    ("accuracy at 50% coverage", "accuracy_at_50_coverage", "{:.1%}"),
    ("coverage at threshold", "coverage_at_threshold", "{:.1%}"),
    ("accuracy at threshold", "accuracy_at_threshold", "{:.1%}"),
    ("expected calibration error", "expected_calibration_error", "{:.3f}"),
    ("patterns", "n_samples", "{:d}"),
]


def format_reports(reports):
    """Format several `xrd_report` results side by side as a text table.

    Parameters
    ----------
    reports : dict of str to dict
        Column name → report.

    Returns
    -------
    table : str
        One row per figure, one column per report.

    See Also
    --------
    xrd_report : One report, as a dict.

    Examples
    --------
    >>> from skxrd.metrics import format_reports, xrd_report
    >>> r = xrd_report([14, 62], [[0.8, 0.2], [0.6, 0.4]], labels=[14, 62])
    >>> print(format_reports({"test": r}).splitlines()[1])
    space group, top-1                   50.0%
    """
    names = list(reports)
    width = max(12, *(len(n) for n in names))
    lines = [f"{'':<28s}" + "".join(f"{n:>{width + 2}s}" for n in names)]
    for title, key, fmt in _ROWS:
        if not any(key in r for r in reports.values()):
            continue
        cells = [fmt.format(r[key]) if key in r else "–" for r in reports.values()]
        lines.append(f"{title:<28s}" + "".join(f"{c:>{width + 2}s}" for c in cells))
    return "\n".join(lines)
