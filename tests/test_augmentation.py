import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline

from skxrd.augmentation import (
    XRDAugmenter,
    augment_patterns,
    paper_background,
    poisson_noise,
    truncated_normal,
    uniform_noise,
)


@pytest.fixture(scope="module")
def sticks():
    X = np.zeros((6, 8500), dtype=np.float32)
    for i in range(6):
        X[i, 500 + 900 * i] = 1.0
        X[i, 4000] = 0.3
    return X


def test_truncated_normal_moments_and_bounds():
    rng = np.random.default_rng(0)
    T = 0.05
    h = truncated_normal(rng, T / 3, T / 7, 0.0, T, 200_000)
    assert h.min() >= 0 and h.max() <= T
    from scipy.stats import truncnorm

    mu, sd = T / 3, T / 7
    expected = truncnorm((0 - mu) / sd, (T - mu) / sd, loc=mu, scale=sd).mean()
    assert h.mean() == pytest.approx(expected, rel=0.003)
    assert h.std() == pytest.approx(sd, rel=0.05)


def test_uniform_noise_range_and_mean():
    e = uniform_noise((50, 8500), random_state=0)
    assert e.dtype == np.float32
    assert e.min() >= 0.002 and e.max() <= 0.02
    assert e.mean() == pytest.approx(0.011, rel=0.01)


def test_background_budget_and_shapes():
    bg = paper_background(4000, 850, random_state=1)
    assert bg.min() >= 0
    # Step heights ≤ T, polynomial ≤ 3T/2, bump ≤ 3T/5 · 4 e^-2: with budget 0.1
    # shared by the chosen functions, nothing exceeds 0.1 · 1.5.
    assert bg.max() <= 0.15
    # With probability 1/16 no function is chosen: those backgrounds are zero.
    frac_zero = np.mean(~(bg > 0).any(axis=1))
    assert frac_zero == pytest.approx(1 / 16, abs=0.015)


@pytest.mark.parametrize("k", [0, 1, 3])
def test_all_functions_favour_low_angles(k):
    # Force a single function by fixing the random choice: draw many and keep
    # the ones whose shape identifies it.
    bg = paper_background(3000, 1000, probability=1.0, random_state=k)
    # All four chosen: T = 0.025. The bump peaks at θ_rel = 2/n ∈ [0.029, 0.05]
    # and the step up is high at the left edge, so the left part dominates.
    left, right = bg[:, :50].mean(), bg[:, 500:550].mean()
    assert left > right


def test_step_up_as_printed_is_high_at_left():
    from skxrd.augmentation._backgrounds import _step

    theta = np.linspace(0, 1, 101, dtype=np.float32)
    out = np.zeros((1, 101), dtype=np.float32)
    _step(
        out,
        theta,
        np.array([1.0], np.float32),
        np.array([30.0], np.float32),
        np.array([0.1], np.float32),
        up=True,
    )
    assert out[0, 0] > 0.9 and out[0, -1] < 1e-6
    down = np.zeros((1, 101), dtype=np.float32)
    _step(
        down,
        theta,
        np.array([1.0], np.float32),
        np.array([30.0], np.float32),
        np.array([0.9], np.float32),
        up=False,
    )
    assert down[0, 0] < 1e-6 and down[0, -1] > 0.9


def test_augment_is_reproducible_and_relative_to_maximum(sticks):
    a = augment_patterns(sticks, random_state=3)
    b = augment_patterns(sticks, random_state=3)
    np.testing.assert_array_equal(a, b)
    c = augment_patterns(sticks * 1000, random_state=3)
    np.testing.assert_allclose(c / 1000, a, rtol=1e-5, atol=1e-6)
    assert not np.array_equal(a, augment_patterns(sticks, random_state=4))
    # Noise floor from U(0.002, 0.02) everywhere.
    assert (a - sticks).min() >= 0.002 - 1e-7


def test_augment_options(sticks):
    plain = augment_patterns(sticks, noise=None, background=None, random_state=0)
    np.testing.assert_array_equal(plain, sticks)
    renorm = augment_patterns(sticks, renormalize=True, random_state=0)
    np.testing.assert_allclose(renorm.max(axis=1), 1.0)
    with pytest.raises(ValueError, match="noise"):
        augment_patterns(sticks, noise=(0.1, 0.01))


def test_poisson_noise_scales_with_counts():
    x = np.full((2, 50_000), 1.0, dtype=np.float32)
    lo = poisson_noise(x, np.array([100.0, 10_000.0]), random_state=0)
    rel = lo.std(axis=1) / lo.mean(axis=1)
    np.testing.assert_allclose(rel, [0.1, 0.01], rtol=0.05)
    counted = augment_patterns(
        x, noise=None, background=None, counts=(50, 50), random_state=0
    )
    assert counted.std() / counted.mean() == pytest.approx(1 / np.sqrt(50), rel=0.05)


def test_transformer_only_augments_while_fitting(sticks):
    aug = XRDAugmenter(random_state=0)
    Xa = aug.fit_transform(sticks)
    assert Xa.dtype == np.float32 and not np.array_equal(Xa, sticks)
    np.testing.assert_array_equal(aug.transform(sticks), sticks)
    np.testing.assert_array_equal(
        XRDAugmenter(random_state=0).fit_transform(sticks), Xa
    )
    np.testing.assert_array_equal(
        aug.augment(sticks, random_state=5), augment_patterns(sticks, random_state=5)
    )
    rng = np.random.default_rng(0)
    assert not np.array_equal(aug.augment(sticks, rng), aug.augment(sticks, rng))


def test_transformer_in_pipeline_predict_sees_clean_data(sticks):
    X = np.repeat(sticks, 5, axis=0)
    y = np.repeat(np.arange(6) % 2, 5)
    pipe = make_pipeline(XRDAugmenter(random_state=0), LogisticRegression(max_iter=200))
    pipe.fit(X, y)
    clf = pipe[-1]
    np.testing.assert_allclose(pipe.predict_proba(X), clf.predict_proba(X))
    assert clone(pipe[0]).get_params() == pipe[0].get_params()


def test_transformer_bad_input():
    X = np.ones((3, 20))
    X[1, 3] = -2
    with pytest.raises(ValueError, match="sample 1"):
        XRDAugmenter().fit(X)
    with pytest.raises(ValueError, match="background"):
        XRDAugmenter(background="rainbow").fit(np.ones((2, 20)))
    with pytest.raises(ValueError, match="features"):
        XRDAugmenter().fit(np.ones((2, 20))).transform(np.ones((2, 21)))


@pytest.mark.parametrize("lam", [0.5, 3.0, 24.0, 40.0, 400.0])
def test_poisson_noise_counts_are_poisson(lam):
    # One point at the maximum fixes the scale: the others are expected lam counts.
    x = np.full((1, 100_001), lam, dtype=np.float32)
    x[0, 0] = 1000.0
    counts = poisson_noise(x, 1000.0, random_state=1)[0, 1:]
    assert np.allclose(counts, np.rint(counts))
    assert counts.mean() == pytest.approx(lam, rel=0.02, abs=0.01)
    assert counts.var() == pytest.approx(lam, rel=0.03, abs=0.01)
