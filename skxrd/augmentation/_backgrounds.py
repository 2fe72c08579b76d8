"""Background and noise models, vectorised over a batch of patterns.

These are the physics every skxrd augmentation uses: the `XRDAugmenter`
transformer, the per-epoch augmentation inside the classifiers and the
training-data engine all call the functions here.
"""

import numpy as np
from scipy.special import ndtr, ndtri

from ..utils._random import check_generator

__all__ = [
    "truncated_normal",
    "relative_angle",
    "paper_background",
    "uniform_noise",
    "poisson_noise",
]


def truncated_normal(rng, mean, std, low, high, size):
    """Draw from a normal distribution truncated to [low, high] (inverse CDF).

    ``mean``, ``std``, ``low`` and ``high`` broadcast against ``size``.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the uniform draws.
    mean : float or array-like
        Mean of the normal distribution before truncation.
    std : float or array-like
        Standard deviation before truncation, > 0.
    low, high : float or array-like
        Truncation bounds.
    size : int or tuple of int
        Number or shape of the draws.

    Returns
    -------
    samples : ndarray
        The draws, all within [low, high].

    See Also
    --------
    paper_background : Draws its step and bump heights with it.
    scipy.stats.truncnorm : The same distribution as a scipy.stats object.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.augmentation import truncated_normal
    >>> h = truncated_normal(np.random.default_rng(0), 0.0, 1.0, -0.5, 2.0, 1000)
    >>> h.shape, bool(h.min() >= -0.5 and h.max() <= 2.0)
    ((1000,), True)
    """
    mean, std = np.asarray(mean, float), np.asarray(std, float)
    a = ndtr((np.asarray(low, float) - mean) / std)
    b = ndtr((np.asarray(high, float) - mean) / std)
    u = a + (b - a) * rng.random(size)
    return np.clip(mean + std * ndtri(u), low, high)


def relative_angle(n_points, dtype=np.float32):
    """θ_rel = (θ − θ_min) / (θ_max − θ_min) on an evenly spaced grid of n points.

    On an evenly spaced 2θ grid θ_rel is the column index over ``n − 1``, so the
    backgrounds need no knowledge of the grid's angles.
    """
    if n_points == 1:
        return np.zeros(1, dtype=dtype)
    return np.linspace(0.0, 1.0, n_points, dtype=dtype)


def _step(out, theta_rel, h, a, position, up):
    # Logistic step h / (1 + exp[a (θ_rel − θ_step)]), as printed in the paper's
    # eq. (14); the "step up" is therefore high at small angles.  Computed in
    # place: at 8500 points per pattern, temporaries cost more than the maths.
    z = np.subtract(theta_rel[None, :], position[:, None])
    z *= a[:, None]
    np.clip(z, -60.0, 60.0, out=z)
    np.exp(z, out=z)
    z += 1.0
    np.reciprocal(z, out=z)
    if not up:
        np.subtract(1.0, z, out=z)
    z *= h[:, None]
    out += z


def _polynomial(rng, theta_rel, T):
    n = T.shape[0]
    n_max = rng.integers(0, 5, size=n)
    # a_n = 0 with probability 1/2, else 3T / (2 (n_max + 1)) U(-1, 1)  (eq. 16).
    keep = rng.random((n, 5)) < 0.5
    keep &= np.arange(5)[None, :] <= n_max[:, None]
    scale = 1.5 * T / (n_max + 1.0)
    coef = np.where(keep, scale[:, None] * rng.uniform(-1.0, 1.0, (n, 5)), 0.0)
    powers = theta_rel[None, :] ** np.arange(5, dtype=theta_rel.dtype)[:, None]
    return np.abs(coef.astype(theta_rel.dtype) @ powers)


def _bump(out, theta_rel, h, steep):
    # h (n θ_rel)² exp(−n θ_rel), eq. (17): a hump near the direct beam.
    x = np.multiply(steep[:, None], theta_rel[None, :])
    e = np.negative(x)
    np.exp(e, out=e)
    x *= x
    x *= e
    x *= h[:, None]
    out += x


