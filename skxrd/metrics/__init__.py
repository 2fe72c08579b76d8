"""Metrics and scorers: top-n accuracy, maximal-subgroup distance, rejection."""

from ._calibration import (
    apply_temperature,
    expected_calibration_error,
    fit_temperature,
)
from ._classification import (
    REJECT_LABEL,
    coverage_score,
    crystal_system_accuracy_score,
    crystal_system_proba,
    rejection_curve,
    selective_accuracy_score,
    subgroup_distance_score,
    subgroup_distances,
    threshold_for_coverage,
    top_n_accuracy_curve,
    top_n_accuracy_score,
)
from ._report import format_reports, xrd_report
from ._scorer import (
    XRDScorer,
    coverage_scorer,
    crystal_system_accuracy_scorer,
    get_scorer,
    get_scorer_names,
    neg_subgroup_distance_scorer,
    selective_accuracy_scorer,
    top_n_scorer,
)

__all__ = [
    "REJECT_LABEL",
    "XRDScorer",
    "apply_temperature",
    "expected_calibration_error",
    "fit_temperature",
    "coverage_score",
    "coverage_scorer",
    "crystal_system_accuracy_score",
    "crystal_system_accuracy_scorer",
    "crystal_system_proba",
    "get_scorer",
    "get_scorer_names",
    "neg_subgroup_distance_scorer",
    "rejection_curve",
    "threshold_for_coverage",
    "selective_accuracy_score",
    "selective_accuracy_scorer",
    "subgroup_distance_score",
    "subgroup_distances",
    "top_n_accuracy_curve",
    "top_n_accuracy_score",
    "top_n_scorer",
    "format_reports",
    "xrd_report",
]
