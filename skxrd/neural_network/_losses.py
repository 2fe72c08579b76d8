"""The paper's cost functions, and the per-epoch alternation between them.

Vecsei et al. train with the quadratic cost (eq. 4) on even epochs and the
"categorical cross entropy" of eq. 5 on odd epochs: the cross-entropy speeds up
convergence, the quadratic cost keeps the output distribution meaningful (with
cross-entropy alone the dense network's output is nearly one-hot even when it
is wrong, which spoils the certainty used by the reject option).

Eq. 5 as printed is the *binary* cross-entropy summed over the output vector,
applied to a softmax output; we implement it as printed, on purpose.
"""

import keras
from keras import ops

__all__ = [
    "LOSSES",
    "AlternatingLoss",
    "LossAlternation",
    "make_loss",
    "quadratic_cost",
    "summed_binary_crossentropy",
]

LOSSES = ("alternating", "quadratic", "binary_crossentropy", "categorical_crossentropy")

# Probabilities are clipped away from 0 and 1 before the logarithms of eq. 5;
# keras' own cross-entropies use the same epsilon.
_EPSILON = 1e-7


def quadratic_cost(y_true, y_pred):
    """Quadratic cost of eq. 4 for each sample: the squared distance to one-hot.

    Parameters
    ----------
    y_true : tensor of shape (n_samples, n_classes)
        One-hot targets.
    y_pred : tensor of shape (n_samples, n_classes)
        Predicted probabilities.

    Returns
    -------
    cost : tensor of shape (n_samples,)
        :math:`|y_x - y^c_x|^2`, summed over the output vector.

    See Also
    --------
    summed_binary_crossentropy : The other half of the paper's alternation.

    Notes
    -----
    Eq. 4 of Vecsei et al. [1]_ is :math:`C = n^{-1} \\sum_x |y_x - y^c_x|^2`;
    keras averages this per-sample cost over the batch.  Unlike keras'
    ``mean_squared_error`` the squares are summed, not averaged, over the
    classes, as printed.

    References
    ----------
    .. [1] J. Vecsei, K. Choo, J. Chang and T. Neupert, Phys. Rev. B 99, 245120
       (2019).

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network import quadratic_cost
    >>> float(quadratic_cost(np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]]))[0])
    0.5
    """
    y_pred = ops.convert_to_tensor(y_pred)
    y_true = ops.cast(y_true, y_pred.dtype)
    return ops.sum(ops.square(y_pred - y_true), axis=-1)


def summed_binary_crossentropy(y_true, y_pred):
    """Cross-entropy of eq. 5 as printed: binary cross-entropy summed over classes.

    Parameters
    ----------
    y_true : tensor of shape (n_samples, n_classes)
        One-hot targets.
    y_pred : tensor of shape (n_samples, n_classes)
        Predicted probabilities.

    Returns
    -------
    cost : tensor of shape (n_samples,)
        :math:`-\\sum_i [y^c_i \\ln y_i + (1 - y^c_i) \\ln(1 - y_i)]`.

    See Also
    --------
    quadratic_cost : The other half of the paper's alternation.

    Notes
    -----
    The paper calls eq. 5 "categorical cross entropy", but the printed formula
    also penalises probability given to wrong classes through
    :math:`\\ln(1 - y_i)`.  Probabilities are clipped to
    :math:`[10^{-7}, 1 - 10^{-7}]` so the logarithms stay finite.  Keras'
    ``binary_crossentropy`` averages over the classes instead of summing.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network import summed_binary_crossentropy
    >>> y_true, y_pred = np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])
    >>> round(float(summed_binary_crossentropy(y_true, y_pred)[0]), 4)  # 2 ln 2
    1.3863
    """
    y_pred = ops.clip(ops.convert_to_tensor(y_pred), _EPSILON, 1.0 - _EPSILON)
    y_true = ops.cast(y_true, y_pred.dtype)
    log_likelihood = y_true * ops.log(y_pred) + (1.0 - y_true) * ops.log(1.0 - y_pred)
    return -ops.sum(log_likelihood, axis=-1)


