"""Random crystals of any of the 230 space groups, from Wyckoff tables."""

import numbers as _numbers

import numpy as np

from ..utils._random import check_generator
from ._crystal import Crystal
from ._lattice import SYSTEM_OF_GROUP, random_lattice
from ._placement import PeriodicCell, place_orbits
from ._prior import load_crystal_prior
from ._wyckoff import check_space_group, load_wyckoff_tables

# Smallest choice weight of any Wyckoff position, so that classes the real
# structures never used (e.g. fixed points in triclinic cells) stay reachable.
_MIN_SITE_WEIGHT = 0.005


class _GroupPlan:
    """Per-group choice tables of one generator: site weights and anchors."""

    def __init__(self, table, prior, max_atoms):
        system = SYSTEM_OF_GROUP[table.number]
        self.number = table.number
        self.system = system
        self.multiplicity = table.multiplicity
        self.fixed = table.dof == 0
        self.weight = np.maximum(prior.dof_weight[system][table.dof], _MIN_SITE_WEIGHT)
        anchors, weights = [], []
        for i in np.flatnonzero(table.sufficient & (self.multiplicity <= max_atoms)):
            anchors.append(((int(i),), 1))
            weights.append(self.weight[i])
        for i, j, mode in table.anchor_pairs:
            if self.multiplicity[i] + self.multiplicity[j] <= max_atoms:
                anchors.append(((int(i), int(j)), 1 + int(mode)))
                weights.append(self.weight[i] * self.weight[j])
        if not anchors:
            smallest = min(
                [*self.multiplicity[table.sufficient]]
                + [
                    self.multiplicity[i] + self.multiplicity[j]
                    for i, j, _ in table.anchor_pairs
                ]
            )
            raise ValueError(
                f"max_atoms={max_atoms} is too small for space group {table.number} "
                f"({table.symbol}): its smallest symmetry-defining set of Wyckoff "
                f"orbits has {smallest} atoms"
            )
        # Orbit maps as one (3, 3 m) matrix: the points of a whole orbit for
        # many free-coordinate triples in a single matrix product.
        self.orbit_maps = [
            (r.transpose(2, 0, 1).reshape(3, -1), t.ravel())
            for r, t in zip(table.rotations, table.translations, strict=True)
        ]
        self.labels = table.labels
        self.anchors = anchors
        self.anchor_cdf = np.cumsum(weights) / np.sum(weights)


