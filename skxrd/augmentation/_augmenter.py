"""The paper's augmentation as a function and as a scikit-learn transformer."""

from numbers import Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    OneToOneFeatureMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions, validate_params
from sklearn.utils.validation import check_is_fitted

from ..utils._random import check_generator
from ..utils._validation import check_patterns, validate_patterns
from ._backgrounds import paper_background, poisson_noise, uniform_noise

__all__ = ["XRDAugmenter", "augment_patterns"]


def _check_range(value, name):
    if value is None:
        return None
    low, high = (float(v) for v in value)
    if not (0 <= low <= high and np.isfinite(high)):
        raise ValueError(
            f"{name} must be a (low, high) pair with 0 <= low <= high; got {value!r}."
        )
    return low, high


def _augment(
    X,
    *,
    noise,
    background,
    background_probability,
    background_amplitude,
    counts,
    renormalize,
    rng,
):
    X = np.array(X, dtype=np.float32, copy=True)
    n, m = X.shape
    peak = X.max(axis=1, keepdims=True)
    if background == "paper":
        bg = paper_background(
            n,
            m,
            probability=background_probability,
            amplitude=background_amplitude,
            random_state=rng,
        )
        bg *= peak
        X += bg
    if counts is not None:
        # A detector counts photons from the peaks and the background alike,
        # so counting statistics apply to their sum.
        lo, hi = counts
        c = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
        X = poisson_noise(
            X, c * X.max(axis=1) / np.maximum(peak[:, 0], 1e-30), random_state=rng
        )
    if noise is not None:
        e = uniform_noise((n, m), *noise, random_state=rng)
        e *= peak
        X += e
    if renormalize:
        X /= np.maximum(X.max(axis=1, keepdims=True), np.finfo(np.float32).tiny)
    return X


_PARAMS = {
    "noise": [tuple, list, None],
    "background": [StrOptions({"paper"}), None],
    "background_probability": [Interval(Real, 0, 1, closed="both")],
    "background_amplitude": [Interval(Real, 0, None, closed="left")],
    "counts": [tuple, list, None],
    "renormalize": ["boolean"],
}


@validate_params(
    {"X": ["array-like"], **_PARAMS, "random_state": ["random_state"]},
    prefer_skip_nested_validation=True,
)
def augment_patterns(
    X,
    *,
    noise=(0.002, 0.02),
    background="paper",
    background_probability=0.5,
    background_amplitude=0.1,
    counts=None,
    renormalize=False,
    random_state=None,
):
    """Add the paper's noise and random backgrounds to patterns.

    Vecsei et al. (2019) made their simulated patterns look measured by adding
    per-point noise and a random background built from four functions (see
    `paper_background`).  Amplitudes are relative to each pattern's maximum, so
    the input need not be scaled to 1.  Use this to build a noisy simulated test
    set as the paper did; inside a Pipeline use `XRDAugmenter`.

    Parameters
    ----------
    X : array-like of shape (n_patterns, n_points)
        Non-negative patterns on an evenly spaced 2θ grid.
    noise : (float, float) or None, default=(0.002, 0.02)
        Each point gets noise drawn from U(low, high) × the pattern maximum,
        as printed in the paper's appendix. None adds none.
    background : {"paper"} or None, default="paper"
        The paper's random backgrounds, or none.
    background_probability : float, default=0.5
        Probability with which each of the four background functions is used.
    background_amplitude : float, default=0.1
        Total background budget relative to the pattern maximum (the paper's
        0.1 in ``T = 0.1 / n_chosen``).
    counts : (float, float) or None, default=None
        If given, Poisson counting noise is applied to the pattern plus its
        background, with the expected count at the strongest peak drawn
        log-uniformly from this range (for example ``(1e3, 1e5)``); the
        uniform noise, if any, comes on top.  Not in the paper: real
        detectors count photons.
    renormalize : bool, default=False
        Scale each augmented pattern back to maximum 1.  The paper does not.
    random_state : int, RandomState instance, Generator or None, default=None
        Seed or generator for the draws.

    Returns
    -------
    X_aug : ndarray of shape (n_patterns, n_points), dtype float32
        The augmented patterns.

    See Also
    --------
    XRDAugmenter : The same as a transformer that augments only while fitting.
    paper_background : The background model alone.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.augmentation import augment_patterns
    >>> X = np.zeros((2, 8500), dtype=np.float32)
    >>> X[:, 4000] = 1.0
    >>> Xa = augment_patterns(X, random_state=0)
    >>> Xa.dtype, bool((Xa >= X).all()), bool(Xa[:, :100].min() >= 0.002)
    (dtype('float32'), True, True)
    """
    X = check_array(X, dtype=[np.float32, np.float64], ensure_all_finite=False)
    check_patterns(X)
    return _augment(
        X,
        noise=_check_range(noise, "noise"),
        background=background,
        background_probability=background_probability,
        background_amplitude=background_amplitude,
        counts=_check_range(counts, "counts"),
        renormalize=renormalize,
        rng=check_generator(random_state),
    )


