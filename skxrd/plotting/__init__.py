"""The paper's figures as functions; needs matplotlib (``pip install 'skxrd[plot]'``)."""

from ._figures import (
    plot_certainty_histograms,
    plot_pattern_prediction,
    plot_rejection_curve,
    plot_space_group_accuracy,
    plot_subgroup_distance_histogram,
    plot_top_n_accuracy,
    save_evaluation_figures,
)

__all__ = [
    "plot_certainty_histograms",
    "plot_pattern_prediction",
    "plot_rejection_curve",
    "plot_space_group_accuracy",
    "plot_subgroup_distance_histogram",
    "plot_top_n_accuracy",
    "save_evaluation_figures",
]
