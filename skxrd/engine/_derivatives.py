"""Lower-symmetry derivatives of real structures (distorted relatives)."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ..spacegroups import CRYSTAL_SYSTEMS, crystal_system_index

__all__ = ["symmetry_derivatives"]

# How many symmetry reductions are tried per derivative before giving up: a
# draw fails when the distortion leaves the structure in a higher system.
_MAX_TRIES = 4


@validate_params(
    {
        "structures": ["array-like", list, tuple],
        "n_derivatives": [Interval(Integral, 1, None, closed="left")],
        "system": [StrOptions({"monoclinic", "triclinic"})],
        "strain": [Interval(Real, 0, 0.5, closed="neither")],
        "displacement": [Interval(Real, 0, 1, closed="left")],
        "symprec": [Interval(Real, 0, None, closed="neither")],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def symmetry_derivatives(
    structures,
    n_derivatives=1,
    *,
    system="monoclinic",
    strain=0.02,
    displacement=0.05,
    symprec=0.01,
    random_state=None,
):
    """Distorted relatives of real structures in a lower crystal system.

    Many minerals are slightly distorted versions of a more symmetric
    structure type: a tilt of the octahedra or a sheared cell lowers the
    symmetry to a subgroup, and the powder pattern shows split peaks and new
    intensity ratios.  Measured patterns are mostly of low symmetry (45% of
    the RRUFF validation set is triclinic or monoclinic) while the structure
    collections skxrd reaches are not (15%), and these derivatives add
    low-symmetry structures built on real atomic arrangements.

    For each derivative, a subgroup *H* of the structure's space group is
    chosen that keeps its lattice translations and whose point group is
    monoclinic (one two-fold axis or mirror of the group, with the inversion
    where the group has one, as most monoclinic minerals do) or triclinic
    (the inversion, or nothing).  The cell is then strained and the atoms
    moved, both by random amounts averaged over *H*'s operations, so that
    the result keeps exactly the operations of *H*.  Its space group is read
    from the result (spglib via pymatgen), not assumed.

    Measured so far, they do not help as training data: a quarter of the
    batches from them, at the defaults, made a network call nearly every
    pattern triclinic or monoclinic (RRUFF top-1 9.6% against 31.0%), since
    splittings this small hardly survive realistic peak widths.

    Parameters
    ----------
    structures : sequence of pymatgen Structure or StructureRecord
        The parents.  Parents already in ``system`` or below, without a
        two-fold axis or mirror (point groups 3 and -3, for a monoclinic
        derivative) or whose symmetry cannot be analysed give no
        derivatives; they are counted in one warning.
    n_derivatives : int >= 1, default=1
        Derivatives made of each parent.
    system : {"monoclinic", "triclinic"}, default="monoclinic"
        Crystal system of the derivatives.
    strain : float in (0, 0.5), default=0.02
        Size of the distortion: the strain that breaks the parent's
        symmetry has a norm between ``strain / 2`` and ``strain`` (a
        monoclinic angle moves by up to about ``80 * strain`` degrees, 1.6°
        at the default), and a strain keeping it, entries up to ``strain``,
        comes on top.
    displacement : float in [0, 1], default=0.05
        Standard deviation in Å of the random atomic displacements before
        they are averaged over *H*.
    symprec : float, default=0.01
        Tolerance of the symmetry analyses (parents and derivatives), in Å;
        keep it well below ``displacement`` and the strain's effect.  The
        derivatives are analysed without an angle tolerance (spglib's
        ``angle_tolerance=-1``): pymatgen's default of 5 degrees would read
        a sheared cell as its parent's.  Stream them with
        ``StructurePatternSource(..., angle_tolerance=-1)`` for the same
        reason.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the choices and distortions.

    Returns
    -------
    records : list of StructureRecord
        The derivatives, named ``"<parent>>H<k>"``, each with
        ``metadata["space_group"]`` (the derivative's group),
        ``metadata["parent_space_group"]`` and ``metadata["parent"]``.
        A parent whose draws all kept a higher system (rare) gives fewer.

    See Also
    --------
    StructurePatternSource : Stream patterns of structures and their
        derivatives alike.
    structure_variants : Copies that keep the space group.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.engine import StructurePatternSource, symmetry_derivatives
    >>> from skxrd.spacegroups import crystal_system
    >>> perovskite = Structure.from_spacegroup(
    ...     "Pm-3m", Lattice.cubic(3.905), ["Sr", "Ti", "O"],
    ...     [[0, 0, 0], [0.5, 0.5, 0.5], [0.5, 0.5, 0]])
    >>> records = symmetry_derivatives([perovskite], 2, random_state=0)
    >>> [crystal_system(r.metadata["space_group"]) for r in records]
    ['monoclinic', 'monoclinic']
    >>> source = StructurePatternSource(records, angle_tolerance=-1,
    ...                                 batch_size=2, random_state=0)
    >>> X, y = source.take(2)
    >>> [crystal_system(g) for g in y]
    ['monoclinic', 'monoclinic']
    """
    from ..structures import StructureRecord
    from ..utils._random import check_generator

    rng = check_generator(random_state)
    target = CRYSTAL_SYSTEMS.index(system)
    records, skipped = [], []
    for index, item in enumerate(structures):
        structure = getattr(item, "structure", item)
        name = getattr(item, "name", None) or f"structure {index}"
        try:
            parent = _analysed(structure, symprec)
        except Exception as exc:  # noqa: BLE001 - any failure skips one parent
            skipped.append(f"{name} ({type(exc).__name__}: {exc})")
            continue
        if parent["system"] <= target:
            skipped.append(f"{name} (already {CRYSTAL_SYSTEMS[parent['system']]})")
            continue
        if system == "monoclinic" and not _axes(parent["rotations"]).size:
            # Point groups 3 and -3 have no two-fold axis or mirror.
            skipped.append(f"{name} (no two-fold axis or mirror)")
            continue
        for k in range(n_derivatives):
            for _ in range(_MAX_TRIES):
                derivative = _derive(parent, system, strain, displacement, rng)
                group = _space_group(derivative, symprec)
                if group and crystal_system_index([group])[0] == target:
                    break
            else:
                continue
            records.append(
                StructureRecord(
                    derivative,
                    f"{name}>H{k}",
                    getattr(item, "source", "built in code"),
                    {
                        "space_group": int(group),
                        "parent_space_group": parent["group"],
                        "parent": name,
                    },
                )
            )
    if skipped:
        warnings.warn(
            f"symmetry_derivatives skipped {len(skipped)} of {len(structures)} "
            "parents: " + "; ".join(skipped[:5]) + (" ..." if len(skipped) > 5 else ""),
            UserWarning,
            stacklevel=3,
        )
    return records


def _analysed(structure, symprec):
    """The parent in its conventional cell, with its operations."""
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        analyzer = SpacegroupAnalyzer(structure, symprec=symprec)
        group = analyzer.get_space_group_number()
        refined = analyzer.get_refined_structure()
        operations = SpacegroupAnalyzer(
            refined, symprec=symprec
        ).get_symmetry_operations()
    return {
        "structure": refined,
        "group": int(group),
        "system": int(crystal_system_index([group])[0]),
        "rotations": np.rint([op.rotation_matrix for op in operations]).astype(int),
        "translations": np.array([op.translation_vector for op in operations]),
    }


def _derive(parent, system, strain, displacement, rng):
    """One distorted copy keeping the operations of a random subgroup."""
    from pymatgen.core import Lattice, Structure

    rotations, translations = parent["rotations"], parent["translations"]
    keep = _subgroup(rotations, system, rng)
    rotations, translations = rotations[keep], translations[keep]
    structure = parent["structure"]
    lattice = structure.lattice.matrix  # rows are the lattice vectors
    # A random symmetric strain as a change of the metric tensor M = L L^T.
    # Averaged over a group's rotations (fractional: M is invariant when
    # R^T M R = M for every R) it keeps that group; the part H keeps and
    # the parent's group does not is what lowers the symmetry, and it is
    # scaled to a set size so that the distortion is never lost within the
    # tolerance of the analysis.
    epsilon = rng.uniform(-strain, strain, size=(3, 3))
    delta = lattice @ (epsilon + epsilon.T) @ lattice.T
    kept = _average_metric(delta, parent["rotations"])
    breaking = _average_metric(delta, rotations) - kept
    size = np.linalg.norm(_strain_of(breaking, lattice))
    if size > 0:
        breaking *= strain * rng.uniform(0.5, 1.0) / size
    metric = lattice @ lattice.T + kept + breaking
    lengths = np.sqrt(np.diag(metric))
    angles = np.degrees(
        np.arccos(
            [
                metric[1, 2] / (lengths[1] * lengths[2]),
                metric[0, 2] / (lengths[0] * lengths[2]),
                metric[0, 1] / (lengths[0] * lengths[1]),
            ]
        )
    )
    frac = structure.frac_coords
    moves = rng.normal(scale=displacement, size=frac.shape) @ np.linalg.inv(lattice)
    moves = _symmetrised_moves(moves, frac, lattice, rotations, translations)
    return Structure(
        Lattice.from_parameters(*lengths, *angles),
        [site.species for site in structure],
        frac + moves,
    )


def _average_metric(delta, rotations):
    """The part of a metric change that the rotations keep."""
    return np.mean([r.T @ delta @ r for r in rotations], axis=0)


def _strain_of(delta, lattice):
    """The Cartesian strain of a small metric change (M + delta = L(1+2e)L^T)."""
    inverse = np.linalg.inv(lattice)
    return inverse @ delta @ inverse.T / 2


def _subgroup(rotations, system, rng):
    """Mask of the operations whose rotation lies in a random subgroup.

    A monoclinic subgroup needs a two-fold axis or mirror (checked by the
    caller).
    """
    inversion = -np.eye(3, dtype=int)
    generators = []
    if system == "monoclinic":
        generators.append(rotations[rng.choice(_axes(rotations))])
    if (rotations == inversion).all(axis=(1, 2)).any():
        generators.append(inversion)
    group = _closure(generators)
    return np.array([tuple(r.ravel()) in group for r in rotations])


def _axes(rotations):
    """Indices of the two-fold rotations (det 1, trace -1) and mirrors (det -1, trace 1)."""
    determinant = np.rint(np.linalg.det(rotations)).astype(int)
    trace = np.trace(rotations, axis1=1, axis2=2)
    return np.flatnonzero(
        ((determinant == 1) & (trace == -1)) | ((determinant == -1) & (trace == 1))
    )


def _closure(generators):
    """The point group (rotation keys) the generators make."""
    identity = np.eye(3, dtype=int)
    group = {tuple(identity.ravel())}
    frontier = [identity]
    while frontier:
        element = frontier.pop()
        for generator in generators:
            product = element @ generator
            key = tuple(product.ravel())
            if key not in group:
                group.add(key)
                frontier.append(product)
    return group


def _symmetrised_moves(moves, frac, lattice, rotations, translations):
    """Average fractional displacements over the operations (R, t).

    A displacement field u keeps an operation that takes atom i to atom j
    when u_j = R u_i; averaging R u_i into j over the group projects onto
    such fields.
    """
    total = np.zeros_like(moves)
    for rotation, translation in zip(rotations, translations, strict=True):
        images = frac @ rotation.T + translation
        offset = images[:, None, :] - frac[None, :, :]
        offset -= np.rint(offset)
        target = np.linalg.norm(offset @ lattice, axis=2).argmin(axis=1)
        np.add.at(total, target, moves @ rotation.T)
    return total / len(rotations)


def _space_group(structure, symprec):
    from pymatgen.symmetry.analyzer import SpacegroupAnalyzer

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            # Within pymatgen's default 5 degrees a sheared cell would count
            # as its parent's lattice.
            return SpacegroupAnalyzer(
                structure, symprec=symprec, angle_tolerance=-1
            ).get_space_group_number()
    except Exception:  # noqa: BLE001 - an unanalysable draw is redrawn
        return None
