"""Resampling patterns from any 2θ grid and wavelength onto a standard grid."""

import warnings
from numbers import Real

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from .._grid import (
    TWO_THETA_MAX,
    TWO_THETA_MIN,
    TWO_THETA_STEP,
    convert_two_theta,
    resolve_wavelength,
    two_theta_grid,
)
from ..utils._validation import check_patterns, validate_patterns

__all__ = ["XRDResampler", "resampling_matrix"]


def resampling_matrix(two_theta, grid):
    """Sparse operator that maps intensities on ``two_theta`` onto ``grid``.

    Where the input is sampled more finely than the grid, each grid point gets
    the mean of the input points in its bin (an area-preserving rebin: sharp
    peaks keep their integrated intensity instead of being missed between
    samples); elsewhere it gets linear interpolation. Grid points outside the
    measured range get 0.

    Parameters
    ----------
    two_theta : ndarray of shape (n_in,)
        Strictly increasing input angles, already at the grid's wavelength.
    grid : ndarray of shape (n_out,)
        Evenly spaced output angles.

    Returns
    -------
    W : scipy.sparse.csr_matrix of shape (n_in, n_out)
        ``intensities @ W`` is the resampled pattern.

    See Also
    --------
    XRDResampler : Resample whole patterns, converting the wavelength first.
    skxrd.two_theta_grid : The standard output grid.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.preprocessing import resampling_matrix
    >>> W = resampling_matrix([10.0, 12.0, 14.0], np.arange(9.0, 15.0))
    >>> W.shape, (np.array([0.0, 2.0, 4.0]) @ W).tolist()  # 9° is not measured
    ((3, 6), [0.0, 0.0, 1.0, 2.0, 3.0, 4.0])

    Five input points per grid bin are averaged:

    >>> x = np.linspace(9.6, 12.4, 15)
    >>> (x @ resampling_matrix(x, np.array([10.0, 11.0, 12.0]))).round(6).tolist()
    [10.0, 11.0, 12.0]
    """
    x = np.asarray(two_theta, dtype=np.float64)
    n_in, n_out = x.size, grid.size
    step = (grid[-1] - grid[0]) / max(n_out - 1, 1)
    inside = (grid >= x[0]) & (grid <= x[-1])
    # Linear interpolation weights for every covered grid point.
    j = np.flatnonzero(inside)
    i = np.clip(np.searchsorted(x, grid[j], side="right") - 1, 0, n_in - 2)
    frac = (grid[j] - x[i]) / (x[i + 1] - x[i])
    rows = np.concatenate([i, i + 1])
    cols = np.concatenate([j, j])
    vals = np.concatenate([1.0 - frac, frac])
    # Bin means where several input points fall into one output bin.
    b = np.rint((x - grid[0]) / step).astype(np.int64)
    valid = (b >= 0) & (b < n_out)
    counts = np.bincount(b[valid], minlength=n_out)
    binned = counts >= 2
    if binned.any():
        keep = ~binned[cols]
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        src = np.flatnonzero(valid)
        src = src[binned[b[src]]]
        rows = np.concatenate([rows, src])
        cols = np.concatenate([cols, b[src]])
        vals = np.concatenate([vals, 1.0 / counts[b[src]]])
    return sparse.csr_matrix((vals, (rows, cols)), shape=(n_in, n_out))


def _check_axis(two_theta, n_values, index):
    where = "" if index is None else f" of sample {index}"
    x = np.asarray(two_theta, dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"The 2θ array{where} must be 1-D; got shape {x.shape}.")
    if x.size != n_values:
        raise ValueError(
            f"The 2θ array{where} has {x.size} values but the intensities have "
            f"{n_values}."
        )
    if x.size < 2:
        raise ValueError(f"The pattern{where} has fewer than 2 points.")
    if not np.isfinite(x).all():
        raise ValueError(f"The 2θ array{where} contains NaN or infinity.")
    bad = np.flatnonzero(np.diff(x) <= 0)
    if bad.size:
        k = int(bad[0])
        raise ValueError(
            f"The 2θ array{where} is not strictly increasing: 2θ[{k}] = {x[k]:g} "
            f"is followed by 2θ[{k + 1}] = {x[k + 1]:g}."
        )
    return x


