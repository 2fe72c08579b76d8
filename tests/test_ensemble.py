"""Tests of XRDEnsembleClassifier: averaging, fixed classes, rejection, pipelines.

The ensemble logic is tested with fast scikit-learn members; the end-to-end
tests (a Pipeline of resampler, normalizer, augmenter and an ensemble of dense
networks on simulated patterns; persistence across processes) use TensorFlow
and share module-scoped fixtures.
"""

import pickle
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.model_selection import GridSearchCV

from skxrd.ensemble import XRDEnsembleClassifier
from skxrd.metrics import (
    coverage_score,
    neg_subgroup_distance_scorer,
    threshold_for_coverage,
    top_n_scorer,
)
from skxrd.spacegroups import CRYSTAL_SYSTEMS, crystal_system_index

SPACE_GROUPS = np.arange(1, 231)


def _log_reg_ensemble(**params):
    return XRDEnsembleClassifier(
        LogisticRegression(), n_estimators=3, random_state=0, **params
    )


# ------------------------------------------------------------ fast members


def test_is_classifier_and_default_member():
    from skxrd.neural_network import XRDDenseClassifier

    ensemble = XRDEnsembleClassifier()
    assert is_classifier(ensemble)
    assert ensemble.n_estimators == 10
    templates = ensemble._member_templates()
    assert [type(t) for t in templates] == [XRDDenseClassifier]


def test_members_get_distinct_reproducible_seeds(blobs):
    X, y = blobs
    member = SGDClassifier(loss="log_loss", max_iter=5, tol=None)
    seeds = [
        [
            m.random_state
            for m in XRDEnsembleClassifier(member, n_estimators=4, random_state=1)
            .fit(X, y)
            .estimators_
        ]
        for _ in range(2)
    ]
    assert len(set(seeds[0])) == 4
    assert seeds[0] == seeds[1]


def test_list_of_estimators_makes_a_mixed_ensemble(blobs):
    from sklearn.naive_bayes import GaussianNB

    X, y = blobs
    sgd = SGDClassifier(loss="log_loss", max_iter=5, tol=None)
    mixed = XRDEnsembleClassifier(
        [sgd, GaussianNB()], n_estimators=3, random_state=1
    ).fit(X, y)
    assert [type(m) for m in mixed.estimators_] == [
        SGDClassifier,
        GaussianNB,
        SGDClassifier,
    ]
    mean = np.mean([m.predict_proba(X) for m in mixed.estimators_], axis=0)
    assert_allclose(mixed.predict_proba(X), mean, rtol=1e-5)
    # A one-element list is the single estimator: same seeds, same answers.
    single = XRDEnsembleClassifier(sgd, n_estimators=3, random_state=1).fit(X, y)
    listed = XRDEnsembleClassifier([sgd], n_estimators=3, random_state=1).fit(X, y)
    assert [m.random_state for m in listed.estimators_] == [
        m.random_state for m in single.estimators_
    ]
    assert_allclose(listed.predict_proba(X), single.predict_proba(X))


@pytest.mark.parametrize(
    "estimator, message",
    [
        ([], "empty list"),
        ([LogisticRegression(), "tree"], r"estimator\[1\] \(str\)"),
        ([LogisticRegression()] * 3, "smaller than the 3 estimators"),
    ],
)
def test_bad_estimator_lists_are_refused(blobs, estimator, message):
    X, y = blobs
    with pytest.raises(ValueError, match=message):
        XRDEnsembleClassifier(estimator, n_estimators=2).fit(X, y)


def test_predict_proba_is_the_member_average(blobs):
    X, y = blobs
    ensemble = XRDEnsembleClassifier(
        SGDClassifier(loss="log_loss", max_iter=5, tol=None),
        n_estimators=3,
        random_state=0,
    ).fit(X, y)
    mean = np.mean([m.predict_proba(X) for m in ensemble.estimators_], axis=0)
    assert_allclose(ensemble.predict_proba(X), mean, rtol=1e-5)
    assert ensemble.predict_proba(X).dtype == np.float32
    assert_array_equal(ensemble.predict(X), ensemble.classes_[mean.argmax(axis=1)])


