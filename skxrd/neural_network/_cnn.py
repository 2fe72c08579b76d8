"""The convolutional network of Park et al. (Vecsei et al., Fig. 2a)."""

import math
from numbers import Integral, Real

import keras
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import XRDNetworkClassifier, dense_head, draw_seed, layer_values
from ._docstring import fill_doc

__all__ = ["XRDCNNClassifier"]

# Park et al.'s dense heads: 2300 -> 1150 for 230 space groups, 700 -> 70 for
# the 7 crystal systems.
_PARK_HEAD_230 = (2300, 1150)
_PARK_HEAD_7 = (700, 70)


@fill_doc
class XRDCNNClassifier(XRDNetworkClassifier):
    """Convolutional network classifying XRD patterns (Park et al.).

    The defaults are the network of Park et al. [2]_ that Vecsei et al. [1]_
    compare against (their Fig. 2a): three blocks of a 'same'-padded 1-D
    convolution (80 filters; kernels 100, 50, 25; strides 5, 5, 2; ReLU), dropout
    0.3 and average pooling (size 3; strides 2, 3, 3), then Flatten and a dense
    head with dropout 0.5.

    Parameters
    ----------
    filters : tuple of int, default=(80, 80, 80)
        Filters of each convolution.
    kernel_sizes : int or tuple of int, default=(100, 50, 25)
        Kernel length of each convolution, in points.
    strides : int or tuple of int, default=(5, 5, 2)
        Stride of each convolution.
    conv_dropout : float or tuple of float, default=0.3
        Dropout after each convolution.
    pool_sizes : int or tuple of int, default=3
        Average-pooling window after each convolution ('valid' padding);
        1 disables pooling.
    pool_strides : int or tuple of int, default=(2, 3, 3)
        Stride of each pooling.
    hidden_layer_sizes : "auto" or tuple of int, default="auto"
        Dense head.  ``"auto"`` is Park's: (2300, 1150) for more than 7 classes,
        (700, 70) for up to 7 (crystal systems).
    dropout : float or tuple of float, default=0.5
        Dropout after each dense layer of the head.
    input_size : int or None, default=None
        Zero-pad every pattern at its high-angle end to this many points, as
        the paper did to fit Park's 10001-point input; None uses the patterns'
        length.
    %(training_parameters)s

    Attributes
    ----------
    %(network_attributes)s

    See Also
    --------
    XRDDenseClassifier : The paper's dense network.
    skxrd.ensemble.XRDEnsembleClassifier : Average of differently seeded networks.

    Notes
    -----
    With 8500-point patterns the feature maps have 1700, 849, 170, 56, 28 and 9
    points; the flattened 720 features feed the head.  Patterns too short for
    the strides and pools raise a ValueError naming the block that runs out of
    points.  Park's pooling uses keras' default 'valid' padding.

    %(network_notes)s

    References
    ----------
    %(paper_reference)s
    .. [2] W. B. Park et al., "Classification of crystal structure using a
       convolutional neural network", IUCrJ 4, 486 (2017).

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network import XRDCNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((20, 64), dtype=np.float32)
    >>> y = np.repeat([1, 2], 10)
    >>> clf = XRDCNNClassifier(filters=(4,), kernel_sizes=(8,), strides=(2,),
    ...                        pool_sizes=2, pool_strides=(2,), hidden_layer_sizes=(8,),
    ...                        input_size=80, epochs=1, random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    >>> clf.model_.input_shape, clf.model_.layers[2].output.shape  # zero-padded
    ((None, 64), (None, 80, 1))
    """

    _parameter_constraints = {
        **XRDNetworkClassifier._parameter_constraints,
        "filters": ["array-like", Interval(Integral, 1, None, closed="left")],
        "kernel_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "strides": ["array-like", Interval(Integral, 1, None, closed="left")],
        "conv_dropout": ["array-like", Interval(Real, 0, 1, closed="left")],
        "pool_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "pool_strides": ["array-like", Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": [
            StrOptions({"auto"}),
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "dropout": ["array-like", Interval(Real, 0, 1, closed="left")],
        "input_size": [Interval(Integral, 1, None, closed="left"), None],
    }

    def __init__(
        self,
        *,
        filters=(80, 80, 80),
        kernel_sizes=(100, 50, 25),
        strides=(5, 5, 2),
        conv_dropout=0.3,
        pool_sizes=3,
        pool_strides=(2, 3, 3),
        hidden_layer_sizes="auto",
        dropout=0.5,
        input_size=None,
        activation="relu",
        loss="alternating",
        optimizer="adam",
        learning_rate=1e-3,
        epochs=100,
        batch_size=128,
        shuffle=True,
        augmenter=None,
        early_stopping=False,
        validation_fraction=0.1,
        n_iter_no_change=10,
        tol=0.0,
        warm_start=False,
        callbacks=None,
        run_eagerly=False,
        random_state=None,
        verbose=0,
    ):
        self.filters = filters
        self.kernel_sizes = kernel_sizes
        self.strides = strides
        self.conv_dropout = conv_dropout
        self.pool_sizes = pool_sizes
        self.pool_strides = pool_strides
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
        self.input_size = input_size
        self.activation = activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.augmenter = augmenter
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.tol = tol
        self.warm_start = warm_start
        self.callbacks = callbacks
        self.run_eagerly = run_eagerly
        self.random_state = random_state
        self.verbose = verbose

    def _conv_blocks(self):
        """Per-block (filters, kernel, stride, dropout, pool, pool stride)."""
        filters = [int(f) for f in np.atleast_1d(self.filters)]
        n = len(filters)
        return list(
            zip(
                filters,
                layer_values(self.kernel_sizes, n, "kernel_sizes"),
                layer_values(self.strides, n, "strides"),
                layer_values(self.conv_dropout, n, "conv_dropout"),
                layer_values(self.pool_sizes, n, "pool_sizes"),
                layer_values(self.pool_strides, n, "pool_strides"),
                strict=True,
            )
        )

    def _head(self, n_classes):
        if isinstance(self.hidden_layer_sizes, str):
            return _PARK_HEAD_7 if n_classes <= 7 else _PARK_HEAD_230
        return tuple(int(w) for w in np.atleast_1d(self.hidden_layer_sizes))

    def _input_length(self, n_features):
        if self.input_size is None:
            return n_features
        if self.input_size < n_features:
            raise ValueError(
                f"input_size={self.input_size} is shorter than the patterns "
                f"({n_features} points); zero-padding cannot shorten them."
            )
        return self.input_size

    def _check_lengths(self, length, blocks):
        for i, (_, _, stride, _, pool, pool_stride) in enumerate(blocks, start=1):
            length = math.ceil(length / stride)
            length = (length - pool) // pool_stride + 1 if length >= pool else 0
            if length < 1:
                raise ValueError(
                    f"Patterns of {self._input_length(self.n_features_in_)} points "
                    f"are too short for this CNN: no points are left after "
                    f"convolution block {i}. Use smaller strides or pool sizes, or "
                    "zero-pad with input_size."
                )

    def _keras_build_fn(self, meta):
        rng = meta["rng"]
        n_features = meta["n_features_in_"]
        length = self._input_length(n_features)
        blocks = self._conv_blocks()
        self._check_lengths(length, blocks)
        inputs = keras.Input(shape=(n_features,), dtype="float32")
        x = keras.layers.Reshape((n_features, 1))(inputs)
        if length > n_features:
            x = keras.layers.ZeroPadding1D((0, length - n_features))(x)
        for filters, kernel, stride, rate, pool, pool_stride in blocks:
            x = keras.layers.Conv1D(
                filters,
                int(kernel),
                strides=int(stride),
                padding="same",
                activation=self.activation,
                kernel_initializer=keras.initializers.GlorotUniform(
                    seed=draw_seed(rng)
                ),
            )(x)
            if rate > 0:
                x = keras.layers.Dropout(rate, seed=draw_seed(rng))(x)
            if pool > 1 or pool_stride > 1:
                x = keras.layers.AveragePooling1D(int(pool), strides=int(pool_stride))(
                    x
                )
        x = keras.layers.Flatten()(x)
        head = self._head(meta["n_classes_"])
        rates = layer_values(self.dropout, len(head), "dropout")
        outputs = dense_head(x, head, rates, self.activation, meta["n_classes_"], rng)
        return keras.Model(inputs, outputs, name="xrd_cnn")
