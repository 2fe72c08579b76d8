"""Patterns and labels of many real structures: parallel, cached, fault tolerant."""

import os
import threading
import warnings

import joblib
import numpy as np
from joblib import Parallel, delayed
from sklearn.utils import Bunch
from sklearn.utils.validation import check_memory

from .._grid import DEFAULT_WAVELENGTH, TWO_THETA_MAX, TWO_THETA_MIN
from ._peaks import space_group_label, structure_peaks
from ._profiles import _grid_spec
from ._sampling import GaussianWidthSampler
from ._sticks import StickDataset

__all__ = ["SkippedStructureWarning", "compute_sticks", "simulate_patterns"]

# Progress bars appear by default from this many structures on.
_PROGRESS_FROM = 100
# Skipped structures named one warning each; the rest are summarized.
_WARN_AT_MOST = 10


class SkippedStructureWarning(UserWarning):
    """A structure was left out of a batch (unreadable, no peaks, no symmetry).

    The message names the structure and the reason; batch functions also
    return the list of skipped structures, so the warning can be silenced
    with `warnings.filterwarnings` without losing that information.

    See Also
    --------
    compute_sticks : Emits it, and records the skipped structures.

    Examples
    --------
    >>> from skxrd.simulation import SkippedStructureWarning
    >>> issubclass(SkippedStructureWarning, UserWarning)
    True
    """


class _CifText(str):
    """Contents of a CIF file, told apart from a path."""


def _peaks_and_label(source, key, wavelength, two_theta_range, symprec, method):
    """Sticks and space-group number of one structure (the cached unit of work).

    `key` identifies the structure for the on-disk cache, which ignores
    `source`: a pickled Structure changes once pymatgen has filled its lazy
    caches (the reciprocal lattice, ...), so it cannot serve as its own key.
    """
    structure = _parse_cif(str(source)) if isinstance(source, _CifText) else source
    positions, intensities = structure_peaks(
        structure, wavelength=wavelength, two_theta_range=two_theta_range, method=method
    )
    if positions.size == 0:
        low, high = two_theta_range
        raise ValueError(f"no diffraction peaks between {low:g}° and {high:g}° 2θ")
    return positions, intensities, space_group_label(structure, symprec=symprec)


def _cache_key(source):
    """What defines a structure's diffraction: its cell, sites and site properties."""
    if isinstance(source, _CifText):
        return joblib.hash(str(source))
    return joblib.hash(
        (
            source.lattice.matrix,
            source.frac_coords,
            [site.species.as_dict() for site in source],
            source.site_properties,
        )
    )


def _attempt(function, source, *args):
    """Run `function`, turning any failure into a reason string.

    Runs in workers, whose exceptions must reach the caller as data: the
    caller names the structure in a warning and goes on.
    """
    try:
        return function(source, *args)
    # Any exception of pymatgen or spglib on one structure must not stop the
    # batch; its type and message become the reason the structure is skipped.
    except Exception as error:  # noqa: BLE001
        return f"{type(error).__name__}: {error}"


# catch_warnings swaps process-wide state: threads (Dask's local workers, the
# threading backend) take turns while recording.
_WARNINGS_LOCK = threading.Lock()


def _parse_cif(text):
    """Parse CIF text; on failure quote pymatgen's last warning, its summary of
    the parsing issues, which usually holds the real cause."""
    from pymatgen.core import Structure

    with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            return Structure.from_str(text, fmt="cif")
        except Exception as error:
            if not caught:
                raise
            hint = "; ".join(str(caught[-1].message).split("\n"))[:300]
            raise ValueError(f"{error} (pymatgen warned: {hint})") from error


def _name_of(item, index):
    """Default provenance: the path, the structure's name, or index:formula."""
    if isinstance(item, str | os.PathLike):
        return os.fspath(item)
    properties = getattr(item, "properties", None) or {}
    if properties.get("name"):
        return str(properties["name"])
    composition = getattr(item, "composition", None)
    formula = composition.reduced_formula if composition else type(item).__name__
    return f"{index}:{formula}"


def _source_of(item):
    """Return (structure or CIF text, None), or (None, why it cannot be used)."""
    from pymatgen.core import Structure

    if isinstance(item, Structure):
        return item, None
    if isinstance(item, str | os.PathLike):
        try:
            with open(item, encoding="utf-8", errors="replace") as handle:
                return _CifText(handle.read()), None
        except OSError as error:
            return None, f"cannot read the file: {error}"
    return None, f"not a pymatgen Structure or a CIF path (got {type(item).__name__})"