class CrystalGenerator:
    """Random ordered crystals of any space group, built from Wyckoff positions.

    For a requested space group the generator draws, following statistics of
    real structures: a number of occupied orbits, Wyckoff positions for them
    (general and special, each fixed point used at most once), distinct
    elements, free coordinates, a cell volume from the atoms' covalent volumes
    and a lattice shape of the group's crystal system; atoms closer than
    ``min_distance_factor`` times the sum of their covalent radii are redrawn.

    Parameters
    ----------
    space_groups : array-like of int or None, default=None
        Groups drawn from (uniformly; repeat a group to weight it) when no
        group is requested. None means all 230.
    max_atoms : int, default=128
        Most atoms in the conventional cell. Every group is reachable from 96
        on: F432, Fd-3, F-43c, Fm-3c and Fd-3c need a 96-atom orbit (a smaller
        value raises ``ValueError`` for them).
    max_orbits : int, default=16
        Most occupied Wyckoff orbits (at least 2: some groups need two).
    min_distance_factor : float, default=0.75
        Shortest allowed distance as a fraction of the two covalent radii's
        sum; 0.75 is about the 7th percentile of the shortest contacts in the
        real structures of the prior.
    volume_quantiles : tuple of float, default=(0.05, 0.95)
        Range of quantiles of the real volume ratio (cell volume over summed
        covalent-sphere volumes) from which the starting volume is drawn; the
        volume grows when atoms do not fit.
    elements : array-like of int or None, default=None
        Atomic numbers allowed; None means every element seen in the real
        structures, drawn with their observed frequencies.
    max_attempts : int, default=50
        Full redraws (sites, elements, lattice) before giving up with a
        ``RuntimeError``.
    random_state : int, numpy.random.Generator, RandomState or None, default=None
        Seed of the generator's random stream; successive calls continue it.
        For parallel workers pass each one a child of
        ``numpy.random.SeedSequence(seed).spawn(n_workers)``.

    See Also
    --------
    generate_crystals : Function form for one batch.
    wyckoff_positions : The Wyckoff tables used.

    Notes
    -----
    **Exact symmetry.** Random orbits can by chance have more symmetry than
    the group (one orbit of a polar group is flat, two like atoms are always
    related by an inversion). Every crystal therefore contains an *anchor*:
    one Wyckoff orbit, or for 53 mostly polar groups a pair of orbits, that on
    its own has exactly the group's symmetry at generic coordinates (checked
    with spglib when the tables were built), and whose element(s) occur
    nowhere else in the cell. Any symmetry of the crystal maps the anchor onto
    itself, so the crystal cannot be more symmetric than its group. Free
    coordinates are kept at least 0.004 from multiples of 1/24 (where all
    special positions lie) and lattices away from metrics of higher symmetry,
    so that the symmetry found with a tolerance (spglib, symprec 0.01 Å) is
    the group's too.

    **Statistics** (``scripts/compute_crystal_prior.py``, about 1,460 real
    structures): per crystal system the number of orbits and the weight of
    Wyckoff positions with 0–3 free coordinates (3 is the general position; a
    maximum-likelihood choice model), the number of elements given the number
    of orbits, element frequencies, the volume ratio and real cell shapes,
    which are jittered. The anchor's unique element means a crystal of
    several orbits has at least two elements (2.6 % of the real structures
    have one).

    **Distances.** Orbits are placed one at a time (fixed points first, then
    the largest), each from 8 candidate coordinate triples at once; the
    distances from the candidate orbit's first atom to every atom, in the
    neighbouring cells too, cover all pairs by symmetry. When no candidate
    fits, the cell grows by 10 % in volume (at most 3 times in all, then the
    crystal is drawn afresh). No symmetry search runs: about 0.6 ms per
    crystal on one core (``benchmarks/bench_generator.py``).

    The Wyckoff positions are those of the International Tables [1]_ as
    tabulated by pyxtal [2]_; the radii are Cordero's covalent radii [3]_.

    References
    ----------
    .. [1] T. Hahn (ed.), International Tables for Crystallography, Vol. A,
       Space-group symmetry (Springer, 2005).
    .. [2] S. Fredericks, K. Parrish, D. Sayre and Q. Zhu, "PyXtal: a Python
       library for crystal structure generation and symmetry analysis",
       Comput. Phys. Commun. 261, 107810 (2021).
    .. [3] B. Cordero et al., "Covalent radii revisited", Dalton Trans. 2008,
       2832-2838.

    Examples
    --------
    >>> from skxrd.synthetic import CrystalGenerator
    >>> generator = CrystalGenerator(random_state=0)
    >>> crystal = generator.generate(225)
    >>> crystal.space_group, crystal.lattice.shape
    (225, (3, 3))
    >>> [c.space_group for c in generator.generate_batch([1, 14, 230])]
    [1, 14, 230]
    """

    def __init__(
        self,
        space_groups=None,
        *,
        max_atoms=128,
        max_orbits=16,
        min_distance_factor=0.75,
        volume_quantiles=(0.05, 0.95),
        elements=None,
        max_attempts=50,
        random_state=None,
    ):
        self.space_groups = space_groups
        self.max_atoms = max_atoms
        self.max_orbits = max_orbits
        self.min_distance_factor = min_distance_factor
        self.volume_quantiles = volume_quantiles
        self.elements = elements
        self.max_attempts = max_attempts
        self.random_state = random_state
        self._state = None

    def generate(self, space_group=None):
        """One random crystal.

        Parameters
        ----------
        space_group : int or None, default=None
            Space-group number 1..230; None draws one from ``space_groups``.

        Returns
        -------
        Crystal
            Lattice, fractional coordinates, atomic numbers, the group and the
            occupied Wyckoff labels.

        See Also
        --------
        generate_batch : Several crystals in one call.

        Examples
        --------
        >>> from skxrd.synthetic import CrystalGenerator
        >>> crystal = CrystalGenerator(random_state=0).generate(194)
        >>> crystal.space_group, crystal.frac_coords.shape[1]
        (194, 3)
        """
        state = self._get_state()
        if space_group is None:
            groups = state["groups"]
            space_group = int(groups[state["rng"].integers(len(groups))])
        return self._generate_one(check_space_group(space_group), state)

    def generate_batch(self, space_groups):
        """Several random crystals.

        Parameters
        ----------
        space_groups : int or array-like of int
            Either how many crystals to make (groups drawn from
            ``space_groups`` of the generator), or one group number per
            crystal.

        Returns
        -------
        list of Crystal
            One crystal per requested group, in order.

        See Also
        --------
        generate : One crystal.
        generate_crystals : Function form with a fresh generator.

        Examples
        --------
        >>> from skxrd.synthetic import CrystalGenerator
        >>> generator = CrystalGenerator(space_groups=[14, 62], random_state=0)
        >>> len(generator.generate_batch(5))
        5
        >>> [c.space_group for c in generator.generate_batch([62, 14])]
        [62, 14]
        """
        state = self._get_state()
        if isinstance(space_groups, _numbers.Integral):
            if space_groups < 0:
                raise ValueError(f"number of crystals must be >= 0, got {space_groups}")
            draws = state["rng"].integers(len(state["groups"]), size=int(space_groups))
            space_groups = state["groups"][draws]
        groups = [
            check_space_group(g) for g in np.asarray(space_groups).ravel().tolist()
        ]
        return [self._generate_one(g, state) for g in groups]

    def _get_state(self):
        """Validated settings, choice tables and the random stream (made once)."""
        if self._state is None:
            self._state = self._build_state()
        return self._state

    def _build_state(self):
        prior, tables = load_crystal_prior(), load_wyckoff_tables()
        if self.space_groups is None:
            groups = np.arange(1, 231)
        else:
            groups = np.array(
                [check_space_group(g) for g in np.ravel(self.space_groups)]
            )
            if groups.size == 0:
                raise ValueError("space_groups is empty")
        if not isinstance(self.max_orbits, _numbers.Integral) or self.max_orbits < 2:
            # 53 groups need a pair of orbits to fix their symmetry.
            raise ValueError(
                f"max_orbits must be an integer >= 2, got {self.max_orbits!r}"
            )
        if not 0 < self.min_distance_factor < 2:
            raise ValueError(
                f"min_distance_factor must be in (0, 2), got {self.min_distance_factor}"
            )
        low, high = self.volume_quantiles
        if not 0 <= low <= high <= 1:
            raise ValueError(
                f"volume_quantiles must be 0 <= low <= high <= 1, got {(low, high)}"
            )
        if not isinstance(self.max_atoms, _numbers.Integral) or self.max_atoms < 1:
            raise ValueError(
                f"max_atoms must be a positive integer, got {self.max_atoms!r}"
            )
        element_logits = self._element_logits(prior)
        sphere_volume = 4.0 / 3.0 * np.pi * np.nan_to_num(prior.covalent_radius) ** 3
        # Building every group's tables now reports a too small max_atoms early.
        plans = {
            int(g): _GroupPlan(tables[g], prior, self.max_atoms)
            for g in np.unique(groups)
        }
        return {
            "rng": check_generator(self.random_state),
            "prior": prior,
            "groups": groups,
            "plans": plans,
            "element_logits": element_logits,
            "n_allowed_elements": int(np.isfinite(element_logits).sum()),
            "orbit_cdf": self._orbit_cdfs(prior),
            "element_cdf": self._element_count_cdfs(prior),
            "sphere_volume": sphere_volume,
        }

    def _element_logits(self, prior):
        weight = np.where(np.isnan(prior.covalent_radius), 0.0, prior.element_weight)
        if self.elements is not None:
            allowed = np.zeros_like(weight, dtype=bool)
            chosen = np.asarray(self.elements, dtype=int).ravel()
            if chosen.size == 0 or chosen.min() < 1 or chosen.max() >= len(weight):
                raise ValueError(
                    f"elements must be atomic numbers 1..{len(weight) - 1}"
                )
            allowed[chosen] = True
            # Allowed elements never seen in the real structures get weight 1.
            weight = np.where(allowed, np.maximum(weight, 1.0), 0.0)
            weight[np.isnan(prior.covalent_radius)] = 0.0
        if np.count_nonzero(weight) < 3:
            raise ValueError("at least 3 elements with known covalent radii are needed")
        with np.errstate(divide="ignore"):
            return np.log(weight)

    def _orbit_cdfs(self, prior):
        counts = prior.n_orbits[:, 1 : self.max_orbits + 1] + 0.5
        return np.cumsum(counts, axis=1) / counts.sum(axis=1, keepdims=True)

    @staticmethod
    def _element_count_cdfs(prior):
        # Row k: distribution of the number of elements among k orbits (k >= 1).
        joint = np.tril(prior.n_elements_given_orbits[:, 1:] + 0.1, k=-1)
        joint[0, 0] = 1.0
        return np.cumsum(joint, axis=1) / joint.sum(axis=1, keepdims=True)

    def _plan(self, number, state):
        plans = state["plans"]
        if number not in plans:
            table = load_wyckoff_tables()[number]
            plans[number] = _GroupPlan(table, state["prior"], self.max_atoms)
        return plans[number]

    def _generate_one(self, number, state):
        plan = self._plan(number, state)
        for _ in range(self.max_attempts):
            sites, n_anchor_elements, anchor_size = self._choose_sites(plan, state)
            elements = self._choose_elements(
                len(sites), n_anchor_elements, anchor_size, state
            )
            sites, elements = _placement_order(plan, sites, elements, state)
            crystal = self._place(plan, sites, elements, state)
            if crystal is not None:
                return crystal
        raise RuntimeError(
            f"no crystal of space group {number} met the distance constraint in "
            f"{self.max_attempts} attempts; lower min_distance_factor"
        )

    def _choose_sites(self, plan, state):
        """Wyckoff positions of the orbits: an anchor first, then the prior's picks."""
        rng = state["rng"]
        n_orbits = 1 + int(
            np.searchsorted(state["orbit_cdf"][plan.system], rng.random())
        )
        anchor_sites, n_anchor_elements = plan.anchors[
            int(np.searchsorted(plan.anchor_cdf, rng.random()))
        ]
        sites = list(anchor_sites)
        budget = self.max_atoms - plan.multiplicity[sites].sum()
        used = np.zeros(len(plan.multiplicity), dtype=bool)
        used[sites] = True
        for _ in range(n_orbits - len(sites)):
            weight = plan.weight * (plan.multiplicity <= budget) * ~(plan.fixed & used)
            cumulative = np.cumsum(weight)
            if cumulative[-1] <= 0:
                break
            site = int(
                np.searchsorted(cumulative, rng.random() * cumulative[-1], "right")
            )
            sites.append(site)
            used[site] = True
            budget -= plan.multiplicity[site]
        return sites, n_anchor_elements, len(anchor_sites)

    def _choose_elements(self, n_orbits, n_anchor_elements, anchor_size, state):
        """Atomic number of each orbit; the anchor's element(s) used nowhere else."""
        rng = state["rng"]
        n_others = n_orbits - anchor_size
        row = state["element_cdf"][min(n_orbits, len(state["element_cdf"]) - 1)]
        n_elements = 1 + int(np.searchsorted(row, rng.random()))
        n_elements = min(
            max(n_elements, n_anchor_elements + (n_others > 0)),
            n_anchor_elements + n_others,
            state["n_allowed_elements"],
        )
        # Gumbel top-k: n_elements distinct draws weighted by frequency.
        keys = state["element_logits"] + rng.gumbel(size=len(state["element_logits"]))
        chosen = rng.permutation(np.argpartition(-keys, n_elements)[:n_elements])
        # A pair anchor with one element repeats it on both orbits.
        anchor = chosen[[0, n_anchor_elements - 1]] if anchor_size == 2 else chosen[:1]
        if n_others == 0:
            return anchor
        rest = chosen[n_anchor_elements:]
        others = np.concatenate([rest, rng.choice(rest, n_others - len(rest))])
        return np.concatenate([anchor, rng.permutation(others)])

    def _place(self, plan, sites, elements, state):
        """Lattice and coordinates meeting the distance constraint, or None."""
        rng, prior = state["rng"], state["prior"]
        multiplicity = plan.multiplicity[sites]
        orbit_index = np.repeat(np.arange(len(sites)), multiplicity)
        numbers = elements[orbit_index]
        radius = prior.covalent_radius[numbers]
        first_atom = np.concatenate([[0], np.cumsum(multiplicity)[:-1]])
        bond = radius[first_atom][:, None] + radius
        threshold = (self.min_distance_factor * bond) ** 2
        # Cell volume: the summed covalent-sphere volumes times a volume ratio
        # drawn from the real structures' distribution.
        ratio = prior.volume_ratio_at(rng.uniform(*self.volume_quantiles))
        volume = ratio * state["sphere_volume"][numbers].sum()
        shapes = prior.lattice_shapes[plan.system]
        cell = PeriodicCell(
            random_lattice(plan.number, volume, shapes, rng), plan.system
        )
        frac = place_orbits(
            [plan.orbit_maps[s] for s in sites],
            plan.fixed[sites],
            threshold,
            cell,
            rng,
        )
        if frac is None:
            return None
        return Crystal(
            lattice=cell.lattice,
            frac_coords=frac,
            numbers=numbers,
            space_group=plan.number,
            wyckoff_labels=tuple(plan.labels[s] for s in sites),
            orbit_index=orbit_index,
        )


