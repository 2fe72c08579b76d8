"""Search-match: the reference pattern a measured one resembles most."""

from numbers import Integral, Real

import numpy as np
from scipy.ndimage import gaussian_filter1d
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._grid import TWO_THETA_MIN, TWO_THETA_STEP
from ..ensemble._reject import RejectOptionMixin
from ..neural_network._labels import check_labels
from ..utils._validation import fixed_classes, validate_patterns

__all__ = ["PatternMatchClassifier"]


class PatternMatchClassifier(RejectOptionMixin, ClassifierMixin, BaseEstimator):
    """Space group of the best-matching reference pattern, lattice scale allowed.

    What a crystallographer does first with a measured pattern: compare it
    with the patterns of known structures (search-match).  Each pattern is
    smoothed, raised to ``intensity_power`` and compared with every reference
    by the Pearson correlation; a measured compound rarely has the reference's
    exact cell (solid solutions, temperature, another member of the same
    structure type), so the comparison is repeated with the measured pattern
    rescaled as if all lattice lengths changed by a factor in
    ``1 ± max_scale`` and the best correlation counts.  Each class scores
    its best-matching reference, and ``predict_proba`` is the softmax of
    the class scores over ``temperature``.

    Parameters
    ----------
    smoothing : float >= 0, default=0.08
        Standard deviation in degrees 2θ of the Gaussian applied to query and
        reference patterns before comparing, so that peaks a little off their
        reference position (anisotropic strain, zero shift) still overlap.
    intensity_power : float > 0, default=0.5
        Intensities are raised to this power before comparing; below 1 weak
        reflections count more, and intensity errors (preferred orientation,
        substitution) less.
    max_scale : float in [0, 0.5), default=0.05
        Largest relative change of the lattice lengths tried.
    scale_step : float > 0, default=0.005
        Step of the lattice scale factors tried.
    temperature : float > 0, default=0.05
        Softmax temperature on the correlations (which lie in [-1, 1]).
    classes : array-like of shape (n_classes,) or None, default=None
        Fixed label set, e.g. ``np.arange(1, 231)``; a class without reference
        scores a correlation of -1.  None uses the labels of ``y``.
    two_theta : array-like of shape (n_points,) or None, default=None
        The 2θ grid of the patterns in degrees, equal steps; None means
        skxrd's standard grid (from 5° in steps of 0.01°).
    reject_threshold : float in [0, 1] or None, default=None
        Certainty (largest probability) below which ``predict`` returns the
        reject label.
    reject_label : scalar or None, default=None
        Label of rejected patterns (see `skxrd.ensemble.XRDEnsembleClassifier`).
    batch_size : int, default=256
        Query patterns compared at once (memory: ``batch_size`` × number of
        references floats per scale).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    references_ : ndarray of shape (n_references, n_reduced)
        The prepared reference patterns (smoothed, powered, on a grid of
        ``smoothing / 2`` steps, centred, unit norm).
    reference_labels_ : ndarray of shape (n_references,)
        Label of each reference.
    scales_ : ndarray of shape (n_scales,)
        Lattice scale factors tried.
    n_features_in_ : int
        Points per pattern seen in ``fit``.

    See Also
    --------
    skxrd.ensemble.XRDVotingClassifier : Combine the matcher with a network.
    sklearn.neighbors.KNeighborsClassifier : Nearest neighbours without
        lattice scaling.

    Notes
    -----
    A measured compound whose lattice lengths are those of the reference
    times :math:`s` has its peaks where :math:`\\sin\\theta' = \\sin\\theta / s`;
    the query is read on the reference's grid at those angles.  The
    correlation is :math:`r = \\sum_i \\hat q_i \\hat r_i` with both patterns
    centred and scaled to unit norm, maximised over :math:`s`.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neighbors import PatternMatchClassifier
    >>> grid = 5 + 0.01 * np.arange(8500)
    >>> def peaks(*centres):
    ...     return sum(np.exp(-0.5 * ((grid - c) / 0.05) ** 2) for c in centres)
    >>> X_ref = np.array([peaks(30, 45), peaks(30, 38, 50)])
    >>> matcher = PatternMatchClassifier().fit(X_ref, [225, 194])
    >>> # the first reference with a 2% larger cell: peaks at lower angles
    >>> s = 1.02
    >>> shifted = [2 * np.degrees(np.arcsin(np.sin(np.radians(c / 2)) / s))
    ...            for c in (30, 45)]
    >>> matcher.predict([peaks(*shifted)]).tolist()
    [225]
    >>> distance, index, scale = matcher.kneighbors([peaks(*shifted)], 1,
    ...                                             return_scale=True)
    >>> index.tolist(), scale.round(3).tolist()
    ([[0]], [[1.02]])
    """

    _parameter_constraints = {
        "smoothing": [Interval(Real, 0, None, closed="left")],
        "intensity_power": [Interval(Real, 0, None, closed="neither")],
        "max_scale": [Interval(Real, 0, 0.5, closed="left")],
        "scale_step": [Interval(Real, 0, None, closed="neither")],
        "temperature": [Interval(Real, 0, None, closed="neither")],
        "classes": ["array-like", None],
        "two_theta": ["array-like", None],
        "reject_threshold": [Interval(Real, 0, 1, closed="both"), None],
        "reject_label": "no_validation",
        "batch_size": [Interval(Integral, 1, None, closed="left")],
    }

    def __init__(
        self,
        *,
        smoothing=0.08,
        intensity_power=0.5,
        max_scale=0.05,
        scale_step=0.005,
        temperature=0.05,
        classes=None,
        two_theta=None,
        reject_threshold=None,
        reject_label=None,
        batch_size=256,
    ):
        self.smoothing = smoothing
        self.intensity_power = intensity_power
        self.max_scale = max_scale
        self.scale_step = scale_step
        self.temperature = temperature
        self.classes = classes
        self.two_theta = two_theta
        self.reject_threshold = reject_threshold
        self.reject_label = reject_label
        self.batch_size = batch_size

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Correlating peak profiles means nothing on scikit-learn's blobs.
        tags.classifier_tags.poor_score = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Prepare the reference patterns.

        Parameters
        ----------
        X : array-like of shape (n_references, n_points)
            Reference patterns (simulated from known structures, or measured).
        y : array-like of shape (n_references,)
            Their labels.

        Returns
        -------
        self : object
            The fitted matcher.
        """
        # A pattern needs two points to have a grid step.
        X, y = validate_patterns(
            self, X, y, allow_negative=True, allow_all_zero=True, ensure_min_features=2
        )
        check_labels(y)
        self.classes_ = fixed_classes(self.classes, y)
        grid = self._grid(X.shape[1])
        stride = int(self.smoothing / 2 / abs(grid[1] - grid[0]))
        self._stride = max(1, min(stride, X.shape[1] - 1))
        self._reduced_grid = grid[:: self._stride]
        n_scales = int(round(self.max_scale / self.scale_step))
        self.scales_ = 1.0 + self.scale_step * np.arange(-n_scales, n_scales + 1)
        # In batches: smoothing a full reference library at once would hold
        # several float32 copies of it (13,000 patterns: ~450 MB each).
        self.references_ = np.vstack(
            [
                _unit_rows(self._prepare(X[start : start + self.batch_size], grid))
                for start in range(0, len(X), self.batch_size)
            ]
        )
        self.reference_labels_ = np.asarray(y)
        # Columns of the class scores: references sorted by class, reduced
        # with np.maximum.reduceat over each class's run of columns.
        self._order = np.argsort(np.searchsorted(self.classes_, y), kind="stable")
        present, self._starts = np.unique(
            np.searchsorted(self.classes_, y[self._order]), return_index=True
        )
        self._present = present
        return self

    def _grid(self, n_points):
        if self.two_theta is None:
            return TWO_THETA_MIN + TWO_THETA_STEP * np.arange(n_points)
        grid = np.asarray(self.two_theta, dtype=float)
        if grid.shape != (n_points,):
            raise ValueError(
                f"two_theta has shape {grid.shape}; the patterns have {n_points} points."
            )
        step = np.diff(grid)
        if step[0] <= 0 or not np.allclose(step, step[0], rtol=1e-3):
            raise ValueError(
                "two_theta must be an increasing grid of equal steps (resample "
                "the patterns with skxrd.preprocessing.XRDResampler)."
            )
        return grid

    def _prepare(self, X, grid):
        """Smooth, clip, power and thin the patterns (float32)."""
        X = np.asarray(X, dtype=np.float32)
        if self.smoothing > 0:
            sigma = self.smoothing / abs(grid[1] - grid[0])
            X = gaussian_filter1d(X, sigma, axis=1, mode="constant")
        X = np.clip(X, 0, None) ** np.float32(self.intensity_power)
        return np.ascontiguousarray(X[:, :: self._stride])

    def _similarities(self, X):
        """Best correlation with every reference, and the scale that gave it."""
        grid = self._reduced_grid
        sin_theta = np.sin(np.radians(grid / 2))
        best = np.full((len(X), len(self.references_)), -np.inf, dtype=np.float32)
        best_scale = np.ones(best.shape)
        for scale in self.scales_:
            # Where a compound with s-times the reference's lattice has the
            # peak the reference has at each grid angle.
            source = 2 * np.degrees(np.arcsin(np.clip(sin_theta / scale, -1, 1)))
            S = _unit_rows(_read_at(X, grid, source)) @ self.references_.T
            better = S > best
            best[better] = S[better]
            best_scale[better] = scale
        return best, best_scale

    def _batches(self, X):
        check_is_fitted(self)
        X = validate_patterns(
            self, X, reset=False, allow_negative=True, allow_all_zero=True
        )
        grid = self._grid(X.shape[1])
        for start in range(0, len(X), self.batch_size):
            yield self._similarities(
                self._prepare(X[start : start + self.batch_size], grid)
            )

    def decision_function(self, X):
        """Best correlation of each pattern with any reference of each class.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        scores : ndarray of shape (n_patterns, n_classes), dtype float32
            Correlations in [-1, 1], -1 for classes without references.  With
            two classes, scikit-learn's convention: shape (n_patterns,), the
            second class's score minus the first's.
        """
        scores = self._class_scores(X)
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def _class_scores(self, X):
        return np.concatenate([self._scores_of(S) for S, _ in self._batches(X)])

    def _scores_of(self, S):
        """Class scores from correlations with every reference (`_similarities`)."""
        scores = np.full((len(S), len(self.classes_)), -1.0, dtype=np.float32)
        scores[:, self._present] = np.maximum.reduceat(
            S[:, self._order], self._starts, axis=1
        )
        return scores

    def _proba_of(self, scores):
        """Softmax of class scores over ``temperature`` (float32)."""
        z = np.asarray(scores, dtype=np.float64) / self.temperature
        z -= z.max(axis=1, keepdims=True)
        proba = np.exp(z)
        return (proba / proba.sum(axis=1, keepdims=True)).astype(np.float32)

    def predict_proba(self, X):
        """Softmax of the class scores over ``temperature``.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        proba : ndarray of shape (n_patterns, n_classes), dtype float32
            Columns in the order of ``classes_``.
        """
        return self._proba_of(self._class_scores(X))

    def kneighbors(self, X, n_neighbors=5, return_distance=True, return_scale=False):
        """The best-matching references of each pattern.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.
        n_neighbors : int, default=5
            How many references.
        return_distance : bool, default=True
            Also return 1 - correlation.
        return_scale : bool, default=False
            Also return the lattice scale factor of each match (the query's
            lattice lengths over the reference's).

        Returns
        -------
        distance : ndarray of shape (n_patterns, n_neighbors)
            1 - best correlation, ascending; if ``return_distance``.
        indices : ndarray of shape (n_patterns, n_neighbors)
            Rows of the references (the order of ``X`` in `fit`).
        scale : ndarray of shape (n_patterns, n_neighbors)
            If ``return_scale``.
        """
        distances, indices, scales = [], [], []
        for S, scale in self._batches(X):
            k = min(n_neighbors, S.shape[1])
            idx = np.argsort(-S, axis=1, kind="stable")[:, :k]
            distances.append(1 - np.take_along_axis(S, idx, axis=1))
            indices.append(idx)
            scales.append(np.take_along_axis(scale, idx, axis=1))
        out = [np.concatenate(indices)]
        if return_distance:
            out.insert(0, np.concatenate(distances))
        if return_scale:
            out.append(np.concatenate(scales))
        return out[0] if len(out) == 1 else tuple(out)


def _read_at(X, grid, positions):
    """Linear interpolation of every row of X at ``positions`` (0 outside)."""
    step = grid[1] - grid[0]
    where = (positions - grid[0]) / step
    left = np.floor(where).astype(int)
    inside = (left >= 0) & (left < len(grid) - 1)
    left = np.where(inside, left, 0)
    weight = np.where(inside, where - left, 0).astype(np.float32)
    out = X[:, left] * (1 - weight) + X[:, left + 1] * weight
    out[:, ~inside] = 0
    return out


def _unit_rows(X):
    """Centre each row and scale it to unit norm (zero rows stay zero)."""
    X = X - X.mean(axis=1, keepdims=True)
    norm = np.linalg.norm(X, axis=1, keepdims=True)
    return (X / np.where(norm > 0, norm, 1)).astype(np.float32)
