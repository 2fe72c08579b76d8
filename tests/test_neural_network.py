"""Tests of the skxrd Keras classifiers (TensorFlow; module-scoped fixtures).

Networks here are tiny (a few units, a few epochs) and run eagerly where graph
tracing would dominate; the paper-sized architectures are built, not trained.
"""

import pickle
import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone, is_classifier
from sklearn.model_selection import GridSearchCV, StratifiedKFold, check_cv

keras = pytest.importorskip("keras")

from skxrd.neural_network import (  # noqa: E402
    XRDCNNClassifier,
    XRDDenseClassifier,
    XRDResNetClassifier,
    _persistence,  # noqa: E402
    quadratic_cost,
    summed_binary_crossentropy,
)

N_POINTS = 120
CLASSES = np.array([2, 14, 225])


def _patterns(n_per_class, rng):
    """Non-negative patterns: one Gaussian peak per class at its own position."""
    positions = {2: 20, 14: 60, 225: 100}
    grid = np.arange(N_POINTS)
    X, y = [], []
    for label, centre in positions.items():
        shift = rng.integers(-3, 4, size=(n_per_class, 1))
        peaks = np.exp(-0.5 * ((grid - centre - shift) / 2.0) ** 2)
        X.append(peaks + 0.05 * rng.random((n_per_class, N_POINTS)))
        y.append(np.full(n_per_class, label))
    return np.vstack(X).astype(np.float32), np.concatenate(y)


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X, y = _patterns(30, rng)
    X_val, y_val = _patterns(10, rng)
    return X, y, X_val, y_val


def _dense(**params):
    settings = dict(
        hidden_layer_sizes=(8,), dropout=0.0, epochs=3, batch_size=16, random_state=0
    )
    settings.update(params)
    return XRDDenseClassifier(**settings)


@pytest.fixture(scope="module")
def fitted_dense(data):
    X, y, _, _ = data
    return _dense(epochs=30).fit(X, y)


class RecordingAugmenter:
    """Adds its random draw to every batch and records what it was called with."""

    def __init__(self):
        self.draws = []
        self.batch_sizes = []

    def augment(self, X, random_state=None):
        draw = float(np.random.default_rng(random_state).random())
        self.draws.append(draw)
        self.batch_sizes.append(X.shape[0])
        return (X + draw).astype(np.float32)


# ---------------------------------------------------------------- contract


def test_is_classifier_and_stratified_cv(data):
    from scikeras.wrappers import KerasClassifier

    _, y, _, _ = data
    for estimator in (XRDDenseClassifier(), XRDCNNClassifier(), KerasClassifier()):
        assert is_classifier(estimator)
    assert isinstance(
        check_cv(3, y, classifier=is_classifier(_dense())), StratifiedKFold
    )


def test_clone_keeps_every_parameter():
    augmenter = RecordingAugmenter()
    stop = keras.callbacks.TerminateOnNaN()
    clf = XRDCNNClassifier(
        filters=(4, 8),
        kernel_sizes=7,
        strides=(2, 1),
        hidden_layer_sizes=(16,),
        input_size=300,
        loss="categorical_crossentropy",
        optimizer="sgd",
        learning_rate=0.01,
        augmenter=augmenter,
        callbacks=[stop],
        random_state=3,
    )
    params, cloned = clf.get_params(), clone(clf).get_params()
    assert params.keys() == cloned.keys()
    for key, value in params.items():
        if key in ("augmenter", "callbacks"):
            assert type(cloned[key]) is type(value)
        else:
            assert cloned[key] == value, key


def test_unknown_parameter_is_refused():
    # scikeras would silently store it as a routed parameter.
    with pytest.raises(ValueError, match="Invalid parameter 'beta_1'"):
        XRDDenseClassifier().set_params(beta_1=0.8)


# ------------------------------------------------------------ architectures


