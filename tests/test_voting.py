"""XRDVotingClassifier: pooling different classifiers (skxrd.ensemble._voting)."""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.ensemble import VotingClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.naive_bayes import GaussianNB

from skxrd.ensemble import XRDVotingClassifier


def _members():
    return [("lr", LogisticRegression()), ("nb", GaussianNB())]


def test_geometric_pool_is_the_weighted_product(blobs):
    X, y = blobs
    vote = XRDVotingClassifier(_members(), weights=[3, 1]).fit(X, y)
    p_lr = LogisticRegression().fit(X, y).predict_proba(X)
    p_nb = GaussianNB().fit(X, y).predict_proba(X)
    expected = np.maximum(p_lr, 1e-6) ** 0.75 * np.maximum(p_nb, 1e-6) ** 0.25
    expected /= expected.sum(axis=1, keepdims=True)
    assert_allclose(vote.predict_proba(X), expected, rtol=1e-5)


def test_arithmetic_pool_matches_scikit_learn_soft_voting(blobs):
    X, y = blobs
    ours = XRDVotingClassifier(_members(), weights=[2, 1], pooling="arithmetic")
    sklearn_vote = VotingClassifier(_members(), voting="soft", weights=[2, 1])
    assert_allclose(
        ours.fit(X, y).predict_proba(X),
        sklearn_vote.fit(X, y).predict_proba(X),
        rtol=1e-5,
    )


def test_a_frozen_member_is_not_refitted(blobs):
    X, y = blobs
    # A "pretrained" member that knows a class the new data lacks.
    extra = np.vstack([X, X[:10] + 5])
    y_extra = np.concatenate([y, np.full(10, 230)])
    pretrained = LogisticRegression().fit(extra, y_extra)
    coef = pretrained.coef_.copy()
    vote = XRDVotingClassifier(
        [("pretrained", FrozenEstimator(pretrained)), ("nb", GaussianNB())]
    ).fit(X, y)
    assert vote.named_estimators_["pretrained"].estimator is pretrained
    assert_allclose(pretrained.coef_, coef)
    assert vote.classes_.tolist() == [14, 62, 225, 230]
    proba = vote.predict_proba(X)
    assert proba.shape == (120, 4)
    assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)


def test_fixed_classes_reject_option_and_crystal_systems(blobs):
    X, y = blobs
    vote = XRDVotingClassifier(
        _members(), classes=np.arange(1, 231), reject_threshold=0.99
    ).fit(X, y)
    proba = vote.predict_proba(X)
    assert proba.shape == (120, 230)
    pred = vote.predict(X)
    assert set(pred.tolist()) <= {-1, 14, 62, 225}
    assert np.array_equal(pred == -1, proba.max(axis=1) < 0.99)
    systems = vote.predict_crystal_system(X[[0, -1]]).tolist()
    assert systems == ["monoclinic", "cubic"]


def test_temperature_keeps_the_ranking(blobs):
    X, y = blobs
    cold = XRDVotingClassifier(_members()).fit(X, y).predict_proba(X)
    warm = XRDVotingClassifier(_members(), temperature=3.0).fit(X, y).predict_proba(X)
    assert_allclose(cold.argmax(axis=1), warm.argmax(axis=1))
    assert warm.max(axis=1).mean() < cold.max(axis=1).mean()


def test_a_dropped_member_is_left_out(blobs):
    X, y = blobs
    vote = XRDVotingClassifier(
        [("lr", LogisticRegression()), ("nb", "drop")], weights=[1, 5]
    ).fit(X, y)
    alone = LogisticRegression().fit(X, y).predict_proba(X)
    assert list(vote.named_estimators_) == ["lr"]
    # The same up to the 1e-6 floor of the geometric pool.
    assert_allclose(vote.predict_proba(X), alone, atol=2e-6)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (dict(weights=[1, 2, 3]), r"Number of weights \(3\)"),
        (dict(weights=[1, -1]), "non-negative with a positive sum"),
        (dict(classes=[14, 62]), r"Labels \[225\] of the members or of y"),
    ],
)
def test_bad_settings_are_named(blobs, params, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        XRDVotingClassifier(_members(), **params).fit(X, y)


def test_grid_search_over_a_member_parameter_and_pickle(blobs):
    X, y = blobs
    search = GridSearchCV(
        XRDVotingClassifier(_members()),
        {"lr__C": [0.01, 1.0], "weights": [[1, 1], [3, 1]]},
        cv=3,
    ).fit(X, y)
    assert set(search.best_params_) == {"lr__C", "weights"}
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    assert_allclose(restored.predict_proba(X), search.predict_proba(X))


def test_weights_set_after_fitting_take_effect(blobs):
    # The docs tell users to reweigh a fitted pretrained pool this way.
    X, y = blobs
    vote = XRDVotingClassifier(_members(), weights=[1, 1]).fit(X, y)
    vote.set_params(weights=[3, 1])
    refitted = XRDVotingClassifier(_members(), weights=[3, 1]).fit(X, y)
    assert_allclose(vote.predict_proba(X), refitted.predict_proba(X), rtol=1e-6)
