"""The reject option: leave a pattern unclassified when the model is unsure.

Vecsei et al. define a network's certainty as its largest output probability
(eq. 13) and leave patterns below a threshold unclassified: at 0.45 the dense
ensemble reaches 82% accuracy on RRUFF with about half the patterns
unclassified.  scikit-learn has no abstain API, so a rejected pattern gets a
sentinel label that is never one of the classes; `skxrd.metrics` scorers read
it from the estimator's ``reject_label_`` (and assume
`skxrd.metrics.REJECT_LABEL`, -1, for a Pipeline, which does not expose it).
"""

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ..metrics import REJECT_LABEL, crystal_system_proba

__all__ = ["REJECTED_STRING", "RejectOptionMixin", "default_reject_label"]

# Sentinel for string class labels (the paper's word for a rejected pattern).
REJECTED_STRING = "unclassified"


def default_reject_label(classes):
    """Pick a reject label that is not among `classes`.

    Numeric labels get `skxrd.metrics.REJECT_LABEL` (-1) unless it is a
    class, and otherwise one less than the smallest class; strings get
    ``"unclassified"``.

    Parameters
    ----------
    classes : ndarray of shape (n_classes,)
        Class labels.

    Returns
    -------
    label : int, float or str
        The sentinel.

    Raises
    ------
    ValueError
        If the classes are strings that already include ``"unclassified"``.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.ensemble._reject import default_reject_label
    >>> default_reject_label(np.arange(1, 231)), default_reject_label(np.array([-1, 3]))
    (-1, -2)
    >>> default_reject_label(np.array(["cubic", "triclinic"]))
    'unclassified'
    """
    classes = np.asarray(classes)
    if classes.dtype.kind in "iub":
        return REJECT_LABEL if REJECT_LABEL not in classes else int(classes.min()) - 1
    if classes.dtype.kind == "f":
        return float(REJECT_LABEL if REJECT_LABEL not in classes else classes.min() - 1)
    if REJECTED_STRING in classes.astype(object):
        raise ValueError(
            f"The classes include {REJECTED_STRING!r}, the default reject label; "
            "set reject_label to a value that is not a class."
        )
    return REJECTED_STRING


class RejectOptionMixin:
    """``predict`` with a reject option, and crystal systems, on ``predict_proba``.

    For classifiers over space groups with ``classes_``, ``predict_proba``
    and the parameters ``reject_threshold`` and ``reject_label`` (the
    ensemble, the voting classifier and the pattern matcher share them).
    """

    def predict(self, X):
        """Most probable class, or ``reject_label_`` below ``reject_threshold``.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        y : ndarray of shape (n_patterns,)
            Labels from ``classes_``, or the reject label for rejected patterns.
        """
        proba = self.predict_proba(X)
        y = self.classes_[np.argmax(proba, axis=1)]
        if self.reject_threshold is None:
            return y
        label = self.reject_label_
        rejected = np.max(proba, axis=1) < self.reject_threshold
        y = y.astype(np.result_type(y.dtype, np.asarray(label).dtype))
        y[rejected] = label
        return y

    @property
    def reject_label_(self):
        """Label of rejected patterns: ``reject_label`` or the automatic choice."""
        check_is_fitted(self)
        if self.reject_label is None:
            return default_reject_label(self.classes_)
        if self.reject_label in self.classes_.tolist():
            raise ValueError(
                f"reject_label={self.reject_label!r} is one of the classes; a "
                "rejected pattern must be told apart from a classified one."
            )
        return self.reject_label

    def predict_crystal_system_proba(self, X):
        """Crystal-system probabilities: sums of the space-group probabilities.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns; ``classes_`` must be space-group numbers.

        Returns
        -------
        proba : ndarray of shape (n_patterns, 7), dtype float32
            Columns in the order of `skxrd.spacegroups.CRYSTAL_SYSTEMS`.
        """
        proba = self.predict_proba(X)
        return crystal_system_proba(proba, self.classes_).astype(proba.dtype)

    def predict_crystal_system(self, X):
        """Most probable crystal system of each pattern (no rejection).

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns; ``classes_`` must be space-group numbers.

        Returns
        -------
        systems : ndarray of shape (n_patterns,) of str
            Names from `skxrd.spacegroups.CRYSTAL_SYSTEMS`.
        """
        from ..spacegroups import CRYSTAL_SYSTEMS

        proba = self.predict_crystal_system_proba(X)
        return np.asarray(CRYSTAL_SYSTEMS)[np.argmax(proba, axis=1)]
