"""A small 1-D residual network (He et al. 2016) for XRD patterns."""

from numbers import Integral, Real

import keras
import numpy as np
from sklearn.utils._param_validation import Interval

from ._base import XRDNetworkClassifier, dense_head, draw_seed, layer_values
from ._docstring import fill_doc

__all__ = ["XRDResNetClassifier"]


@fill_doc
class XRDResNetClassifier(XRDNetworkClassifier):
    """One-dimensional residual network classifying XRD patterns.

    A modern alternative to the paper's networks: a strided convolution
    (the stem) reads the pattern, then each stage halves (or quarters) the
    length with ``blocks_per_stage`` residual blocks -- two 'same'-padded
    convolutions with batch normalisation whose input is added back to
    their output (a 1×1 convolution where the length or the number of
    filters changes) [3]_ -- and a dense head on the flattened feature map
    keeps where along the pattern each feature was found, which a global
    pooling would lose (peak positions are d-spacings).

    Parameters
    ----------
    filters : tuple of int, default=(32, 48, 96, 128)
        Filters of the stem, then of each stage.
    stem_kernel : int, default=50
        Kernel length of the stem, in points.
    stem_stride : int, default=5
        Stride of the stem.
    kernel_size : int, default=9
        Kernel length of the convolutions in the residual blocks.
    stage_strides : int or tuple of int, default=4
        Stride of the first convolution of each stage.
    blocks_per_stage : int, default=1
        Residual blocks per stage.
    hidden_layer_sizes : tuple of int, default=(512,)
        Dense head.
    dropout : float or tuple of float, default=0.5
        Dropout after each dense layer of the head.
    %(training_parameters)s

    Attributes
    ----------
    %(network_attributes)s

    See Also
    --------
    XRDCNNClassifier : The CNN of Park et al.
    XRDDenseClassifier : The paper's dense network.

    Notes
    -----
    With 8500-point patterns and the defaults the feature maps have 1700,
    425, 107 and 27 points; the flattened 3,456 features feed the head, and
    the network has about 2.3 million weights, as many as the shipped CNN
    member, for about 1.5 times its arithmetic per pattern.

    %(network_notes)s

    References
    ----------
    %(paper_reference)s
    .. [3] K. He, X. Zhang, S. Ren and J. Sun, "Deep residual learning for
       image recognition", CVPR 2016, 770-778.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network import XRDResNetClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((20, 64), dtype=np.float32)
    >>> y = np.repeat([1, 2], 10)
    >>> clf = XRDResNetClassifier(filters=(4, 8), stem_kernel=5, stem_stride=2,
    ...                           kernel_size=3, stage_strides=2,
    ...                           hidden_layer_sizes=(8,), epochs=1,
    ...                           random_state=0).fit(X, y)
    >>> clf.predict_proba(X[:3]).shape
    (3, 2)
    """

    _parameter_constraints = {
        **XRDNetworkClassifier._parameter_constraints,
        "filters": ["array-like"],
        "stem_kernel": [Interval(Integral, 1, None, closed="left")],
        "stem_stride": [Interval(Integral, 1, None, closed="left")],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "stage_strides": ["array-like", Interval(Integral, 1, None, closed="left")],
        "blocks_per_stage": [Interval(Integral, 1, None, closed="left")],
        "hidden_layer_sizes": ["array-like"],
        "dropout": ["array-like", Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        *,
        filters=(32, 48, 96, 128),
        stem_kernel=50,
        stem_stride=5,
        kernel_size=9,
        stage_strides=4,
        blocks_per_stage=1,
        hidden_layer_sizes=(512,),
        dropout=0.5,
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
        self.stem_kernel = stem_kernel
        self.stem_stride = stem_stride
        self.kernel_size = kernel_size
        self.stage_strides = stage_strides
        self.blocks_per_stage = blocks_per_stage
        self.hidden_layer_sizes = hidden_layer_sizes
        self.dropout = dropout
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

    def _stages(self):
        """Stem filters and per-stage (filters, stride)."""
        filters = [int(f) for f in np.atleast_1d(self.filters)]
        if len(filters) < 2 or min(filters) < 1:
            raise ValueError(
                "filters needs positive counts for the stem and at least one "
                f"stage; got {self.filters!r}."
            )
        strides = layer_values(self.stage_strides, len(filters) - 1, "stage_strides")
        return filters[0], list(zip(filters[1:], strides, strict=True))

    def _keras_build_fn(self, meta):
        rng = meta["rng"]

        def conv(x, filters, kernel, stride=1):
            return keras.layers.Conv1D(
                filters,
                int(kernel),
                strides=int(stride),
                padding="same",
                use_bias=False,
                kernel_initializer=keras.initializers.HeNormal(seed=draw_seed(rng)),
            )(x)

        def residual(x, filters, stride):
            y = conv(x, filters, self.kernel_size, stride)
            y = keras.layers.BatchNormalization()(y)
            y = keras.layers.Activation(self.activation)(y)
            y = conv(y, filters, self.kernel_size)
            y = keras.layers.BatchNormalization()(y)
            shortcut = x
            if stride != 1 or x.shape[-1] != filters:
                shortcut = keras.layers.BatchNormalization()(
                    conv(x, filters, 1, stride)
                )
            return keras.layers.Activation(self.activation)(
                keras.layers.Add()([y, shortcut])
            )

        stem, stages = self._stages()
        n_features = meta["n_features_in_"]
        inputs = keras.Input(shape=(n_features,), dtype="float32")
        x = keras.layers.Reshape((n_features, 1))(inputs)
        x = conv(x, stem, self.stem_kernel, self.stem_stride)
        x = keras.layers.BatchNormalization()(x)
        x = keras.layers.Activation(self.activation)(x)
        for filters, stride in stages:
            x = residual(x, filters, stride)
            for _ in range(int(self.blocks_per_stage) - 1):
                x = residual(x, filters, 1)
        x = keras.layers.Flatten()(x)
        head = tuple(int(w) for w in np.atleast_1d(self.hidden_layer_sizes))
        rates = layer_values(self.dropout, len(head), "dropout")
        outputs = dense_head(x, head, rates, self.activation, meta["n_classes_"], rng)
        return keras.Model(inputs, outputs, name="xrd_resnet")
