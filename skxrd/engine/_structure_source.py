"""A stream of patterns of real structures, strained and substituted afresh."""

import logging
import warnings
from functools import cache
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from .._grid import TWO_THETA_MAX, TWO_THETA_MIN, TWO_THETA_STEP
from ..spacegroups import CRYSTAL_SYSTEMS, crystal_system_index
from ._base import BasePatternSource
from ._render import common_config, render_batch
from ._source import space_group_prior

__all__ = ["StructurePatternSource"]

logger = logging.getLogger(__name__)


class StructurePatternSource(BasePatternSource):
    """An endless, seeded stream of patterns of perturbed real structures.

    Each pattern starts from one of ``structures`` in its standard
    conventional cell (spglib's refined cell, in the International Tables
    setting) and changes it the ways real samples of the same structure type
    differ: the lattice is strained within ``strain`` keeping its metric
    symmetry and scaled as a whole within ``lattice_scale``, the atoms are
    moved by ``displacement`` as their site symmetry
    allows, each element is, with ``substitution_probability``, replaced by
    a neighbour of its column in the periodic table (a different scattering
    power on the same sites), and all atoms get one random isotropic
    Debye–Waller factor.  None of these changes the space group, so the label
    is the structure's own group, detected once with ``symprec``.  The
    rendering — diffraction, preferred orientation, profiles, augmentation —
    is the code `SyntheticPatternSource` uses.

    Parameters
    ----------
    structures : sequence of pymatgen Structure or StructureRecord
        The structures, e.g. from `skxrd.structures.load_structures`.
        Structures whose symmetry cannot be analysed are skipped with one
        warning that counts them.
    target : {"space_group", "crystal_system"}, default="space_group"
        Label of each pattern.
    class_prior : {"uniform", "prior", "structures"} or array-like of shape (230,), \
default="prior"
        How a structure is drawn: "structures" draws every structure equally
        often; "uniform" first draws a space group uniformly among the
        groups present, "prior" with the real-collection frequencies of
        `space_group_prior`, an array with its weights of groups 1..230 (the
        population the model will meet; groups without a structure are left
        out and the rest renormalised), then a structure of that group.
    strain : float, default=0.03
        Largest relative change of each free lattice length; free angles
        change by up to ``100 * strain`` degrees.
    lattice_scale : float, default=0.0
        Largest relative change of all lattice lengths together, on top of
        ``strain``: an isotropic expansion or contraction, as solid solutions
        and substitutions give one structure type (garnets span a = 11.4 to
        12.1 Å).  It moves every peak in proportion to its d-spacing and keeps
        the pattern's shape.
    substitution_probability : float, default=0.3
        Probability that each element of a structure is replaced.
    rescale_substituted : bool, default=False
        Whether a substitution also rescales the lattice, by the ratio of the
        atoms' mean atomic radius (Slater's) after and before it, as Vegard's
        law has it: with Ca for Mg, MgO's cell (a = 4.21 Å) grows to CaO's
        (4.81 Å).  False keeps the cell, so that only the scattering power
        changes.
    displacement : float, default=0.0
        Standard deviation in Å of a random displacement of every orbit of
        atoms, restricted to the directions its site symmetry allows and
        carried to the other atoms of the orbit by the symmetry operations,
        so that the space group is kept; 0 keeps the positions.
    debye_waller_range : (float, float), default=(0.0, 1.5)
        Range of the isotropic B factor in Å².
    symprec : float, default=0.01
        Tolerance of the symmetry analysis that labels the structures.
    angle_tolerance : float, default=5.0
        Tolerance in degrees on the lattice angles of that analysis
        (pymatgen's default); -1 leaves the angles to ``symprec`` alone, as
        distorted cells within a few degrees of a higher lattice
        (`symmetry_derivatives`) need.
    batch_size : int, default=256
        Patterns per batch.
    profile, augmenter, march_dollase_probability, march_dollase_range, \
normalize, wavelength, start, stop, step, n_jobs, random_state
        As in `SyntheticPatternSource`.

    Attributes
    ----------
    classes : ndarray
        The fixed label set: groups 1..230, or the seven crystal systems.

    See Also
    --------
    SyntheticPatternSource : Random crystals instead of real ones.
    skxrd.structures.load_structures : Structure collections.

    Examples
    --------
    >>> import numpy as np
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.engine import StructurePatternSource
    >>> rock_salt = Structure.from_spacegroup(
    ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
    ... )
    >>> source = StructurePatternSource([rock_salt], batch_size=4, random_state=0)
    >>> X, y = source.take(4)
    >>> X.shape, y.tolist()
    ((4, 8500), [225, 225, 225, 225])
    """

    _parameter_constraints = {
        **BasePatternSource._parameter_constraints,
        "structures": ["array-like", list, tuple],
        "class_prior": [StrOptions({"uniform", "prior", "structures"}), "array-like"],
        "strain": [Interval(Real, 0, 0.5, closed="left")],
        "lattice_scale": [Interval(Real, 0, 0.5, closed="left")],
        "substitution_probability": [Interval(Real, 0, 1, closed="both")],
        "rescale_substituted": ["boolean"],
        "displacement": [Interval(Real, 0, 1, closed="both")],
        "debye_waller_range": [tuple, list],
        "symprec": [Interval(Real, 0, None, closed="neither")],
        "angle_tolerance": [Real],
    }

    def __init__(
        self,
        structures,
        *,
        target="space_group",
        class_prior="prior",
        strain=0.03,
        lattice_scale=0.0,
        substitution_probability=0.3,
        rescale_substituted=False,
        displacement=0.0,
        debye_waller_range=(0.0, 1.5),
        symprec=0.01,
        angle_tolerance=5.0,
        batch_size=256,
        profile=None,
        augmenter=None,
        march_dollase_probability=0.3,
        march_dollase_range=(0.7, 1.0),
        normalize="max",
        wavelength="CuKa",
        start=TWO_THETA_MIN,
        stop=TWO_THETA_MAX,
        step=TWO_THETA_STEP,
        n_jobs=1,
        random_state=None,
    ):
        self.structures = structures
        self.target = target
        self.class_prior = class_prior
        self.strain = strain
        self.lattice_scale = lattice_scale
        self.substitution_probability = substitution_probability
        self.rescale_substituted = rescale_substituted
        self.displacement = displacement
        self.debye_waller_range = debye_waller_range
        self.symprec = symprec
        self.angle_tolerance = angle_tolerance
        self.batch_size = batch_size
        self.profile = profile
        self.augmenter = augmenter
        self.march_dollase_probability = march_dollase_probability
        self.march_dollase_range = march_dollase_range
        self.normalize = normalize
        self.wavelength = wavelength
        self.start = start
        self.stop = stop
        self.step = step
        self.n_jobs = n_jobs
        self.random_state = random_state

    @property
    def classes(self):
        """The fixed label set: groups 1..230, or the seven crystal systems."""
        if self.target == "crystal_system":
            return np.asarray(CRYSTAL_SYSTEMS, dtype=object)
        return np.arange(1, 231)

    def _config(self):
        self._validate_params()
        low, high = (float(v) for v in self.debye_waller_range)
        if not 0 <= low <= high:
            raise ValueError(
                "debye_waller_range must be (low, high) with 0 <= low <= high; "
                f"got {self.debye_waller_range!r}."
            )
        by_structure = (
            isinstance(self.class_prior, str) and self.class_prior == "structures"
        )
        # Checked before the symmetry analysis, which takes a while.
        group_weights = None if by_structure else self._group_weights()
        cells = _standard_cells(
            self.structures,
            self.symprec,
            angle_tolerance=self.angle_tolerance,
            n_jobs=self.n_jobs,
        )
        groups = np.array([cell["space_group"] for cell in cells])
        present = np.unique(groups)
        if by_structure:
            weights = np.ones(len(cells))
        else:
            per_group = group_weights[present - 1]
            if per_group.sum() <= 0:
                raise ValueError(
                    "class_prior gives no weight to any space group of the "
                    f"structures ({present.tolist()})."
                )
            # Structure weight = weight of its group shared among its structures.
            counts = dict(zip(*np.unique(groups, return_counts=True), strict=True))
            share = dict(zip(present, per_group, strict=True))
            weights = np.array([share[g] / counts[g] for g in groups])
        by_group = {}
        for i, group in enumerate(groups):
            by_group.setdefault(int(group), []).append(i)
        return {
            **common_config(self),
            "cells": cells,
            "by_group": by_group,
            "p": weights / weights.sum(),
            "strain": float(self.strain),
            "lattice_scale": float(self.lattice_scale),
            "substitution": float(self.substitution_probability),
            "rescale_substituted": bool(self.rescale_substituted),
            "debye_waller": (low, high),
            "displacement": float(self.displacement),
        }

    def _group_weights(self):
        """Weights of groups 1..230 from ``class_prior`` (not "structures")."""
        if isinstance(self.class_prior, str):
            if self.class_prior == "uniform":
                return np.ones(230)
            return space_group_prior()
        weights = np.asarray(self.class_prior, dtype=float)
        if (
            weights.shape != (230,)
            or not np.all(np.isfinite(weights))
            or (weights < 0).any()
        ):
            raise ValueError(
                "class_prior must be 'uniform', 'prior', 'structures' or 230 "
                f"non-negative weights of space groups 1..230; got shape {weights.shape}."
            )
        return weights


