"""skxrd: classify powder X-ray diffraction patterns by crystal system and space group.

Neural networks with the manners of scikit-learn, after Vecsei et al.,
Phys. Rev. B 99, 245120 (2019).  ``import skxrd`` is light: TensorFlow is
imported only when a network is built.
"""

from ._grid import (
    DEFAULT_WAVELENGTH,
    TWO_THETA_MAX,
    TWO_THETA_MIN,
    TWO_THETA_STEP,
    WAVELENGTHS,
    convert_two_theta,
    resolve_wavelength,
    two_theta_grid,
)
from ._version import __version__
from .augmentation import XRDAugmenter, augment_patterns
from .io import Pattern, read_pattern, read_patterns, write_xy
from .metrics import (
    get_scorer,
    neg_subgroup_distance_scorer,
    subgroup_distance_score,
    top_n_accuracy_score,
    top_n_scorer,
)
from .models import load_model, load_pretrained, save_model
from .preprocessing import PatternNormalizer, XRDResampler, normalize_patterns
from .simulation import (
    GaussianWidthSampler,
    ProfileParameters,
    ProfileSampler,
    StickDataset,
    compute_sticks,
    render_patterns,
    simulate_patterns,
)
from .spacegroups import (
    CRYSTAL_SYSTEMS,
    crystal_system,
    crystal_systems,
    space_group,
    space_group_symbol,
    subgroup_distance,
    subgroup_graph,
)
from .structures import (
    StructureList,
    StructureRecord,
    available_structure_sources,
    load_cif_folder,
    load_structures,
)

# Networks and the ensemble import TensorFlow; load them only when asked for.
_LAZY = {
    "XRDDenseClassifier": "neural_network",
    "XRDCNNClassifier": "neural_network",
    "XRDResNetClassifier": "neural_network",
    "XRDEnsembleClassifier": "ensemble",
    "XRDVotingClassifier": "ensemble",
    "PatternMatchClassifier": "neighbors",
}


def __getattr__(name):
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'skxrd' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "__version__",
    "XRDCNNClassifier",
    "XRDDenseClassifier",
    "XRDResNetClassifier",
    "XRDEnsembleClassifier",
    "XRDVotingClassifier",
    "PatternMatchClassifier",
    "CRYSTAL_SYSTEMS",
    "DEFAULT_WAVELENGTH",
    "TWO_THETA_MIN",
    "TWO_THETA_MAX",
    "TWO_THETA_STEP",
    "WAVELENGTHS",
    "GaussianWidthSampler",
    "Pattern",
    "PatternNormalizer",
    "ProfileParameters",
    "ProfileSampler",
    "StickDataset",
    "StructureList",
    "StructureRecord",
    "XRDAugmenter",
    "XRDResampler",
    "augment_patterns",
    "available_structure_sources",
    "compute_sticks",
    "convert_two_theta",
    "crystal_system",
    "crystal_systems",
    "get_scorer",
    "load_cif_folder",
    "load_model",
    "load_pretrained",
    "load_structures",
    "neg_subgroup_distance_scorer",
    "normalize_patterns",
    "read_pattern",
    "render_patterns",
    "read_patterns",
    "save_model",
    "simulate_patterns",
    "resolve_wavelength",
    "space_group",
    "space_group_symbol",
    "subgroup_distance",
    "subgroup_distance_score",
    "subgroup_graph",
    "top_n_accuracy_score",
    "top_n_scorer",
    "two_theta_grid",
    "write_xy",
]
