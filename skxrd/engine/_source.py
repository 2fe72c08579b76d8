"""The training-data engine: an endless, seeded stream of synthetic patterns."""

import warnings
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._grid import TWO_THETA_MAX, TWO_THETA_MIN, TWO_THETA_STEP
from ..spacegroups import CRYSTAL_SYSTEMS, check_space_groups, crystal_system_index
from ..synthetic._prior import load_crystal_prior
from ._base import BasePatternSource
from ._render import common_config, render_batch

__all__ = ["SyntheticPatternSource", "space_group_prior"]


def space_group_prior(smoothing=1.0, systems="collections"):
    """Class-frequency prior of the 230 space groups from real structure collections.

    The counts come from the structures skxrd can reach without a licence
    (Avogadro/COD CIFs, AFLOW prototypes, robocrys minerals, pymatgen's own;
    see ``scripts/compute_crystal_prior.py``), plus ``smoothing`` for every
    group so that none is left out.  These collections over-represent
    high-symmetry structure types compared with the ICSD: 1.4% of them are
    triclinic and 11.8% monoclinic.

    Parameters
    ----------
    smoothing : float, default=1.0
        Pseudo-count added to every group.
    systems : {"collections", "materials-project"}, default="collections"
        Crystal-system frequencies.  ``"collections"`` keeps those of the
        structures above; ``"materials-project"`` rescales each system's
        groups so that the systems occur as often as among the Materials
        Project's 88,678 structures tabulated by pyxtal (7.5% triclinic,
        26.7% monoclinic, 21.8% orthorhombic, 11.6% tetragonal, 9.5%
        trigonal, 6.5% hexagonal, 16.4% cubic), keeping the collections'
        frequencies of the groups within a system.  The Materials Project's
        own group frequencies are not used: they carry its enumerated
        structures (Cm at 3.8%).

    Returns
    -------
    prior : ndarray of shape (230,)
        Probabilities of groups 1..230, summing to 1.

    See Also
    --------
    SyntheticPatternSource : Draws space groups from it with
        ``class_prior="prior"``.
    StructurePatternSource : Takes it, or any 230 weights, as ``class_prior``.

    Examples
    --------
    >>> from skxrd.engine import space_group_prior
    >>> p = space_group_prior()
    >>> p.shape, bool(abs(p.sum() - 1) < 1e-12), bool(p[224] > p[0])
    ((230,), True, True)
    >>> round(float(space_group_prior(systems="materials-project")[:2].sum()), 3)
    0.075
    """
    if systems not in ("collections", "materials-project"):
        raise ValueError(
            f"systems must be 'collections' or 'materials-project', got {systems!r}."
        )
    table = load_crystal_prior()
    counts = table.space_group_counts[1:]
    counts = counts + float(smoothing)
    prior = counts / counts.sum()
    if systems == "collections":
        return prior
    system = crystal_system_index(np.arange(1, 231))
    mp_counts = table.materials_project_space_group_counts[1:]
    target = np.bincount(system, mp_counts, minlength=len(CRYSTAL_SYSTEMS))
    ours = np.bincount(system, prior, minlength=len(CRYSTAL_SYSTEMS))
    prior = prior * (target / target.sum() / ours)[system]
    return prior / prior.sum()


class SyntheticPatternSource(BasePatternSource):
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
        **BasePatternSource._parameter_constraints,
        "space_groups": ["array-like", None],
        "class_prior": [StrOptions({"uniform", "prior"}), "array-like"],
        "max_atoms": [Interval(Integral, 1, None, closed="left")],
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
            **common_config(self),
            "groups": groups,
            "p": self._probabilities(groups),
            "max_atoms": self.max_atoms,
        }


def _synthetic_batch(config, seed):
    from ..synthetic import CrystalGenerator

    rng = np.random.default_rng(seed)
    groups = rng.choice(config["groups"], size=config["batch_size"], p=config["p"])
    generator = CrystalGenerator(
        max_atoms=config["max_atoms"], random_state=int(rng.integers(2**31))
    )

    def make_crystals(requested):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(generator.generate_batch(requested))

    return render_batch(config, rng, groups, make_crystals)


SyntheticPatternSource._batch_function = staticmethod(_synthetic_batch)
