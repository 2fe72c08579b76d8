import numpy as np
import pytest
from sklearn.pipeline import make_pipeline

from skxrd import convert_two_theta, resolve_wavelength, two_theta_grid
from skxrd.preprocessing import (
    PatternNormalizer,
    XRDResampler,
    normalize_patterns,
    resampling_matrix,
)

# d-spacings (Å) of a made-up phase; the same reflections at two wavelengths.
D_SPACINGS = np.array([3.52, 2.61, 2.05, 1.66, 1.37, 1.21])
HEIGHTS = np.array([1.0, 0.4, 0.7, 0.25, 0.5, 0.3])


def pattern_at(wavelength, two_theta, fwhm_q=0.006):
    """Peaks with a fixed width in sin(θ)/λ, so they are the same on any anode."""
    s = np.sin(np.deg2rad(two_theta) / 2) / wavelength
    out = np.zeros_like(two_theta)
    for d, h in zip(D_SPACINGS, HEIGHTS, strict=False):
        out += h * np.exp(-0.5 * ((s - 1 / (2 * d)) / (fwhm_q / 2.355)) ** 2)
    return out


def test_grid():
    g = two_theta_grid()
    assert g.size == 8500 and g[0] == 5.0 and g[-1] == pytest.approx(89.99)
    with pytest.raises(ValueError, match="stop > start"):
        two_theta_grid(10, 5)


@pytest.mark.parametrize(
    "name, value",
    [
        ("CuKa", 1.54184),
        ("moka", 0.71073),
        ("Co", 1.79026),
        ("Cu Kα1".replace(" ", ""), 1.54056),
    ],
)
def test_wavelength_names(name, value):
    assert resolve_wavelength(name) == pytest.approx(value)


@pytest.mark.parametrize("bad", ["XyKa", "", 0.0, -1.0, float("nan")])
def test_bad_wavelength(bad):
    with pytest.raises(ValueError, match="[Ww]avelength"):
        resolve_wavelength(bad)


def test_bragg_conversion_keeps_d():
    tt_mo = np.array([10.0, 20.0, 30.0])
    tt_cu = convert_two_theta(tt_mo, "MoKa", "CuKa")
    d_mo = 0.71073 / (2 * np.sin(np.deg2rad(tt_mo / 2)))
    d_cu = 1.54184 / (2 * np.sin(np.deg2rad(tt_cu / 2)))
    np.testing.assert_allclose(d_mo, d_cu)
    assert np.isnan(convert_two_theta(60.0, "MoKa", "CuKa"))


def test_mo_and_cu_patterns_resample_to_the_same_cu_grid():
    tt_cu = np.arange(3.0, 100.0, 0.005)
    tt_mo = np.arange(2.0, 45.0, 0.0025)
    x_cu = pattern_at(1.5406, tt_cu)[None, :]
    x_mo = pattern_at(0.7107, tt_mo)[None, :]
    a = XRDResampler(two_theta=tt_cu, wavelength=1.5406).fit_transform(x_cu)
    b = XRDResampler(two_theta=tt_mo, wavelength="MoKa").fit_transform(x_mo)
    assert a.shape == b.shape == (1, 8500)
    assert a.max() > 0.9
    np.testing.assert_allclose(a, b, atol=0.01)
    # And the peaks sit where Bragg's law puts them for Cu Kα.
    grid = two_theta_grid()
    expected = 2 * np.rad2deg(np.arcsin(1.54184 / (2 * D_SPACINGS[0])))
    assert abs(grid[a[0].argmax()] - expected) <= 0.011


def test_ragged_input_per_pattern_axes_and_wavelengths():
    class P:  # the shape of skxrd.io's pattern objects
        def __init__(self, tt, y, wl):
            self.two_theta, self.intensity, self.wavelength = tt, y, wl

    tt1 = np.sort(np.random.default_rng(0).uniform(4, 95, 20000))  # uneven
    tt2 = np.arange(2.0, 45.0, 0.002)
    items = [(tt1, pattern_at(1.54184, tt1)), P(tt2, pattern_at(0.71073, tt2), "MoKa")]
    out = XRDResampler().fit_transform(items)
    assert out.shape == (2, 8500) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], out[1], atol=0.03)


def test_binning_preserves_area_of_sharp_peak():
    tt = np.arange(5.0, 90.0, 0.001)
    y = np.exp(-0.5 * ((tt - 40.0) / 0.004) ** 2)[None, :]
    out = XRDResampler(two_theta=tt).fit_transform(y)
    np.testing.assert_allclose(out.sum() * 0.01, y.sum() * 0.001, rtol=1e-3)