def _is_ragged(X):
    if isinstance(X, (list, tuple)) and len(X) > 0:
        first = X[0]
        if hasattr(first, "two_theta") and hasattr(first, "intensity"):
            return True
        if isinstance(first, (list, tuple)) and len(first) == 2:
            a = np.asarray(first[0])
            return a.ndim == 1 and a.size > 2
    return False


class XRDResampler(TransformerMixin, BaseEstimator):
    """Resample patterns from any 2θ grid and wavelength onto a standard grid.

    Patterns measured with another anode are moved by Bragg's law: a
    reflection with spacing d recorded at 2θ₁ with wavelength λ₁ lands at
    ``2 arcsin(λ₂ sin θ₁ / λ₁)`` — so a Mo Kα pattern ends up where Cu Kα
    would have put it.  Then the intensities are interpolated (or, where the
    measurement is finer than the grid, averaged per grid bin) onto the grid;
    grid points outside the measured range are 0.

    Parameters
    ----------
    two_theta : array-like of shape (n_features,) or None, default=None
        The 2θ angles (degrees) of the columns of X, shared by all patterns;
        unevenly spaced is fine.  None means the columns are evenly spaced
        over ``[start, stop)`` (``start + k (stop − start) / n_features``).
        For patterns with one 2θ array each, pass X as a list of
        ``(two_theta, intensity)`` pairs or of `skxrd.io` pattern objects.
    wavelength : float or str, default="CuKa"
        Wavelength of the measurement, in Å or as a name ('CuKa', 'MoKa',
        'CoKa', ...).  Pattern objects that state their own wavelength
        override it.
    target_wavelength : float or str, default="CuKa"
        Wavelength of the output grid (the paper's Cu Kα).
    start : float, default=5.0
        First angle of the output grid, degrees.
    stop : float, default=90.0
        End of the output grid, degrees (excluded).
    step : float, default=0.01
        Spacing of the output grid, degrees.
    min_coverage : float, default=0.5
        Warn when a pattern covers less than this fraction of the output grid.

    Attributes
    ----------
    grid_ : ndarray of shape (n_points,)
        The output 2θ grid.
    wavelength_ : float
        The measurement wavelength in Å.
    target_wavelength_ : float
        The output wavelength in Å.
    n_features_in_ : int
        Number of columns of X seen in `fit` (array input only).
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names seen in `fit`, when X has string column names.

    See Also
    --------
    PatternNormalizer : Scale patterns after resampling.
    skxrd.convert_two_theta : The Bragg's-law conversion alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.preprocessing import XRDResampler
    >>> tt = np.linspace(10, 40, 3001)            # a Mo Kα scan
    >>> X = np.exp(-0.5 * ((tt - 20.0) / 0.05) ** 2)[None, :]
    >>> res = XRDResampler(two_theta=tt, wavelength="MoKa").fit(X)
    >>> Xt = res.transform(X)
    >>> Xt.shape, round(float(res.grid_[Xt[0].argmax()]), 2)
    ((1, 8500), 44.26)
    """

    _parameter_constraints = {
        "two_theta": ["array-like", None],
        "wavelength": [Interval(Real, 0, None, closed="neither"), str],
        "target_wavelength": [Interval(Real, 0, None, closed="neither"), str],
        "start": [Interval(Real, 0, 180, closed="left")],
        "stop": [Interval(Real, 0, 180, closed="right")],
        "step": [Interval(Real, 0, None, closed="neither")],
        "min_coverage": [Interval(Real, 0, 1, closed="both")],
    }

    def __init__(
        self,
        *,
        two_theta=None,
        wavelength="CuKa",
        target_wavelength="CuKa",
        start=TWO_THETA_MIN,
        stop=TWO_THETA_MAX,
        step=TWO_THETA_STEP,
        min_coverage=0.5,
    ):
        self.two_theta = two_theta
        self.wavelength = wavelength
        self.target_wavelength = target_wavelength
        self.start = start
        self.stop = stop
        self.step = step
        self.min_coverage = min_coverage

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Build the output grid and, for a shared input grid, the operator.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_features) or list of (two_theta, intensity)
            Patterns on the grid ``two_theta``, or patterns with their own axes.
        y : None
            Ignored.

        Returns
        -------
        self : XRDResampler
            The fitted resampler.
        """
        self.wavelength_ = resolve_wavelength(self.wavelength)
        self.target_wavelength_ = resolve_wavelength(self.target_wavelength)
        self.grid_ = two_theta_grid(self.start, self.stop, self.step)
        if _is_ragged(X):
            self._check_ragged(X)
            return self
        X = validate_patterns(self, X, ensure_min_features=2)
        self._operator = self._shared_operator(X.shape[1])
        return self

    def _input_axis(self, n_features):
        if self.two_theta is None:
            return self.start + (self.stop - self.start) / n_features * np.arange(
                n_features
            )
        return _check_axis(self.two_theta, n_features, None)

    def _shared_operator(self, n_features):
        x = self._input_axis(n_features)
        return self._operator_for(x, self.wavelength_, None)

    def _operator_for(self, x, wavelength, index):
        if wavelength != self.target_wavelength_:
            x = convert_two_theta(x, wavelength, self.target_wavelength_)
            # Angles unreachable at the target wavelength (sin θ > 1) drop out.
            reach = np.isfinite(x)
        else:
            reach = np.ones(x.size, dtype=bool)
        if reach.sum() < 2:
            W = sparse.csr_matrix((x.size, self.grid_.size))
        else:
            W = sparse.vstack(
                [
                    sparse.csr_matrix((int(np.argmax(reach)), self.grid_.size)),
                    resampling_matrix(x[reach], self.grid_),
                    sparse.csr_matrix(
                        (
                            x.size - int(np.argmax(reach)) - int(reach.sum()),
                            self.grid_.size,
                        )
                    ),
                ]
            ).tocsr()
        self._warn_coverage(x[reach], index)
        return W

    def _warn_coverage(self, x, index):
        g = self.grid_
        covered = ((g >= x[0]) & (g <= x[-1])).mean() if x.size >= 2 else 0.0
        if covered < self.min_coverage:
            who = "The patterns" if index is None else f"Sample {index}"
            span = f"{x[0]:.2f}–{x[-1]:.2f}°" if x.size >= 2 else "nothing"
            warnings.warn(
                f"{who} cover only {covered:.0%} of the output grid "
                f"{g[0]:.2f}–{g[-1]:.2f}° (the measured range maps to {span} at "
                f"{self.target_wavelength_:g} Å); the rest is set to 0.",
                UserWarning,
                stacklevel=3,
            )

    def _check_ragged(self, X):
        out = []
        for index, item in enumerate(X):
            if hasattr(item, "two_theta"):
                x, y = item.two_theta, item.intensity
                wl = getattr(item, "wavelength", None)
            else:
                x, y = item
                wl = None
            y = np.asarray(y, dtype=np.float64)
            if y.ndim != 1:
                raise ValueError(f"The intensities of sample {index} must be 1-D.")
            x = _check_axis(x, y.size, index)
            try:
                check_patterns(y[None, :])
            except ValueError as exc:
                raise ValueError(f"Sample {index}: {exc}") from None
            wl = self.wavelength_ if wl is None else resolve_wavelength(wl)
            out.append((x, y, wl))
        return out

    def transform(self, X):
        """Resample patterns onto the output grid.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_features) or list of (two_theta, intensity)
            Patterns as in `fit`.

        Returns
        -------
        X_new : ndarray of shape (n_patterns, n_points), dtype float32
            The patterns on ``grid_``.
        """
        check_is_fitted(self, "grid_")
        if _is_ragged(X):
            items = self._check_ragged(X)
            out = np.empty((len(items), self.grid_.size), dtype=np.float32)
            for index, (x, y, wl) in enumerate(items):
                out[index] = self._operator_for(x, wl, index).T @ y
            return out
        X = validate_patterns(self, X, reset=False)
        return np.asarray(X @ self._operator, dtype=np.float32)

    def get_feature_names_out(self, input_features=None):
        """Names of the output points, ``two_theta_<angle>``.

        Parameters
        ----------
        input_features : None
            Ignored; the output names depend only on the grid.

        Returns
        -------
        feature_names_out : ndarray of str
            One name per grid point, e.g. ``'two_theta_5.00'``.
        """
        check_is_fitted(self, "grid_")
        decimals = max(0, int(np.ceil(-np.log10(self.step) - 1e-9)))
        return np.asarray(
            [f"two_theta_{v:.{decimals}f}" for v in self.grid_], dtype=object
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
