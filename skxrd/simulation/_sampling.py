"""Random per-pattern profile parameters: realistic ones and the paper's Gaussian."""

import numpy as np
from sklearn.base import BaseEstimator

from ..utils._random import check_generator
from ._parameters import FWHM_PER_SIGMA, ProfileParameters

__all__ = ["ProfileSampler", "GaussianWidthSampler"]


def _uniform(rng, bounds, n):
    low, high = bounds
    if low == high:
        return np.full(n, float(low))
    return rng.uniform(low, high, n)


def _log_uniform(rng, bounds, n):
    low, high = bounds
    if low == high:
        return np.full(n, float(low))
    if not 0 < low < high:
        raise ValueError(f"A log-uniform range needs 0 < low < high; got {bounds}.")
    return np.exp(rng.uniform(np.log(low), np.log(high), n))


class ProfileSampler(BaseEstimator):
    """Draw realistic per-pattern profile parameters at random.

    Each effect of `ProfileParameters` gets a range; a range with equal ends
    fixes the value (``(0, 0)`` turns an effect off, ``crystallite_size_range
    = (inf, inf)`` removes size broadening).

    Parameters
    ----------
    u_range : tuple of float, default=(0.0, 0.01)
        Caglioti U in deg², uniform.
    v_range : tuple of float, default=(-0.005, 0.0)
        Caglioti V in deg², uniform, then raised where needed to
        ``-1.9 sqrt(U W)`` so that the FWHM² stays positive at every angle.
    w_range : tuple of float, default=(0.0005, 0.02)
        Caglioti W in deg², log-uniform (the instrumental FWHM at low angle
        is about ``sqrt(W)``: 0.022°–0.14°).
    eta_range : tuple of float, default=(0.0, 0.5)
        Lorentzian fraction of the instrument profile, uniform.
    crystallite_size_range : tuple of float, default=(100.0, 10000.0)
        Crystallite size in nm, log-uniform.
    strain_range : tuple of float, default=(0.0, 3e-4)
        Microstrain ε, uniform.
    zero_shift_range : tuple of float, default=(-0.05, 0.05)
        Zero error in degrees 2θ, uniform.
    displacement_range : tuple of float, default=(-0.1, 0.1)
        Sample displacement in mm, uniform (±0.05° at low angle for R = 240 mm).
    ka2_probability : float, default=0.5
        Probability that a pattern shows the Kα1/Kα2 doublet (otherwise the
        tube is taken as monochromated to a single line).
    ka2_ratio : float, default=0.5
        I(Kα2)/I(Kα1) of patterns with the doublet.
    intensity_jitter_range : tuple of float, default=(0.0, 0.15)
        Relative per-peak intensity scatter, uniform.
    goniometer_radius : float, default=240.0
        Goniometer radius in mm.

    See Also
    --------
    GaussianWidthSampler : The paper's Gaussian of random σ.
    ProfileParameters : What each parameter does.
    render_patterns : Renders with a sampler.

    Notes
    -----
    The defaults were chosen so that the total FWHM of a single line at
    2θ = 30° has its 10th/50th/90th percentiles at 0.035°/0.075°/0.13°
    (0.06°/0.11°/0.16° at 80°), close to the widths measured on the
    strongest peaks of RRUFF patterns, 0.034°/0.076°/0.14° (FACTS.md §8;
    those include the unresolved doublet).  The total Lorentzian fraction
    then has median 0.57.

    Examples
    --------
    >>> from skxrd.simulation import ProfileSampler
    >>> params = ProfileSampler().sample(4, random_state=0)
    >>> params.n_patterns, params.eta.shape
    (4, (4,))
    """

    def __init__(
        self,
        *,
        u_range=(0.0, 0.01),
        v_range=(-0.005, 0.0),
        w_range=(0.0005, 0.02),
        eta_range=(0.0, 0.5),
        crystallite_size_range=(100.0, 10000.0),
        strain_range=(0.0, 3e-4),
        zero_shift_range=(-0.05, 0.05),
        displacement_range=(-0.1, 0.1),
        ka2_probability=0.5,
        ka2_ratio=0.5,
        intensity_jitter_range=(0.0, 0.15),
        goniometer_radius=240.0,
    ):
        self.u_range = u_range
        self.v_range = v_range
        self.w_range = w_range
        self.eta_range = eta_range
        self.crystallite_size_range = crystallite_size_range
        self.strain_range = strain_range
        self.zero_shift_range = zero_shift_range
        self.displacement_range = displacement_range
        self.ka2_probability = ka2_probability
        self.ka2_ratio = ka2_ratio
        self.intensity_jitter_range = intensity_jitter_range
        self.goniometer_radius = goniometer_radius

    def sample(self, n_patterns, random_state=None):
        """Draw parameters for `n_patterns` patterns.

        Parameters
        ----------
        n_patterns : int
            Number of patterns.
        random_state : int, Generator, RandomState or None, default=None
            Seed or generator of the draw.

        Returns
        -------
        params : ProfileParameters
            One value per pattern in every field.
        """
        rng = check_generator(random_state)
        n = int(n_patterns)
        u = _uniform(rng, self.u_range, n)
        w = _log_uniform(rng, self.w_range, n)
        v = np.maximum(_uniform(rng, self.v_range, n), -1.9 * np.sqrt(u * w))
        doublet = rng.random(n) < self.ka2_probability
        return ProfileParameters(
            u=u,
            v=v,
            w=w,
            eta=_uniform(rng, self.eta_range, n),
            crystallite_size=_log_uniform(rng, self.crystallite_size_range, n),
            strain=_uniform(rng, self.strain_range, n),
            zero_shift=_uniform(rng, self.zero_shift_range, n),
            displacement=_uniform(rng, self.displacement_range, n),
            ka2_ratio=np.where(doublet, float(self.ka2_ratio), 0.0),
            intensity_jitter=_uniform(rng, self.intensity_jitter_range, n),
            goniometer_radius=np.full(n, float(self.goniometer_radius)),
        )