def test_identity_on_standard_grid():
    X = np.random.default_rng(0).random((3, 8500)).astype(np.float32)
    np.testing.assert_allclose(XRDResampler().fit_transform(X), X, rtol=1e-6)
    np.testing.assert_allclose(
        XRDResampler(two_theta=two_theta_grid()).fit_transform(X), X, rtol=1e-6
    )


def test_outside_range_is_zero_and_coverage_warning():
    tt = np.linspace(20, 30, 1001)
    with pytest.warns(UserWarning, match=r"cover only 12% .*20.00–30.00°"):
        out = XRDResampler(two_theta=tt).fit_transform(np.ones((1, 1001)))
    grid = two_theta_grid()
    assert (out[0, grid < 19.99] == 0).all() and (out[0, grid > 30.01] == 0).all()
    assert np.allclose(out[0, (grid > 20.5) & (grid < 29.5)], 1.0)


def test_custom_grid_and_feature_names():
    res = XRDResampler(start=10, stop=80, step=0.05).fit(np.ones((2, 50)))
    names = res.get_feature_names_out()
    assert names.size == 1400 and names[0] == "two_theta_10.00"
    assert res.transform(np.ones((2, 50))).shape == (2, 1400)


@pytest.mark.parametrize(
    "tt, y, match",
    [
        (
            np.array([5.0, 6.0, 6.0, 7.0]),
            np.ones(4),
            r"sample 1 is not strictly increasing",
        ),
        (np.array([5.0, 6.0, 7.0]), np.ones(4), r"sample 1 has 3 values .* 4"),
        (np.array([5.0, np.nan, 7.0, 8.0]), np.ones(4), r"sample 1 contains NaN"),
        (
            np.array([5.0, 6.0, 7.0, 8.0]),
            np.array([1, -1.0, 1, 1]),
            r"Sample 1: Negative",
        ),
        (np.array([5.0, 6.0, 7.0, 8.0]), np.zeros(4), r"Sample 1: .*zero everywhere"),
    ],
)
def test_bad_ragged_input_names_the_sample(tt, y, match):
    good = (np.linspace(5, 90, 100), np.ones(100))
    with pytest.raises(ValueError, match=match):
        XRDResampler().fit_transform([good, (tt, y)])


def test_bad_array_input_names_the_sample():
    X = np.ones((4, 50))
    X[2, 7] = np.inf
    with pytest.raises(ValueError, match="sample 2"):
        XRDResampler().fit(X)
    with pytest.raises(ValueError, match="features"):
        XRDResampler().fit(np.ones((4, 50))).transform(np.ones((4, 51)))
    with pytest.raises(ValueError, match="Unknown wavelength"):
        XRDResampler(wavelength="Kryptonite").fit(np.ones((2, 50)))


def test_resampling_matrix_linear_interpolation():
    W = resampling_matrix(np.array([0.0, 1.0, 2.0]), np.array([0.5, 1.5, 2.5]))
    np.testing.assert_allclose(np.array([0.0, 2.0, 4.0]) @ W.toarray(), [1.0, 3.0, 0.0])


@pytest.mark.parametrize(
    "method, expected",
    [
        ("max", [0.25, 1.0, 0.5]),
        ("area", [1 / 7, 4 / 7, 2 / 7]),
        ("sqrt", [0.5, 1.0, np.sqrt(0.5)]),
    ],
)
def test_normalizer_methods(method, expected):
    X = np.array([[1.0, 4.0, 2.0]])
    np.testing.assert_allclose(
        normalize_patterns(X, method=method)[0], expected, rtol=1e-6
    )
    out = PatternNormalizer(method=method).fit_transform(X)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out[0], expected, rtol=1e-6)


def test_normalizer_rejects_bad_patterns():
    with pytest.raises(ValueError, match="Sample 1 of X is zero everywhere"):
        PatternNormalizer().fit_transform(np.array([[1.0, 2.0], [0.0, 0.0]]))
    with pytest.raises(ValueError, match="sample 0 has minimum -1"):
        normalize_patterns(np.array([[1.0, -1.0]]))
    with pytest.raises(ValueError, match="method"):
        PatternNormalizer(method="l2").fit(np.ones((1, 3)))


def test_pipeline_resample_then_normalize():
    tt = np.linspace(5, 90, 4000)
    X = np.vstack([pattern_at(1.54184, tt) * 1000, pattern_at(1.54184, tt) * 3])
    out = make_pipeline(XRDResampler(two_theta=tt), PatternNormalizer()).fit_transform(
        X
    )
    assert out.dtype == np.float32 and np.allclose(out.max(axis=1), 1.0)
    np.testing.assert_allclose(out[0], out[1], atol=1e-6)
