"""Doctest set-up: draw figures without a display."""

import matplotlib

matplotlib.use("Agg")
