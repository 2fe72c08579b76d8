"""Validation of diffraction patterns: what is wrong, and in which sample."""

import numpy as np
from sklearn.utils.validation import validate_data

__all__ = ["check_patterns", "first_bad_row", "fixed_classes", "validate_patterns"]


def first_bad_row(mask):
    """Return the index of the first row of a 2-D boolean mask with a True, or None."""
    rows = np.flatnonzero(mask.any(axis=1))
    return int(rows[0]) if rows.size else None


def check_patterns(X, *, allow_negative=False, allow_all_zero=False, name="X"):
    """Check that patterns are finite, non-negative and not all zero.

    scikit-learn's ``validate_data`` already rejects NaN and infinity but does
    not say where; a user with 10,000 patterns needs the sample index.  This
    check names the first offending sample.

    Parameters
    ----------
    X : ndarray of shape (n_patterns, n_points)
        Patterns, one per row.
    allow_negative : bool, default=False
        Accept negative intensities (for example after background subtraction).
    allow_all_zero : bool, default=False
        Accept patterns that are zero everywhere.
    name : str, default="X"
        Name of the array in messages.

    Returns
    -------
    X : ndarray
        The input, unchanged.

    Raises
    ------
    ValueError
        With a message naming the problem and the first sample that has it.

    See Also
    --------
    skxrd.spacegroups.check_space_groups : Validate space-group labels.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.utils import check_patterns
    >>> X = np.ones((3, 5))
    >>> X[2, 1] = np.nan
    >>> check_patterns(X)
    Traceback (most recent call last):
    ...
    ValueError: Input X contains NaN or infinity in sample 2 (at point 1).
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"{name} must be 2-D (n_patterns, n_points); got shape {X.shape}."
        )
    finite = np.isfinite(X)
    i = first_bad_row(~finite)
    if i is not None:
        j = int(np.flatnonzero(~finite[i])[0])
        raise ValueError(
            f"Input {name} contains NaN or infinity in sample {i} (at point {j})."
        )
    if not allow_negative:
        i = first_bad_row(X < 0)
        if i is not None:
            raise ValueError(
                f"Negative values in data passed to {name}: sample {i} has minimum "
                f"{float(X[i].min()):.6g}. Intensities are counts and must be >= 0; "
                "clip or offset background-subtracted patterns first."
            )
    if not allow_all_zero and X.shape[1] > 0:
        zero_rows = np.flatnonzero(~(X != 0).any(axis=1))
        if zero_rows.size:
            raise ValueError(
                f"Sample {int(zero_rows[0])} of {name} is zero everywhere "
                f"({zero_rows.size} such sample(s)); an empty pattern cannot be "
                "normalized or classified."
            )
    return X


def validate_patterns(
    estimator,
    X,
    y="no_validation",
    *,
    reset=True,
    dtype=(np.float32, np.float64),
    allow_negative=False,
    allow_all_zero=False,
    **kwargs,
):
    """scikit-learn's ``validate_data`` followed by `check_patterns`.

    Every skxrd estimator validates patterns this way: ``validate_data`` is told
    not to check finiteness, so that `check_patterns` can reject NaN and
    infinity with the index of the sample.

    Parameters
    ----------
    estimator : estimator instance
        The estimator validating (``n_features_in_`` is set or checked on it).
    X : array-like of shape (n_patterns, n_points)
        Patterns.
    y : array-like or "no_validation", default="no_validation"
        Targets, validated together with X when given.
    reset : bool, default=True
        Record ``n_features_in_`` (in ``fit``) or check it (elsewhere).
    dtype : type or tuple of types, default=(np.float32, np.float64)
        Accepted dtypes; others are converted to the first.
    allow_negative, allow_all_zero : bool, default=False
        Passed to `check_patterns`.
    **kwargs : dict
        Further options of ``validate_data``.

    Returns
    -------
    X or (X, y)
        As ``validate_data`` returns them.
    """
    if isinstance(dtype, tuple):
        dtype = list(dtype)
    out = validate_data(
        estimator, X, y, reset=reset, dtype=dtype, ensure_all_finite=False, **kwargs
    )
    only_X = isinstance(y, str) and y == "no_validation"
    check_patterns(
        out if only_X else out[0],
        allow_negative=allow_negative,
        allow_all_zero=allow_all_zero,
    )
    return out


def fixed_classes(classes, labels, *, whose=""):
    """The class set of a classifier with an optional ``classes`` parameter.

    Parameters
    ----------
    classes : array-like or None
        The fixed label set a user gave, or None.
    labels : array-like
        The labels the classifier has seen (any order, repeats allowed).
    whose : str, default=""
        Where the labels come from, for the error message.

    Returns
    -------
    classes_ : ndarray
        The sorted unique ``labels`` when ``classes`` is None, else the sorted
        unique ``classes``.

    Raises
    ------
    ValueError
        If a label is not among the fixed classes, naming up to ten of them.

    Examples
    --------
    >>> from skxrd.utils._validation import fixed_classes
    >>> fixed_classes(None, [225, 14, 14]).tolist()
    [14, 225]
    >>> fixed_classes([14, 62], [14, 225])
    Traceback (most recent call last):
    ...
    ValueError: Labels [225] are not in the fixed classes (2 classes given by ...).
    """
    labels = np.unique(labels)
    if classes is None:
        return labels
    classes = np.unique(np.asarray(classes))
    missing = np.setdiff1d(labels, classes)
    if missing.size:
        raise ValueError(
            f"Labels {missing[:10].tolist()}{whose} are not in the fixed classes "
            f"({classes.size} classes given by the classes parameter)."
        )
    return classes
