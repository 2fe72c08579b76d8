"""Find every public skxrd estimator, the way ``sklearn.utils.all_estimators`` does.

Used by ``tests/test_common.py`` so that a new estimator is run through
scikit-learn's estimator checks without anyone remembering to add it.
"""

import importlib
import inspect
import pkgutil

from sklearn.base import (
    BaseEstimator,
    ClassifierMixin,
    ClusterMixin,
    RegressorMixin,
    TransformerMixin,
)

__all__ = ["all_estimators"]

_TYPE_MIXINS = {
    "classifier": ClassifierMixin,
    "regressor": RegressorMixin,
    "transformer": TransformerMixin,
    "cluster": ClusterMixin,
}

# Subpackages that hold no estimators and are slow or side-effecting to import.
_SKIPPED = {"tests", "cli", "__main__"}


def _public_modules():
    """Yield the names of skxrd's public (sub)modules: no ``_private`` part."""
    import skxrd

    yield "skxrd"
    for info in pkgutil.walk_packages(skxrd.__path__, prefix="skxrd."):
        parts = info.name.split(".")[1:]
        if any(part.startswith("_") or part in _SKIPPED for part in parts):
            continue
        yield info.name


def all_estimators(type_filter=None):
    """List the public estimator classes defined in skxrd.

    Walks skxrd's public subpackages (their ``__init__`` re-exports the
    classes), keeps non-abstract ``BaseEstimator`` subclasses that have a
    ``fit`` method, whose names do not start with an underscore and that are
    defined in skxrd itself.  (``BaseEstimator`` subclasses without ``fit`` --
    parameter holders such as the simulation's samplers -- are not estimators.)

    Parameters
    ----------
    type_filter : {"classifier", "regressor", "transformer", "cluster"}, \
list of those, or None, default=None
        Keep only estimators of these kinds; None keeps all.

    Returns
    -------
    estimators : list of (str, type)
        Class names and classes, sorted by name, each class once.

    Raises
    ------
    ValueError
        For an unknown `type_filter`.

    Notes
    -----
    Importing a subpackage that fails to import (a missing optional
    dependency, say) raises: a broken subpackage must not silently drop out of
    the common tests.  Classes listed in no public ``__all__`` are not found;
    abstract base classes (such as
    `skxrd.neural_network.XRDNetworkClassifier`) are skipped.

    Examples
    --------
    >>> from skxrd.utils._discovery import all_estimators
    >>> names = [name for name, _ in all_estimators(type_filter="classifier")]
    >>> "XRDEnsembleClassifier" in names
    True
    """
    filters = [type_filter] if isinstance(type_filter, str) else list(type_filter or [])
    unknown = set(filters) - set(_TYPE_MIXINS)
    if unknown:
        raise ValueError(
            f"type_filter must be among {sorted(_TYPE_MIXINS)} or None; "
            f"got {sorted(unknown)}."
        )
    found = {}
    for module_name in _public_modules():
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", ()):
            cls = getattr(module, name)
            if _is_public_estimator(name, cls):
                found[name] = cls
    kept = [
        (name, cls)
        for name, cls in found.items()
        if not filters or any(issubclass(cls, _TYPE_MIXINS[kind]) for kind in filters)
    ]
    return sorted(kept, key=lambda item: item[0])


def _is_public_estimator(name, cls):
    return (
        inspect.isclass(cls)
        and issubclass(cls, BaseEstimator)
        and callable(getattr(cls, "fit", None))
        and not name.startswith("_")
        and cls.__module__.startswith("skxrd.")
        and not inspect.isabstract(cls)
    )
