"""Peak widths and shapes: Caglioti, Scherrer, strain, Thompson-Cox-Hastings."""

import functools

import numpy as np

from .._grid import DEFAULT_WAVELENGTH, resolve_wavelength

__all__ = ["peak_profiles"]

# Thompson-Cox-Hastings coefficients (Thompson, Cox & Hastings 1987, eqs. 3-4).
_TCH_FWHM = (1.0, 2.69269, 2.42843, 4.47163, 0.07842, 1.0)
_TCH_ETA = (1.36603, -0.47719, 0.11116)


def _tch_combine(h_g, h_l):
    """Total FWHM and Lorentzian fraction of a Voigt by Thompson-Cox-Hastings."""
    c = _TCH_FWHM
    h5 = (
        c[0] * h_g**5
        + c[1] * h_g**4 * h_l
        + c[2] * h_g**3 * h_l**2
        + c[3] * h_g**2 * h_l**3
        + c[4] * h_g * h_l**4
        + c[5] * h_l**5
    )
    h = h5**0.2
    rho = np.divide(h_l, h, out=np.zeros_like(h), where=h > 0)
    eta = rho * (_TCH_ETA[0] + rho * (_TCH_ETA[1] + rho * _TCH_ETA[2]))
    return h, np.clip(eta, 0.0, 1.0)


@functools.cache
def _tch_inverse_table(n=4097):
    """Tabulate η(ρ) and H_G/H against ρ = H_L/H for the TCH formulas (H = 1)."""
    rho = np.linspace(0.0, 1.0, n)
    eta = rho * (_TCH_ETA[0] + rho * (_TCH_ETA[1] + rho * _TCH_ETA[2]))
    lo, hi = np.zeros(n), np.ones(n)
    # The TCH quintic is increasing in H_G, so bisection finds the H_G giving H = 1.
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        h, _ = _tch_combine(mid, rho)
        too_wide = h > 1.0
        hi = np.where(too_wide, mid, hi)
        lo = np.where(too_wide, lo, mid)
    return eta, rho, 0.5 * (lo + hi)


def _tch_split(h, eta):
    """Gaussian and Lorentzian FWHMs whose TCH pseudo-Voigt is (h, eta)."""
    eta_table, rho_table, g_table = _tch_inverse_table()
    rho = np.interp(eta, eta_table, rho_table)
    return h * np.interp(rho, rho_table, g_table), h * rho


def peak_profiles(two_theta, params, *, wavelength=DEFAULT_WAVELENGTH):
    """FWHM and Lorentzian fraction of peaks at given angles.

    Parameters
    ----------
    two_theta : array-like of shape (n_peaks,)
        Peak positions in degrees 2θ.
    params : ProfileParameters
        Shape parameters, scalars or one value per peak.
    wavelength : float or str, default=1.54184
        Wavelength in Å (or a name) for the Scherrer term.

    Returns
    -------
    fwhm : ndarray of shape (n_peaks,)
        Full width at half maximum in degrees.
    eta : ndarray of shape (n_peaks,)
        Lorentzian fraction of the pseudo-Voigt, in [0, 1].

    Raises
    ------
    ValueError
        If the Caglioti law gives FWHM² < 0, or a peak has zero width.

    See Also
    --------
    ProfileParameters : The physics of the widths.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.simulation import ProfileParameters, peak_profiles
    >>> p = ProfileParameters(w=0.01, crystallite_size=100.0)
    >>> fwhm, eta = peak_profiles([20.0, 60.0], p)
    >>> fwhm.round(3), eta.round(2)
    (array([0.15 , 0.157]), array([0.62, 0.66]))
    """
    two_theta = np.asarray(two_theta, dtype=np.float64).ravel()
    return _widths(two_theta, params.broadcast(two_theta.size), wavelength)


def _widths(two_theta, params, wavelength):
    """`peak_profiles` on per-peak arrays of the parameter fields."""
    lam = resolve_wavelength(wavelength)
    theta = np.deg2rad(np.asarray(two_theta, dtype=np.float64)) / 2.0
    tan = np.tan(theta)
    h2 = params["u"] * tan**2 + params["v"] * tan + params["w"]
    if np.any(h2 < 0):
        i = int(np.flatnonzero(h2 < 0)[0])
        raise ValueError(
            f"Caglioti coefficients give FWHM² = {h2[i]:.3g} deg² < 0 at "
            f"2θ = {two_theta[i]:.3f}°; choose u, v, w with u tan²θ + v tanθ + w "
            "> 0 over the whole range."
        )
    h_inst = np.sqrt(h2)
    eta_inst = params["eta"]
    # Scherrer (K λ / L cosθ, λ converted Å -> nm) and strain (4 ε tanθ), radians.
    sample = (
        params["scherrer_constant"]
        * (lam / 10.0)
        / (params["crystallite_size"] * np.cos(theta))
        + 4.0 * params["strain"] * tan
    )
    sample = np.rad2deg(sample)
    if not np.any(sample > 0):
        fwhm, eta = h_inst, eta_inst.copy()
    else:
        h_g, h_l = _tch_split(h_inst, eta_inst)
        fwhm, eta = _tch_combine(h_g, h_l + sample)
    if np.any(fwhm <= 0):
        i = int(np.flatnonzero(fwhm <= 0)[0])
        raise ValueError(
            f"Peak at 2θ = {two_theta[i]:.3f}° has zero width; give w > 0 or "
            "some broadening."
        )
    return fwhm, eta
