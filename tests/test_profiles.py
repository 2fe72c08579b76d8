"""Tests of the windowed profile renderer and the profile samplers."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from skxrd import WAVELENGTHS, two_theta_grid
from skxrd.simulation import (
    GaussianWidthSampler,
    ProfileParameters,
    ProfileSampler,
    peak_profiles,
    render_patterns,
)

FINE_GRID = np.arange(30.0, 50.0, 0.001)


def single(params, position=40.0, grid=None, **options):
    """Render one stick of unit intensity, without normalization."""
    return render_patterns(
        [position], [1.0], [0, 1], params, grid=grid, normalize=None, **options
    )[0]


def measured_fwhm(grid, y):
    """FWHM by linear interpolation of the half-maximum crossings."""
    half = y.max() / 2.0
    above = np.flatnonzero(y >= half)
    i, j = above[0], above[-1]
    left = np.interp(half, [y[i - 1], y[i]], [grid[i - 1], grid[i]])
    right = np.interp(half, [y[j + 1], y[j]], [grid[j + 1], grid[j]])
    return right - left


def lorentz_area_kept(k):
    return 2 / np.pi * np.arctan(2 * k) - 4 * k / (np.pi * (1 + 4 * k**2))


@pytest.mark.parametrize("sigma", [0.02, 0.05, 0.12])
def test_gaussian_area_width_and_shape(sigma):
    grid = two_theta_grid()
    y = single(ProfileParameters.gaussian(sigma), position=40.003)
    assert y.sum() * 0.01 == pytest.approx(1.0, rel=1e-4)
    fine = single(ProfileParameters.gaussian(sigma), grid=FINE_GRID)
    assert measured_fwhm(FINE_GRID, fine) == pytest.approx(2.35482 * sigma, rel=0.005)
    expected = np.exp(-0.5 * ((grid - 40.003) / sigma) ** 2) / (
        sigma * np.sqrt(2 * np.pi)
    )
    assert_allclose(y, expected, atol=1e-6 * expected.max())


def test_pseudo_voigt_limits_and_mixture():
    w = 0.08**2
    gauss = single(ProfileParameters(w=w, eta=0.0), grid=FINE_GRID)
    lorentz = single(ProfileParameters(w=w, eta=1.0), grid=FINE_GRID)
    mixed = single(ProfileParameters(w=w, eta=0.3), grid=FINE_GRID)
    assert_allclose(mixed, 0.7 * gauss + 0.3 * lorentz, rtol=1e-5, atol=1e-6)
    assert_allclose(
        gauss,
        single(ProfileParameters.gaussian(0.08 / 2.35482), grid=FINE_GRID),
        rtol=1e-4,
        atol=1e-6,
    )
    gamma = 0.04
    analytic = gamma / (np.pi * ((FINE_GRID - 40.0) ** 2 + gamma**2))
    near = np.abs(FINE_GRID - 40.0) < 0.5
    # Near the centre only the small window-edge offset separates them.
    assert_allclose(lorentz[near], analytic[near], atol=2e-3 * analytic.max())
    assert measured_fwhm(FINE_GRID, lorentz) == pytest.approx(0.08, rel=0.01)
    # The truncated Lorentzian keeps between the areas of a 20 and 24 FWHM window.
    area = lorentz.sum() * 0.001
    assert lorentz_area_kept(20) - 1e-3 < area < lorentz_area_kept(24) + 1e-3
    assert lorentz[0] == 0.0 and lorentz[-1] == 0.0
    assert (lorentz >= 0).all()


def test_lorentz_window_sets_the_tail_length():
    short = single(
        ProfileParameters(w=0.1**2, eta=1.0), grid=FINE_GRID, lorentz_window=5.0
    )
    reach = FINE_GRID[short > 0]
    assert 0.5 <= 40.0 - reach[0] <= 0.61 and 0.5 <= reach[-1] - 40.0 <= 0.61


def test_weak_lorentzian_tails_are_cut_at_the_tolerance():
    params = ProfileParameters(w=0.1**2, eta=1.0)
    cut = render_patterns([20.0, 60.0], [100.0, 1.0], [0, 2], params)[0]
    full = render_patterns(
        [20.0, 60.0], [100.0, 1.0], [0, 2], params, tail_tolerance=0
    )[0]
    grid = two_theta_grid()
    strong, weak = grid < 40, grid >= 40
    # The weak peak's tail reaches 1e-4 of the strong peak's height at
    # x = γ sqrt(100 - 1) ≈ 5 FWHM; the strong one keeps 20-24 FWHM.
    assert 0.5 <= 60.0 - grid[weak & (cut > 0)][0] <= 0.61
    assert 1.9 <= 60.0 - grid[weak & (full > 0)][0]
    assert 2.0 <= 20.0 - grid[strong & (cut > 0)][0] <= 2.41
    assert np.abs(cut - full).max() < 1.5e-4


def test_caglioti_width_at_angle():
    u, v, w = 0.02, -0.01, 0.004
    grid = np.arange(50.0, 70.0, 0.001)
    y = single(ProfileParameters(u=u, v=v, w=w), position=60.0, grid=grid)
    tan = np.tan(np.radians(30.0))
    assert measured_fwhm(grid, y) == pytest.approx(
        np.sqrt(u * tan**2 + v * tan + w), rel=5e-3
    )


def test_scherrer_and_strain_widths_are_lorentzian():
    theta = np.radians(20.0)
    lam_nm = WAVELENGTHS["CuKa"] / 10
    fwhm, eta = peak_profiles([40.0], ProfileParameters(w=0.0, crystallite_size=50.0))
    assert fwhm[0] == pytest.approx(np.degrees(0.9 * lam_nm / (50.0 * np.cos(theta))))
    assert eta[0] == pytest.approx(1.0, abs=1e-4)
    fwhm, _ = peak_profiles([40.0], ProfileParameters(w=0.0, strain=1e-3))
    assert fwhm[0] == pytest.approx(np.degrees(4e-3 * np.tan(theta)))


def test_instrument_profile_unchanged_without_sample_broadening():
    eta = np.array([0.0, 0.25, 0.5, 0.75, 1.0])
    fwhm, out = peak_profiles(np.full(5, 40.0), ProfileParameters(w=0.01, eta=eta))
    assert_allclose(fwhm, 0.1)
    assert_allclose(out, eta, atol=1e-6)


def test_tch_combination_of_gaussian_and_lorentzian():
    # Equal Gaussian and Lorentzian widths: the TCH coefficients sum to
    # 11.67117, so H = 11.67117^(1/5) H_G = 1.63465 H_G, and ρ = 1/1.63465
    # gives η = 1.36603 ρ - 0.47719 ρ² + 0.11116 ρ³ = 0.68254.
    params = ProfileParameters(w=0.0, crystallite_size=100.0)
    h_l, _ = peak_profiles([40.0], params)
    both = ProfileParameters(w=float(h_l[0]) ** 2, crystallite_size=100.0)
    fwhm, eta = peak_profiles([40.0], both)
    assert fwhm[0] / h_l[0] == pytest.approx(1.63465, rel=1e-4)
    assert eta[0] == pytest.approx(0.68254, abs=1e-4)
    # Broadening only widens peaks.
    wider, _ = peak_profiles(
        [20.0, 80.0], ProfileParameters(w=0.005, crystallite_size=200.0)
    )
    narrow, _ = peak_profiles([20.0, 80.0], ProfileParameters(w=0.005))
    assert (wider > narrow).all()


def test_ka_doublet_at_bragg_shifted_angles():
    lam, lam1, lam2 = (WAVELENGTHS[k] for k in ("CuKa", "CuKa1", "CuKa2"))
    s = np.sin(np.radians(20.0))
    expected1 = 2 * np.degrees(np.arcsin(s * lam1 / lam))
    expected2 = 2 * np.degrees(np.arcsin(s * lam2 / lam))
    y = single(ProfileParameters(w=0.02**2, ka2_ratio=0.5), grid=FINE_GRID)
    split = np.argmin(np.abs(FINE_GRID - (expected1 + expected2) / 2))
    first = FINE_GRID[np.argmax(y[:split])]
    second = FINE_GRID[split + np.argmax(y[split:])]
    assert first == pytest.approx(expected1, abs=0.0015)
    assert second == pytest.approx(expected2, abs=0.0015)
    assert y[:split].sum() * 0.001 == pytest.approx(2 / 3, rel=0.01)
    assert y[split:].sum() * 0.001 == pytest.approx(1 / 3, rel=0.01)
    assert y[:split].max() / y[split:].max() == pytest.approx(2.0, rel=0.02)


def test_doublet_of_sticks_at_a_ka1_wavelength_keeps_ka1_in_place():
    y = single(
        ProfileParameters(w=0.02**2, ka2_ratio=0.5), grid=FINE_GRID, wavelength="CuKa1"
    )
    assert FINE_GRID[np.argmax(y)] == pytest.approx(40.0, abs=0.0015)


def test_doublet_needs_known_lines():
    params = ProfileParameters(ka2_ratio=0.5)
    with pytest.raises(ValueError, match="No Kα1/Kα2 pair"):
        single(params, wavelength=1.3)
    y = single(params, wavelength=1.3, ka_lines=(1.299, 1.302))
    assert y.max() > 0


def test_zero_shift_moves_peaks():
    base = single(ProfileParameters.gaussian(0.03))
    moved = single(ProfileParameters(w=(2.35482 * 0.03) ** 2, zero_shift=0.1))
    assert_allclose(moved[10:], base[:-10], rtol=1e-4, atol=1e-7)


def test_sample_displacement_shift():
    s, radius = 0.2, 240.0
    expected = 40.0 - np.degrees(2 * s * np.cos(np.radians(20.0)) / radius)
    y = single(
        ProfileParameters(w=0.02**2, displacement=s, goniometer_radius=radius),
        grid=FINE_GRID,
    )
    centroid = (FINE_GRID * y).sum() / y.sum()
    assert centroid == pytest.approx(expected, abs=1e-4)


def test_batch_equals_patterns_rendered_alone():
    positions = [4.95, 20.0, 89.99, 30.0, 50.0, 95.0]
    intensities = [50.0, 100.0, 30.0, 10.0, 20.0, 5.0]
    offsets = [0, 3, 3, 5, 6]
    params = ProfileParameters(w=[0.01, 0.02, 0.005, 0.01], eta=[0.5, 0.0, 0.2, 0.9])
    batch = render_patterns(positions, intensities, offsets, params)
    for i in range(4):
        alone = render_patterns(
            positions[offsets[i] : offsets[i + 1]],
            intensities[offsets[i] : offsets[i + 1]],
            [0, offsets[i + 1] - offsets[i]],
            ProfileParameters(w=params.w[i], eta=params.eta[i]),
        )[0]
        assert_allclose(batch[i], alone, atol=1e-6)
    assert not batch[1].any()
    assert batch[0].max() == pytest.approx(1.0)
    # A stick just below the grid still shows its tail at 5°.
    assert batch[0][0] > 0.01


def test_large_batch_rows_match_rows_rendered_alone():
    rng = np.random.default_rng(0)
    counts = rng.integers(0, 30, 130)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    positions = rng.uniform(3.0, 92.0, offsets[-1])
    intensities = rng.uniform(0.0, 100.0, offsets[-1])
    params = ProfileSampler(intensity_jitter_range=(0, 0)).sample(130, random_state=1)
    batch = render_patterns(positions, intensities, offsets, params)
    values = params.broadcast(130)
    for i in [0, 63, 64, 127, 128, 129]:
        alone = ProfileParameters(**{name: a[i] for name, a in values.items()})
        rows = slice(offsets[i], offsets[i + 1])
        expected = render_patterns(
            positions[rows], intensities[rows], [0, counts[i]], alone
        )[0]
        assert_allclose(batch[i], expected, atol=1e-6)


def test_peak_at_grid_edge_matches_analytic_profile():
    grid = two_theta_grid()
    y = single(ProfileParameters.gaussian(0.05), position=5.0)
    expected = np.exp(-0.5 * ((grid - 5.0) / 0.05) ** 2) / (0.05 * np.sqrt(2 * np.pi))
    assert_allclose(y, expected, atol=1e-6 * expected.max())


def test_any_even_grid_and_uneven_grid_rejected():
    grid = np.linspace(10.0, 60.0, 1001)
    X = render_patterns([35.0], [1.0], [0, 1], grid=grid)
    assert X.shape == (1, 1001) and grid[X[0].argmax()] == pytest.approx(35.0)
    with pytest.raises(ValueError, match="evenly spaced"):
        render_patterns([35.0], [1.0], [0, 1], grid=grid**1.01)


def test_intensity_jitter_is_seeded_and_unbiased():
    n = 2000
    positions = np.tile([20.0, 40.0], n)
    offsets = np.arange(0, 2 * n + 1, 2)
    params = ProfileParameters(intensity_jitter=0.2)
    a = render_patterns(
        positions, np.ones(2 * n), offsets, params, normalize=None, random_state=1
    )
    b = render_patterns(
        positions, np.ones(2 * n), offsets, params, normalize=None, random_state=1
    )
    assert_allclose(a, b)
    heights = a[:, 1500]
    plain = render_patterns([20.0], [1.0], [0, 1], normalize=None)[0, 1500]
    assert np.mean(heights) == pytest.approx(plain, rel=0.02)
    assert np.std(heights) / plain == pytest.approx(0.2, rel=0.1)


def test_sampler_in_render_patterns_is_reproducible():
    offsets = [0, 2, 4, 6]
    positions = [20.0, 30.0] * 3
    a = render_patterns(positions, [1.0] * 6, offsets, ProfileSampler(), random_state=3)
    b = render_patterns(positions, [1.0] * 6, offsets, ProfileSampler(), random_state=3)
    c = render_patterns(positions, [1.0] * 6, offsets, ProfileSampler(), random_state=4)
    assert_allclose(a, b)
    assert not np.allclose(a, c)
    assert a.dtype == np.float32 and np.allclose(a.max(axis=1), 1.0)


def test_profile_sampler_matches_measured_widths():
    params = ProfileSampler().sample(20000, random_state=0)
    fwhm, eta = peak_profiles(np.full(20000, 30.0), params)
    p10, p50, p90 = np.percentile(fwhm, [10, 50, 90])
    # RRUFF strongest peaks: 0.034 / 0.076 / 0.14 degrees (FACTS.md §8).
    assert 0.025 < p10 < 0.045 and 0.06 < p50 < 0.09 and 0.11 < p90 < 0.17
    assert (params.eta >= 0).all() and (params.eta <= 0.5).all()
    assert set(np.unique(params.ka2_ratio)) == {0.0, 0.5}
    assert np.mean(params.ka2_ratio > 0) == pytest.approx(0.5, abs=0.02)
    # Caglioti widths stay real at every angle.
    peak_profiles(np.full(20000, 89.9), params)


def test_sampler_fixed_and_disabled_effects():
    sampler = ProfileSampler(
        eta_range=(0.3, 0.3),
        strain_range=(0, 0),
        ka2_probability=0,
        crystallite_size_range=(np.inf, np.inf),
    )
    params = sampler.sample(5, random_state=0)
    assert_allclose(params.eta, 0.3)
    assert not params.strain.any() and not params.ka2_ratio.any()
    assert np.isinf(params.crystallite_size).all()


def test_gaussian_width_sampler_range():
    params = GaussianWidthSampler(sigma_range=(0.02, 0.04)).sample(1000, random_state=0)
    sigma = np.sqrt(params.w) / 2.35482
    assert sigma.min() >= 0.02 - 1e-9 and sigma.max() <= 0.04 + 1e-9
    uniform = GaussianWidthSampler(sigma_range=(0.02, 0.04), log_uniform=False)
    sigma_u = np.sqrt(uniform.sample(4000, random_state=0).w) / 2.35482
    assert np.median(sigma_u) == pytest.approx(0.03, abs=0.001)
    assert np.median(sigma) == pytest.approx(np.sqrt(0.02 * 0.04), abs=0.001)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: render_patterns([20.0], [1.0], [0, 2]), "offsets must start at 0"),
        (
            lambda: render_patterns([20.0, 30.0], [1.0, -1.0], [0, 1, 2]),
            "Peak 1 \\(pattern 1\\) has intensity",
        ),
        (
            lambda: render_patterns(
                [20.0], [1.0], [0, 1], ProfileParameters(eta=[1.5])
            ),
            "eta must be in \\[0, 1\\]; pattern 0",
        ),
        (
            lambda: render_patterns(
                [20.0], [1.0], [0, 1], ProfileParameters(w=[0.1, 0.2])
            ),
            "w has 2 values for 1 patterns",
        ),
        (
            lambda: render_patterns(
                [80.0], [1.0], [0, 1], ProfileParameters(v=-1.0, w=0.01)
            ),
            "FWHM² = .* < 0 at 2θ = 80.000",
        ),
        (
            lambda: render_patterns([20.0], [1.0], [0, 1], ProfileParameters(w=0.0)),
            "zero width",
        ),
        (lambda: render_patterns([20.0], [1.0], [0, 1], normalize="area"), "normalize"),
    ],
)
def test_bad_input_names_the_problem(call, message):
    with pytest.raises(ValueError, match=message):
        call()
