"""The training-data engine: an endless, seeded stream of synthetic patterns."""

import json
import sys
import warnings
from importlib import resources
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._grid import TWO_THETA_MAX, TWO_THETA_MIN, TWO_THETA_STEP, two_theta_grid
from ..spacegroups import CRYSTAL_SYSTEMS, check_space_groups, crystal_system_index
from ._parallel import ordered_bounded_map

__all__ = ["SyntheticPatternSource", "space_group_prior"]


def space_group_prior(smoothing=1.0):
    """Class-frequency prior of the 230 space groups from real structure collections.

    The counts come from the structures skxrd can reach without a licence
    (Avogadro/COD CIFs, AFLOW prototypes, robocrys minerals, pymatgen's own;
    see ``scripts/compute_crystal_prior.py``), plus ``smoothing`` for every
    group so that none is left out.  These collections over-represent
    high-symmetry structure types compared with the ICSD.

    Parameters
    ----------
    smoothing : float, default=1.0
        Pseudo-count added to every group.

    Returns
    -------
    prior : ndarray of shape (230,)
        Probabilities of groups 1..230, summing to 1.

    Examples
    --------
    >>> from skxrd.engine import space_group_prior
    >>> p = space_group_prior()
    >>> p.shape, bool(abs(p.sum() - 1) < 1e-12), bool(p[224] > p[0])
    ((230,), True, True)
    """
    path = resources.files("skxrd.synthetic").joinpath("data/crystal_prior.json")
    counts = np.asarray(json.loads(path.read_text())["space_group_counts"][1:], float)
    counts = counts + float(smoothing)
    return counts / counts.sum()


