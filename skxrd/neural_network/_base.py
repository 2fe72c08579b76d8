"""The shared base of skxrd's Keras classifiers: scikeras, repaired.

`XRDNetworkClassifier` is built on scikeras' ``BaseWrapper`` (the base of
``KerasClassifier``) and fixes, once for all skxrd networks, what scikeras 0.13
gets wrong with current scikit-learn and TensorFlow:

- **Tags and mixin order.**  ``ClassifierMixin`` sits left of the wrapper, so
  ``is_classifier`` is True, ``cv=5`` stratifies and probability scorers work
  (scikeras' own classes are patched too, see `_compat`).  Subclassing
  ``KerasClassifier`` itself cannot fix the order: it lists ``ClassifierMixin``
  after ``BaseEstimator``, and Python's method resolution forbids putting it
  back in front.
- **Parameters.**  ``__init__`` only stores its explicit arguments;
  ``get_params`` reads them from the signature (scikeras collects whatever
  attributes exist), and ``set_params`` rejects unknown names.
- **Seeding.**  Every layer initializer, dropout layer, shuffle and
  augmentation draw gets a seed derived from ``random_state``; TensorFlow's
  global seed and op-determinism switch are never touched, so an unseeded fit
  after a seeded one works (scikeras' context manager leaves determinism on).
- **float32.**  Inputs are converted to float32 at ``fit`` and ``predict``
  alike, so float64 test data no longer fail with "casting from float64 to
  float32 is not safe".
- **Pickles.**  Weights only, plus the optimizer state when ``warm_start=True``;
  a version stamp refuses pickles from an incompatible skxrd (`_persistence`).

On top of scikeras: the paper's alternating cost (`_losses`), fresh
augmentation every epoch (`_batches`), ``partial_fit`` over a stream with a fixed
label set, and best-weight tracking on a validation set (`_monitor`).
"""

from abc import ABCMeta, abstractmethod
from numbers import Integral, Real

import keras
import numpy as np
from scikeras.wrappers import BaseWrapper
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import _check_partial_fit_first_call
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..metrics import crystal_system_proba
from ..utils._validation import validate_patterns
from ._batches import EpochSync, TrainingBatches
from ._compat import patch_scikeras
from ._docstring import fill_doc
from ._labels import check_labels
from ._losses import LOSSES, AlternatingLoss, LossAlternation, make_loss
from ._monitor import BestWeights, ValidationMonitor, predict_in_chunks
from ._persistence import check_state, pack_network, unpack_network

__all__ = ["XRDNetworkClassifier", "dense_head", "draw_seed", "layer_values"]

patch_scikeras()

_OPTIMIZERS = {"adam", "adamw", "nadam", "rmsprop", "sgd"}

_SEED_LIMIT = np.iinfo(np.int32).max


def draw_seed(rng):
    """Draw a layer seed from a numpy Generator.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of the seed.

    Returns
    -------
    seed : int
        A Python int in [0, 2**31 - 1), as keras initializers and dropout take.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network._base import draw_seed
    >>> isinstance(draw_seed(np.random.default_rng(0)), int)
    True
    """
    return int(rng.integers(_SEED_LIMIT))


def layer_values(value, n_layers, name):
    """Broadcast a scalar hyperparameter to `n_layers` layers, or check its length.

    Parameters
    ----------
    value : scalar or sequence
        One value for all layers, or one per layer.
    n_layers : int
        Number of layers.
    name : str
        Parameter name, for the error message.

    Returns
    -------
    values : list
        `n_layers` values.

    Raises
    ------
    ValueError
        If a sequence has the wrong length.

    Examples
    --------
    >>> from skxrd.neural_network._base import layer_values
    >>> layer_values(0.5, 3, "dropout")
    [0.5, 0.5, 0.5]
    """
    if np.ndim(value) == 0:
        return [value] * n_layers
    values = list(value)
    if len(values) != n_layers:
        raise ValueError(
            f"{name} has {len(values)} entries but the network has {n_layers} "
            f"such layers; give one value per layer or a single value."
        )
    return values


