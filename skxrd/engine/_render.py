"""The second half of every stream: crystals to finished, labelled patterns.

The synthetic and the structure streams differ only in where their crystals
come from; diffraction, preferred orientation, profiles, augmentation and
labels are this one code path.
"""

import numpy as np

from .._grid import two_theta_grid
from ..spacegroups import CRYSTAL_SYSTEMS, crystal_system_index

__all__ = ["common_config", "render_batch"]


_REDRAWS = 5


def common_config(source):
    """The rendering part of a source's batch configuration."""
    return {
        "target": source.target,
        "batch_size": source.batch_size,
        "profile": source.profile,
        "augmenter": source.augmenter,
        "md_probability": source.march_dollase_probability,
        "md_range": tuple(float(v) for v in source.march_dollase_range),
        "normalize": source.normalize,
        "wavelength": source.wavelength,
        "grid": (source.start, source.stop, source.step),
    }


def render_batch(config, rng, groups, make_crystals):
    """Diffract, render, augment and label one batch of crystals.

    Parameters
    ----------
    config : dict
        From `common_config` (plus the source's own keys).
    rng : numpy.random.Generator
        The batch's generator.
    groups : ndarray of shape (n,)
        Space group of each crystal to make.
    make_crystals : callable
        ``make_crystals(groups) -> list`` of crystals of those groups; called
        again for the crystals whose pattern came out empty.

    Returns
    -------
    X : ndarray of shape (n_kept, n_points), dtype float32
    y : ndarray of shape (n_kept,)
    """
    from ..diffraction import powder_peaks
    from ..simulation import ProfileSampler, render_patterns

    n = groups.size
    ratio = np.ones(n)
    oriented = rng.random(n) < config["md_probability"]
    ratio[oriented] = rng.uniform(*config["md_range"], size=int(oriented.sum()))
    direction = _random_directions(rng, n)
    grid = two_theta_grid(*config["grid"])

    def diffract(items, rows):
        return powder_peaks(
            items,
            wavelength=config["wavelength"],
            two_theta_range=_reach(config["grid"]),
            march_dollase_ratio=ratio[rows],
            preferred_direction=direction[rows],
            errors="skip",
        )

    positions, intensities = _split(diffract(make_crystals(groups), np.arange(n)))
    for _ in range(_REDRAWS):
        # A crystal without a reflection on the grid (or one the diffraction
        # rejects) makes an empty pattern: draw another of the same group.
        empty = [
            i
            for i, p in enumerate(positions)
            if not ((p >= grid[0]) & (p <= grid[-1])).any()
        ]
        if not empty:
            break
        rows = np.asarray(empty)
        new_positions, new_intensities = _split(
            diffract(make_crystals(groups[rows]), rows)
        )
        for k, i in enumerate(empty):
            positions[i], intensities[i] = new_positions[k], new_intensities[k]
    offsets = np.concatenate([[0], np.cumsum([p.size for p in positions])])
    profile = config["profile"] if config["profile"] is not None else ProfileSampler()
    X = render_patterns(
        np.concatenate(positions),
        np.concatenate(intensities),
        offsets,
        profile,
        grid=grid,
        wavelength=config["wavelength"],
        normalize="max",
        random_state=rng,
    )
    keep = X.max(axis=1) > 0
    if not keep.all():
        X, groups = X[keep], groups[keep]
    if config["augmenter"] is not None:
        X = config["augmenter"].augment(X, random_state=rng)
    if config["normalize"] == "max":
        X /= np.maximum(X.max(axis=1, keepdims=True), np.float32(1e-12))
    y = groups
    if config["target"] == "crystal_system":
        y = np.asarray(CRYSTAL_SYSTEMS, dtype=object)[crystal_system_index(y)]
    return X.astype(np.float32, copy=False), y


def _split(peaks):
    bounds = peaks.offsets
    positions = [
        peaks.positions[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=False)
    ]
    intensities = [
        peaks.intensities[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=False)
    ]
    return positions, intensities


def _reach(grid):
    # Peaks a little outside the grid still spill their tails into it.
    start, stop, _ = grid
    return (max(start - 1.0, 0.5), min(stop + 1.0, 179.0))


def _random_directions(rng, n):
    # Low-index preferred directions, as plate- or needle-like habits produce.
    choices = np.array(
        [[0, 0, 1], [0, 1, 0], [1, 0, 0], [1, 1, 0], [1, 1, 1], [1, 0, 1]]
    )
    return choices[rng.integers(0, len(choices), n)]
