"""What every pattern stream shares: seeding, workers, batches, take and write."""

import sys
from numbers import Integral, Real
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .._grid import two_theta_grid
from ._parallel import ordered_bounded_map

__all__ = ["BasePatternSource"]


class BasePatternSource(BaseEstimator):
    """Base class of the pattern streams of `skxrd.engine`.

    A subclass stores its parameters (``batch_size``, ``start``, ``stop``,
    ``step``, ``n_jobs`` and ``random_state`` among them) and defines
    ``_config()``, the picklable description of one batch's work, and
    ``_batch_function``, a module-level function ``f(config, seed) -> (X, y)``.
    Batch ``i`` depends only on ``random_state`` and ``i``.
    """

    # The parameters every stream has: labels, batching, rendering, grid, workers.
    _parameter_constraints = {
        "target": [StrOptions({"space_group", "crystal_system"})],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "profile": [HasMethods(["sample"]), None],
        "augmenter": [HasMethods(["augment"]), None],
        "march_dollase_probability": [Interval(Real, 0, 1, closed="both")],
        "march_dollase_range": [tuple, list],
        "normalize": [StrOptions({"max", "none"})],
        "wavelength": [Interval(Real, 0, None, closed="neither"), str],
        "start": [Interval(Real, 0, 180, closed="left")],
        "stop": [Interval(Real, 0, 180, closed="right")],
        "step": [Interval(Real, 0, None, closed="neither")],
        "n_jobs": [Interval(Integral, 1, None, closed="left")],
        "random_state": [Interval(Integral, 0, None, closed="left"), None],
    }

    def _seeds(self):
        root = np.random.SeedSequence(self.random_state)
        index = 0
        while True:
            # Batch i's seed depends only on the root seed and i, so results do
            # not depend on how many workers produce the batches.
            yield np.random.SeedSequence(root.entropy, spawn_key=(index,))
            index += 1

    def batches(self, n_batches=None, *, nice=0):
        """Yield ``(X, y)`` batches, endlessly unless ``n_batches`` is given.

        Parameters
        ----------
        n_batches : int or None, default=None
            Stop after this many batches.
        nice : int, default=0
            Niceness added to the worker processes, so that a training loop on
            the same cores goes first (see `BatchReplay`); a positive value
            runs even ``n_jobs=1`` in a worker process.

        Yields
        ------
        X : ndarray of shape (batch_size, n_points), dtype float32
            Patterns on the grid.
        y : ndarray of shape (batch_size,)
            Space-group numbers or crystal-system names.
        """
        config = self._config()
        function = type(self)._batch_function
        seeds = self._seeds()
        if n_batches is not None:
            seeds = (s for s, _ in zip(seeds, range(int(n_batches)), strict=False))
        tasks = ((function, config, seed) for seed in seeds)
        yield from ordered_bounded_map(_run_task, tasks, n_jobs=self.n_jobs, nice=nice)

    def __iter__(self):
        return self.batches()

    def take(self, n_patterns, *, progress=False):
        """Return the first ``n_patterns`` patterns of the stream as arrays.

        Parameters
        ----------
        n_patterns : int
            How many patterns.
        progress : bool or str, default=False
            Show a progress bar on standard error; a string labels it.

        Returns
        -------
        X : ndarray of shape (n_patterns, n_points), dtype float32
            Patterns.
        y : ndarray of shape (n_patterns,)
            Labels.
        """
        from tqdm.auto import tqdm

        label = progress if isinstance(progress, str) else None
        Xs, ys, done = [], [], 0
        with tqdm(
            total=int(n_patterns),
            desc=label,
            unit="pattern",
            disable=not progress,
            file=sys.stderr,
        ) as bar:
            # Batches may come a few patterns short (a crystal without a
            # reflection on the grid is dropped), so count what arrives.
            for Xb, yb in self.batches():
                Xs.append(Xb)
                ys.append(yb)
                done += len(yb)
                bar.update(len(yb))
                if done >= n_patterns:
                    break
        return np.concatenate(Xs)[:n_patterns], np.concatenate(ys)[:n_patterns]

    def write(self, path, n_patterns):
        """Write ``n_patterns`` patterns to a folder as ``X.npy`` and ``y.npy``.

        The arrays are filled batch by batch through memory maps, so memory
        stays flat however many patterns are written; load them with
        ``np.load(path / "X.npy", mmap_mode="r")``.

        Parameters
        ----------
        path : str or Path
            Folder to create (or reuse).
        n_patterns : int
            How many patterns.

        Returns
        -------
        path : Path
            The folder.
        """
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        n_points = two_theta_grid(self.start, self.stop, self.step).size
        X = np.lib.format.open_memmap(
            path / "X.npy",
            mode="w+",
            dtype=np.float32,
            shape=(int(n_patterns), n_points),
        )
        labels = []
        done = 0
        for Xb, yb in self.batches():
            k = min(Xb.shape[0], n_patterns - done)
            X[done : done + k] = Xb[:k]
            labels.append(yb[:k])
            done += k
            if done >= n_patterns:
                break
        X.flush()
        del X
        np.save(path / "y.npy", np.concatenate(labels), allow_pickle=False)
        return path


def _run_task(task):
    from threadpoolctl import threadpool_limits

    function, config, seed = task
    # Many small array operations: idle BLAS threads spinning between them
    # cost more CPU than the work itself.
    with threadpool_limits(1, user_api="blas"):
        return function(config, seed)