def _standard_cells(
    structures,
    symprec,
    owner="StructurePatternSource",
    angle_tolerance=5.0,
    n_jobs=None,
):
    """Standard conventional cells of the usable structures, in order.

    The symmetry analysis takes ~20 ms a structure (28 s for the recipe's
    1,468 on one core), so ``n_jobs`` > 1 shares it among joblib workers;
    the cells are the same whatever ``n_jobs``.
    """
    from joblib import Parallel, delayed

    items = list(structures)
    n_jobs = 1 if n_jobs is None else int(n_jobs)
    if n_jobs == 1 or len(items) < 64:
        outcomes = _analyse(items, 0, symprec, angle_tolerance)
    else:
        size = -(-len(items) // (4 * n_jobs))
        chunks = Parallel(n_jobs=n_jobs)(
            delayed(_analyse)(
                items[start : start + size], start, symprec, angle_tolerance
            )
            for start in range(0, len(items), size)
        )
        outcomes = [outcome for chunk in chunks for outcome in chunk]
    cells = [cell for cell, _ in outcomes if cell is not None]
    skipped = [reason for cell, reason in outcomes if cell is None]
    if skipped:
        warnings.warn(
            f"{owner} skipped {len(skipped)} of {len(items)} "
            f"structures that could not be used: "
            + "; ".join(skipped[:5])
            + (" ..." if len(skipped) > 5 else ""),
            UserWarning,
            stacklevel=4,
        )
    if not cells:
        raise ValueError(f"{owner} needs at least one usable structure.")
    return cells


def _analyse(items, start, symprec, angle_tolerance):
    """(cell, None) or (None, reason) for each structure of ``items``."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    outcomes = []
    for index, item in enumerate(items, start):
        structure = getattr(item, "structure", item)
        name = getattr(item, "name", None) or f"structure {index}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                analyzer = SpacegroupAnalyzer(
                    structure, symprec=symprec, angle_tolerance=angle_tolerance
                )
                refined = analyzer.get_refined_structure()
                group = analyzer.get_space_group_number()
                cell = _cell(refined, group)
                cell["index"] = index
                cell.update(_orbits(refined, symprec, angle_tolerance))
            outcomes.append((cell, None))
        except Exception as exc:  # noqa: BLE001 - any failure skips one structure
            outcomes.append((None, f"{name} ({type(exc).__name__}: {exc})"))
    return outcomes


def _cell(structure, group):
    from ..diffraction import scattering_table

    table, _ = scattering_table()
    numbers, coords, occupancies, sites = [], [], [], []
    for index, site in enumerate(structure):
        # Disordered sites become one partially occupied atom per species.
        for species, occupancy in site.species.items():
            z = getattr(species, "Z", 0)
            if not 0 < z < table.shape[0] or np.isnan(table[z, 0]):
                raise ValueError(f"no X-ray scattering factors for {species}")
            numbers.append(z)
            sites.append(index)
            coords.append(site.frac_coords)
            occupancies.append(occupancy)
    lattice = structure.lattice
    return {
        "parameters": np.array([*lattice.abc, *lattice.angles]),
        "frac_coords": np.asarray(coords, dtype=float) % 1.0,
        "numbers": np.asarray(numbers, dtype=int),
        "occupancies": np.asarray(occupancies, dtype=float),
        "site": np.asarray(sites, dtype=int),
        "space_group": int(group),
        "system": CRYSTAL_SYSTEMS[int(crystal_system_index([group])[0])],
    }


def _orbits(structure, symprec, angle_tolerance=5.0, tolerance=1e-3):
    """Map every site to a representative of its orbit, for symmetric displacements.

    Returns per site the orbit index and the rotation W of a symmetry operation
    taking the representative onto the site, and per orbit the projector onto
    the displacements its site symmetry allows (the average of the stabiliser's
    rotations).  Moving each representative by an allowed displacement d and
    every site by W d keeps the space group.
    """
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        operations = SpacegroupAnalyzer(
            structure, symprec=symprec, angle_tolerance=angle_tolerance
        ).get_symmetry_operations()
    rotations = np.array([op.rotation_matrix for op in operations])
    translations = np.array([op.translation_vector for op in operations])
    frac = structure.frac_coords
    n = len(frac)
    orbit = np.full(n, -1)
    rotation = np.zeros((n, 3, 3))
    projectors = []
    for i in range(n):
        if orbit[i] >= 0:
            continue
        images = np.einsum("kij,j->ki", rotations, frac[i]) + translations
        stabiliser = _matches(images, frac[i], tolerance)
        projectors.append(rotations[stabiliser].mean(axis=0))
        for j in range(i, n):
            if orbit[j] >= 0:
                continue
            hits = np.flatnonzero(_matches(images, frac[j], tolerance))
            if hits.size:
                orbit[j] = len(projectors) - 1
                rotation[j] = rotations[hits[0]]
    return {
        "orbit": orbit,
        "rotation": rotation,
        "projectors": np.array(projectors),
    }


def _matches(images, point, tolerance):
    difference = images - point
    difference -= np.round(difference)
    return np.abs(difference).max(axis=1) < tolerance


def _structure_batch(config, seed):
    rng = np.random.default_rng(seed)
    cells = config["cells"]
    pick = rng.choice(len(cells), size=config["batch_size"], p=config["p"])
    groups = np.array([cells[i]["space_group"] for i in pick])
    by_group = config["by_group"]
    first = iter(pick)

    def make_crystals(requested):
        chosen = []
        for group in requested:
            # The first call takes the drawn structures; redraws of empty
            # patterns take another structure of the same group.
            index = next(first, None)
            if index is None or cells[index]["space_group"] != group:
                index = rng.choice(by_group[group])
            chosen.append(_perturb(cells[index], rng, config))
        return chosen

    return render_batch(config, rng, groups, make_crystals)


StructurePatternSource._batch_function = staticmethod(_structure_batch)


def _perturb(cell, rng, config):
    a, b, c, alpha, beta, gamma = cell["parameters"]
    e = config["strain"]
    system = cell["system"]

    def stretch(size):
        return 1.0 + rng.uniform(-e, e, size)

    if system == "cubic":
        a, b, c = np.array([a, b, c]) * stretch(1)[0]
    elif system in ("tetragonal", "trigonal", "hexagonal"):
        s_ab, s_c = stretch(2)
        a, b, c = a * s_ab, b * s_ab, c * s_c
    else:
        a, b, c = np.array([a, b, c]) * stretch(3)
        angles = np.array([alpha, beta, gamma])
        # Only the angles the system leaves free: beta of a monoclinic cell
        # (unique axis b), all three of a triclinic one.
        free = np.abs(angles - 90.0) > 1e-3 if system == "monoclinic" else True
        if system in ("monoclinic", "triclinic"):
            angles = np.where(free, angles + rng.uniform(-100 * e, 100 * e, 3), angles)
            alpha, beta, gamma = angles
    numbers = cell["numbers"]
    if config["substitution"] > 0:
        numbers = numbers.copy()
        for z in np.unique(cell["numbers"]):
            options = _substitutes(int(z))
            if options and rng.random() < config["substitution"]:
                numbers[cell["numbers"] == z] = options[rng.integers(len(options))]
        if config["rescale_substituted"]:
            ratio = _radius_ratio(cell["numbers"], numbers, cell["occupancies"])
            a, b, c = a * ratio, b * ratio, c * ratio
    frac_coords = cell["frac_coords"]
    if config["displacement"] > 0 and "orbit" in cell:
        sigma = config["displacement"] / cell["parameters"][:3]
        shift = rng.normal(0.0, 1.0, (len(cell["projectors"]), 3)) * sigma
        shift = np.einsum("oij,oj->oi", cell["projectors"], shift)
        per_site = np.einsum("sij,sj->si", cell["rotation"], shift[cell["orbit"]])
        frac_coords = (frac_coords + per_site[cell["site"]]) % 1.0
    scale = config["lattice_scale"]
    if scale > 0:
        a, b, c = np.array([a, b, c]) * (1.0 + rng.uniform(-scale, scale))
    lattice = _lattice_matrix(a, b, c, alpha, beta, gamma)
    if not np.isfinite(lattice).all():
        lattice = _lattice_matrix(*cell["parameters"])
    return {
        "lattice": lattice,
        "frac_coords": frac_coords,
        "numbers": numbers,
        "occupancies": cell["occupancies"],
        "debye_waller": np.full(numbers.size, rng.uniform(*config["debye_waller"])),
        "space_group": cell["space_group"],
    }


def _lattice_matrix(a, b, c, alpha, beta, gamma):
    al, be, ga = np.radians([alpha, beta, gamma])
    cx = np.cos(be)
    cy = (np.cos(al) - np.cos(be) * np.cos(ga)) / np.sin(ga)
    cz = np.sqrt(1.0 - cx**2 - cy**2)
    return np.array(
        [
            [a, 0.0, 0.0],
            [b * np.cos(ga), b * np.sin(ga), 0.0],
            [c * cx, c * cy, c * cz],
        ]
    )


def _radius_ratio(before, after, occupancies):
    """Mean atomic radius of the atoms after a substitution over that before.

    Vegard's law in its simplest form: the cell grows with the atoms on its
    sites.  Slater's radii (pymatgen's ``atomic_radius``) are fitted so that
    their sums give bond lengths, so for a binary compound the ratio is that
    of the bond lengths (MgO, a = 4.21 Å, with Ca for Mg: 4.81 Å, as CaO).
    1 where an element has no tabulated radius.
    """
    radii = _atomic_radii()
    old = np.dot(radii[before], occupancies)
    new = np.dot(radii[after], occupancies)
    if not (np.isfinite(old) and np.isfinite(new)) or old <= 0:
        return 1.0
    return float(new / old)


@cache
def _atomic_radii():
    # Slater's empirical radii, the calculated ones where pymatgen has none
    # (noble gases); NaN for elements with neither (At, Fr, beyond Am).
    from pymatgen.core.periodic_table import Element

    radii = np.full(119, np.nan)
    with warnings.catch_warnings():
        # pymatgen warns for each radius it lacks; NaN says the same.
        warnings.simplefilter("ignore")
        for z in range(1, 119):
            element = Element.from_Z(z)
            r = element.atomic_radius
            if r is None:
                r = element.atomic_radius_calculated
            if r is not None:
                radii[z] = float(r)
    return radii


@cache
def _substitutes(z):
    # Neighbours in the same column of the periodic table, one period up or
    # down: similar chemistry, different scattering power.
    from pymatgen.core.periodic_table import Element

    from ..diffraction import scattering_table

    a, _ = scattering_table()
    known = [n for n in range(1, min(95, a.shape[0])) if not np.isnan(a[n, 0])]
    if z not in known:
        return ()
    element = Element.from_Z(z)
    if element.is_lanthanoid or element.is_actinoid:
        return tuple(n for n in (z - 1, z + 1) if n in known and _same_block(z, n))
    out = []
    for n in known:
        other = Element.from_Z(n)
        if (
            n != z
            and other.group == element.group
            and abs(other.row - element.row) == 1
            and not (other.is_lanthanoid or other.is_actinoid)
        ):
            out.append(n)
    return tuple(out)


def _same_block(z, n):
    from pymatgen.core.periodic_table import Element

    a, b = Element.from_Z(z), Element.from_Z(n)
    return (a.is_lanthanoid and b.is_lanthanoid) or (a.is_actinoid and b.is_actinoid)