def paper_background(
    n_patterns,
    n_points,
    *,
    probability=0.5,
    amplitude=0.1,
    random_state=None,
    dtype=np.float32,
):
    """Draw the paper's random backgrounds (Vecsei et al. 2019, appendix).

    Each of four functions — smooth step up, smooth step down, the modulus of
    a random polynomial of order 0–4, and a low-angle bump — is chosen with
    probability ``probability``; the chosen ones share the amplitude budget
    ``T = amplitude / (number chosen)``.

    Parameters
    ----------
    n_patterns : int
        Number of backgrounds to draw.
    n_points : int
        Points per pattern, on an evenly spaced 2θ grid.
    probability : float, default=0.5
        Probability with which each of the four functions is chosen.
    amplitude : float, default=0.1
        The budget 0.1 of the paper's ``T = 0.1 / n_chosen``, relative to a
        pattern maximum of 1.
    random_state : int, RandomState, Generator or None, default=None
        Seed or generator.
    dtype : numpy dtype, default=np.float32
        Output type.

    Returns
    -------
    background : ndarray of shape (n_patterns, n_points)
        Non-negative backgrounds.

    See Also
    --------
    uniform_noise : The paper's per-point noise, added with these backgrounds.
    augment_patterns : Add both to patterns, scaled to each pattern's maximum.
    XRDAugmenter : The same inside a Pipeline, while fitting only.

    Notes
    -----
    With θ_rel = (θ − θ_min)/(θ_max − θ_min):

    - step up ``h / (1 + exp[a(θ_rel − s)])`` and step down
      ``h (1 − 1/(1 + exp[a(θ_rel − s)]))``, h ~ N(T/3, T/7) truncated to
      [0, T], a ~ U(10, 60), s ~ U(0, 1/7) (up) or U(6/7, 1) (down).  As
      printed, the "step up" is high at the left edge and falls; it is
      implemented as printed.
    - ``|Σ_{n ≤ n_max} a_n θ_rel^n|``, n_max uniform in 0..4, each a_n zero
      with probability 1/2, else ``3T/(2(n_max+1)) U(−1, 1)``.
    - ``h (n θ_rel)² exp(−n θ_rel)``, h ~ N(2T/5, 3T/35) truncated to
      [0, 3T/5], n ~ U(40, 70).

    Examples
    --------
    >>> from skxrd.augmentation import paper_background
    >>> bg = paper_background(4, 8500, random_state=0)
    >>> bg.shape, bool(bg.min() >= 0), bool(bg.max() < 0.2)
    ((4, 8500), True, True)
    """
    rng = check_generator(random_state)
    theta_rel = relative_angle(n_points, dtype)
    out = np.zeros((n_patterns, n_points), dtype=dtype)
    # Chunks keep the working arrays in cache; the draws are made per chunk in
    # a fixed order, so results depend only on the seed and the chunk size.
    for start in range(0, n_patterns, _CHUNK):
        _background_chunk(
            rng, out[start : start + _CHUNK], theta_rel, probability, amplitude, dtype
        )
    return out


_CHUNK = 128


def _background_chunk(rng, out, theta_rel, probability, amplitude, dtype):
    n = out.shape[0]
    chosen = rng.random((n, 4)) < probability
    T = amplitude / np.maximum(chosen.sum(axis=1), 1)
    w = 1.0 / 7.0
    for k, up in ((0, True), (1, False)):
        rows = np.flatnonzero(chosen[:, k])
        t = T[rows]
        h = truncated_normal(rng, t / 3, t / 7, 0.0, t, rows.size)
        a = rng.uniform(10.0, 60.0, rows.size)
        pos = rng.uniform(0.0, w, rows.size) if up else rng.uniform(1 - w, 1, rows.size)
        if rows.size:
            sub = out[rows]
            _step(
                sub, theta_rel, h.astype(dtype), a.astype(dtype), pos.astype(dtype), up
            )
            out[rows] = sub
    rows = np.flatnonzero(chosen[:, 2])
    if rows.size:
        out[rows] += _polynomial(rng, theta_rel, T[rows])
    rows = np.flatnonzero(chosen[:, 3])
    t = T[rows]
    h = truncated_normal(rng, 2 * t / 5, 3 * t / 35, 0.0, 3 * t / 5, rows.size)
    steep = rng.uniform(40.0, 70.0, rows.size)
    if rows.size:
        sub = out[rows]
        _bump(sub, theta_rel, h.astype(dtype), steep.astype(dtype))
        out[rows] = sub


