"""Pattern preprocessing: resampling onto a standard 2θ grid and normalization."""

from ._normalize import PatternNormalizer, normalize_patterns
from ._resample import XRDResampler, resampling_matrix

__all__ = [
    "PatternNormalizer",
    "XRDResampler",
    "normalize_patterns",
    "resampling_matrix",
]