def _tasks(items, work, args, cached):
    """One joblib task per item.  Files are read here, lazily, as joblib
    dispatches, so a long list of CIFs is never all in memory at once."""
    for item in items:
        source, reason = _source_of(item)
        if source is None:
            yield delayed(str)(reason)
        else:
            key = _cache_key(source) if cached else None
            yield delayed(_attempt)(work, source, key, *args)


def _warn_skipped(skipped):
    for name, reason in skipped[:_WARN_AT_MOST]:
        warnings.warn(
            f"Skipped structure {name!r}: {reason}.",
            SkippedStructureWarning,
            stacklevel=4,
        )
    if len(skipped) > _WARN_AT_MOST:
        warnings.warn(
            f"Skipped {len(skipped) - _WARN_AT_MOST} more structures; the names and "
            "reasons are in the dataset's `skipped` list.",
            SkippedStructureWarning,
            stacklevel=4,
        )


def compute_sticks(
    structures,
    *,
    names=None,
    wavelength=DEFAULT_WAVELENGTH,
    two_theta_range=(TWO_THETA_MIN, TWO_THETA_MAX),
    symprec=0.01,
    method="vectorized",
    n_jobs=None,
    memory=None,
    progress=None,
):
    """Compute the stick peak lists and space-group labels of many structures.

    Parameters
    ----------
    structures : iterable of pymatgen.core.Structure or path-like
        Structures, or paths of CIF files (the first structure of a file is
        used, as by ``Structure.from_file``).
    names : sequence of str, default=None
        Provenance of each item; default the path, or the structure's
        ``properties["name"]``, or ``"index:formula"``.
    wavelength : float or str, default=1.54184
        X-ray wavelength in Å or a name such as ``'CuKa'``, ``'MoKa'``.
    two_theta_range : tuple of float, default=(5.0, 90.0)
        Range of 2θ in degrees.
    symprec : float, default=0.01
        Tolerance of the space-group search (`space_group_label`).
    method : {"vectorized", "pymatgen"}, default="vectorized"
        Diffraction code, see `structure_peaks`.
    n_jobs : int, default=None
        Parallel jobs through joblib (None: 1 unless a joblib backend context
        says otherwise, -1: all cores).
    memory : str, path-like, joblib.Memory or None, default=None
        Cache of per-structure results on disk (a directory or a
        `joblib.Memory`): a structure computed once is read back afterwards.
    progress : bool or None, default=None
        Show a tqdm progress bar; None shows it for 100 structures or more
        when writing to a terminal.

    Returns
    -------
    sticks : StickDataset
        Sticks, labels and names of the structures that worked, in input
        order; ``sticks.skipped`` lists the others with the reason.

    Warns
    -----
    SkippedStructureWarning
        For each structure left out (unparsable CIF, unknown element, no peak
        in range, undetermined symmetry), naming it and why.

    See Also
    --------
    simulate_patterns : Sticks rendered into patterns in one call.
    structure_peaks : The peaks of one structure.

    Notes
    -----
    The work runs through `joblib.Parallel`, so any joblib backend applies
    unchanged; for a Dask cluster::

        from dask.distributed import Client
        import joblib
        client = Client("scheduler-address:8786")
        with joblib.parallel_config(backend="dask"):
            sticks = compute_sticks(paths, n_jobs=-1)

    CIF files are read by the calling process and sent as text, so workers
    need no shared file system.  Errors are caught per structure in the
    workers and reported by the caller.  pymatgen's warnings while parsing a
    CIF are not repeated; when parsing fails, the last of them (pymatgen's
    summary of the issues) is quoted in the reason.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.simulation import compute_sticks
    >>> si = Structure.from_spacegroup(
    ...     "Fd-3m", Lattice.cubic(5.431), ["Si"], [[0, 0, 0]])
    >>> sticks = compute_sticks([si], names=["silicon"])
    >>> sticks.labels.tolist(), sticks.names.tolist()
    ([227], ['silicon'])
    """
    items = list(structures)
    if names is None:
        names = [_name_of(item, i) for i, item in enumerate(items)]
    elif len(names) != len(items):
        raise ValueError(f"names has {len(names)} entries for {len(items)} structures.")
    if isinstance(memory, os.PathLike):
        memory = os.fspath(memory)
    memory = check_memory(memory)
    work = memory.cache(_peaks_and_label, ignore=["source"])
    args = (wavelength, tuple(float(t) for t in two_theta_range), symprec, method)
    cached = getattr(memory, "location", None) is not None
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        _tasks(items, work, args, cached)
    )
    outcomes = list(_with_progress(results, len(items), progress))
    return _assemble(names, outcomes, wavelength, two_theta_range)


def _with_progress(results, total, progress):
    show = (
        progress
        if progress is not None
        else (None if total >= _PROGRESS_FROM else False)
    )
    if show is False:
        return results
    from tqdm.auto import tqdm

    # tqdm's disable=None hides the bar when the output is not a terminal.
    return tqdm(
        results,
        total=total,
        desc="structures",
        unit="structure",
        disable=None if show is None else False,
    )