class GaussianWidthSampler(BaseEstimator):
    """The paper's profile: a Gaussian whose σ is drawn per pattern.

    Vecsei et al. convolve pymatgen's sticks "with a Gaussian function of
    variable standard deviation σ" without stating the range; the default
    range spans the widths of measured RRUFF peaks (σ ≈ 0.015°–0.06°, the
    10th–90th percentiles).

    Parameters
    ----------
    sigma_range : tuple of float, default=(0.015, 0.06)
        Range of σ in degrees 2θ.
    log_uniform : bool, default=True
        Draw σ log-uniformly (median 0.03°, as measured) rather than
        uniformly.

    See Also
    --------
    ProfileSampler : Realistic instrument and sample effects.
    ProfileParameters.gaussian : A fixed σ.

    Examples
    --------
    >>> from skxrd.simulation import GaussianWidthSampler
    >>> params = GaussianWidthSampler().sample(3, random_state=0)
    >>> params.w.shape
    (3,)
    """

    def __init__(self, *, sigma_range=(0.015, 0.06), log_uniform=True):
        self.sigma_range = sigma_range
        self.log_uniform = log_uniform

    def sample(self, n_patterns, random_state=None):
        """Draw one σ per pattern.

        Parameters
        ----------
        n_patterns : int
            Number of patterns.
        random_state : int, Generator, RandomState or None, default=None
            Seed or generator of the draw.

        Returns
        -------
        params : ProfileParameters
            A Gaussian of the drawn σ per pattern (``w = (2.3548 σ)²``).
        """
        rng = check_generator(random_state)
        draw = _log_uniform if self.log_uniform else _uniform
        sigma = draw(rng, self.sigma_range, int(n_patterns))
        return ProfileParameters(w=(FWHM_PER_SIGMA * sigma) ** 2)