def dense_head(x, widths, rates, activation, n_classes, rng):
    """Dense layers, each followed by dropout where its rate is > 0, and the softmax.

    The head every skxrd network ends in.  Glorot-uniform weights and dropout
    seeds are drawn from ``rng`` in layer order, so a seeded network is
    rebuilt identically.

    Parameters
    ----------
    x : keras tensor
        The features the head reads (flattened).
    widths, rates : sequences of the same length
        Units and dropout rate of each hidden dense layer.
    activation : str
        Keras activation of the hidden layers.
    n_classes : int
        Outputs of the softmax layer.
    rng : numpy.random.Generator
        Source of the seeds (see `draw_seed`).

    Returns
    -------
    outputs : keras tensor
        Class probabilities.
    """
    for width, rate in zip(widths, rates, strict=True):
        x = keras.layers.Dense(
            width,
            activation=activation,
            kernel_initializer=keras.initializers.GlorotUniform(seed=draw_seed(rng)),
        )(x)
        if rate > 0:
            x = keras.layers.Dropout(rate, seed=draw_seed(rng))(x)
    return keras.layers.Dense(
        n_classes,
        activation="softmax",
        kernel_initializer=keras.initializers.GlorotUniform(seed=draw_seed(rng)),
    )(x)


@fill_doc
class XRDNetworkClassifier(ClassifierMixin, BaseWrapper, metaclass=ABCMeta):
    """Base class of the skxrd Keras classifiers; not meant to be used directly.

    Subclasses define ``__init__`` with every hyperparameter explicit and build
    the architecture in ``_keras_build_fn(self, meta)``, reading hyperparameters
    from ``self`` and sizes from ``meta`` (``n_features_in_``, ``n_classes_``,
    and ``rng``, a numpy Generator for layer seeds).  Compilation (optimizer and
    the paper's cost), training, prediction and pickling live here.  The
    shortest way to a new architecture is to subclass `XRDDenseClassifier` and
    override ``_keras_build_fn`` only; the network must end in a softmax over
    ``n_classes_`` outputs.

    The base's ``__init__`` takes no arguments: each subclass's ``__init__``
    takes the training parameters below, besides its architecture's own, and
    stores them as attributes of the same names, which this class validates
    and trains with.  The defaults shown are those of skxrd's networks.

    Parameters
    ----------
    %(training_parameters)s

    Attributes
    ----------
    %(network_attributes)s

    See Also
    --------
    XRDDenseClassifier : The paper's dense network.
    XRDCNNClassifier : The CNN of Park et al.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from skxrd.neural_network import XRDDenseClassifier, XRDNetworkClassifier
    >>> class SoftmaxRegression(XRDDenseClassifier):
    ...     def _keras_build_fn(self, meta):
    ...         inputs = keras.Input((meta["n_features_in_"],))
    ...         softmax = keras.layers.Dense(meta["n_classes_"], activation="softmax")
    ...         return keras.Model(inputs, softmax(inputs))
    >>> X = np.random.default_rng(0).random((6, 20), dtype=np.float32)
    >>> clf = SoftmaxRegression(epochs=1, random_state=0).fit(X, [1, 1, 1, 2, 2, 2])
    >>> clf.model_.count_params(), isinstance(clf, XRDNetworkClassifier)
    (42, True)
    """

    _parameter_constraints = {
        "activation": [str],
        "loss": [StrOptions(set(LOSSES))],
        "optimizer": [StrOptions(_OPTIMIZERS), type],
        "learning_rate": [Interval(Real, 0, None, closed="left")],
        "epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "augmenter": [HasMethods(["augment"]), None],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "warm_start": ["boolean"],
        "callbacks": [list, None],
        "run_eagerly": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    # scikit-learn's signature-based parameters, representation and set_params,
    # instead of scikeras' attribute-collecting ones.
    _get_param_names = BaseEstimator.__dict__["_get_param_names"]
    get_params = BaseEstimator.get_params
    set_params = BaseEstimator.set_params
    __repr__ = BaseEstimator.__repr__

    @abstractmethod
    def __init__(self):
        # Subclasses list every hyperparameter explicitly, scikit-learn style;
        # scikeras' **kwargs constructor is deliberately not inherited.
        pass

    @abstractmethod
    def _keras_build_fn(self, meta):
        """Return the uncompiled keras model for ``meta``'s sizes."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = False
        tags.target_tags.single_output = True
        tags.classifier_tags.multi_label = False
        # A few epochs of a small network do not reach scikit-learn's accuracy bar.
        tags.classifier_tags.poor_score = True
        tags.non_deterministic = False
        return tags

    def __sklearn_is_fitted__(self):
        return hasattr(self, "model_")

    # ------------------------------------------------------------------ fit

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None, validation_data=None):
        """Train the network on patterns `X` with labels `y`.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns (converted to float32).
        y : array-like of shape (n_patterns,)
            Labels, e.g. space-group numbers.
        sample_weight : array-like of shape (n_patterns,), default=None
            Per-pattern weights of the cost; zero-weight patterns are dropped.
        validation_data : tuple (X_val, y_val), default=None
            Scored after every epoch; the best weights are restored at the end.
            Without it, ``early_stopping=True`` holds out ``validation_fraction``.

        Returns
        -------
        self : object
            The fitted classifier.
        """
        warm = self.warm_start and self.__sklearn_is_fitted__()
        X, y = self._validate_training_data(X, y, reset=not warm)
        if warm:
            self._check_known_labels(y, "y")
        else:
            self._start(X, np.unique(y))
        self._train(
            X,
            y,
            sample_weight,
            epochs=self.epochs,
            initial_epoch=self.current_epoch if warm else 0,
            validation_data=validation_data,
            holdout=self.early_stopping,
            patience=self.n_iter_no_change if self.early_stopping else None,
        )
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y, classes=None, sample_weight=None, validation_data=None):
        """Train one epoch on one chunk of a stream; the label set is fixed up front.

        The loss alternates between calls the way it alternates between epochs
        of `fit`.  With `validation_data`, the chunk's result is scored and the
        best weights so far are kept; call `restore_best_weights` when the stream
        ends (or when ``n_iter_no_change_`` says it has stalled).

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            One chunk of patterns.
        y : array-like of shape (n_patterns,)
            Their labels.
        classes : array-like of shape (n_classes,), default=None
            Every label the stream can produce (e.g. ``np.arange(1, 231)``);
            required on the first call, checked on later ones.
        sample_weight : array-like of shape (n_patterns,), default=None
            Per-pattern weights.
        validation_data : tuple (X_val, y_val), default=None
            A fixed validation set, scored after this chunk.

        Returns
        -------
        self : object
            The updated classifier.
        """
        first = _check_partial_fit_first_call(self, classes)
        X, y = self._validate_training_data(X, y, reset=first)
        if first:
            self._start(X, self.classes_)
        self._check_known_labels(y, "y")
        self._train(
            X,
            y,
            sample_weight,
            epochs=1,
            initial_epoch=self.current_epoch,
            validation_data=validation_data,
            holdout=False,
            patience=None,
        )
        return self

    def initialize(self, X, y):
        """Build the network for patterns like `X` and labels `y`, without training.

        For inspecting an architecture or loading weights from elsewhere
        (``clf.model_.set_weights(...)``).

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns; only their length is used.
        y : array-like of shape (n_patterns,)
            Labels; their unique values become ``classes_``.

        Returns
        -------
        self : object
            The classifier, with an untrained ``model_``.
        """
        self._validate_params()
        X, y = self._validate_training_data(X, y, reset=True)
        self._start(X, np.unique(y))
        return self

    def restore_best_weights(self):
        """Put back the weights that scored best on the validation data.

        Returns
        -------
        self : object
            The classifier with its best weights.
        """
        check_is_fitted(self)
        weights = getattr(self, "_best_weights", None)
        if weights is None:
            raise ValueError(
                "No best weights to restore: pass validation_data to fit or "
                "partial_fit, or set early_stopping=True."
            )
        self.model_.set_weights(weights)
        return self

    def _validate_training_data(self, X, y, reset):
        X, y = validate_patterns(
            self,
            X,
            y,
            reset=reset,
            dtype=np.float32,
            accept_sparse=False,
            allow_negative=True,
            allow_all_zero=True,
        )
        check_labels(y)
        return X, y

    def _validate_patterns(self, X):
        return validate_patterns(
            self,
            X,
            reset=False,
            dtype=np.float32,
            accept_sparse=False,
            allow_negative=True,
            allow_all_zero=True,
        )

    def _check_known_labels(self, y, name):
        unknown = np.setdiff1d(np.unique(y), self.classes_)
        if unknown.size:
            raise ValueError(
                f"{name} contains labels {unknown[:10].tolist()} that are not among "
                f"the classes fixed at the first fit ({len(self.classes_)} classes)."
            )

    def _start(self, X, classes):
        """Fix the label set and seed, build and compile a fresh network."""
        self.classes_ = np.asarray(classes)
        self.n_classes_ = len(self.classes_)
        self._seed = int(check_random_state(self.random_state).randint(_SEED_LIMIT))
        self.history_ = {}
        self.validation_scores_ = []
        self.best_validation_score_ = None
        self.best_epoch_ = None
        self.n_iter_no_change_ = 0
        self._best_key = None
        self._best_weights = None
        self.model_ = self._build_keras_model()

    def _build_keras_model(self):
        meta = {
            "n_features_in_": self.n_features_in_,
            "n_classes_": self.n_classes_,
            "rng": np.random.default_rng([self._seed, 0]),
        }
        model = self._keras_build_fn(meta)
        model.compile(
            optimizer=self._make_optimizer(),
            loss=make_loss(self.loss),
            run_eagerly=self.run_eagerly,
        )
        return model

    def _make_optimizer(self):
        if self.optimizer == "adam":
            # The paper's Adam: keras' default epsilon is 1e-7, the paper's 1e-8.
            return keras.optimizers.Adam(
                learning_rate=self.learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8
            )
        if isinstance(self.optimizer, type):
            return self.optimizer(learning_rate=self.learning_rate)
        return keras.optimizers.get(
            {
                "class_name": self.optimizer,
                "config": {"learning_rate": self.learning_rate},
            }
        )

    def _train(
        self,
        X,
        y,
        sample_weight,
        *,
        epochs,
        initial_epoch,
        validation_data,
        holdout,
        patience,
    ):
        y_index = np.searchsorted(self.classes_, y)
        if sample_weight is not None:
            X, y_index, sample_weight = self._validate_sample_weight(
                X, y_index, sample_weight
            )
        if validation_data is None and holdout:
            X, y_index, validation_data = self._hold_out(X, y_index)
        batches = TrainingBatches(
            X,
            y_index,
            self.n_classes_,
            sample_weight,
            batch_size=self.batch_size,
            seed=self._seed,
            shuffle=self.shuffle,
            augmenter=self.augmenter,
            epoch=initial_epoch,
        )
        # The optimizer keeps the step size it was built with; set_params
        # between partial_fit calls (a decay along a stream) must reach it.
        self.model_.optimizer.learning_rate.assign(self.learning_rate)
        callbacks = [EpochSync(batches)]
        if isinstance(self.model_.loss, AlternatingLoss):
            callbacks.append(LossAlternation(self.model_.loss))
        if validation_data is not None:
            monitor = ValidationMonitor(
                *self._validation_arrays(validation_data), tol=self.tol
            )
            callbacks.append(BestWeights(monitor, self, patience))
        try:
            history = self.model_.fit(
                batches,
                epochs=initial_epoch + epochs,
                initial_epoch=initial_epoch,
                callbacks=callbacks + list(self.callbacks or []),
                verbose=self.verbose,
                shuffle=False,
            )
        finally:
            batches.release()
        for key, values in history.history.items():
            self.history_.setdefault(key, []).extend(float(v) for v in values)
        if validation_data is not None and epochs > 1:
            self.restore_best_weights()

    def _hold_out(self, X, y_index):
        counts = np.bincount(y_index)
        stratify = y_index if counts[counts > 0].min() >= 2 else None
        X_train, X_val, y_train, y_val = train_test_split(
            X,
            y_index,
            test_size=self.validation_fraction,
            random_state=self._seed,
            stratify=stratify,
        )
        return X_train, y_train, (X_val, self.classes_[y_val])

    def _validation_arrays(self, validation_data):
        X_val, y_val = validation_data
        X_val = self._validate_patterns(X_val)
        y_val = column_or_1d(y_val)
        self._check_known_labels(y_val, "validation_data's y")
        return X_val, np.searchsorted(self.classes_, y_val)

    @property
    def current_epoch(self):
        """Number of epochs (or ``partial_fit`` calls) trained so far."""
        return len(getattr(self, "history_", {}).get("loss", []))

    # -------------------------------------------------------------- predict

    def predict_proba(self, X):
        """Probability of each class for each pattern (float32).

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns; never augmented.

        Returns
        -------
        proba : ndarray of shape (n_patterns, n_classes), dtype float32
            Softmax outputs, columns in the order of ``classes_``.
        """
        check_is_fitted(self)
        return predict_in_chunks(self.model_, self._validate_patterns(X))

    def predict(self, X):
        """Most probable class of each pattern.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        y : ndarray of shape (n_patterns,)
            Labels from ``classes_``.
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]

    def predict_crystal_system_proba(self, X):
        """Crystal-system probabilities: sums of the space-group probabilities.

        Parameters
        ----------
        X : array-like of shape (n_patterns, n_points)
            Patterns.

        Returns
        -------
        proba : ndarray of shape (n_patterns, 7), dtype float32
            Columns in the order of `skxrd.spacegroups.CRYSTAL_SYSTEMS`.
        """
        proba = self.predict_proba(X)
        return crystal_system_proba(proba, self.classes_).astype(proba.dtype)

    # ---------------------------------------------------------- persistence

    def __getstate__(self):
        return pack_network(self, dict(super().__getstate__()))

    def __setstate__(self, state):
        packed = check_state(state, type(self).__name__)
        super().__setstate__(state)
        unpack_network(self, packed)