def _assemble(names, outcomes, wavelength, two_theta_range):
    """Lay the per-structure results out as a StickDataset, in input order."""
    kept, skipped = [], []
    for name, result in zip(names, outcomes, strict=True):
        if isinstance(result, str):
            skipped.append((str(name), result))
        else:
            kept.append((str(name), *result))
    _warn_skipped(skipped)
    counts = [len(positions) for _, positions, _, _ in kept]
    return StickDataset(
        np.concatenate([np.zeros(0)] + [p for _, p, _, _ in kept]),
        np.concatenate([np.zeros(0)] + [i for _, _, i, _ in kept]),
        np.concatenate([[0], np.cumsum(counts, dtype=np.int64)]),
        np.array([label for *_, label in kept], dtype=np.int64),
        [name for name, *_ in kept],
        wavelength=wavelength,
        two_theta_range=two_theta_range,
        skipped=skipped,
    )


def simulate_patterns(
    structures,
    *,
    names=None,
    profile=None,
    grid=None,
    wavelength=DEFAULT_WAVELENGTH,
    normalize="max",
    symprec=0.01,
    method="vectorized",
    n_jobs=None,
    memory=None,
    progress=None,
    random_state=None,
):
    """Simulate powder patterns and space-group labels of real structures.

    Parameters
    ----------
    structures : iterable of pymatgen.core.Structure or path-like
        Structures or CIF file paths.
    names : sequence of str, default=None
        Provenance of each item (see `compute_sticks`).
    profile : ProfileParameters or sampler, default=None
        Peak shapes; None is the paper's Gaussian with σ drawn per pattern
        (`GaussianWidthSampler`).  Use `ProfileSampler` for pseudo-Voigt,
        Caglioti, size and strain widths, Kα2, shifts and jitter.
    grid : array-like, default=None
        Evenly spaced 2θ grid in degrees; None means the standard grid
        (5°–89.99°, 8500 points).  Peaks are computed over its range.
    wavelength : float or str, default=1.54184
        X-ray wavelength in Å or a name; Cu Kα by default.
    normalize : {"max", None}, default="max"
        Scale each pattern to maximum 1.
    symprec : float, default=0.01
        Tolerance of the space-group search.
    method : {"vectorized", "pymatgen"}, default="vectorized"
        Diffraction code, see `structure_peaks`.
    n_jobs : int, default=None
        Parallel jobs for the diffraction (joblib; any joblib backend,
        e.g. Dask, applies unchanged).
    memory : str, path-like, joblib.Memory or None, default=None
        On-disk cache of per-structure sticks.
    progress : bool or None, default=None
        Show a progress bar (None: for long runs on a terminal).
    random_state : int, Generator, RandomState or None, default=None
        Seed of the profile draw.

    Returns
    -------
    X : ndarray of shape (n_patterns, n_points), dtype float32
        Patterns of the structures that worked, in input order.
    y : ndarray of shape (n_patterns,), dtype int64
        Their space-group numbers.
    info : Bunch
        ``sticks`` (the `StickDataset`, to render again), ``names`` (one per
        row of X), ``skipped`` (list of (name, reason)) and ``n_skipped``.

    Warns
    -----
    SkippedStructureWarning
        For each structure left out, naming it and why.

    See Also
    --------
    compute_sticks : The diffraction step alone.
    StickDataset.render : Render the kept sticks again.

    Examples
    --------
    >>> from pymatgen.core import Lattice, Structure
    >>> from skxrd.simulation import simulate_patterns
    >>> nacl = Structure.from_spacegroup(
    ...     "Fm-3m", Lattice.cubic(5.64), ["Na", "Cl"], [[0, 0, 0], [0.5, 0.5, 0.5]])
    >>> X, y, info = simulate_patterns([nacl], random_state=0)
    >>> X.shape, y.tolist(), info.n_skipped
    ((1, 8500), [225], 0)
    """
    start, step, n_points = _grid_spec(grid)
    sticks = compute_sticks(
        structures,
        names=names,
        wavelength=wavelength,
        two_theta_range=(start, start + step * n_points),
        symprec=symprec,
        method=method,
        n_jobs=n_jobs,
        memory=memory,
        progress=progress,
    )
    profile = GaussianWidthSampler() if profile is None else profile
    X = sticks.render(
        profile, grid=grid, normalize=normalize, random_state=random_state
    )
    info = Bunch(
        sticks=sticks,
        names=sticks.names,
        skipped=sticks.skipped,
        n_skipped=len(sticks.skipped),
    )
    return X, sticks.labels.copy(), info
