"""The container every reader returns, and the checks shared by the readers."""

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Pattern"]


@dataclass(frozen=True, eq=False)
class Pattern:
    """A measured powder pattern as read from one file.

    The fields are what a resampler needs to bring the measurement onto the
    standard grid: the angles, the intensities and, where the file states
    it, the wavelength at which the angles were measured.

    Parameters
    ----------
    two_theta : ndarray of shape (n_points,), dtype float64
        Diffraction angles 2θ in degrees, strictly increasing.
    intensity : ndarray of shape (n_points,), dtype float64
        Measured intensity (counts or arbitrary units) at each angle.
    wavelength : float or None, default=None
        X-ray wavelength in Å stated by the file, or None when the file does
        not say (the caller then chooses, usually Cu Kα).
    source : str or None, default=None
        Path of the file the pattern was read from.
    metadata : dict, default={}
        Everything else the file said: header keys and values, comment
        lines, the instrument's wavelength components, and so on.
    esd : ndarray of shape (n_points,) or None, default=None
        Estimated standard deviations of the intensities (the third column
        of an ``.xye`` file), or None.

    See Also
    --------
    read_pattern : Read a pattern file of any supported format.
    write_xy : Write a pattern as two-column text.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.io import Pattern
    >>> p = Pattern(np.array([10.0, 10.02]), np.array([5.0, 7.0]), 1.5406)
    >>> p.n_points, p.wavelength
    (2, 1.5406)
    """

    two_theta: np.ndarray
    intensity: np.ndarray
    wavelength: float | None = None
    source: str | None = None
    metadata: dict = field(default_factory=dict)
    esd: np.ndarray | None = None

    @property
    def n_points(self):
        """Number of measured points."""
        return int(self.two_theta.shape[0])

    @property
    def name(self):
        """File name without directory and extension (``''`` without a source)."""
        return Path(self.source).stem if self.source else ""


def bad_file(path, line, problem):
    """Build the ValueError every reader raises for a malformed file."""
    where = f"{path}, line {line}" if line is not None else f"{path}"
    return ValueError(f"{where}: {problem}")


def check_pattern_arrays(path, two_theta, intensity, lines=None):
    """Check angles and intensities read from ``path``; name the line at fault.

    ``lines`` holds the file line number of each point (None for formats
    without lines per point, such as XML lists).
    """

    def line_of(i):
        return None if lines is None else int(lines[i])

    if two_theta.size == 0:
        raise bad_file(path, None, "no data points found.")
    if two_theta.size != intensity.size:
        raise bad_file(
            path,
            None,
            f"{two_theta.size} angles but {intensity.size} intensities.",
        )
    if two_theta.size < 2:
        raise bad_file(path, line_of(0), "a pattern needs at least 2 data points.")
    for values, what in ((two_theta, "2θ"), (intensity, "intensity")):
        bad = np.flatnonzero(~np.isfinite(values))
        if bad.size:
            raise bad_file(
                path, line_of(bad[0]), f"{what} is {values[bad[0]]} (not finite)."
            )
    # 2θ is an angle between the incident and the diffracted beam: 0° < 2θ < 180°.
    # Values outside usually mean the first column holds d-spacings or q.
    outside = np.flatnonzero((two_theta <= 0.0) | (two_theta >= 180.0))
    if outside.size:
        i = outside[0]
        raise bad_file(
            path,
            line_of(i),
            f"2θ = {two_theta[i]}° is outside (0°, 180°); is the first column "
            "really 2θ in degrees?",
        )
    steps = np.flatnonzero(np.diff(two_theta) <= 0.0)
    if steps.size:
        i = steps[0] + 1
        raise bad_file(
            path,
            line_of(i),
            f"2θ = {two_theta[i]} does not increase (previous point "
            f"{two_theta[i - 1]}); 2θ must be strictly increasing.",
        )