def _placement_order(plan, sites, elements, state):
    """Fixed points first, then the orbits that need the most room.

    Fixed points cannot be redrawn, so they go in while the cell is empty;
    free orbits follow by decreasing covalent volume (multiplicity times the
    sphere volume), the hardest to fit first.
    """
    sites = np.asarray(sites)
    demand = plan.multiplicity[sites] * state["sphere_volume"][elements]
    order = np.lexsort((-demand, ~plan.fixed[sites]))
    return sites[order].tolist(), elements[order]


def generate_crystals(space_groups, *, random_state=None, **options):
    """Random crystals of the given space groups.

    Parameters
    ----------
    space_groups : int or array-like of int
        One space-group number (1..230) per crystal, or how many crystals to
        make with groups drawn uniformly from all 230.
    random_state : int, numpy.random.Generator or None, default=None
        Seed.
    **options
        Further keyword arguments of :class:`CrystalGenerator`.

    Returns
    -------
    list of Crystal
        The crystals, in order.

    See Also
    --------
    CrystalGenerator : The generator, for repeated calls on one stream.

    Examples
    --------
    >>> from skxrd.synthetic import generate_crystals
    >>> crystals = generate_crystals([2, 62, 194], random_state=1)
    >>> [c.space_group for c in crystals]
    [2, 62, 194]
    """
    generator = CrystalGenerator(random_state=random_state, **options)
    return generator.generate_batch(space_groups)
