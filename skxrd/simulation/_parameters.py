"""Per-pattern parameters of peak shapes and positions."""

from dataclasses import dataclass, fields

import numpy as np

__all__ = ["ProfileParameters", "FWHM_PER_SIGMA"]

#: FWHM of a Gaussian in units of its standard deviation, 2 sqrt(2 ln 2).
FWHM_PER_SIGMA = 2.0 * np.sqrt(2.0 * np.log(2.0))


@dataclass(frozen=True, eq=False)
class ProfileParameters:
    """Per-pattern peak-shape and peak-position parameters for rendering.

    Every field is a scalar (shared by all patterns) or an array with one
    value per pattern.  The defaults give a plain Gaussian of FWHM 0.076° (the
    median width of the measured RRUFF peaks) and no other effect.

    Parameters
    ----------
    u, v, w : float or array-like, default=(0, 0, 0.076**2)
        Caglioti coefficients in deg²: the instrumental FWHM is
        ``sqrt(u tan²θ + v tanθ + w)``.
    eta : float or array-like, default=0.0
        Lorentzian fraction of the instrumental pseudo-Voigt, in [0, 1];
        0 is a Gaussian, 1 a Lorentzian.
    crystallite_size : float or array-like, default=inf
        Mean crystallite size L in nm (Scherrer broadening); ``inf`` turns
        it off.
    strain : float or array-like, default=0.0
        Microstrain ε (dimensionless); broadening ``4 ε tanθ``.
    zero_shift : float or array-like, default=0.0
        Goniometer zero error in degrees 2θ, added to every peak.
    displacement : float or array-like, default=0.0
        Sample height displacement s in mm (positive moves peaks to lower
        angles).
    ka2_ratio : float or array-like, default=0.0
        Intensity ratio I(Kα2)/I(Kα1); 0 renders a single line (no doublet),
        about 0.5 is a Cu tube without monochromator.
    intensity_jitter : float or array-like, default=0.0
        Relative scatter of every peak's intensity (standard deviation of a
        log-normal factor of mean 1).
    goniometer_radius : float or array-like, default=240.0
        Goniometer radius R in mm, used by the displacement shift.
    scherrer_constant : float or array-like, default=0.9
        Shape factor K of the Scherrer equation.

    See Also
    --------
    render_patterns : Draw peaks with these parameters.
    ProfileSampler : Draw realistic parameters at random.
    GaussianWidthSampler : The paper's Gaussian of random σ.

    Notes
    -----
    The instrument gives a pseudo-Voigt of FWHM H_I from the Caglioti law [1]_
    and mixing η.  The sample adds Lorentzian broadening

    .. math:: H_L^{s} = \\frac{180}{\\pi}\\left(\\frac{K\\lambda}{L\\cos\\theta}
              + 4\\varepsilon\\tan\\theta\\right)

    (Scherrer size term and Stokes-Wilson strain term, both taken as
    Lorentzian FWHMs, as GSAS's X and Y terms).  To combine them the
    instrumental profile is split into the Gaussian and Lorentzian widths that
    the Thompson-Cox-Hastings (TCH) formulas [2]_ map to (H_I, η); the sample
    width is added to the Lorentzian part (Lorentzians convolve by adding
    widths) and TCH gives the total FWHM H and mixing η of the pseudo-Voigt
    drawn.  Without sample broadening the peak is exactly pseudo-Voigt
    (H_I, η).

    References
    ----------
    .. [1] G. Caglioti, A. Paoletti, F. P. Ricci, Nucl. Instrum. 3, 223 (1958).
    .. [2] P. Thompson, D. E. Cox, J. B. Hastings, J. Appl. Cryst. 20, 79
       (1987).

    Examples
    --------
    >>> from skxrd.simulation import ProfileParameters
    >>> params = ProfileParameters.gaussian(sigma=[0.02, 0.05])
    >>> params.n_patterns
    2
    """

    u: object = 0.0
    v: object = 0.0
    w: object = 0.076**2
    eta: object = 0.0
    crystallite_size: object = np.inf
    strain: object = 0.0
    zero_shift: object = 0.0
    displacement: object = 0.0
    ka2_ratio: object = 0.0
    intensity_jitter: object = 0.0
    goniometer_radius: object = 240.0
    scherrer_constant: object = 0.9

    @classmethod
    def gaussian(cls, sigma):
        """Parameters of a plain Gaussian of standard deviation `sigma` (degrees).

        Parameters
        ----------
        sigma : float or array-like
            Standard deviation in degrees 2θ, one per pattern or shared.

        Returns
        -------
        params : ProfileParameters
            ``w = (2 sqrt(2 ln 2) σ)²`` and every other effect off.

        Examples
        --------
        >>> from skxrd.simulation import ProfileParameters
        >>> round(float(ProfileParameters.gaussian(0.1).w), 6)
        0.055452
        """
        sigma = np.asarray(sigma, dtype=np.float64)
        return cls(w=(FWHM_PER_SIGMA * sigma) ** 2)

    @property
    def n_patterns(self):
        """Number of patterns the array fields describe (None if all are scalars)."""
        sizes = [np.size(getattr(self, f.name)) for f in fields(self)]
        return next((n for n in sizes if n != 1), None)

    def broadcast(self, n_patterns):
        """Return every field as a float64 array of shape (n_patterns,), validated.

        Parameters
        ----------
        n_patterns : int
            Number of patterns.

        Returns
        -------
        values : dict of str to ndarray of shape (n_patterns,)
            The fields by name.

        Raises
        ------
        ValueError
            If a field has the wrong length or a value out of its range; the
            message names the field and the pattern.
        """
        values = {}
        for f in fields(self):
            a = np.asarray(getattr(self, f.name), dtype=np.float64).ravel()
            if a.size not in (1, n_patterns):
                raise ValueError(
                    f"ProfileParameters.{f.name} has {a.size} values for "
                    f"{n_patterns} patterns; give one value or one per pattern."
                )
            values[f.name] = np.broadcast_to(a, (n_patterns,))
        _check_ranges(values)
        return values


# (field, test that flags bad values, what the values must be)
_RANGES = (
    ("u", lambda a: ~np.isfinite(a), "finite"),
    ("v", lambda a: ~np.isfinite(a), "finite"),
    ("w", lambda a: ~np.isfinite(a), "finite"),
    ("eta", lambda a: ~((a >= 0) & (a <= 1)), "in [0, 1]"),
    ("crystallite_size", lambda a: ~(a > 0), "> 0 nm (inf for none)"),
    ("strain", lambda a: ~((a >= 0) & np.isfinite(a)), "finite and >= 0"),
    ("zero_shift", lambda a: ~np.isfinite(a), "finite"),
    ("displacement", lambda a: ~np.isfinite(a), "finite"),
    ("ka2_ratio", lambda a: ~((a >= 0) & np.isfinite(a)), "finite and >= 0"),
    ("intensity_jitter", lambda a: ~((a >= 0) & np.isfinite(a)), "finite and >= 0"),
    ("goniometer_radius", lambda a: ~((a > 0) & np.isfinite(a)), "finite and > 0"),
    ("scherrer_constant", lambda a: ~((a > 0) & np.isfinite(a)), "finite and > 0"),
)


def _check_ranges(values):
    for name, is_bad, expected in _RANGES:
        bad = np.flatnonzero(is_bad(values[name]))
        if bad.size:
            i = int(bad[0])
            raise ValueError(
                f"ProfileParameters.{name} must be {expected}; pattern {i} has "
                f"{values[name][i]!r}."
            )
