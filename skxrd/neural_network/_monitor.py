"""Validation tracking: keep the best weights of a long run, stop when it stalls.

The training loss alternates between two costs, so its value is not comparable
from one epoch to the next; the validation score here is computed on its own:
accuracy, with ties broken by the lower cross-entropy.  The same tracker serves
``fit`` (through `BestWeights`, once per epoch) and ``partial_fit`` (once per
chunk), so a stream-trained model keeps its best state rather than its last.
"""

import keras
import numpy as np

__all__ = ["BestWeights", "ValidationMonitor", "predict_in_chunks"]

# Rows per forward pass at prediction time: bounds the memory of the CNN's
# first feature maps (rows x 1700 x 80 floats) on full-length patterns.
PREDICT_CHUNK = 256


def predict_in_chunks(model, X, chunk=PREDICT_CHUNK):
    """Run `model` in inference mode on `X`, a chunk of rows at a time.

    Parameters
    ----------
    model : keras.Model
        A built model.
    X : ndarray of shape (n_samples, n_points), dtype float32
        Inputs.
    chunk : int, default=256
        Rows per forward pass.

    Returns
    -------
    y : ndarray of shape (n_samples, n_outputs), dtype float32
        Outputs, in the order of `X`.

    Notes
    -----
    The model is called eagerly rather than through ``Model.predict``: that
    builds a ``tf.data`` pipeline and traces a graph per call, which dominates
    the time for one pattern.

    Examples
    --------
    >>> import keras, numpy as np
    >>> from skxrd.neural_network._monitor import predict_in_chunks
    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> predict_in_chunks(model, np.zeros((5, 3), np.float32), chunk=2).shape
    (5, 2)
    """
    outputs = [
        keras.ops.convert_to_numpy(model(X[start : start + chunk], training=False))
        for start in range(0, X.shape[0], chunk)
    ]
    if not outputs:
        return np.zeros((0, model.output_shape[-1]), dtype=np.float32)
    return np.concatenate(outputs).astype(np.float32, copy=False)


class ValidationMonitor:
    """Score a model on a fixed validation set and remember its best weights.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_points), dtype float32
        Validation patterns.
    y_index : ndarray of shape (n_samples,), dtype int
        Column of each sample's true class in the model output.
    tol : float
        Minimum accuracy gain that counts as an improvement.
    """

    def __init__(self, X, y_index, tol):
        self.X = X
        self.y_index = y_index
        self.tol = tol

    def score(self, model):
        """Return (accuracy, cross-entropy) of `model` on the validation set."""
        proba = predict_in_chunks(model, self.X)
        rows = np.arange(len(self.y_index))
        accuracy = float(np.mean(np.argmax(proba, axis=1) == self.y_index))
        log_loss = float(
            -np.mean(np.log(np.clip(proba[rows, self.y_index], 1e-7, 1.0)))
        )
        return accuracy, log_loss

    def update(self, estimator, epoch):
        """Score the estimator's model; keep its weights if they are the best so far.

        Records on `estimator`: ``validation_scores_`` (accuracy per update),
        ``best_validation_score_``, ``best_epoch_``, ``n_iter_no_change_`` and
        the private best-weight snapshot.

        Returns
        -------
        improved : bool
            Whether this update set a new best.
        """
        accuracy, log_loss = self.score(estimator.model_)
        estimator.validation_scores_.append(accuracy)
        best = getattr(estimator, "_best_key", None)
        key = (accuracy, -log_loss)
        # Accuracy first; an exact tie goes to the lower cross-entropy.
        improved = (
            best is None
            or accuracy > best[0] + self.tol
            or (accuracy == best[0] and key[1] > best[1])
        )
        if improved:
            estimator._best_key = key
            estimator._best_weights = estimator.model_.get_weights()
            estimator.best_validation_score_ = accuracy
            estimator.best_epoch_ = epoch
            estimator.n_iter_no_change_ = 0
        else:
            estimator.n_iter_no_change_ += 1
        return improved


class BestWeights(keras.callbacks.Callback):
    """Keras side of `ValidationMonitor`: score after each epoch, stop when stalled.

    Parameters
    ----------
    monitor : ValidationMonitor
        The validation set and tolerance.
    estimator : skxrd network classifier
        Receives the scores and the best weights.
    patience : int or None
        Stop after this many epochs without improvement; None never stops.
    """

    def __init__(self, monitor, estimator, patience):
        super().__init__()
        self.monitor = monitor
        self.estimator = estimator
        self.patience = patience

    def on_epoch_end(self, epoch, logs=None):
        self.monitor.update(self.estimator, epoch)
        if (
            self.patience is not None
            and self.estimator.n_iter_no_change_ >= self.patience
        ):
            self.model.stop_training = True
