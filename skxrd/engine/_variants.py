"""A fixed set of strained and substituted copies of real structures."""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import Interval, validate_params

from .._grid import two_theta_grid
from ._render import _reach
from ._structure_source import _perturb, _standard_cells

__all__ = ["structure_variants"]


@validate_params(
    {
        "structures": ["array-like", list, tuple],
        "n_variants": [Interval(Integral, 1, None, closed="left")],
        "strain": [Interval(Real, 0, 0.5, closed="left")],
        "lattice_scale": [Interval(Real, 0, 0.5, closed="left")],
        "substitution_probability": [Interval(Real, 0, 1, closed="both")],
        "rescale_substituted": ["boolean"],
        "displacement": [Interval(Real, 0, 1, closed="both")],
        "debye_waller": [Interval(Real, 0, None, closed="left")],
        "symprec": [Interval(Real, 0, None, closed="neither")],
        "profile": "no_validation",
        "wavelength": [Real, str],
        "random_state": ["random_state", np.random.Generator],
    },
    prefer_skip_nested_validation=True,
)
def structure_variants(
    structures,
    n_variants=8,
    *,
    strain=0.03,
    lattice_scale=0.0,
    substitution_probability=0.5,
    rescale_substituted=False,
    displacement=0.0,
    debye_waller=0.5,
    symprec=0.01,
    profile=None,
    wavelength="CuKa",
    n_jobs=None,
    random_state=None,
):
    """Patterns of ``n_variants`` perturbed copies of every structure.

    The fixed, finite counterpart of `StructurePatternSource`: each structure,
    in its standard conventional cell, is strained keeping its metric symmetry
    (a tetragonal cell changes ``a`` and ``c`` independently, a monoclinic
    one its free lengths and β), optionally scaled as a whole, its atoms
    moved as their site symmetry allows, and each element replaced with
    ``substitution_probability`` by a neighbour of its column in the periodic
    table.  The perturbations are those of the stream (the same code), so
    every copy keeps the structure's space group.  Reference libraries for
    search-match (`skxrd.neighbors.PatternMatchClassifier`) gain from them:
    a measured compound rarely has a reference's exact cell or elements, and
    the matcher's own lattice scaling is isotropic only.

    Parameters
    ----------
    structures : sequence of pymatgen Structure or StructureRecord
        The structures; those whose symmetry cannot be analysed (or without
        X-ray scattering factors) are skipped with one warning that counts
        them.
    n_variants : int >= 1, default=8
        Copies made of each structure.
    strain : float, default=0.03
        Largest relative change of each free lattice length (free angles:
        ``100 * strain`` degrees).
    lattice_scale : float, default=0.0
        Largest relative change of all lattice lengths together.
    substitution_probability : float, default=0.5
        Probability that each element of a copy is replaced.
    rescale_substituted : bool, default=False
        Whether a substitution also rescales the lattice by the ratio of the
        atoms' mean atomic radius after and before it (Vegard's law; see
        `StructurePatternSource`).
    displacement : float, default=0.0
        Standard deviation in Å of symmetry-keeping atomic displacements.
    debye_waller : float, default=0.5
        Isotropic B factor of all atoms in Å².
    symprec : float, default=0.01
        Tolerance of the symmetry analysis.
    profile : ProfileParameters, sampler or None, default=None
        Peak shapes (see `skxrd.simulation.render_patterns`); None means
        Gaussians of FWHM 0.076°, the shape `skxrd.simulate_patterns` gives.
    wavelength : float or str, default="CuKa"
        X-ray wavelength in Å or a name.
    n_jobs : int or None, default=None
        Parallel jobs (joblib) of the symmetry analysis of the structures, most
        of the time; None means one.  The copies are the same whatever it is.
    random_state : int, Generator, RandomState or None, default=None
        Seed of the perturbations (and of a sampled profile).

    Returns
    -------
    X : ndarray of shape (n_patterns, 8500), dtype float32
        Patterns on the standard grid, maximum 1.  Copies without a
        reflection on the grid are left out.
    y : ndarray of shape (n_patterns,)
        Space group of each pattern.
    index : ndarray of shape (n_patterns,)
        Position in ``structures`` of the structure each copy comes from.

    See Also
    --------
    StructurePatternSource : An endless stream of such copies, rendered with
        realistic profiles and noise.
    skxrd.simulate_patterns : Patterns of the structures themselves.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.engine import structure_variants
    >>> rutile = Structure.from_spacegroup(
    ...     "P4_2/mnm", Lattice.tetragonal(4.594, 2.959), ["Ti", "O"],
    ...     [[0, 0, 0], [0.305, 0.305, 0]])
    >>> X, y, index = structure_variants([rutile], 3, random_state=0)
    >>> X.shape, y.tolist(), index.tolist()
    ((3, 8500), [136, 136, 136], [0, 0, 0])
    """
    from ..simulation import render_patterns
    from ..utils._random import check_generator

    rng = check_generator(random_state)
    peaks, y, index = _variant_peaks(
        structures,
        n_variants,
        strain=strain,
        lattice_scale=lattice_scale,
        substitution_probability=substitution_probability,
        rescale_substituted=rescale_substituted,
        displacement=displacement,
        debye_waller=debye_waller,
        symprec=symprec,
        wavelength=wavelength,
        n_jobs=n_jobs,
        random_state=rng,
    )
    X = render_patterns(
        peaks.positions,
        peaks.intensities,
        peaks.offsets,
        profile,
        wavelength=wavelength,
        random_state=rng,
    )
    keep = X.max(axis=1) > 0
    return X[keep], y[keep], index[keep]


def _variant_peaks(
    structures,
    n_variants=8,
    *,
    strain=0.03,
    lattice_scale=0.0,
    substitution_probability=0.5,
    rescale_substituted=False,
    displacement=0.0,
    debye_waller=0.5,
    symprec=0.01,
    wavelength="CuKa",
    n_jobs=None,
    random_state=None,
):
    """Peak lists of the copies `structure_variants` renders, with y and index.

    Takes `structure_variants`' parameters but ``profile`` (a test holds the
    defaults equal).  The search-match references are stored as these peaks:
    they are far smaller than patterns on the grid.
    """
    from ..diffraction import powder_peaks
    from ..utils._random import check_generator

    rng = check_generator(random_state)
    config = {
        "strain": float(strain),
        "lattice_scale": float(lattice_scale),
        "substitution": float(substitution_probability),
        "rescale_substituted": bool(rescale_substituted),
        "displacement": float(displacement),
        "debye_waller": (float(debye_waller), float(debye_waller)),
    }
    cells = _standard_cells(
        structures, symprec, owner="structure_variants", n_jobs=n_jobs
    )
    crystals = [_perturb(c, rng, config) for c in cells for _ in range(n_variants)]
    grid = two_theta_grid()
    reach = _reach((grid[0], grid[-1], grid[1] - grid[0]))
    peaks = powder_peaks(
        crystals, wavelength=wavelength, two_theta_range=reach, errors="skip"
    )
    y = np.repeat([c["space_group"] for c in cells], n_variants)
    index = np.repeat([c["index"] for c in cells], n_variants)
    return peaks, y, index


def variant_names(names, index):
    """Names of `structure_variants` copies: ``name~k``, k counting per structure.

    ``names`` are the structures' names, ``index`` the third value
    `structure_variants` returns.
    """
    index = np.asarray(index)
    copy = np.arange(index.size) - np.searchsorted(index, index)
    return np.array([f"{names[i]}~{k}" for i, k in zip(index, copy, strict=True)])