def test_fixed_classes_give_columns_to_absent_classes(blobs):
    X, y = blobs
    ensemble = _log_reg_ensemble(classes=SPACE_GROUPS).fit(X, y)
    proba = ensemble.predict_proba(X)
    assert_array_equal(ensemble.classes_, SPACE_GROUPS)
    assert proba.shape == (len(y), 230)
    absent = ~np.isin(SPACE_GROUPS, [14, 62, 225])
    assert np.all(proba[:, absent] == 0)
    assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
    assert set(ensemble.predict(X)) <= {14, 62, 225}


def test_labels_outside_fixed_classes_are_refused(blobs):
    X, y = blobs
    with pytest.raises(
        ValueError, match=r"Labels \[225\] are not in the fixed classes"
    ):
        _log_reg_ensemble(classes=[14, 62]).fit(X, y)


@pytest.mark.parametrize(
    ("classes", "expected"),
    [
        ([14, 62, 225], -1),
        ([-1, 0, 5], -2),
        ([1.0, 2.0, 3.0], -1.0),
        (["cubic", "monoclinic", "orthorhombic"], "unclassified"),
    ],
)
def test_reject_label_is_never_a_class(blobs, classes, expected):
    X, y = blobs
    y = np.asarray(classes)[np.searchsorted([14, 62, 225], y)]
    ensemble = _log_reg_ensemble(reject_threshold=1.0).fit(X, y)
    assert ensemble.reject_label_ == expected
    assert ensemble.reject_label_ not in ensemble.classes_.tolist()
    # Every certainty of a logistic regression is below 1: all rejected.
    assert np.all(ensemble.predict(X) == expected)
    ensemble.set_params(reject_threshold=None)
    assert np.all(np.isin(ensemble.predict(X), ensemble.classes_))


def test_reject_label_that_is_a_class_is_refused(blobs):
    X, y = blobs
    ensemble = _log_reg_ensemble(reject_threshold=0.5, reject_label=14).fit(X, y)
    with pytest.raises(ValueError, match="reject_label=14 is one of the classes"):
        ensemble.predict(X)


def test_threshold_for_coverage_gives_the_target_coverage(blobs):
    X, y = blobs
    ensemble = _log_reg_ensemble().fit(X, y)
    for coverage in (0.25, 0.5, 0.9):
        threshold = threshold_for_coverage(ensemble.predict_proba(X), coverage)
        y_pred = ensemble.set_params(reject_threshold=threshold).predict(X)
        achieved = coverage_score(y, y_pred)
        assert coverage <= achieved <= coverage + 2 / len(y)
        certainty = ensemble.predict_proba(X).max(axis=1)
        assert_array_equal(y_pred == -1, certainty < threshold)


def test_crystal_system_probabilities_sum_the_space_groups(blobs):
    X, y = blobs
    ensemble = _log_reg_ensemble(classes=SPACE_GROUPS).fit(X, y)
    proba = ensemble.predict_proba(X)
    systems = ensemble.predict_crystal_system_proba(X)
    assert systems.shape == (len(y), 7)
    assert_allclose(systems.sum(axis=1), 1.0, rtol=1e-5)
    for k in range(7):
        assert_allclose(
            systems[:, k], proba[:, crystal_system_index(SPACE_GROUPS) == k].sum(1)
        )
    names = ensemble.predict_crystal_system(X)
    assert_array_equal(names, np.asarray(CRYSTAL_SYSTEMS)[systems.argmax(axis=1)])


def test_crystal_system_probabilities_need_space_groups(blobs):
    X, y = blobs
    ensemble = _log_reg_ensemble().fit(X, np.where(y == 14, 0, y))
    with pytest.raises(ValueError):
        ensemble.predict_crystal_system_proba(X)


