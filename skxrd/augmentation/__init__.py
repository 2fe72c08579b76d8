"""Augmentation: the paper's noise and backgrounds, and counting statistics.

One implementation serves the `XRDAugmenter` pipeline step, the per-epoch
augmentation inside the classifiers and the training-data engine.
"""

from ._augmenter import XRDAugmenter, augment_patterns
from ._backgrounds import (
    paper_background,
    poisson_noise,
    truncated_normal,
    uniform_noise,
)

__all__ = [
    "XRDAugmenter",
    "augment_patterns",
    "paper_background",
    "poisson_noise",
    "truncated_normal",
    "uniform_noise",
]
