"""The paper's dense network (Vecsei et al., Fig. 2b)."""

from numbers import Integral, Real

import keras
import numpy as np
from sklearn.utils._param_validation import Interval, StrOptions

from ._base import XRDNetworkClassifier, dense_head, layer_values
from ._docstring import fill_doc

__all__ = ["XRDDenseClassifier"]


@fill_doc
class XRDDenseClassifier(XRDNetworkClassifier):
    """Dense (fully connected) network classifying XRD patterns.

    The defaults are the dense network of Vecsei et al. [1]_ (Fig. 2b):
    8500 inputs -> 4000 (dropout 0.6) -> 3000 (0.5) -> 1000 (0.4) -> 800 (0.3)
    -> one softmax output per class, ReLU, about 50 M weights for 230 classes.
    The input length follows the training patterns.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(4000, 3000, 1000, 800)
        Width of each hidden layer.
    dropout : "auto", float or tuple of float, default="auto"
        Dropout rate after each hidden layer (one value for all, or one per
        layer).  "auto" spaces the rates evenly from 0.6 after the first to
        0.3 after the last hidden layer: the paper's 0.6, 0.5, 0.4, 0.3 for its
        four layers, and a valid setting for any other depth.
    %(training_parameters)s

    Attributes
    ----------
    %(network_attributes)s

    See Also
    --------
    XRDCNNClassifier : The convolutional network of Park et al.
    skxrd.ensemble.XRDEnsembleClassifier : Average of differently seeded networks.

    Notes
    -----
    Fig. 2 of the paper is not in its text; the widths and dropouts above come
    from a public benchmark that reproduces it (input exactly 8500 points) and
    are parameters, so they can be tuned.

    %(network_notes)s

    References
    ----------
    %(paper_reference)s

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network import XRDDenseClassifier
    >>> rng = np.random.default_rng(0)
    >>> X = rng.random((40, 50), dtype=np.float32)
    >>> y = np.repeat([14, 225], 20)
    >>> X[y == 225, :10] += 2.0
    >>> clf = XRDDenseClassifier(hidden_layer_sizes=(16,), dropout=0.0, epochs=20,
    ...                          batch_size=8, random_state=0).fit(X, y)
    >>> clf.predict(X[[0, -1]]).tolist()
    [14, 225]
    >>> clf.predict_proba(X[:2]).dtype
    dtype('float32')
    """

    _parameter_constraints = {
        **XRDNetworkClassifier._parameter_constraints,
        "hidden_layer_sizes": [
            "array-like",
            Interval(Integral, 1, None, closed="left"),
        ],
        "dropout": [
            StrOptions({"auto"}),
            "array-like",
            Interval(Real, 0, 1, closed="left"),
        ],
    }

    def __init__(
        self,
        *,
        hidden_layer_sizes=(4000, 3000, 1000, 800),
        dropout="auto",
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

    def _keras_build_fn(self, meta):
        rng = meta["rng"]
        widths = [int(w) for w in np.atleast_1d(self.hidden_layer_sizes)]
        if isinstance(self.dropout, str):
            rates = np.linspace(0.6, 0.3, len(widths)).round(6).tolist()
        else:
            rates = layer_values(self.dropout, len(widths), "dropout")
        inputs = keras.Input(shape=(meta["n_features_in_"],), dtype="float32")
        x = inputs
        outputs = dense_head(x, widths, rates, self.activation, meta["n_classes_"], rng)
        return keras.Model(inputs, outputs, name="xrd_dense")
