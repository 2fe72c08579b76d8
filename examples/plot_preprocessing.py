"""
=====================================================
Resampling, normalizing and augmenting a pattern
=====================================================

A pattern measured with Mo Kα radiation on its own 2θ axis is moved onto the
standard Cu Kα grid (5–90°, 0.01°), scaled to maximum 1, and augmented with the
paper's noise and background.
"""

# %%
# A made-up phase measured with Mo Kα
# -----------------------------------
# Peaks are placed by Bragg's law from a list of lattice spacings d.
import numpy as np

from skxrd import (
    PatternNormalizer,
    XRDAugmenter,
    XRDResampler,
    resolve_wavelength,
    two_theta_grid,
)

d_spacings = np.array([3.52, 2.61, 2.05, 1.66, 1.37, 1.21])
heights = np.array([1.0, 0.4, 0.7, 0.25, 0.5, 0.3])
lam_mo = resolve_wavelength("MoKa")
two_theta_mo = np.arange(3.0, 45.0, 0.004)
centres = 2 * np.degrees(np.arcsin(lam_mo / (2 * d_spacings)))
counts = 30 + sum(
    1000 * h * np.exp(-0.5 * ((two_theta_mo - c) / 0.03) ** 2)
    for c, h in zip(centres, heights, strict=False)
)

# %%
# Onto the standard grid, then maximum 1
# --------------------------------------
resampler = XRDResampler(two_theta=two_theta_mo, wavelength="MoKa")
X = resampler.fit_transform(counts[None, :])
X = PatternNormalizer().fit_transform(X)
grid = two_theta_grid()
print("strongest peak at 2θ =", round(float(grid[X[0].argmax()]), 2), "° (Cu Kα)")

# %%
# The paper's augmentation
# ------------------------
# ``fit_transform`` adds noise and background; ``transform`` leaves data alone.
augmented = XRDAugmenter(random_state=0).fit_transform(np.repeat(X, 3, axis=0))

import matplotlib.pyplot as plt  # noqa: E402

fig, ax = plt.subplots(figsize=(7, 3))
for k, row in enumerate(augmented):
    ax.plot(grid, row + 0.6 * k, lw=0.6)
ax.plot(grid, X[0] - 0.6, color="k", lw=0.6, label="resampled, clean")
ax.set_xlabel("2θ (°, Cu Kα)")
ax.set_ylabel("intensity (offset)")
ax.legend(loc="upper right")
fig.tight_layout()
