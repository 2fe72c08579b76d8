"""An ordered, bounded parallel map for endless streams."""

import multiprocessing
import os
from collections import deque
from concurrent.futures import ProcessPoolExecutor

__all__ = ["ordered_bounded_map"]


def ordered_bounded_map(func, tasks, *, n_jobs=1, max_pending=None, nice=0):
    """Apply ``func`` to an endless iterable of tasks, yielding results in order.

    ``multiprocessing.Pool.imap`` reads its whole input ahead of the workers,
    which for an endless stream grows memory without bound; here at most
    ``max_pending`` tasks are in flight, so memory stays flat however long the
    stream runs.

    Parameters
    ----------
    func : callable
        A picklable, module-level function of one task.
    tasks : iterable
        The tasks, possibly endless.
    n_jobs : int, default=1
        Worker processes; 1 runs in the calling process.
    max_pending : int, default=None
        Tasks in flight; default ``2 * n_jobs``.
    nice : int, default=0
        Niceness added to the worker processes (Unix), so that a consumer on
        the same cores, such as a training loop, is scheduled first.  A
        positive value runs even one worker in its own process.

    Yields
    ------
    result
        ``func(task)`` for each task, in the order of ``tasks``.
    """
    if n_jobs == 1 and nice <= 0:
        for task in tasks:
            yield func(task)
        return
    max_pending = max_pending or 2 * n_jobs
    # forkserver: forking a process that has imported TensorFlow is unsafe, and
    # the stream is typically consumed by a process training a Keras model.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(
        max_workers=n_jobs,
        mp_context=context,
        initializer=_renice if nice > 0 and hasattr(os, "nice") else None,
        initargs=(nice,),
    ) as pool:
        pending = deque()
        iterator = iter(tasks)
        try:
            for task in iterator:
                pending.append(pool.submit(func, task))
                if len(pending) >= max_pending:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def _renice(increment):
    os.nice(increment)
