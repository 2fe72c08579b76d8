"""Statistics of real crystal structures that steer the random generator."""

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np

_PRIOR_FILE = "crystal_prior.json"


@dataclass(frozen=True, eq=False)
class CrystalPrior:
    """Distributions measured on real, ordered crystal structures.

    Built by ``scripts/compute_crystal_prior.py`` from the structures
    reachable offline (Avogadro/COD CIFs, AFLOW prototypes, robocrys minerals,
    pymatgen's examples) and shipped as ``data/crystal_prior.json``.

    Parameters
    ----------
    n_orbits : ndarray of shape (7, n_max + 1)
        Per crystal system, counts of structures with k occupied orbits.
    n_elements_given_orbits : ndarray of shape (n_max + 1, n_el_max + 1)
        Joint counts of (orbits, distinct elements).
    dof_weight : ndarray of shape (7, 4)
        Per crystal system, the relative weight with which an orbit occupies
        a Wyckoff position with 0, 1, 2 or 3 free coordinates.
    element_weight : ndarray of shape (97,)
        Number of structures containing each element (index = Z).
    volume_ratio : ndarray of shape (n_percentiles,)
        Percentiles of cell volume / summed covalent-sphere volumes.
    distance_ratio : ndarray of shape (n_percentiles,)
        Percentiles of shortest distance / sum of the two covalent radii.
    percentiles : ndarray of shape (n_percentiles,)
        The percentile levels of the two arrays above.
    lattice_shapes : tuple of ndarray, each of shape (n_structures, 5)
        Per crystal system, standardized cell shapes (b/a, c/a, alpha, beta,
        gamma in degrees).
    covalent_radius : ndarray of shape (97,)
        Covalent radii in Å (Cordero et al. 2008), NaN where unknown.
    sources : dict
        Structures read, used and skipped per source.
    space_group_counts : ndarray of shape (231,)
        Structures per space group in the collections (index = number).
    materials_project_space_group_counts : ndarray of shape (231,)
        The same for the Materials Project's 88,678 structures (pyxtal's table).
    """

    n_orbits: np.ndarray
    n_elements_given_orbits: np.ndarray
    dof_weight: np.ndarray
    element_weight: np.ndarray
    volume_ratio: np.ndarray
    distance_ratio: np.ndarray
    percentiles: np.ndarray
    lattice_shapes: tuple
    covalent_radius: np.ndarray
    sources: dict
    space_group_counts: np.ndarray
    materials_project_space_group_counts: np.ndarray

    def volume_ratio_at(self, quantile):
        """Volume ratio at the given quantile(s) in [0, 1] (inverse CDF)."""
        return np.interp(
            np.multiply(quantile, 100), self.percentiles, self.volume_ratio
        )


@lru_cache(maxsize=1)
def load_crystal_prior():
    """Read the shipped crystal-statistics prior (cached).

    Returns
    -------
    CrystalPrior
        The measured distributions.

    Examples
    --------
    >>> from skxrd.synthetic._prior import load_crystal_prior
    >>> prior = load_crystal_prior()
    >>> prior.dof_weight.shape
    (7, 4)
    """
    source = resources.files("skxrd.synthetic") / "data" / _PRIOR_FILE
    raw = json.loads(source.read_text())
    radius = np.array([np.nan if r is None else r for r in raw["covalent_radius"]])
    return CrystalPrior(
        n_orbits=np.asarray(raw["n_orbits"], dtype=float),
        n_elements_given_orbits=np.asarray(raw["n_elements_given_orbits"], dtype=float),
        dof_weight=np.asarray(raw["dof_weight"], dtype=float),
        element_weight=np.asarray(raw["element_structures"], dtype=float),
        volume_ratio=np.asarray(raw["volume_ratio"], dtype=float),
        distance_ratio=np.asarray(raw["distance_ratio"], dtype=float),
        percentiles=np.asarray(raw["percentiles"], dtype=float),
        lattice_shapes=tuple(
            np.asarray(raw["lattice"][name], dtype=float).reshape(-1, 5)
            for name in raw["crystal_systems"]
        ),
        covalent_radius=radius,
        sources=raw["sources"],
        space_group_counts=np.asarray(raw["space_group_counts"], dtype=float),
        materials_project_space_group_counts=np.asarray(
            raw["materials_project_space_group_counts"], dtype=float
        ),
    )
