"""Fixtures shared by several test modules."""

import numpy as np
import pytest


@pytest.fixture(scope="module")
def blobs():
    """Three overlapping classes (space groups 14, 62, 225) in 6 features."""
    rng = np.random.default_rng(0)
    y = np.repeat([14, 62, 225], 40)
    X = rng.random((120, 6)) + 0.8 * np.searchsorted([14, 62, 225], y)[:, None]
    return X.astype(np.float32), y