def uniform_noise(shape, low=0.002, high=0.02, *, random_state=None, dtype=np.float32):
    """Per-point noise drawn from U(low, high), the paper's statistical noise.

    Parameters
    ----------
    shape : tuple of int
        Output shape, ``(n_patterns, n_points)``.
    low, high : float, default=0.002, 0.02
        Bounds of the uniform distribution, relative to a pattern maximum of 1.
    random_state : int, RandomState, Generator or None, default=None
        Seed or generator.
    dtype : numpy dtype, default=np.float32
        Output type.

    Returns
    -------
    noise : ndarray of the given shape

    See Also
    --------
    poisson_noise : Counting noise, stronger where intensities are low.
    paper_background : The paper's random backgrounds.

    Examples
    --------
    >>> from skxrd.augmentation import uniform_noise
    >>> e = uniform_noise((2, 1000), random_state=0)
    >>> bool(e.min() >= 0.002 and e.max() <= 0.02)
    True
    """
    rng = check_generator(random_state)
    noise = rng.random(shape, dtype=np.float32 if dtype == np.float32 else np.float64)
    noise *= high - low
    noise += low
    return noise.astype(dtype, copy=False)


def poisson_noise(X, counts, *, random_state=None):
    """Counting statistics: scale each pattern to a peak count, draw Poisson, scale back.

    A detector records integer counts; the relative noise of a point with
    expected count N is 1/√N, so weak peaks and the background are noisier
    than strong peaks — unlike the paper's uniform noise.

    Parameters
    ----------
    X : ndarray of shape (n_patterns, n_points)
        Non-negative patterns.
    counts : float or ndarray of shape (n_patterns,)
        Expected count at each pattern's maximum.
    random_state : int, RandomState, Generator or None, default=None
        Seed or generator.

    Returns
    -------
    noisy : ndarray like X
        The patterns with counting noise, in the units of X.

    See Also
    --------
    uniform_noise : The paper's noise, of one distribution at every point.
    augment_patterns : Its ``counts`` option applies this to patterns.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.augmentation import poisson_noise
    >>> x = np.full((1, 20000), 0.25, dtype=np.float32)
    >>> y = poisson_noise(x / 0.25, 400.0, random_state=0) * 0.25
    >>> round(float(y.std() / y.mean()), 2)  # 1 / sqrt(400)
    0.05
    """
    rng = check_generator(random_state)
    X = np.asarray(X)
    peak = X.max(axis=1, keepdims=True)
    peak = np.where(peak > 0, peak, 1.0)
    scale = np.broadcast_to(np.asarray(counts, dtype=np.float64), (X.shape[0],))
    scale = (scale[:, None] / peak).astype(np.float32)
    lam = X.astype(np.float32) * scale
    # Above ~25 expected counts the Poisson law is a normal one of variance λ
    # to well under a percent; drawing normals is several times faster than
    # drawing Poisson variates, and most points of a pattern with a
    # background are in that regime.  Rounding keeps the counts integers.
    noisy = rng.standard_normal(lam.shape, dtype=np.float32)
    noisy *= np.sqrt(lam)
    noisy += lam
    np.rint(noisy, out=noisy)
    np.maximum(noisy, 0, out=noisy)
    small = lam < _NORMAL_FROM
    noisy[small] = rng.poisson(lam[small])
    noisy /= scale
    return noisy.astype(X.dtype, copy=False)


_NORMAL_FROM = 25.0
