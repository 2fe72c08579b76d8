import warnings

import numpy as np
import pytest
from sklearn.dummy import DummyClassifier
from sklearn.exceptions import UndefinedMetricWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import top_k_accuracy_score
from sklearn.model_selection import GridSearchCV, KFold, cross_validate
from sklearn.pipeline import make_pipeline

from skxrd.metrics import (
    coverage_score,
    crystal_system_accuracy_score,
    crystal_system_accuracy_scorer,
    crystal_system_proba,
    get_scorer,
    get_scorer_names,
    neg_subgroup_distance_scorer,
    selective_accuracy_score,
    subgroup_distance_score,
    subgroup_distances,
    top_n_accuracy_curve,
    top_n_accuracy_score,
    top_n_scorer,
)
from skxrd.preprocessing import PatternNormalizer

LABELS = np.array([2, 14, 62, 166, 225])


@pytest.fixture(scope="module")
def patterns():
    """A few hundred peak patterns whose peak positions depend on the space group."""
    rng = np.random.default_rng(0)
    groups = np.array([2, 14, 15, 62, 166, 225, 227])
    # 227 and 15 are rare: many folds will not contain them.
    y = rng.choice(groups, size=300, p=[0.2, 0.25, 0.03, 0.2, 0.15, 0.15, 0.02])
    x = np.linspace(0, 1, 400)
    X = np.full((300, 400), 0.01)
    for i, g in enumerate(y):
        for k in range(3):
            centre = ((g * (k + 3)) % 97) / 97 + rng.normal(0, 0.004)
            X[i] += np.exp(-0.5 * ((x - centre) / 0.006) ** 2)
    return X.astype(np.float32), y


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_top_n_matches_sklearn_when_all_classes_present(n):
    rng = np.random.default_rng(n)
    y_score = rng.random((50, 5))
    y_true = rng.choice(LABELS, 50)
    y_true[:5] = LABELS
    assert top_n_accuracy_score(y_true, y_score, n=n, labels=LABELS) == pytest.approx(
        top_k_accuracy_score(y_true, y_score, k=n, labels=LABELS)
    )


def test_top_n_by_hand_and_unknown_class():
    y_score = np.array([[0.1, 0.6, 0.3], [0.5, 0.2, 0.3], [0.2, 0.3, 0.5]])
    labels = [2, 14, 62]
    assert top_n_accuracy_score(
        [14, 62, 225], y_score, n=1, labels=labels
    ) == pytest.approx(1 / 3)
    assert top_n_accuracy_score(
        [14, 62, 225], y_score, n=2, labels=labels
    ) == pytest.approx(2 / 3)
    # 225 has no column: never a hit, even at n = 3.
    assert top_n_accuracy_score(
        [14, 62, 225], y_score, n=3, labels=labels
    ) == pytest.approx(2 / 3)
    np.testing.assert_allclose(
        top_n_accuracy_curve([14, 62, 225], y_score, max_n=3, labels=labels),
        [1 / 3, 2 / 3, 2 / 3],
    )


def test_top_n_ties_count_against():
    assert (
        top_n_accuracy_score([1, 2], np.full((2, 4), 0.25), n=1, labels=[1, 2, 3, 4])
        == 0.0
    )


def test_top_n_column_mismatch_is_explained():
    with pytest.raises(ValueError, match="pass labels="):
        top_n_accuracy_score([1, 2], np.ones((2, 3)) / 3)


def test_subgroup_distances_known_values():
    assert subgroup_distances(
        [1, 2, 14, 225, 14], [230, 225, 62, 166, 14]
    ).tolist() == [4, 3, 1, 1, 0]
    assert subgroup_distance_score([1, 2, 14], [230, -1, 62]) == pytest.approx(2.5)
    with pytest.raises(ValueError, match=r"y_pred\[1\] = 300"):
        subgroup_distances([1, 2], [1, 300])
    with pytest.warns(UndefinedMetricWarning):
        assert np.isnan(subgroup_distance_score([1, 2], [-1, -1]))


def test_rejection_metrics():
    y_true = np.array([14, 14, 62, 2, 225])
    y_pred = np.array([14, -1, 14, -1, 225])
    assert coverage_score(y_true, y_pred) == pytest.approx(0.6)
    assert selective_accuracy_score(y_true, y_pred) == pytest.approx(2 / 3)
    s_true = np.array(["cubic", "triclinic"], dtype=object)
    s_pred = np.array(["cubic", "unclassified"], dtype=object)
    assert coverage_score(s_true, s_pred, reject_label="unclassified") == 0.5
    assert selective_accuracy_score(s_true, s_pred, reject_label="unclassified") == 1.0
    with pytest.warns(UndefinedMetricWarning):
        assert selective_accuracy_score([1, 2], [-1, -1]) == 0.0