def test_partial_fit_needs_and_keeps_the_label_set(blobs):
    X, y = blobs
    member = SGDClassifier(loss="log_loss")
    ensemble = XRDEnsembleClassifier(member, n_estimators=2, random_state=0)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        ensemble.partial_fit(X, y)
    ensemble.partial_fit(X[:10], y[:10], classes=SPACE_GROUPS)
    ensemble.partial_fit(X[10:], y[10:])
    assert ensemble.predict_proba(X).shape == (len(y), 230)
    for est in ensemble.estimators_:
        assert_array_equal(est.classes_, SPACE_GROUPS)
    preset = XRDEnsembleClassifier(member, n_estimators=2, classes=SPACE_GROUPS)
    assert_array_equal(preset.partial_fit(X, y).classes_, SPACE_GROUPS)


def test_partial_fit_hidden_when_members_lack_it():
    assert not hasattr(XRDEnsembleClassifier(LogisticRegression()), "partial_fit")


def _means(ensemble):
    return [m.theta_ for m in ensemble.estimators_]


@pytest.mark.parametrize("method", ["fit", "partial_fit"])
def test_bootstrap_gives_members_their_own_resamples(blobs, method):
    # GaussianNB has no randomness: without bootstrap its members are equal.
    from sklearn.naive_bayes import GaussianNB

    X, y = blobs

    def trained(bootstrap, random_state=0):
        ens = XRDEnsembleClassifier(
            GaussianNB(), n_estimators=3, bootstrap=bootstrap, random_state=random_state
        )
        if method == "fit":
            return ens.fit(X, y)
        for rows in np.array_split(np.random.default_rng(1).permutation(len(y)), 4):
            ens.partial_fit(X[rows], y[rows], classes=SPACE_GROUPS)
        return ens

    plain = _means(trained(False))
    assert_allclose(plain[0], plain[1])
    bagged = _means(trained(True))
    assert not np.allclose(bagged[0], bagged[1])
    assert not np.allclose(bagged[1], bagged[2])
    for a, b in zip(bagged, _means(trained(True)), strict=True):
        assert_allclose(a, b)  # reproducible from random_state
    assert not np.allclose(bagged[0], _means(trained(True, random_state=1))[0])


def test_bootstrap_counts_are_a_resample_or_poisson(blobs):
    member = SGDClassifier(loss="log_loss")
    ens = XRDEnsembleClassifier(member, n_estimators=2, bootstrap=True)
    ens.estimators_ = ens._make_members()
    for counts in ens._member_weights(1000, None, "fit", reset=True):
        assert counts.sum() == 1000  # n draws with replacement
        assert 0.33 < np.mean(counts == 0) < 0.40  # about 1/e left out
    weights = np.full(1000, 2.0)
    for counts in ens._member_weights(1000, weights, "partial_fit", reset=False):
        assert set(np.unique(counts / 2)) <= set(range(20))
        assert 1.8 < counts.mean() < 2.2  # Poisson(1) times the weight 2


def test_bootstrap_needs_members_that_take_sample_weight(blobs):
    from sklearn.neighbors import KNeighborsClassifier

    X, y = blobs
    ens = XRDEnsembleClassifier(KNeighborsClassifier(), n_estimators=2, bootstrap=True)
    with pytest.raises(ValueError, match="member 0 .KNeighborsClassifier. takes no"):
        ens.fit(X, y)


# --------------------------------------------- networks on simulated patterns

keras = pytest.importorskip("keras")

GRID = np.round(np.arange(5.0, 90.0, 0.05), 2)


@pytest.fixture(scope="module")
def simulated():
    """240 simulated patterns of six structures (six space groups, 5 systems)."""
    from pymatgen.core import Lattice, Structure

    from skxrd.simulation import simulate_patterns

    structures = [
        Structure.from_spacegroup(
            "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
        ),
        Structure.from_spacegroup(
            "Pm-3m", Lattice.cubic(4.12), ["Cs", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]]
        ),
        Structure.from_spacegroup(
            "P4_2/mnm",
            Lattice.tetragonal(4.594, 2.959),
            ["Ti", "O"],
            [[0, 0, 0], [0.305, 0.305, 0]],
        ),
        Structure.from_spacegroup(
            "P6_3mc",
            Lattice.hexagonal(3.25, 5.21),
            ["Zn", "O"],
            [[1 / 3, 2 / 3, 0], [1 / 3, 2 / 3, 0.382]],
        ),
        Structure.from_spacegroup(
            "P2_1/c",
            Lattice.monoclinic(5.1, 6.3, 7.2, 101),
            ["Si", "O"],
            [[0.11, 0.23, 0.31], [0.37, 0.08, 0.19]],
        ),
        Structure.from_spacegroup(
            "Pnma",
            Lattice.orthorhombic(5.4, 7.6, 5.5),
            ["Ca", "O"],
            [[0.03, 0.25, 0.99], [0.48, 0.25, 0.08]],
        ),
    ]
    X, y, _ = simulate_patterns(structures * 40, grid=GRID, random_state=0)
    return X, y


