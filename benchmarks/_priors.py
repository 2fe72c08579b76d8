"""Class priors of other structure collections, for the label-shift levers."""

import numpy as np

from skxrd.engine import space_group_prior
from skxrd.synthetic._prior import load_crystal_prior

TARGETS = ("uniform", "mp-systems", "mp-groups")


def materials_project_prior():
    """Space-group frequencies of the Materials Project, as pyxtal tabulates them.

    pyxtal ships the counts of 88,678 Materials Project structures by space
    group, size and Wyckoff positions (``database/spg_num_wps_mp.csv``);
    skxrd stores their sums per group (``scripts/compute_crystal_prior.py``).
    One pseudo-count per group keeps every group possible.
    """
    counts = 1 + load_crystal_prior().materials_project_space_group_counts[1:]
    return counts / counts.sum()


def target_prior(target):
    """Frequencies of groups 1..230 of a target population.

    "uniform": all equal; "mp-groups": the Materials Project's group
    frequencies; "mp-systems": only its crystal-system frequencies, spread
    over each system's groups as skxrd's `space_group_prior` spreads them
    (``space_group_prior(systems="materials-project")``; the Materials
    Project's group frequencies carry its enumerated structures, such as Cm
    at 3.8%).  Before skxrd had that option this function computed the same
    from pyxtal's table with one pseudo-count per group, which moved no
    group's probability by more than 1.5e-4.
    """
    if target == "uniform":
        return np.full(230, 1 / 230)
    if target == "mp-groups":
        return materials_project_prior()
    return space_group_prior(systems="materials-project")
