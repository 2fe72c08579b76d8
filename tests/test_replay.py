import threading
import time

import numpy as np
import pytest

from skxrd.engine import BatchReplay


def _slow_stream(n_batches, delay, size=4):
    for i in range(n_batches):
        time.sleep(delay)
        yield np.full((size, 3), float(i), dtype=np.float32), np.full(size, i)


def test_fresh_batches_come_first_and_echoes_reuse_them():
    with BatchReplay(_slow_stream(3, 0.3), buffer_size=2, random_state=0) as replay:
        X, y = next(replay)  # waits for the first batch
        assert (y == 0).all() and replay.n_fresh == 4
        echoed = [next(replay) for _ in range(3)]  # the stream is slower
        for Xe, ye in echoed:
            assert Xe.shape == (4, 3) and set(ye) == {0}
            np.testing.assert_array_equal(Xe[:, 0], ye)
        assert replay.n_fresh == 4 and replay.n_served == 16
        time.sleep(0.45)
        X, y = next(replay)
        assert (y == 1).all() and replay.n_fresh == 8


def test_end_and_errors_of_the_stream_reach_the_consumer():
    replay = BatchReplay(_slow_stream(2, 0.01), buffer_size=4)
    labels = [y[0] for _, y in replay]  # ends when the stream ends
    assert labels[0] == 0 and set(labels) == {0, 1}
    assert replay.n_fresh == 8 and replay.n_served == 4 * len(labels)

    def broken():
        yield np.zeros((2, 3)), np.zeros(2)
        raise RuntimeError("crystal 7 is broken")

    replay = BatchReplay(broken())
    next(replay)
    with pytest.raises(RuntimeError, match="crystal 7"):
        for _ in range(1000):
            next(replay)
            time.sleep(0.001)
    with pytest.raises(ValueError, match="buffer_size"):
        BatchReplay([], buffer_size=0)


def test_close_stops_an_endless_stream():
    def endless():
        i = 0
        while True:
            yield np.zeros((1, 1)), np.array([i])
            i += 1

    before = threading.active_count()
    replay = BatchReplay(endless())
    next(replay)
    replay.close()
    time.sleep(0.3)
    assert threading.active_count() <= before