def _tiny_dense(**params):
    from skxrd.neural_network import XRDDenseClassifier

    settings = dict(hidden_layer_sizes=(16,), dropout=0.0, epochs=8, batch_size=32)
    settings.update(params)
    return XRDDenseClassifier(**settings)


def _pipeline():
    from sklearn.pipeline import make_pipeline

    from skxrd.augmentation import XRDAugmenter
    from skxrd.preprocessing import PatternNormalizer, XRDResampler

    return make_pipeline(
        XRDResampler(two_theta=GRID, step=0.1),
        PatternNormalizer(),
        XRDAugmenter(random_state=0),
        XRDEnsembleClassifier(
            _tiny_dense(), n_estimators=2, classes=SPACE_GROUPS, random_state=0
        ),
    )


@pytest.fixture(scope="module")
def fitted_pipeline(simulated):
    X, y = simulated
    return _pipeline().fit(X, y)


def test_pipeline_learns_simulated_patterns(fitted_pipeline, simulated):
    X, y = simulated
    assert fitted_pipeline.predict_proba(X).shape == (len(y), 230)
    assert np.mean(fitted_pipeline.predict(X) == y) > 0.8


def test_pipeline_predicts_with_rejection(fitted_pipeline, simulated):
    X, y = simulated
    pipe = pickle.loads(pickle.dumps(fitted_pipeline))
    threshold = threshold_for_coverage(pipe.predict_proba(X), 0.5)
    pipe.set_params(xrdensembleclassifier__reject_threshold=threshold)
    y_pred = pipe.predict(X)
    assert -1 not in pipe.classes_
    assert 0.5 <= np.mean(y_pred != -1) < 1.0
    classified = y_pred != -1
    assert np.mean(y_pred[classified] == y[classified]) >= np.mean(
        fitted_pipeline.predict(X) == y
    )


def test_grid_search_with_skxrd_scorers_has_no_nan(simulated):
    from sklearn.metrics import log_loss, make_scorer

    X, y = simulated
    # scikit-learn's "neg_log_loss" infers the labels from y_true, which fails
    # for 230 fixed columns; the label set has to be given.
    neg_log_loss = make_scorer(
        log_loss,
        response_method="predict_proba",
        greater_is_better=False,
        labels=SPACE_GROUPS,
    )
    scoring = {
        "accuracy": "accuracy",
        "neg_log_loss": neg_log_loss,
        "top_5": top_n_scorer(5),
        "subgroup": neg_subgroup_distance_scorer,
    }
    search = GridSearchCV(
        _pipeline(),
        {"xrdensembleclassifier__estimator__hidden_layer_sizes": [(8,), (16,)]},
        scoring=scoring,
        refit="top_5",
        cv=2,
        error_score="raise",
    ).fit(X, y)
    for name in scoring:
        assert np.all(np.isfinite(search.cv_results_[f"mean_test_{name}"])), name
    assert search.best_estimator_.predict(X[:3]).shape == (3,)


