"""Keras networks that classify powder XRD patterns, with scikit-learn manners.

The dense network of Vecsei et al. (2019), the CNN of Park et al. (2017) and
a small 1-D residual network, trained the paper's way (Adam, cost alternating
per epoch between eq. 4 and eq. 5), with fresh augmentation every epoch,
``partial_fit`` over a stream and compact, versioned pickles.

Importing this subpackage is cheap: TensorFlow loads when a network class is
first accessed.
"""

import importlib

__all__ = [
    "XRDCNNClassifier",
    "XRDDenseClassifier",
    "XRDNetworkClassifier",
    "XRDResNetClassifier",
    "quadratic_cost",
    "summed_binary_crossentropy",
]

_LOCATIONS = {
    "XRDCNNClassifier": "._cnn",
    "XRDDenseClassifier": "._dense",
    "XRDNetworkClassifier": "._base",
    "XRDResNetClassifier": "._resnet",
    "quadratic_cost": "._losses",
    "summed_binary_crossentropy": "._losses",
}


def __getattr__(name):
    # PEP 562: import TensorFlow-backed modules on first use, not with skxrd.
    if name in _LOCATIONS:
        value = getattr(importlib.import_module(_LOCATIONS[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + __all__)