class AlternatingLoss(keras.losses.Loss):
    """Eq. 4 on even epochs, eq. 5 on odd epochs, switched without recompiling.

    A non-trainable variable ``phase`` selects the cost; the compiled training
    step reads it at every batch, so `LossAlternation` switches costs by
    assigning 0 or 1 at the start of each epoch.  Both costs are evaluated on the
    output vector only, which is negligible next to the network.

    Parameters
    ----------
    name : str, default="alternating_loss"
        Name of the loss.

    Attributes
    ----------
    phase : keras.Variable
        0.0 for the quadratic cost, 1.0 for the cross-entropy.

    See Also
    --------
    LossAlternation : The callback that sets the phase from the epoch number.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network._losses import AlternatingLoss
    >>> loss = AlternatingLoss()
    >>> y_true, y_pred = np.array([[0.0, 1.0]]), np.array([[0.5, 0.5]])
    >>> float(loss(y_true, y_pred))
    0.5
    >>> loss.set_epoch(1)
    >>> round(float(loss(y_true, y_pred)), 4)
    1.3863
    """

    def __init__(self, name="alternating_loss"):
        super().__init__(name=name)
        self.phase = keras.Variable(0.0, trainable=False, dtype="float32", name="phase")

    def set_epoch(self, epoch):
        """Select eq. 4 for an even, eq. 5 for an odd epoch number."""
        self.phase.assign(float(epoch % 2))

    def call(self, y_true, y_pred):
        phase = ops.cast(self.phase, "float32")
        quadratic = quadratic_cost(y_true, y_pred)
        cross = summed_binary_crossentropy(y_true, y_pred)
        return (1.0 - phase) * quadratic + phase * cross

    def get_config(self):
        return {"name": self.name}


class LossAlternation(keras.callbacks.Callback):
    """Set an `AlternatingLoss` from the absolute epoch number.

    ``partial_fit`` trains one epoch per call starting at the epoch count so far,
    so the cost also alternates between chunks of a stream.

    Parameters
    ----------
    loss : AlternatingLoss
        The loss the model was compiled with.

    Examples
    --------
    >>> from skxrd.neural_network._losses import AlternatingLoss, LossAlternation
    >>> loss = AlternatingLoss()
    >>> LossAlternation(loss).on_epoch_begin(3)
    >>> float(loss.phase.numpy())
    1.0
    """

    def __init__(self, loss):
        super().__init__()
        self.loss = loss

    def on_epoch_begin(self, epoch, logs=None):
        self.loss.set_epoch(epoch)


def make_loss(name):
    """Return the keras loss for one of the names in `LOSSES`.

    Parameters
    ----------
    name : {"alternating", "quadratic", "binary_crossentropy", \
            "categorical_crossentropy"}
        ``"alternating"`` is the paper's scheme; ``"quadratic"`` is eq. 4 alone;
        ``"binary_crossentropy"`` is eq. 5 as printed (summed over classes);
        ``"categorical_crossentropy"`` is the usual :math:`-\\ln y_{l_x}`.

    Returns
    -------
    loss : keras.losses.Loss or callable
        A fresh loss object (an `AlternatingLoss` owns its phase variable).

    Examples
    --------
    >>> from skxrd.neural_network._losses import make_loss
    >>> type(make_loss("alternating")).__name__
    'AlternatingLoss'
    """
    if name == "alternating":
        return AlternatingLoss()
    if name == "quadratic":
        return quadratic_cost
    if name == "binary_crossentropy":
        return summed_binary_crossentropy
    if name == "categorical_crossentropy":
        return keras.losses.CategoricalCrossentropy()
    raise ValueError(f"loss must be one of {LOSSES}; got {name!r}.")
