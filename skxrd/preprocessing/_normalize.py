"""Per-pattern intensity scaling."""

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils._param_validation import StrOptions, validate_params

from ..utils._validation import check_patterns, validate_patterns

__all__ = ["PatternNormalizer", "normalize_patterns"]

_METHODS = {"max", "area", "sqrt"}


def _normalize(X, method):
    X = np.asarray(X, dtype=np.float32)
    if method == "sqrt":
        # Square root first: it compresses the dynamic range so that weak
        # reflections weigh more, then scale to maximum 1.
        X = np.sqrt(X)
    if method == "area":
        scale = X.sum(axis=1, keepdims=True)
    else:
        scale = X.max(axis=1, keepdims=True)
    return X / scale


@validate_params(
    {"X": ["array-like"], "method": [StrOptions(_METHODS)]},
    prefer_skip_nested_validation=True,
)
def normalize_patterns(X, *, method="max"):
    """Scale each pattern: maximum 1 (the paper), unit area, or square root.

    Parameters
    ----------
    X : array-like of shape (n_patterns, n_points)
        Non-negative patterns, none all zero.
    method : {"max", "area", "sqrt"}, default="max"
        ``"max"`` divides by the maximum, as the paper does; ``"area"`` by the
        sum of the points (unit area in units of the grid step); ``"sqrt"``
        takes the square root of the intensities and then divides by the
        maximum.

    Returns
    -------
    X_new : ndarray of shape (n_patterns, n_points), dtype float32
        Scaled patterns.

    See Also
    --------
    PatternNormalizer : The same as a transformer.

    Examples
    --------
    >>> from skxrd.preprocessing import normalize_patterns
    >>> normalize_patterns([[1.0, 4.0, 2.0]]).tolist()
    [[0.25, 1.0, 0.5]]
    >>> normalize_patterns([[1.0, 4.0, 2.0]], method="sqrt").tolist()
    [[0.5, 1.0, 0.7071067690849304]]
    """
    X = np.asarray(X, dtype=np.float64) if not hasattr(X, "dtype") else np.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_patterns, n_points); got shape {X.shape}.")
    check_patterns(X)
    return _normalize(X, method)


class PatternNormalizer(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Scale each pattern on its own: maximum 1, unit area, or square root.

    Stateless, like scikit-learn's ``Normalizer``: `fit` only checks the
    input.

    Parameters
    ----------
    method : {"max", "area", "sqrt"}, default="max"
        ``"max"``: divide by the maximum (the paper's scaling).
        ``"area"``: divide by the sum of the points.
        ``"sqrt"``: square root of the intensities, then maximum 1.

    Attributes
    ----------
    n_features_in_ : int
        Number of points per pattern seen in `fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in `fit`, when X has string column names.

    See Also
    --------
    normalize_patterns : The function behind this transformer.
    XRDResampler : Put patterns on a common grid first.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.preprocessing import PatternNormalizer
    >>> X = np.array([[0.0, 50.0, 100.0], [2.0, 1.0, 0.0]])
    >>> PatternNormalizer().fit_transform(X).tolist()
    [[0.0, 0.5, 1.0], [1.0, 0.5, 0.0]]
    """

    _parameter_constraints = {"method": [StrOptions(_METHODS)]}

    def __init__(self, method="max"):
        self.method = method

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the patterns.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Non-negative patterns.
        y : None
            Ignored.

        Returns
        -------
        self : PatternNormalizer
            The fitted normalizer.
        """
        X = validate_patterns(self, X, ensure_min_features=2)
        return self

    def transform(self, X):
        """Scale each pattern.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Non-negative patterns, none all zero.

        Returns
        -------
        X_new : ndarray of shape (n_patterns, n_points), dtype float32
            Scaled patterns.
        """
        X = validate_patterns(self, X, reset=False)
        return _normalize(X, self.method)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.requires_fit = False
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
