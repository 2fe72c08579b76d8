import itertools

import numpy as np
import pytest

from skxrd import CRYSTAL_SYSTEMS
from skxrd.augmentation import XRDAugmenter
from skxrd.engine import SyntheticPatternSource, space_group_prior
from skxrd.engine._parallel import ordered_bounded_map
from skxrd.simulation import GaussianWidthSampler
from skxrd.spacegroups import crystal_system_index


@pytest.fixture(scope="module")
def two_batches():
    source = SyntheticPatternSource(batch_size=32, random_state=7)
    return list(source.batches(2))


def test_batches_shape_labels_and_normalization(two_batches):
    (X, y), _ = two_batches
    assert X.shape == (32, 8500) and X.dtype == np.float32
    assert np.allclose(X.max(axis=1), 1.0) and X.min() >= 0
    assert y.dtype.kind == "i" and ((y >= 1) & (y <= 230)).all()


def test_stream_is_reproducible_and_batches_differ(two_batches):
    again = list(SyntheticPatternSource(batch_size=32, random_state=7).batches(2))
    for (X1, y1), (X2, y2) in zip(two_batches, again, strict=False):
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)
    (Xa, _), (Xb, _) = two_batches
    # Different crystals: no pattern of the second batch repeats one of the first.
    corr = np.corrcoef(np.vstack([Xa, Xb]))[:32, 32:]
    assert corr.max() < 0.99
    other = next(SyntheticPatternSource(batch_size=32, random_state=8).batches(1))
    assert not np.array_equal(other[0], Xa)


def test_restricted_groups_crystal_system_target_and_prior():
    source = SyntheticPatternSource(
        space_groups=[14, 225], target="crystal_system", batch_size=16, random_state=0
    )
    X, y = source.take(20)
    assert X.shape == (20, 8500)
    assert set(y) <= {"monoclinic", "cubic"}
    assert list(source.classes) == ["monoclinic", "cubic"]
    full = SyntheticPatternSource(target="crystal_system")
    assert list(full.classes) == list(CRYSTAL_SYSTEMS)
    p = space_group_prior()
    assert p.shape == (230,) and p.min() > 0 and p.sum() == pytest.approx(1)
    _, y = SyntheticPatternSource(
        space_groups=[2, 225], class_prior=[0.0, 1.0], batch_size=8, random_state=0
    ).take(8)
    assert (y == 225).all()


def test_space_group_prior_materials_project_systems():
    collections = space_group_prior()
    mp = space_group_prior(systems="materials-project")
    system = crystal_system_index(np.arange(1, 231))
    # pyxtal's table of the Materials Project: 6631 triclinic and 23713
    # monoclinic structures of 88678.
    by_system = np.bincount(system, mp, minlength=7)
    assert by_system[0] == pytest.approx(6631 / 88678, abs=1e-4)
    assert by_system[1] == pytest.approx(23713 / 88678, abs=1e-4)
    assert by_system[0] > 4 * np.bincount(system, collections, minlength=7)[0]
    # Within a system the groups keep the collections' proportions.
    monoclinic = system == 1
    assert mp[monoclinic] / mp[monoclinic].sum() == pytest.approx(
        collections[monoclinic] / collections[monoclinic].sum()
    )
    with pytest.raises(ValueError, match="systems must be"):
        space_group_prior(systems="icsd")


def test_profile_and_augmenter_are_used():
    clean = SyntheticPatternSource(
        batch_size=4, random_state=3, profile=GaussianWidthSampler()
    ).take(4)[0]
    noisy = SyntheticPatternSource(
        batch_size=4,
        random_state=3,
        profile=GaussianWidthSampler(),
        augmenter=XRDAugmenter(counts=(1e3, 1e4)),
    ).take(4)[0]
    # The paper's noise floor U(0.002, 0.02) lifts every point of the noisy ones.
    assert (noisy.min(axis=1) > 0).all() and (clean.min(axis=1) < 1e-3).all()


def test_bad_parameters():
    with pytest.raises(ValueError, match="class_prior"):
        SyntheticPatternSource(space_groups=[1, 2], class_prior=[1.0]).take(1)
    with pytest.raises(ValueError, match="space_groups"):
        SyntheticPatternSource(space_groups=[0, 5]).take(1)
    with pytest.raises(ValueError, match="target"):
        SyntheticPatternSource(target="laue").take(1)


def test_write_to_memory_mapped_files(tmp_path):
    source = SyntheticPatternSource(batch_size=16, random_state=1)
    out = source.write(tmp_path / "ds", 40)
    X = np.load(out / "X.npy", mmap_mode="r")
    y = np.load(out / "y.npy")
    assert X.shape == (40, 8500) and y.shape == (40,)
    X_ref, y_ref = source.take(40)
    np.testing.assert_array_equal(np.asarray(X), X_ref)
    np.testing.assert_array_equal(y, y_ref)


def _square(x):
    return x * x


def test_ordered_bounded_map_does_not_read_ahead():
    pulled = []

    def tasks():
        for i in itertools.count():
            pulled.append(i)
            yield i

    out = ordered_bounded_map(_square, tasks(), n_jobs=1)
    assert [next(out) for _ in range(5)] == [0, 1, 4, 9, 16]
    assert len(pulled) == 5


@pytest.mark.slow
def test_workers_give_the_same_stream():
    one = list(SyntheticPatternSource(batch_size=8, random_state=5).batches(3))
    two = list(
        SyntheticPatternSource(batch_size=8, random_state=5, n_jobs=2).batches(3)
    )
    for (X1, y1), (X2, y2) in zip(one, two, strict=False):
        np.testing.assert_array_equal(X1, X2)
        np.testing.assert_array_equal(y1, y2)