class XRDAugmenter(OneToOneFeatureMixin, TransformerMixin, BaseEstimator):
    """Augment patterns with noise and backgrounds while a pipeline is fitted.

    ``fit_transform`` returns augmented patterns; ``transform`` returns its
    input unchanged (as float32).  In a Pipeline this means the training data
    are augmented when the pipeline is fitted, while ``predict`` and ``score``
    see the patterns as they are — the way scikit-learn's ``TargetEncoder``
    makes ``fit_transform`` differ from ``fit().transform()``.  The skxrd
    classifiers also accept an augmenter and call `augment` for every epoch,
    so that a network never sees the same noisy pattern twice.

    Parameters
    ----------
    noise : (float, float) or None, default=(0.002, 0.02)
        Per-point noise U(low, high), relative to each pattern's maximum.
    background : {"paper"} or None, default="paper"
        The paper's four random background functions, or none.
    background_probability : float, default=0.5
        Probability of each background function.
    background_amplitude : float, default=0.1
        Background budget relative to the pattern maximum.
    counts : (float, float) or None, default=None
        Range of expected peak counts for Poisson counting noise (not in the
        paper); None leaves it out.
    renormalize : bool, default=False
        Scale augmented patterns back to maximum 1.
    random_state : int, RandomState instance or None, default=None
        Seed for ``fit_transform``.

    Attributes
    ----------
    n_features_in_ : int
        Number of points per pattern seen in `fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen in `fit`, when X has string column names.

    See Also
    --------
    augment_patterns : The function behind this transformer.

    Notes
    -----
    The formulas, probabilities and distributions are the appendix of
    Vecsei et al. [1]_, implemented as printed (see `paper_background`).

    References
    ----------
    .. [1] J. Vecsei, K. Choo, J. Chang and T. Neupert, "Neural network based
       classification of crystal symmetries from x-ray diffraction patterns",
       Phys. Rev. B 99, 245120 (2019).

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.augmentation import XRDAugmenter
    >>> X = np.zeros((3, 8500), dtype=np.float32)
    >>> X[:, 1000] = 1.0
    >>> aug = XRDAugmenter(random_state=0)
    >>> bool((aug.fit_transform(X) != X).any()), bool((aug.transform(X) == X).all())
    (True, True)
    """

    _parameter_constraints = {**_PARAMS, "random_state": ["random_state"]}

    def __init__(
        self,
        *,
        noise=(0.002, 0.02),
        background="paper",
        background_probability=0.5,
        background_amplitude=0.1,
        counts=None,
        renormalize=False,
        random_state=None,
    ):
        self.noise = noise
        self.background = background
        self.background_probability = background_probability
        self.background_amplitude = background_amplitude
        self.counts = counts
        self.renormalize = renormalize
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the patterns and record their length.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Non-negative patterns.
        y : None
            Ignored.

        Returns
        -------
        self : XRDAugmenter
            The fitted augmenter.
        """
        X = validate_patterns(self, X, ensure_min_features=2)
        return self

    def fit_transform(self, X, y=None, **fit_params):
        """Fit and return augmented patterns (training data only).

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Non-negative patterns.
        y : None
            Ignored.
        **fit_params : dict
            Ignored.

        Returns
        -------
        X_aug : ndarray of shape (n_patterns, n_points), dtype float32
            Augmented patterns, drawn with ``random_state``.
        """
        self.fit(X, y)
        X = check_array(X, dtype=[np.float32, np.float64], ensure_all_finite=False)
        return self._augment_checked(X, self.random_state)

    def transform(self, X):
        """Return the patterns unchanged, as float32: no noise at predict time.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Non-negative patterns.

        Returns
        -------
        X : ndarray of shape (n_patterns, n_points), dtype float32
            The input.
        """
        check_is_fitted(self)
        X = validate_patterns(self, X, reset=False)
        return X.astype(np.float32)

    def augment(self, X, random_state=None):
        """Augment a batch with this augmenter's settings; no fit needed.

        This is what the classifiers call for every epoch, and what the
        training-data engine calls when it renders.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Non-negative patterns.
        random_state : int, RandomState instance, Generator or None, default=None
            Source of the draws; pass one Generator across calls to get fresh
            noise every call.  None uses a fresh, unseeded generator.

        Returns
        -------
        X_aug : ndarray of shape (n_patterns, n_points), dtype float32
            Augmented patterns.
        """
        self._validate_params()
        X = check_array(X, dtype=[np.float32, np.float64], ensure_all_finite=False)
        check_patterns(X)
        return self._augment_checked(X, random_state)

    def _augment_checked(self, X, random_state):
        return _augment(
            X,
            noise=_check_range(self.noise, "noise"),
            background=self.background,
            background_probability=self.background_probability,
            background_amplitude=self.background_amplitude,
            counts=_check_range(self.counts, "counts"),
            renormalize=self.renormalize,
            rng=check_generator(random_state),
        )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        tags.non_deterministic = False
        return tags