def test_dense_defaults_are_the_paper_network():
    X = np.zeros((230, 8500), dtype=np.float32)
    clf = XRDDenseClassifier().initialize(X, np.arange(1, 231))
    widths = [layer.units for layer in clf.model_.layers if hasattr(layer, "units")]
    rates = [layer.rate for layer in clf.model_.layers if hasattr(layer, "rate")]
    assert widths == [4000, 3000, 1000, 800, 230]
    assert rates == [0.6, 0.5, 0.4, 0.3]
    assert clf.model_.count_params() == 49_993_030  # "about 50 M"
    optimizer = clf.model_.optimizer
    assert float(optimizer.learning_rate) == pytest.approx(1e-3)
    assert (optimizer.beta_1, optimizer.beta_2, optimizer.epsilon) == (0.9, 0.999, 1e-8)


@pytest.mark.parametrize(("n_classes", "head"), [(230, [2300, 1150]), (7, [700, 70])])
def test_cnn_defaults_are_park_network(n_classes, head):
    X = np.zeros((n_classes, 8500), dtype=np.float32)
    clf = XRDCNNClassifier().initialize(X, np.arange(1, n_classes + 1))
    layers = clf.model_.layers
    convs = [layer for layer in layers if isinstance(layer, keras.layers.Conv1D)]
    pools = [
        layer for layer in layers if isinstance(layer, keras.layers.AveragePooling1D)
    ]
    assert [(c.filters, c.kernel_size[0], c.strides[0], c.padding) for c in convs] == [
        (80, 100, 5, "same"),
        (80, 50, 5, "same"),
        (80, 25, 2, "same"),
    ]
    assert [(p.pool_size[0], p.strides[0]) for p in pools] == [(3, 2), (3, 3), (3, 3)]
    lengths = [layer.output.shape[1] for layer in convs + pools]
    assert sorted(lengths, reverse=True) == [1700, 849, 170, 56, 28, 9]
    dense = [layer.units for layer in layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [*head, n_classes]
    assert {
        layer.rate for layer in layers if isinstance(layer, keras.layers.Dropout)
    } == {
        0.3,
        0.5,
    }


def test_cnn_zero_pads_to_input_size(data):
    X, y, _, _ = data
    clf = XRDCNNClassifier(
        filters=(2,),
        kernel_sizes=5,
        strides=2,
        pool_strides=2,
        hidden_layer_sizes=(4,),
        input_size=200,
    ).initialize(X, y)
    padded = clf.model_.get_layer(index=2)
    assert isinstance(padded, keras.layers.ZeroPadding1D)
    assert padded.output.shape[1] == 200
    assert clf.model_.input_shape == (None, N_POINTS)


def test_cnn_refuses_too_short_patterns_and_shrinking(data):
    X, y, _, _ = data
    # 120 points: 24 after conv 1, 11 after pool 1, 3, 1, 1, then none after pool 3.
    with pytest.raises(ValueError, match="too short for this CNN: .* block 3"):
        XRDCNNClassifier(hidden_layer_sizes=(4,)).initialize(X, y)
    with pytest.raises(ValueError, match="input_size=50 is shorter"):
        XRDCNNClassifier(input_size=50).initialize(X, y)


def test_resnet_defaults_are_a_small_residual_network():
    X = np.zeros((230, 8500), dtype=np.float32)
    clf = XRDResNetClassifier().initialize(X, np.arange(1, 231))
    layers = clf.model_.layers
    adds = [layer for layer in layers if isinstance(layer, keras.layers.Add)]
    # Stem to 1700 points, then three stages of stride 4, each one block.
    assert [a.output.shape[1:] for a in adds] == [(425, 48), (107, 96), (27, 128)]
    stem = next(layer for layer in layers if isinstance(layer, keras.layers.Conv1D))
    assert (stem.filters, stem.kernel_size[0], stem.strides[0]) == (32, 50, 5)
    dense = [layer.units for layer in layers if isinstance(layer, keras.layers.Dense)]
    assert dense == [512, 230]
    assert 2.2e6 < clf.model_.count_params() < 2.4e6


def test_resnet_shortcut_adds_the_block_input(data):
    # Same length and filters: the identity shortcut, no 1x1 convolution.
    X, y, _, _ = data
    clf = XRDResNetClassifier(
        filters=(4, 4),
        stem_kernel=3,
        stem_stride=1,
        kernel_size=3,
        stage_strides=1,
        hidden_layer_sizes=(4,),
    ).initialize(X, y)
    convs = [l for l in clf.model_.layers if isinstance(l, keras.layers.Conv1D)]
    assert [c.kernel_size[0] for c in convs] == [3, 3, 3]
    add = next(l for l in clf.model_.layers if isinstance(l, keras.layers.Add))
    inputs = {tensor.name for tensor in add.input}
    stem_out = clf.model_.get_layer(index=4).output  # stem conv, BN, activation
    assert stem_out.name in inputs


def test_resnet_learns_and_survives_the_model_file(data, tmp_path):
    from skxrd.models import load_model, save_model

    X, y, X_val, y_val = data
    clf = XRDResNetClassifier(
        filters=(4, 8),
        stem_kernel=5,
        stem_stride=2,
        kernel_size=3,
        stage_strides=2,
        hidden_layer_sizes=(16,),
        dropout=0.0,
        loss="categorical_crossentropy",
        epochs=30,
        batch_size=16,
        random_state=0,
    ).fit(X, y)
    assert clf.score(X_val, y_val) >= 0.9
    loaded = load_model(save_model(clf, tmp_path / "resnet.skxrd"))
    assert type(loaded) is XRDResNetClassifier
    assert_allclose(loaded.predict_proba(X_val), clf.predict_proba(X_val), atol=1e-6)


def test_resnet_needs_a_stem_and_a_stage(data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="stem and at least one stage"):
        XRDResNetClassifier(filters=(4,)).initialize(X, y)


@pytest.mark.parametrize(
    ("widths", "rates"),
    [((8,), [0.6]), ((8, 8), [0.6, 0.3]), ((8, 8, 8), [0.6, 0.45, 0.3])],
)
def test_auto_dropout_follows_any_depth(data, widths, rates):
    # Setting only the widths must work: "auto" spreads the paper's 0.6 -> 0.3.
    X, y, _, _ = data
    clf = XRDDenseClassifier(hidden_layer_sizes=widths).initialize(X, y)
    built = [layer.rate for layer in clf.model_.layers if hasattr(layer, "rate")]
    assert built == pytest.approx(rates)


def test_per_layer_values_must_match_depth(data):
    X, y, _, _ = data
    with pytest.raises(ValueError, match="dropout has 2 entries but the network has 1"):
        _dense(dropout=(0.1, 0.2)).fit(X, y)


# -------------------------------------------------------------------- loss


def _losses_of(proba, y_index):
    one_hot = np.eye(proba.shape[1])[y_index]
    p = np.clip(proba.astype(np.float64), 1e-7, 1 - 1e-7)
    quadratic = np.sum((proba - one_hot) ** 2, axis=1).mean()
    cross = -np.sum(one_hot * np.log(p) + (1 - one_hot) * np.log(1 - p), axis=1).mean()
    categorical = -np.log(p[np.arange(len(y_index)), y_index]).mean()
    return quadratic, cross, categorical


def test_cost_functions_match_equations():
    y_true = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    y_pred = np.array([[0.2, 0.7, 0.1], [0.5, 0.25, 0.25]])
    assert_allclose(quadratic_cost(y_true, y_pred), [0.04 + 0.09 + 0.01, 0.25 + 0.125])
    expected = -(np.log(0.8) + np.log(0.7) + np.log(0.9))
    assert float(summed_binary_crossentropy(y_true, y_pred)[0]) == pytest.approx(
        expected
    )


@pytest.mark.parametrize(
    ("loss", "expected"),
    [
        ("alternating", ["quadratic", "cross", "quadratic", "cross"]),
        ("quadratic", ["quadratic"] * 4),
        ("binary_crossentropy", ["cross"] * 4),
        ("categorical_crossentropy", ["categorical"] * 4),
    ],
)
def test_training_loss_is_the_chosen_cost_per_epoch(data, loss, expected):
    """With learning rate 0 the network is fixed: each epoch's loss is a known cost."""
    X, y, _, _ = data
    clf = _dense(loss=loss, learning_rate=0.0, epochs=4, run_eagerly=True).fit(X, y)
    costs = dict(
        zip(
            ("quadratic", "cross", "categorical"),
            _losses_of(clf.predict_proba(X), np.searchsorted(clf.classes_, y)),
            strict=True,
        )
    )
    assert_allclose(clf.history_["loss"], [costs[name] for name in expected], rtol=1e-4)
    if loss == "alternating":
        assert costs["quadratic"] != pytest.approx(costs["cross"], rel=0.1)


def test_partial_fit_alternates_loss_per_chunk(data):
    X, y, _, _ = data
    clf = _dense(learning_rate=0.0, run_eagerly=True)
    for _ in range(3):
        clf.partial_fit(X, y, classes=CLASSES)
    quadratic, cross, _ = _losses_of(clf.predict_proba(X), np.searchsorted(CLASSES, y))
    assert_allclose(clf.history_["loss"], [quadratic, cross, quadratic], rtol=1e-4)


# ---------------------------------------------------------- partial_fit


def test_partial_fit_keeps_the_fixed_label_set(data):
    X, y, _, _ = data
    classes = np.arange(1, 231)
    clf = _dense(run_eagerly=True)
    with pytest.raises(ValueError, match="classes must be passed on the first call"):
        clf.partial_fit(X, y)
    first = y == 2
    clf.partial_fit(X[first], y[first], classes=classes)
    clf.partial_fit(X[~first], y[~first])
    assert_array_equal(clf.classes_, classes)
    assert clf.predict_proba(X[:2]).shape == (2, 230)
    assert clf.current_epoch == 2
    with pytest.raises(ValueError, match=r"labels \[0\] that are not among"):
        clf.partial_fit(X[:3], np.zeros(3, dtype=int))


def test_partial_fit_tracks_validation_and_restores_best(data):
    X, y, X_val, y_val = data
    clf = _dense(learning_rate=0.01, run_eagerly=True)
    weights = []
    for chunk in np.array_split(np.random.default_rng(1).permutation(len(y)), 6):
        clf.partial_fit(
            X[chunk], y[chunk], classes=CLASSES, validation_data=(X_val, y_val)
        )
        weights.append(clf.model_.get_weights())
    scores = clf.validation_scores_
    assert len(scores) == 6
    best = int(np.argmax(scores))
    assert clf.best_epoch_ == best
    assert clf.best_validation_score_ == scores[best]
    assert clf.n_iter_no_change_ == 5 - best
    clf.restore_best_weights()
    for restored, kept in zip(clf.model_.get_weights(), weights[best], strict=True):
        assert_array_equal(restored, kept)
    assert np.mean(clf.predict(X_val) == y_val) == pytest.approx(scores[best])


def test_learning_rate_set_between_partial_fit_calls_takes_effect(data):
    X, y, _, _ = data
    clf = _dense(learning_rate=0.05, run_eagerly=True)
    clf.partial_fit(X, y, classes=CLASSES)
    before = clf.model_.get_weights()
    clf.set_params(learning_rate=0.0)
    clf.partial_fit(X, y)
    for old, new in zip(before, clf.model_.get_weights(), strict=True):
        assert_array_equal(old, new)
    clf.set_params(learning_rate=0.05)
    clf.partial_fit(X, y)
    assert not np.array_equal(before[0], clf.model_.get_weights()[0])


def test_restore_best_weights_needs_validation(fitted_dense):
    with pytest.raises(ValueError, match="No best weights to restore"):
        fitted_dense.restore_best_weights()


def test_early_stopping_stops_and_keeps_best(data):
    X, y, _, _ = data
    # Learning rate 0: no epoch improves on the first, so patience 2 stops at 3.
    clf = _dense(
        learning_rate=0.0,
        epochs=50,
        early_stopping=True,
        n_iter_no_change=2,
        run_eagerly=True,
    ).fit(X, y)
    assert len(clf.history_["loss"]) == 3
    assert clf.best_epoch_ == 0
    assert len(clf.validation_scores_) == 3


def test_fit_with_validation_data_ends_on_best_epoch(data):
    X, y, X_val, y_val = data
    clf = _dense(epochs=8, learning_rate=0.05, run_eagerly=True).fit(
        X, y, validation_data=(X_val, y_val)
    )
    best = clf.validation_scores_[clf.best_epoch_]
    assert best == max(clf.validation_scores_)
    assert np.mean(clf.predict(X_val) == y_val) == pytest.approx(best)


def test_warm_start_continues_training(data):
    X, y, _, _ = data
    clf = _dense(epochs=2, warm_start=True, run_eagerly=True).fit(X, y)
    first = clf.model_
    clf.fit(X, y)
    assert clf.model_ is first
    assert len(clf.history_["loss"]) == 4


# ---------------------------------------------------------- augmentation


def test_augmenter_draws_fresh_noise_every_epoch_never_at_predict(data):
    X, y, _, _ = data
    augmenter = RecordingAugmenter()
    clf = _dense(epochs=3, batch_size=30, augmenter=augmenter, run_eagerly=True).fit(
        X, y
    )
    n_batches = 3  # 90 patterns in batches of 30
    calls = len(augmenter.draws)
    # keras may look at up to two batches ahead to learn the batch signature;
    # those repeat the first batches' draws exactly.
    assert 3 * n_batches <= calls <= 3 * n_batches + 2
    assert len(set(augmenter.draws)) == 3 * n_batches
    clf.predict_proba(X)
    clf.predict(X)
    assert len(augmenter.draws) == calls


def test_augmented_training_is_reproducible(data):
    X, y, _, _ = data

    def fit():
        augmenter = RecordingAugmenter()
        clf = _dense(epochs=2, augmenter=augmenter, run_eagerly=True).fit(X, y)
        return clf.predict_proba(X), sorted(augmenter.draws)

    (proba_a, draws_a), (proba_b, draws_b) = fit(), fit()
    assert_array_equal(proba_a, proba_b)
    assert sorted(set(draws_a)) == sorted(set(draws_b))


def test_paper_augmenter_in_fit(data):
    from skxrd.augmentation import XRDAugmenter

    X, y, _, _ = data
    X = X / X.max(axis=1, keepdims=True)
    clf = _dense(epochs=2, augmenter=XRDAugmenter(), run_eagerly=True).fit(X, y)
    assert clf.predict_proba(X).dtype == np.float32


# ------------------------------------------------------- seeds and dtypes


def test_random_state_reproducible_and_unseeded_after_seeded(data):
    from scikeras.wrappers import KerasClassifier

    X, y, _, _ = data
    a = _dense(random_state=7).fit(X, y).predict_proba(X)
    b = _dense(random_state=7).fit(X, y).predict_proba(X)
    c = _dense(random_state=8).fit(X, y).predict_proba(X)
    assert_array_equal(a, b)
    assert not np.allclose(a, c)

    def build(meta):
        return keras.Sequential(
            [
                keras.Input((meta["n_features_in_"],)),
                keras.layers.Dropout(0.2),
                keras.layers.Dense(meta["n_classes_"], activation="softmax"),
            ]
        )

    # scikeras' own seeded fit used to leave op determinism on for the process.
    KerasClassifier(
        build, loss="categorical_crossentropy", random_state=0, verbose=0
    ).fit(X, y)
    KerasClassifier(build, loss="categorical_crossentropy", verbose=0).fit(X, y)
    unseeded = _dense(random_state=None).fit(X, y)
    assert unseeded.predict_proba(X).shape == (len(y), 3)


def test_float64_input_after_float32_fit(fitted_dense, data):
    X, y, _, _ = data
    proba32 = fitted_dense.predict_proba(X)
    proba64 = fitted_dense.predict_proba(X.astype(np.float64))
    assert proba64.dtype == np.float32
    assert_array_equal(proba32, proba64)
    assert np.mean(fitted_dense.predict(X) == y) > 0.9


def test_bad_input_names_the_sample(fitted_dense, data):
    X, _, _, _ = data
    X = X.copy()
    X[4, 7] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity in sample 4"):
        fitted_dense.predict(X)
    with pytest.raises(ValueError, match=f"expecting {N_POINTS} features"):
        fitted_dense.predict(X[:, :10])


def test_crystal_system_proba_sums_space_groups(fitted_dense, data):
    X, _, _, _ = data
    proba = fitted_dense.predict_proba(X)
    systems = fitted_dense.predict_crystal_system_proba(X)
    # classes 2, 14, 225: triclinic, monoclinic, cubic
    assert_allclose(systems[:, [0, 1, 6]], proba, rtol=1e-6)
    assert_allclose(systems.sum(axis=1), 1.0, rtol=1e-5)


# ------------------------------------------------------------ persistence


def _weight_bytes(clf):
    return sum(w.astype(np.float32).nbytes for w in clf.model_.get_weights())


def test_pickle_is_compact_and_exact(data):
    X, y, _, _ = data
    rng = np.random.default_rng(0)
    X_wide = rng.random((60, 2000), dtype=np.float32)
    y_wide = np.repeat(CLASSES, 20)
    clf = _dense(hidden_layer_sizes=(256,), epochs=1, run_eagerly=True).fit(
        X_wide, y_wide
    )
    blob = pickle.dumps(clf)
    assert len(blob) <= 1.15 * _weight_bytes(clf)
    loaded = pickle.loads(blob)
    assert_array_equal(loaded.predict_proba(X_wide), clf.predict_proba(X_wide))
    assert loaded.get_params() == clf.get_params()


def test_warm_start_pickle_keeps_optimizer_and_resumes(data):
    X, y, _, _ = data
    clf = _dense(warm_start=True, run_eagerly=True).fit(X, y)
    blob = pickle.dumps(clf)
    assert len(blob) > 2.5 * _weight_bytes(clf)  # weights + Adam's two moments
    loaded = pickle.loads(blob)
    for mine, theirs in zip(
        loaded.model_.optimizer.variables, clf.model_.optimizer.variables, strict=True
    ):
        assert_array_equal(np.asarray(mine), np.asarray(theirs))
    loaded.partial_fit(X, y)
    assert loaded.current_epoch == clf.current_epoch + 1


def test_pickle_from_incompatible_version_is_refused(fitted_dense, monkeypatch):
    monkeypatch.setattr(_persistence, "STATE_FORMAT", _persistence.STATE_FORMAT + 1)
    blob = pickle.dumps(fitted_dense)
    monkeypatch.undo()
    with pytest.raises(ValueError, match=r"state format 2\), which .* cannot read"):
        pickle.loads(blob)


def test_pickle_from_other_compatible_version_warns(fitted_dense, monkeypatch):
    monkeypatch.setattr(_persistence, "__version__", "0.0.1")
    blob = pickle.dumps(fitted_dense)
    monkeypatch.undo()
    with pytest.warns(UserWarning, match="pickled by skxrd 0.0.1"):
        loaded = pickle.loads(blob)
    assert loaded.n_classes_ == 3


# ---------------------------------------------------------- model search


def test_grid_search_probability_scorers_are_not_nan(data):
    X, y, _, _ = data
    search = GridSearchCV(
        _dense(epochs=2, run_eagerly=True),
        {"hidden_layer_sizes": [(4,), (8,)]},
        scoring=["accuracy", "neg_log_loss"],
        refit="neg_log_loss",
        cv=3,
        error_score="raise",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error", category=UserWarning)
        search.fit(X, y)
    for key in ("mean_test_accuracy", "mean_test_neg_log_loss"):
        assert np.all(np.isfinite(search.cv_results_[key]))
