"""An in-memory dataset of stick peak lists with labels and provenance."""

import numbers
import os

import numpy as np

from .._grid import DEFAULT_WAVELENGTH, TWO_THETA_MAX, TWO_THETA_MIN, resolve_wavelength
from ._profiles import _check_csr, render_patterns

__all__ = ["StickDataset"]

_FORMAT_VERSION = 1


class StickDataset:
    """Peak lists of many structures in CSR form, with labels and names.

    Diffraction is computed once per structure; the sticks can then be
    rendered again and again with other widths, shifts or augmentation
    (`render`), saved to and loaded from a ``.npz`` file.

    Parameters
    ----------
    positions : array-like of shape (n_peaks_total,)
        Peak positions in degrees 2θ at `wavelength`.
    intensities : array-like of shape (n_peaks_total,)
        Peak intensities (pymatgen scale: strongest peak of a pattern = 100).
    offsets : array-like of int of shape (n_patterns + 1,)
        Pattern ``i`` owns peaks ``offsets[i]:offsets[i + 1]``.
    labels : array-like of int of shape (n_patterns,)
        Space-group numbers 1..230.
    names : sequence of str, default=None
        Provenance of each pattern (file path or structure name); default
        ``"0", "1", ...``.
    wavelength : float or str, default=1.54184
        Wavelength in Å of the positions.
    two_theta_range : tuple of float, default=(5.0, 90.0)
        Range in which the peaks were computed.
    skipped : sequence of (str, str), default=()
        Name and reason of every structure that gave no sticks.

    Attributes
    ----------
    positions, intensities, offsets, labels : ndarray
        As given (float64, float64, int64, int64).
    names : ndarray of str of shape (n_patterns,)
        Provenance of each pattern.
    wavelength : float
        Wavelength in Å.
    two_theta_range : tuple of float
        Range of the computed peaks.
    skipped : list of (str, str)
        Structures left out, with the reason.

    See Also
    --------
    compute_sticks : Build a stick dataset from structures or CIF files.
    render_patterns : The renderer behind `render`.

    Examples
    --------
    >>> from skxrd.simulation import StickDataset
    >>> sticks = StickDataset([20.0, 30.0, 25.0], [100.0, 50.0, 100.0], [0, 2, 3],
    ...                       labels=[225, 227], names=["a.cif", "b.cif"])
    >>> len(sticks), sticks[1].names.tolist()
    (2, ['b.cif'])
    >>> sticks.render(random_state=0).shape
    (2, 8500)
    """

    def __init__(
        self,
        positions,
        intensities,
        offsets,
        labels,
        names=None,
        *,
        wavelength=DEFAULT_WAVELENGTH,
        two_theta_range=(TWO_THETA_MIN, TWO_THETA_MAX),
        skipped=(),
    ):
        self.positions, self.intensities, _ = _check_csr(
            positions, intensities, offsets
        )
        self.offsets = np.asarray(offsets, dtype=np.int64)
        n = len(self.offsets) - 1
        self.labels = np.asarray(labels, dtype=np.int64).ravel()
        if self.labels.shape != (n,):
            raise ValueError(f"labels has {self.labels.size} values for {n} patterns.")
        if np.any((self.labels < 1) | (self.labels > 230)):
            i = int(np.flatnonzero((self.labels < 1) | (self.labels > 230))[0])
            raise ValueError(
                f"labels must be space groups 1..230; pattern {i} has {self.labels[i]}."
            )
        self.names = np.asarray(
            [str(i) for i in range(n)] if names is None else [str(x) for x in names],
            dtype=str,
        )
        if self.names.shape != (n,):
            raise ValueError(f"names has {self.names.size} values for {n} patterns.")
        self.wavelength = resolve_wavelength(wavelength)
        self.two_theta_range = tuple(float(t) for t in two_theta_range)
        self.skipped = [(str(a), str(b)) for a, b in skipped]

    def __len__(self):
        return len(self.offsets) - 1

    def __repr__(self):
        return (
            f"StickDataset(n_patterns={len(self)}, n_peaks={self.positions.size}, "
            f"wavelength={self.wavelength}, n_skipped={len(self.skipped)})"
        )

    def __getitem__(self, index):
        """Subset by an int, a slice, an integer array or a boolean mask."""
        if isinstance(index, numbers.Integral):
            index = [index]
        rows = np.arange(len(self))[index]
        counts = np.diff(self.offsets)[rows]
        starts = self.offsets[:-1][rows]
        # Peak indices of the chosen patterns, in the chosen order.
        peaks = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(
            counts.sum()
        )
        return StickDataset(
            self.positions[peaks],
            self.intensities[peaks],
            np.concatenate([[0], np.cumsum(counts)]),
            self.labels[rows],
            self.names[rows],
            wavelength=self.wavelength,
            two_theta_range=self.two_theta_range,
            skipped=self.skipped,
        )

    def peaks(self, i):
        """Return the positions and intensities of pattern `i`.

        Parameters
        ----------
        i : int
            Pattern index.

        Returns
        -------
        positions, intensities : ndarray
            The sticks of that pattern.
        """
        rows = slice(self.offsets[i], self.offsets[i + 1])
        return self.positions[rows], self.intensities[rows]

    def render(
        self, params=None, *, grid=None, normalize="max", random_state=None, **options
    ):
        """Render all patterns.

        Parameters
        ----------
        params : ProfileParameters or sampler, default=None
            Peak shapes, see `render_patterns`.
        grid : array-like, default=None
            2θ grid; None means the standard grid.
        normalize : {"max", None}, default="max"
            Scale every pattern to maximum 1, or not.
        random_state : int, Generator, RandomState or None, default=None
            Seed of sampled parameters and jitter.
        **options : dict
            Further keywords of `render_patterns` (``ka_lines``, windows).

        Returns
        -------
        X : ndarray of shape (n_patterns, n_points), dtype float32
            The patterns, in dataset order (labels in ``self.labels``).
        """
        return render_patterns(
            self.positions,
            self.intensities,
            self.offsets,
            params,
            grid=grid,
            wavelength=self.wavelength,
            normalize=normalize,
            random_state=random_state,
            **options,
        )

    @classmethod
    def concatenate(cls, datasets):
        """Join stick datasets computed at the same wavelength.

        Parameters
        ----------
        datasets : sequence of StickDataset
            Datasets to join, in order.

        Returns
        -------
        sticks : StickDataset
            All patterns; skipped lists are joined too.
        """
        datasets = list(datasets)
        if not datasets:
            raise ValueError("concatenate needs at least one StickDataset.")
        if len({d.wavelength for d in datasets}) > 1:
            raise ValueError("Cannot join stick datasets of different wavelengths.")
        counts = np.concatenate([np.diff(d.offsets) for d in datasets])
        return cls(
            np.concatenate([d.positions for d in datasets]),
            np.concatenate([d.intensities for d in datasets]),
            np.concatenate([[0], np.cumsum(counts)]),
            np.concatenate([d.labels for d in datasets]),
            np.concatenate([d.names for d in datasets]),
            wavelength=datasets[0].wavelength,
            two_theta_range=datasets[0].two_theta_range,
            skipped=[s for d in datasets for s in d.skipped],
        )

    def save(self, path):
        """Write the dataset to a ``.npz`` file (no pickles).

        Parameters
        ----------
        path : str or path-like
            Target file.
        """
        skipped = np.asarray(self.skipped, dtype=str).reshape(-1, 2)
        np.savez_compressed(
            path,
            format_version=_FORMAT_VERSION,
            positions=self.positions,
            intensities=self.intensities,
            offsets=self.offsets,
            labels=self.labels,
            names=self.names,
            wavelength=self.wavelength,
            two_theta_range=np.asarray(self.two_theta_range),
            skipped=skipped,
        )

    @classmethod
    def load(cls, path):
        """Read a dataset written by `save`.

        Parameters
        ----------
        path : str or path-like
            A ``.npz`` file written by `save`.

        Returns
        -------
        sticks : StickDataset
            The dataset.
        """
        with np.load(os.fspath(path), allow_pickle=False) as data:
            missing = {"positions", "intensities", "offsets", "labels"} - set(
                data.files
            )
            if missing:
                raise ValueError(
                    f"{os.fspath(path)} is not a stick dataset: missing "
                    f"{sorted(missing)}."
                )
            return cls(
                data["positions"],
                data["intensities"],
                data["offsets"],
                data["labels"],
                data["names"],
                wavelength=float(data["wavelength"]),
                two_theta_range=tuple(data["two_theta_range"]),
                skipped=[tuple(row) for row in data["skipped"]],
            )
