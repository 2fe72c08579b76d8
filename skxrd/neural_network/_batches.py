"""Training batches: seeded shuffling and fresh augmentation for every epoch.

Keras runs a `keras.utils.PyDataset` through ``tf.data`` with prefetching, so
the next batch is gathered and augmented in a background thread while the
current one trains; on-the-fly augmentation then costs little more than
training on pre-augmented arrays.  Every batch is a pure function of
(seed, epoch, batch index): results do not depend on thread timing, and keras'
look-ahead calls to infer the batch signature change nothing.
"""

import math

import keras
import numpy as np

__all__ = ["EpochSync", "TrainingBatches"]


class TrainingBatches(keras.utils.PyDataset):
    """Shuffled, optionally augmented mini-batches of one training set.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_points), dtype float32
        Clean patterns.
    y_index : ndarray of shape (n_samples,), dtype int
        Output column of each sample's class.
    n_classes : int
        Number of outputs; batches carry one-hot float32 targets.
    sample_weight : ndarray of shape (n_samples,) or None
        Weights, returned as a third element of each batch when given.
    batch_size : int
        Patterns per batch (the last batch may be smaller).
    seed : int
        Root of every permutation and augmentation draw.
    shuffle : bool, default=True
        Draw a new order of the patterns for every epoch.
    augmenter : object with ``augment(X, random_state)`` or None, default=None
        Applied to every batch, with a generator seeded from
        (seed, epoch, batch index), so each epoch sees fresh noise.
    epoch : int, default=0
        Epoch whose batches are served first.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.neural_network._batches import TrainingBatches
    >>> X, y_index = np.zeros((5, 3), np.float32), np.array([0, 1, 2, 0, 1])
    >>> batches = TrainingBatches(X, y_index, 3, batch_size=2, seed=0)
    >>> len(batches), batches[2][0].shape, batches[2][1].shape
    (3, (1, 3), (1, 3))
    """

    def __init__(
        self,
        X,
        y_index,
        n_classes,
        sample_weight=None,
        *,
        batch_size,
        seed,
        shuffle=True,
        augmenter=None,
        epoch=0,
    ):
        super().__init__()
        self.X = X
        self.y_index = y_index
        # One-hot rows are looked up per batch rather than stored for all samples.
        self._one_hot = np.eye(n_classes, dtype=np.float32)
        self.sample_weight = sample_weight
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.augmenter = augmenter
        self.set_epoch(epoch)

    def set_epoch(self, epoch):
        """Serve the batches of `epoch`: its order and its augmentation draws."""
        self.epoch = epoch
        n = self.X.shape[0]
        if self.shuffle:
            self._order = np.random.default_rng([self.seed, epoch]).permutation(n)
        else:
            self._order = np.arange(n)

    def release(self):
        """Drop the references to the training arrays.

        TensorFlow's ``from_generator`` registry keeps the keras adapter, and
        with it this object, alive after ``fit``; without this, every fit would
        keep its training set in memory for the life of the process.
        """
        self.X = self.y_index = self.sample_weight = self.augmenter = None

    def __len__(self):
        return math.ceil(self.X.shape[0] / self.batch_size)

    def __getitem__(self, index):
        rows = self._order[index * self.batch_size : (index + 1) * self.batch_size]
        rows = np.sort(
            rows
        )  # ascending rows gather faster; order within a batch is moot
        X = self.X[rows]
        if self.augmenter is not None:
            rng = np.random.default_rng([self.seed, self.epoch, index, 1])
            X = np.asarray(
                self.augmenter.augment(X, random_state=rng), dtype=np.float32
            )
        Y = self._one_hot[self.y_index[rows]]
        if self.sample_weight is None:
            return X, Y
        return X, Y, self.sample_weight[rows]


class EpochSync(keras.callbacks.Callback):
    """Tell a `TrainingBatches` which epoch keras is starting.

    Keras calls callbacks' ``on_epoch_begin`` before it creates the epoch's
    data iterator, so prefetching never mixes two epochs' draws.

    Parameters
    ----------
    batches : TrainingBatches
        The dataset being trained on.
    """

    def __init__(self, batches):
        super().__init__()
        self.batches = batches

    def on_epoch_begin(self, epoch, logs=None):
        self.batches.set_epoch(epoch)
