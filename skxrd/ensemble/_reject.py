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

from ..metrics import REJECT_LABEL

__all__ = ["REJECTED_STRING", "default_reject_label"]

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
