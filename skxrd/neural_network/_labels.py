"""Label checks for classifiers with up to 230 classes (no TensorFlow here)."""

import warnings

from sklearn.utils.multiclass import check_classification_targets

__all__ = ["check_labels"]


def check_labels(y):
    """Refuse continuous or multi-output targets, without the many-classes warning.

    scikit-learn warns when more than half of the labels in `y` are distinct
    ("could represent a regression problem").  With 230 space groups a stream
    chunk or a small fold routinely has that many distinct groups, so the
    warning would fire on every ``partial_fit`` call; the label type is
    still checked.

    Parameters
    ----------
    y : ndarray of shape (n_samples,)
        Labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network._labels import check_labels
    >>> check_labels(np.arange(1, 231))
    >>> check_labels(np.array([0.5, 1.5]))
    Traceback (most recent call last):
    ...
    ValueError: Unknown label type: continuous. ...
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            "ignore", message="The number of unique classes is greater"
        )
        check_classification_targets(y)