def test_ensemble_of_networks_streams_with_partial_fit(simulated):
    X, y = simulated
    X = X[:, ::10] / X[:, ::10].max(axis=1, keepdims=True)
    ensemble = XRDEnsembleClassifier(
        _tiny_dense(learning_rate=0.0, run_eagerly=True), n_estimators=2, random_state=0
    )
    chunks = np.array_split(np.random.default_rng(0).permutation(len(y)), 3)
    for chunk in chunks:
        ensemble.partial_fit(
            X[chunk], y[chunk], classes=SPACE_GROUPS, validation_data=(X, y)
        )
    for member in ensemble.estimators_:
        assert member.current_epoch == 3
        losses = member.history_["loss"]
        assert losses[0] != pytest.approx(losses[1], rel=0.05)  # eq. 4, then eq. 5
        assert len(member.validation_scores_) == 3
    assert ensemble.restore_best_weights() is ensemble


def test_bagged_networks_weight_the_streamed_patterns(simulated):
    # With a zero step the weights stay put, so the training loss differs
    # only by how each member weights the patterns.
    X, y = simulated
    X = X[:, ::10] / X[:, ::10].max(axis=1, keepdims=True)

    def losses(bootstrap):
        ensemble = XRDEnsembleClassifier(
            _tiny_dense(learning_rate=0.0, epochs=1),
            n_estimators=2,
            bootstrap=bootstrap,
            random_state=0,
        )
        ensemble.partial_fit(X, y, classes=SPACE_GROUPS)
        assert ensemble.predict_proba(X[:2]).shape == (2, 230)
        return [member.history_["loss"][-1] for member in ensemble.estimators_]

    plain, bagged = losses(False), losses(True)
    for a, b in zip(plain, bagged, strict=True):
        assert a != pytest.approx(b, rel=1e-4)


def test_pickle_and_joblib_load_in_a_fresh_process(
    fitted_pipeline, simulated, tmp_path
):
    X, y = simulated
    network = _tiny_dense(random_state=0).fit(X[:, ::10], y)
    ensemble = fitted_pipeline[-1]
    X_net = X[:, ::10]
    X_ens = fitted_pipeline[:-1].transform(X)
    with open(tmp_path / "network.pkl", "wb") as f:
        pickle.dump(network, f)
    joblib.dump(ensemble, tmp_path / "ensemble.joblib")
    with open(tmp_path / "pipeline.pkl", "wb") as f:
        pickle.dump(fitted_pipeline, f)
    np.savez(tmp_path / "inputs.npz", X=X, X_net=X_net, X_ens=X_ens)
    script = textwrap.dedent(
        """
        import pickle, sys
        import joblib, numpy as np
        path = sys.argv[1]
        data = np.load(path + "/inputs.npz")
        with open(path + "/network.pkl", "rb") as f:
            network = pickle.load(f)
        ensemble = joblib.load(path + "/ensemble.joblib")
        with open(path + "/pipeline.pkl", "rb") as f:
            pipeline = pickle.load(f)
        np.savez(
            path + "/outputs.npz",
            network=network.predict_proba(data["X_net"]),
            ensemble=ensemble.predict_proba(data["X_ens"]),
            pipeline=pipeline.predict_proba(data["X"]),
            labels=pipeline.predict(data["X"]),
        )
        """
    )
    subprocess.run(
        [sys.executable, "-c", script, str(tmp_path)], check=True, timeout=300
    )
    outputs = np.load(tmp_path / "outputs.npz")
    assert_array_equal(outputs["network"], network.predict_proba(X_net))
    assert_array_equal(outputs["ensemble"], ensemble.predict_proba(X_ens))
    assert_array_equal(outputs["pipeline"], fitted_pipeline.predict_proba(X))
    assert_array_equal(outputs["labels"], fitted_pipeline.predict(X))


def test_temperature_keeps_the_ranking_and_softens(blobs):
    X, y = blobs
    ensemble = _log_reg_ensemble().fit(X, y)
    sharp = ensemble.predict_proba(X)
    soft = ensemble.set_params(temperature=3.0).predict_proba(X)
    np.testing.assert_array_equal(sharp.argmax(1), soft.argmax(1))
    assert soft.max(1).mean() < sharp.max(1).mean()
    np.testing.assert_allclose(soft.sum(1), 1, rtol=1e-5)
    with pytest.raises(ValueError, match="temperature"):
        ensemble.set_params(temperature=0.0).fit(X, y)
