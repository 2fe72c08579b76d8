"""Serve training batches without waiting for the stream: data echoing."""

import queue
import threading
from collections import deque

import numpy as np

from ..utils._random import check_generator

__all__ = ["BatchReplay"]


class BatchReplay:
    """Serve batches from a stream at once, echoing recent ones while it catches up.

    On a machine where the network consumes patterns faster than the engine
    makes them, waiting for fresh data idles the training.  `BatchReplay`
    pulls the stream in a background thread; each time a batch is asked for
    it serves the newest unserved fresh batch if there is one, and otherwise
    a batch of patterns drawn at random from the last ``buffer_size`` fresh
    batches ("data echoing", Choi et al. 2019).  Training never waits once the
    first batch is in, and each pattern is reused about
    ``n_served / n_fresh`` times.  Give the stream's workers a positive
    ``nice`` (``source.batches(nice=19)``) so that they only use the CPU
    time the training leaves idle.

    Parameters
    ----------
    batches : iterable of (X, y)
        The stream, e.g. ``source.batches(nice=19)``.
    buffer_size : int, default=16
        Fresh batches kept for echoing.
    random_state : int, numpy.random.Generator or None, default=None
        Draws the echoed patterns.

    Attributes
    ----------
    n_fresh : int
        Fresh patterns served so far.
    n_served : int
        All patterns served so far.

    See Also
    --------
    SyntheticPatternSource.batches : A stream to replay.

    References
    ----------
    .. [1] D. Choi, A. Passos, C. J. Shallue and G. E. Dahl, "Faster neural
       network training with data echoing", arXiv:1907.05550 (2019).

    Examples
    --------
    >>> from skxrd.engine import BatchReplay, SyntheticPatternSource
    >>> source = SyntheticPatternSource(batch_size=4, random_state=0)
    >>> with BatchReplay(source.batches(), buffer_size=2, random_state=0) as replay:
    ...     X, y = next(replay)
    >>> X.shape, replay.n_fresh >= 4
    ((4, 8500), True)
    """

    def __init__(self, batches, *, buffer_size=16, random_state=None):
        if int(buffer_size) < 1:
            raise ValueError(f"buffer_size must be at least 1; got {buffer_size}.")
        self.buffer_size = int(buffer_size)
        self.n_fresh = 0
        self.n_served = 0
        self._rng = check_generator(random_state)
        self._buffer = deque(maxlen=self.buffer_size)
        self._queue = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._pull, args=(iter(batches),), daemon=True
        )
        self._thread.start()

    def _pull(self, iterator):
        try:
            for item in iterator:
                while not self._stop.is_set():
                    try:
                        self._queue.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if self._stop.is_set():
                    break
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            self._queue.put(exc)
            return
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()
        self._queue.put(StopIteration())

    def __iter__(self):
        return self

    def __next__(self):
        try:
            item = self._queue.get(block=not self._buffer)
        except queue.Empty:
            return self._echo()
        if isinstance(item, BaseException):
            self._stop.set()
            if isinstance(item, StopIteration):
                raise StopIteration
            raise item
        X, y = item
        self._buffer.append((X, y))
        self.n_fresh += len(y)
        self.n_served += len(y)
        return X, y

    def _echo(self):
        sizes = np.array([len(y) for _, y in self._buffer])
        n = int(sizes[-1])
        picks = self._rng.integers(0, sizes.sum(), n)
        batch = np.searchsorted(np.cumsum(sizes), picks, side="right")
        row = picks - np.concatenate([[0], np.cumsum(sizes)[:-1]])[batch]
        X = np.stack([self._buffer[b][0][r] for b, r in zip(batch, row, strict=True)])
        y = np.array([self._buffer[b][1][r] for b, r in zip(batch, row, strict=True)])
        self.n_served += n
        return X, y

    def close(self):
        """Stop pulling the stream and release its workers."""
        self._stop.set()
        while self._thread.is_alive():
            try:
                self._queue.get(timeout=0.1)
            except queue.Empty:
                pass
        self._buffer.clear()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
