"""Repairs to scikeras 0.13 for current scikit-learn and TensorFlow.

scikeras 0.13 (its last release) declares tags only through the old
``_more_tags`` hook.  From scikit-learn 1.6 on, tags come from
``__sklearn_tags__``, and because scikeras puts ``BaseEstimator`` left of
``ClassifierMixin`` the classifier tags are never reached: ``is_classifier``
is False, probability scorers fail (every score inside ``GridSearchCV``
silently becomes NaN), ``cv=5`` uses ``KFold`` instead of ``StratifiedKFold``
and ``VotingClassifier`` refuses the estimator.  On scikit-learn 1.6.x a fix
on a subclass alone is not enough, since the old-tag fallback looks at every
class of the MRO; the wrappers themselves need ``__sklearn_tags__``.

`patch_scikeras` adds it to ``BaseWrapper``, ``KerasClassifier`` and
``KerasRegressor`` (only where scikeras does not define it, so a fixed
scikeras release is left alone), and works around the op-determinism bug
described in its Notes.  It runs once, when `skxrd.neural_network` loads.
"""

import functools

from sklearn.utils import ClassifierTags, RegressorTags

__all__ = ["patch_scikeras"]


def _base_wrapper_tags(self):
    from scikeras.wrappers import BaseWrapper

    tags = super(BaseWrapper, self).__sklearn_tags__()
    # scikeras' old tags: networks may accept 2-D targets and score poorly in
    # scikit-learn's one-epoch checks.
    tags.target_tags.multi_output = True
    tags.target_tags.required = True
    return tags


def _keras_classifier_tags(self):
    from scikeras.wrappers import KerasClassifier

    tags = super(KerasClassifier, self).__sklearn_tags__()
    tags.estimator_type = "classifier"
    tags.classifier_tags = ClassifierTags(multi_label=True, poor_score=True)
    return tags


def _keras_regressor_tags(self):
    from scikeras.wrappers import KerasRegressor

    tags = super(KerasRegressor, self).__sklearn_tags__()
    tags.estimator_type = "regressor"
    tags.regressor_tags = RegressorTags(poor_score=True)
    return tags


@functools.cache
def patch_scikeras():
    """Give scikeras' wrappers scikit-learn >= 1.6 tags; fix its seeding bug.

    Idempotent; called when `skxrd.neural_network` is first used.

    Returns
    -------
    patched : tuple of str
        Names of the scikeras classes that received ``__sklearn_tags__``.

    Notes
    -----
    scikeras' ``tensorflow_random_state`` turns TensorFlow op determinism on
    for a seeded fit and off again only if it was off before.  If the flag has
    never been queried in the process, the first query inside scikeras reports
    it wrongly, determinism stays on, and every later unseeded fit fails with
    "Random ops require a seed".  Querying the flag once here avoids that; skxrd
    networks do not use that context manager (they seed every layer instead),
    so this protects plain scikeras models used alongside them.

    Examples
    --------
    >>> from skxrd.neural_network._compat import patch_scikeras
    >>> isinstance(patch_scikeras(), tuple)
    True
    """
    from scikeras.wrappers import BaseWrapper, KerasClassifier, KerasRegressor
    from tensorflow.python.framework import config

    config.is_op_determinism_enabled()
    patched = []
    for cls, tags in (
        (BaseWrapper, _base_wrapper_tags),
        (KerasClassifier, _keras_classifier_tags),
        (KerasRegressor, _keras_regressor_tags),
    ):
        if "__sklearn_tags__" not in vars(cls):
            cls.__sklearn_tags__ = tags
            patched.append(cls.__name__)
    return tuple(patched)