class SyntheticPatternSource(BaseEstimator):
    """An endless, seeded stream of labelled patterns of random crystals.

    Each batch draws space groups from ``class_prior``, builds random crystals
    of those groups from the Wyckoff tables (`skxrd.synthetic`), computes their
    powder peaks with vectorized diffraction (`skxrd.diffraction`), renders
    them with random realistic profiles (`skxrd.simulation.render_patterns`)
    and, if given, augments them (`skxrd.augmentation`) — the same code paths
    the rest of skxrd uses.  Batch ``i`` depends only on ``random_state`` and
    ``i``, not on the number of workers.

    Parameters
    ----------
    space_groups : array-like of int or None, default=None
        Groups to draw from; None means all 230.
    target : {"space_group", "crystal_system"}, default="space_group"
        Label of each pattern: the space-group number, or the crystal-system
        name.
    class_prior : {"uniform", "prior"} or array-like, default="uniform"
        Probability of each group in ``space_groups``: equal, the frequency
        in real structure collections (`space_group_prior`), or explicit.
    batch_size : int, default=256
        Patterns per batch.
    profile : object with ``sample(n, random_state)`` or None, default=None
        Draws per-pattern peak-shape parameters; None means
        `skxrd.simulation.ProfileSampler` with its realistic defaults.  Use
        `skxrd.simulation.GaussianWidthSampler` for the paper's Gaussians.
    augmenter : object with ``augment(X, random_state)`` or None, default=None
        Applied to every batch, e.g. ``XRDAugmenter(counts=(1e3, 1e5))``;
        None leaves patterns clean.
    march_dollase_probability : float, default=0.3
        Fraction of crystals given preferred orientation.
    march_dollase_range : (float, float), default=(0.7, 1.0)
        Range of the March–Dollase ratio r of those crystals (1 is random
        orientation); the direction is a random low-index one.
    max_atoms : int, default=128
        Largest cell of the random crystals.
    normalize : {"max", "none"}, default="max"
        Scale each pattern to maximum 1 after augmentation.
    wavelength : float or str, default="CuKa"
        Wavelength of the simulated patterns.
    start, stop, step : float, default=5.0, 90.0, 0.01
        The 2θ grid.
    n_jobs : int, default=1
        Worker processes making batches ahead of the consumer.
    random_state : int or None, default=None
        Seed of the whole stream.

    See Also
    --------
    skxrd.synthetic.CrystalGenerator : The random crystals.
    skxrd.diffraction.powder_peaks : The diffraction.
    skxrd.simulation.render_patterns : The profiles.

    Examples
    --------
    >>> from skxrd.engine import SyntheticPatternSource
    >>> source = SyntheticPatternSource(batch_size=8, random_state=0)
    >>> X, y = next(iter(source.batches()))
    >>> X.shape, X.dtype, bool(((y >= 1) & (y <= 230)).all())
    ((8, 8500), dtype('float32'), True)
    """

    _parameter_constraints = {
        "space_groups": ["array-like", None],
        "target": [StrOptions({"space_group", "crystal_system"})],
        "class_prior": [StrOptions({"uniform", "prior"}), "array-like"],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "profile": [HasMethods(["sample"]), None],
        "augmenter": [HasMethods(["augment"]), None],
        "march_dollase_probability": [Interval(Real, 0, 1, closed="both")],
        "march_dollase_range": [tuple, list],
        "max_atoms": [Interval(Integral, 1, None, closed="left")],
        "normalize": [StrOptions({"max", "none"})],
        "wavelength": [Interval(Real, 0, None, closed="neither"), str],
        "start": [Interval(Real, 0, 180, closed="left")],
        "stop": [Interval(Real, 0, 180, closed="right")],
        "step": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Interval(Integral, 1, None, closed="left")],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        space_groups=None,
        target="space_group",
        class_prior="uniform",
        batch_size=256,
        profile=None,
        augmenter=None,
        march_dollase_probability=0.3,
        march_dollase_range=(0.7, 1.0),
        max_atoms=128,
        normalize="max",
        wavelength="CuKa",
        start=TWO_THETA_MIN,
        stop=TWO_THETA_MAX,
        step=TWO_THETA_STEP,
        n_jobs=1,
        random_state=None,
    ):
        self.space_groups = space_groups
        self.target = target
        self.class_prior = class_prior
        self.batch_size = batch_size
        self.profile = profile
        self.augmenter = augmenter
        self.march_dollase_probability = march_dollase_probability
        self.march_dollase_range = march_dollase_range
        self.max_atoms = max_atoms
        self.normalize = normalize
        self.wavelength = wavelength
        self.start = start
        self.stop = stop
        self.step = step
        self.n_jobs = n_jobs
        self.random_state = random_state

    @property
    def classes(self):
        """The fixed label set of the stream (all requested groups, or systems)."""
        groups = self._groups()
        if self.target == "crystal_system":
            return np.asarray(CRYSTAL_SYSTEMS, dtype=object)[
                np.unique(crystal_system_index(groups))
            ]
        return groups

    def _groups(self):
        if self.space_groups is None:
            return np.arange(1, 231)
        return np.unique(check_space_groups(self.space_groups, name="space_groups"))

    def _probabilities(self, groups):
        if isinstance(self.class_prior, str):
            if self.class_prior == "uniform":
                return np.full(groups.size, 1.0 / groups.size)
            p = space_group_prior()[groups - 1]
        else:
            p = np.asarray(self.class_prior, dtype=float)
            if p.shape != groups.shape or (p < 0).any() or p.sum() <= 0:
                raise ValueError(
                    f"class_prior must hold {groups.size} non-negative weights, one "
                    f"per space group; got shape {p.shape}."
                )
        return p / p.sum()

    def _config(self):
        self._validate_params()
        groups = self._groups()
        return {
            "groups": groups,
            "p": self._probabilities(groups),
            "target": self.target,
            "batch_size": self.batch_size,
            "profile": self.profile,
            "augmenter": self.augmenter,
            "md_probability": self.march_dollase_probability,
            "md_range": tuple(float(v) for v in self.march_dollase_range),
            "max_atoms": self.max_atoms,
            "normalize": self.normalize,
            "wavelength": self.wavelength,
            "grid": (self.start, self.stop, self.step),
        }

    def _seeds(self):
        root = np.random.SeedSequence(self.random_state)
        index = 0
        while True:
            # Batch i's seed depends only on the root seed and i, so results do
            # not depend on how many workers produce the batches.
            yield np.random.SeedSequence(root.entropy, spawn_key=(index,))
            index += 1

    def batches(self, n_batches=None):
        """Yield ``(X, y)`` batches, endlessly unless ``n_batches`` is given.

        Parameters
        ----------
        n_batches : int or None, default=None
            Stop after this many batches.

        Yields
        ------
        X : ndarray of shape (batch_size, n_points), dtype float32
            Patterns on the grid.
        y : ndarray of shape (batch_size,)
            Space-group numbers or crystal-system names.
        """
        config = self._config()
        seeds = self._seeds()
        if n_batches is not None:
            seeds = (s for s, _ in zip(seeds, range(int(n_batches)), strict=False))
        tasks = ((config, seed) for seed in seeds)
        yield from ordered_bounded_map(_make_batch, tasks, n_jobs=self.n_jobs)

    def __iter__(self):
        return self.batches()

    def take(self, n_patterns, *, progress=False):
        """Return the first ``n_patterns`` patterns of the stream as arrays.

        Parameters
        ----------
        n_patterns : int
            How many patterns.
        progress : bool or str, default=False
            Show a progress bar on standard error; a string labels it.

        Returns
        -------
        X : ndarray of shape (n_patterns, n_points), dtype float32
            Patterns.
        y : ndarray of shape (n_patterns,)
            Labels.
        """
        from tqdm.auto import tqdm

        n_batches = -(-int(n_patterns) // self.batch_size)
        label = progress if isinstance(progress, str) else None
        Xs, ys = [], []
        with tqdm(
            total=int(n_patterns),
            desc=label,
            unit="pattern",
            disable=not progress,
            file=sys.stderr,
        ) as bar:
            for Xb, yb in self.batches(n_batches):
                Xs.append(Xb)
                ys.append(yb)
                bar.update(len(yb))
        return np.concatenate(Xs)[:n_patterns], np.concatenate(ys)[:n_patterns]

    def write(self, path, n_patterns):
        """Write ``n_patterns`` patterns to a folder as ``X.npy`` and ``y.npy``.

        The arrays are filled batch by batch through memory maps, so memory
        stays flat however many patterns are written; load them with
        ``np.load(path / "X.npy", mmap_mode="r")``.

        Parameters
        ----------
        path : str or Path
            Folder to create (or reuse).
        n_patterns : int
            How many patterns.

        Returns
        -------
        path : Path
            The folder.
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        n_points = two_theta_grid(self.start, self.stop, self.step).size
        X = np.lib.format.open_memmap(
            path / "X.npy",
            mode="w+",
            dtype=np.float32,
            shape=(int(n_patterns), n_points),
        )
        labels = []
        done = 0
        n_batches = -(-int(n_patterns) // self.batch_size)
        for Xb, yb in self.batches(n_batches):
            k = min(Xb.shape[0], n_patterns - done)
            X[done : done + k] = Xb[:k]
            labels.append(yb[:k])
            done += k
        X.flush()
        del X
        np.save(path / "y.npy", np.concatenate(labels), allow_pickle=False)
        return path


def _make_batch(task):
    from threadpoolctl import threadpool_limits

    # Many small array operations: idle BLAS threads spinning between them
    # cost more CPU than the work itself.
    with threadpool_limits(1, user_api="blas"):
        return _batch(*task)


def _batch(config, seed):
    from ..diffraction import powder_peaks
    from ..simulation import ProfileSampler, render_patterns
    from ..synthetic import CrystalGenerator

    rng = np.random.default_rng(seed)
    n = config["batch_size"]
    groups = rng.choice(config["groups"], size=n, p=config["p"])
    generator = CrystalGenerator(
        max_atoms=config["max_atoms"], random_state=int(rng.integers(2**31))
    )
    ratio = np.ones(n)
    oriented = rng.random(n) < config["md_probability"]
    ratio[oriented] = rng.uniform(*config["md_range"], size=int(oriented.sum()))
    direction = _random_directions(rng, n)
    crystals = _crystals(generator, groups)
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

    positions, intensities = _split(diffract(crystals, np.arange(n)))
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
        new = _crystals(generator, groups[empty])
        new_positions, new_intensities = _split(diffract(new, np.asarray(empty)))
        for k, i in enumerate(empty):
            crystals[i] = new[k]
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


_REDRAWS = 5


def _split(peaks):
    bounds = peaks.offsets
    positions = [
        peaks.positions[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=False)
    ]
    intensities = [
        peaks.intensities[a:b] for a, b in zip(bounds[:-1], bounds[1:], strict=False)
    ]
    return positions, intensities


def _crystals(generator, groups):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return list(generator.generate_batch(groups))


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