def test_crystal_system_metrics():
    assert crystal_system_accuracy_score([14, 225, 62, 166], [11, 229, -1, 194]) == 0.5
    proba = crystal_system_proba([[0.1, 0.2, 0.3, 0.4]], labels=[1, 3, 195, 230])
    np.testing.assert_allclose(proba, [[0.1, 0.2, 0, 0, 0, 0, 0.7]])
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_scorers_align_columns_through_classes(patterns):
    X, y = patterns
    train = y != 227  # the estimator never sees 227
    clf = LogisticRegression(max_iter=300).fit(X[train], y[train])
    proba = clf.predict_proba(X)
    expected = top_n_accuracy_score(y, proba, n=3, labels=clf.classes_)
    assert top_n_scorer(3)(clf, X, y) == pytest.approx(expected)
    assert top_n_scorer(1)(clf, X[~train], y[~train]) == 0.0
    assert -neg_subgroup_distance_scorer(clf, X, y) == pytest.approx(
        subgroup_distance_score(y, clf.predict(X))
    )
    sys_acc = crystal_system_accuracy_scorer(clf, X, y)
    assert 0.0 <= sys_acc <= 1.0


def test_gridsearch_with_skxrd_scorers_has_no_nan(patterns):
    X, y = patterns
    scoring = {
        "top1": top_n_scorer(1),
        "top5": top_n_scorer(5),
        "dist": neg_subgroup_distance_scorer,
        "system": crystal_system_accuracy_scorer,
    }
    pipe = make_pipeline(PatternNormalizer(), LogisticRegression(max_iter=300))
    search = GridSearchCV(
        pipe,
        {"logisticregression__C": [0.1, 10.0]},
        scoring=scoring,
        refit="top1",
        cv=KFold(5, shuffle=True, random_state=0),
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)  # a NaN score would warn
        search.fit(X, y)
    for key in (
        "mean_test_top1",
        "mean_test_top5",
        "mean_test_dist",
        "mean_test_system",
    ):
        assert np.isfinite(search.cv_results_[key]).all(), key
    assert (
        search.cv_results_["mean_test_top5"].max()
        >= search.cv_results_["mean_test_top1"].max()
    )
    assert search.best_score_ > 0.5  # well above chance on these easy patterns


def test_cross_validate_several_scorers_with_dummy(patterns):
    X, y = patterns
    res = cross_validate(
        DummyClassifier(),
        X,
        y,
        cv=3,
        scoring={
            "t2": get_scorer("top_2_accuracy"),
            "cov": get_scorer("coverage"),
            "acc": get_scorer("accuracy"),
        },
    )
    np.testing.assert_allclose(res["test_cov"], 1.0)
    assert np.isfinite(res["test_t2"]).all()


def test_scorer_names():
    names = get_scorer_names()
    assert {f"top_{n}_accuracy" for n in range(1, 11)} <= set(names)
    with pytest.raises(ValueError):
        get_scorer("no_such_scorer")


def test_rejection_curve_and_threshold_for_coverage():
    from skxrd.metrics import rejection_curve, threshold_for_coverage

    rng = np.random.default_rng(0)
    p = rng.dirichlet(np.ones(5), size=400)
    y = LABELS[rng.integers(0, 5, 400)]
    t = threshold_for_coverage(p, 0.5)
    _, acc, cov = rejection_curve(y, p, labels=LABELS, thresholds=[0.0, t, 1.01])
    assert cov[0] == 1.0 and cov[1] == pytest.approx(0.5, abs=0.01) and cov[2] == 0.0
    assert np.isnan(acc[2])
    with pytest.raises(ValueError, match="coverage"):
        threshold_for_coverage(p, 0.0)


def test_temperature_scaling_makes_certainty_a_probability():
    from skxrd.metrics import (
        apply_temperature,
        expected_calibration_error,
        fit_temperature,
    )

    rng = np.random.default_rng(0)
    n, k = 4000, 5
    # An overconfident model: right 60% of the time, certainty about 0.95.
    y = rng.integers(0, k, n)
    guess = np.where(rng.random(n) < 0.6, y, rng.integers(0, k, n))
    proba = np.full((n, k), 0.05 / (k - 1))
    proba[np.arange(n), guess] = 0.95
    labels = np.arange(k)
    t = fit_temperature(y, proba, labels=labels)
    calibrated = apply_temperature(proba, t)
    assert t > 1.5
    assert expected_calibration_error(y, proba, labels=labels) > 0.25
    assert expected_calibration_error(y, calibrated, labels=labels) < 0.03
    np.testing.assert_array_equal(calibrated.argmax(1), proba.argmax(1))
    np.testing.assert_allclose(calibrated.sum(1), 1, rtol=1e-6)
