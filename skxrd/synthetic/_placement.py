"""Placing Wyckoff orbits in a periodic cell without atoms coming too close."""

import itertools

import numpy as np

# Every special coordinate of the 230 groups is a multiple of 1/24; free
# coordinates are kept this far (fractional) from all of them, so that an
# orbit is not within the symmetry tolerance of a more symmetric one.
SPECIAL_MARGIN = 0.004
_SPECIAL_GRID = 24
# The 27 neighbouring cells; index 13 is the cell itself.
_IMAGES = np.array(list(itertools.product((-1, 0, 1), repeat=3)), dtype=float)
_SELF_IMAGE = 13
# Neighbouring cells whose atoms can be nearest after wrapping, per crystal
# system (triclinic ... cubic): all 27 (triclinic), the a-c plane (monoclinic,
# unique axis b), the cell itself (orthogonal axes), the a-b plane (hexagonal
# axes).
_PLANE_AC = np.flatnonzero(_IMAGES[:, 1] == 0)
_PLANE_AB = np.flatnonzero(_IMAGES[:, 2] == 0)
_ONLY_SELF = np.array([_SELF_IMAGE])
_IMAGE_SETS = (
    np.arange(27),
    _PLANE_AC,
    _ONLY_SELF,
    _ONLY_SELF,
    _PLANE_AB,
    _PLANE_AB,
    _ONLY_SELF,
)
# Linear growth of the cell per failed placement round (10 % in volume), and
# the most the volume may grow before giving up on this draw.
_GROWTH = 1.1 ** (1 / 3)
_MAX_GROWTH = 3.0


def free_coordinates(rng, shape):
    """Uniform coordinates in [0, 1) moved off the neighbourhood of multiples of 1/24.

    A coordinate closer than ``SPECIAL_MARGIN`` to a multiple of 1/24 is moved
    away by twice the margin.
    """
    xyz = rng.random(shape)
    scaled = xyz * _SPECIAL_GRID
    offset = scaled - np.rint(scaled)
    near = np.abs(offset) < SPECIAL_MARGIN * _SPECIAL_GRID
    xyz += near * np.copysign(2 * SPECIAL_MARGIN, offset)
    return xyz


class PeriodicCell:
    """A lattice with the neighbouring-cell translations its distance check needs.

    Fractional differences are wrapped into [-0.5, 0.5); with orthogonal axes
    that is already the nearest image. Where axes are oblique (the a-c plane
    of a monoclinic cell, the a-b plane of hexagonal axes, all of a triclinic
    cell) the nearest image in a reduced cell is among the neighbouring cells
    of that plane (or space), which are checked too. An atom's distance to its
    own images is the shortest lattice vector.

    Parameters
    ----------
    lattice : ndarray of shape (3, 3)
        Lattice vectors as rows, in Å; oblique axes Gauss-reduced.
    system : int
        Crystal-system index, 0 (triclinic) to 6 (cubic).
    """

    def __init__(self, lattice, system):
        self.lattice = lattice
        image_set = _IMAGE_SETS[system]
        all_images = _IMAGES @ lattice
        norms = np.einsum("ix,ix->i", all_images, all_images)
        norms[_SELF_IMAGE] = np.inf
        self.self_distance = norms.min()
        norms[_SELF_IMAGE] = 0.0
        self.zero_image = int(np.flatnonzero(image_set == _SELF_IMAGE)[0])
        self.double_images = (
            2.0 * all_images[image_set].T if len(image_set) > 1 else None
        )
        self.image_norms = norms[image_set]

    def grow(self, factor):
        """Scale the cell by *factor* in length, in place."""
        self.lattice = self.lattice * factor
        self.self_distance *= factor**2
        self.image_norms = self.image_norms * factor**2
        if self.double_images is not None:
            self.double_images = self.double_images * factor

    def fits(self, candidates, placed, threshold):
        """Whether each candidate orbit keeps its distances to itself and the others.

        Parameters
        ----------
        candidates : ndarray of shape (n_tries, multiplicity, 3)
            Fractional coordinates of candidate orbits.
        placed : ndarray of shape (n_placed, 3)
            Atoms already in the cell.
        threshold : ndarray of shape (n_placed + multiplicity,)
            Squared shortest allowed distances from the new orbit's atoms.

        Returns
        -------
        ndarray of bool of shape (n_tries,)

        Notes
        -----
        Only distances from the candidate orbit's first atom are computed: a
        symmetry operation maps any atom of the orbit onto the first and the
        placed (symmetric) atoms onto themselves, so the shortest distances
        are the same.
        """
        first = candidates[:, :1]
        diff = np.concatenate((placed - first, candidates - first), axis=1)
        diff -= np.rint(diff)
        cart = diff @ self.lattice
        squared = np.einsum("tnx,tnx->tn", cart, cart)
        if self.double_images is None:
            squared[:, len(placed)] = self.self_distance
            return (squared >= threshold).all(axis=1)
        # |d + L|^2 = |d|^2 + 2 d.L + |L|^2 for the neighbouring cells at once.
        squared = squared[..., None] + cart @ self.double_images
        squared += self.image_norms
        squared[:, len(placed), self.zero_image] = self.self_distance
        return np.all(squared >= threshold[:, None], axis=(1, 2))


def place_orbits(orbit_maps, fixed, threshold, cell, rng, *, n_tries=8, n_rounds=20):
    """Draw free coordinates orbit by orbit, growing the cell when one does not fit.

    Parameters
    ----------
    orbit_maps : list of (ndarray of shape (3, 3 m), ndarray of shape (3 m,))
        Per orbit, the linear and translation parts mapping free coordinates
        to the m points of the orbit.
    fixed : list of bool
        Per orbit, whether it is a fixed point (nothing to redraw).
    threshold : ndarray of shape (n_orbits, n_atoms)
        Squared shortest allowed distance from each orbit's first atom to
        every atom (atoms ordered orbit by orbit).
    cell : PeriodicCell
        The cell; grown in place by 10 % in volume after each failed round, up
        to three times its volume.
    rng : numpy.random.Generator
        Source of randomness.
    n_tries : int, default=8
        Candidate coordinate triples tried at once.
    n_rounds : int, default=20
        Rounds per orbit before giving up.

    Returns
    -------
    ndarray of shape (n_atoms, 3) or None
        Fractional coordinates, or None when an orbit found no room.
    """
    frac = np.empty((threshold.shape[1], 3))
    max_length = cell.lattice[0, 0] * np.cbrt(_MAX_GROWTH)
    start = 0
    for (linear, shift), is_fixed, limits in zip(
        orbit_maps, fixed, threshold, strict=True
    ):
        stop = start + len(shift) // 3
        for _ in range(n_rounds):
            xyz = free_coordinates(rng, (1 if is_fixed else n_tries, 3))
            candidates = ((xyz @ linear + shift) % 1.0).reshape(len(xyz), -1, 3)
            ok = cell.fits(candidates, frac[:start], limits[:stop])
            if ok.any():
                frac[start:stop] = candidates[int(np.argmax(ok))]
                break
            # Random placement needs more room than real packings; beyond the
            # growth limit a fresh draw gives likelier cells.
            if cell.lattice[0, 0] < max_length:
                cell.grow(_GROWTH)
        else:
            return None
        start = stop
    return frac
