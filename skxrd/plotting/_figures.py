"""The paper's figures as functions (matplotlib is an optional dependency)."""

import numpy as np

from ..metrics._classification import (
    rejection_curve,
    subgroup_distances,
    threshold_for_coverage,
    top_n_accuracy_curve,
)
from ..spacegroups import CRYSTAL_SYSTEMS, crystal_system_index, space_group_symbol

__all__ = [
    "plot_pattern_prediction",
    "plot_subgroup_distance_histogram",
    "plot_top_n_accuracy",
    "plot_certainty_histograms",
    "plot_rejection_curve",
    "plot_space_group_accuracy",
    "save_evaluation_figures",
]


def _axes(ax, figsize=(6.4, 4.0)):
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(
            "skxrd's plots need matplotlib: pip install 'skxrd[plot]'."
        ) from exc
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_pattern_prediction(
    two_theta, intensity, proba, classes, *, n=5, title=None, ax=None
):
    """Plot a pattern with its n most probable space groups.

    Parameters
    ----------
    two_theta : array-like of shape (n_points,)
        Angles in degrees.
    intensity : array-like of shape (n_points,)
        The pattern.
    proba : array-like of shape (n_classes,)
        Predicted probabilities of one pattern.
    classes : array-like of int, shape (n_classes,)
        Space group of each probability.
    n : int, default=5
        How many groups to list.
    title : str, default=None
        Title of the plot.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure if None.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    plot_certainty_histograms : The certainty of many predictions.
    skxrd.load_pretrained : A model whose ``predict_proba`` and ``classes_``
        give ``proba`` and ``classes``.

    Examples
    --------
    >>> import numpy as np
    >>> from skxrd.plotting import plot_pattern_prediction
    >>> ax = plot_pattern_prediction(np.linspace(5, 90, 100), np.ones(100),
    ...                              [0.7, 0.2, 0.1], [14, 2, 62])
    """
    ax = _axes(ax, (7.0, 3.6))
    proba = np.asarray(proba, dtype=float)
    classes = np.asarray(classes)
    order = np.argsort(proba)[::-1][:n]
    ax.plot(two_theta, intensity, lw=0.7, color="k")
    ax.set_xlabel("2θ (°)")
    ax.set_ylabel("intensity")
    lines = [
        f"{int(classes[i]):>3d} {space_group_symbol(int(classes[i])):<10s} "
        f"{proba[i]:6.1%}"
        for i in order
    ]
    ax.text(
        0.98,
        0.95,
        f"top-{len(order)}\n" + "\n".join(lines),
        transform=ax.transAxes,
        ha="right",
        va="top",
        family="monospace",
        fontsize=8,
        bbox={"facecolor": "white", "alpha": 0.85, "lw": 0.5},
    )
    if title:
        ax.set_title(title)
    return ax


def plot_subgroup_distance_histogram(datasets, *, ax=None):
    """Histogram of maximal-subgroup distances, like the paper's Fig. 3c.

    Parameters
    ----------
    datasets : dict of str to (y_true, y_pred)
        One entry per data set, e.g. ``{"test": (...), "experimental": (...)}``.
        Rejected predictions (-1) are left out.
    ax : matplotlib Axes, default=None
        Where to draw.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    skxrd.metrics.subgroup_distances : The distances counted.
    skxrd.metrics.subgroup_distance_score : Their mean, as a number.

    Examples
    --------
    >>> from skxrd.plotting import plot_subgroup_distance_histogram
    >>> ax = plot_subgroup_distance_histogram({"test": ([14, 2], [14, 1])})
    """
    ax = _axes(ax)
    bins = np.arange(8)
    width = 0.8 / max(len(datasets), 1)
    for k, (name, (y_true, y_pred)) in enumerate(datasets.items()):
        y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
        keep = y_pred != -1
        d = subgroup_distances(y_true[keep], y_pred[keep])
        frac = np.bincount(d, minlength=7)[:7] / max(d.size, 1)
        ax.bar(
            bins[:7] + k * width - 0.4 + width / 2,
            frac,
            width=width,
            label=f"{name} (mean {d.mean():.2f})" if d.size else name,
        )
    ax.set_xticks(range(7))
    ax.set_xlabel("distance in the maximal-subgroup graph")
    ax.set_ylabel("fraction of patterns")
    ax.legend()
    return ax


def plot_top_n_accuracy(datasets, *, max_n=10, ax=None):
    """Fraction of patterns whose true group is among the n highest outputs (Fig. 5a).

    Parameters
    ----------
    datasets : dict of str to (y_true, y_score, classes)
        One curve per entry.
    max_n : int, default=10
        Largest n.
    ax : matplotlib Axes, default=None
        Where to draw.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    skxrd.metrics.top_n_accuracy_curve : The values plotted.

    Examples
    --------
    >>> from skxrd.plotting import plot_top_n_accuracy
    >>> ax = plot_top_n_accuracy({"test": ([1, 2], [[0.6, 0.4], [0.7, 0.3]], [1, 2])}, max_n=2)
    """
    ax = _axes(ax)
    ns = np.arange(1, max_n + 1)
    for name, (y_true, y_score, classes) in datasets.items():
        acc = top_n_accuracy_curve(y_true, y_score, max_n=max_n, labels=classes)
        ax.plot(ns, acc, marker="o", label=name)
    ax.set_xticks(ns)
    ax.set_ylim(0, 1)
    ax.set_xlabel("n")
    ax.set_ylabel("fraction with the true group in the top n")
    ax.legend()
    ax.grid(alpha=0.3)
    return ax


def plot_certainty_histograms(y_true, y_score, classes, *, bins=20, ax=None):
    """Certainty of correct and of wrong predictions (Fig. 5b/c).

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Probabilities.
    classes : array-like of shape (n_classes,)
        Label of each column.
    bins : int, default=20
        Number of histogram bins over [0, 1].
    ax : matplotlib Axes, default=None
        Where to draw.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    plot_rejection_curve : What a certainty threshold gains and costs.
    skxrd.metrics.expected_calibration_error : Calibration as a number.

    Examples
    --------
    >>> from skxrd.plotting import plot_certainty_histograms
    >>> ax = plot_certainty_histograms([1, 2], [[0.6, 0.4], [0.7, 0.3]], [1, 2])
    """
    ax = _axes(ax)
    y_score = np.asarray(y_score, dtype=float)
    classes = np.asarray(classes)
    certainty = y_score.max(axis=1)
    correct = classes[y_score.argmax(axis=1)] == np.asarray(y_true)
    edges = np.linspace(0, 1, bins + 1)
    ax.hist(
        certainty[correct], bins=edges, alpha=0.6, label=f"correct ({correct.sum()})"
    )
    ax.hist(
        certainty[~correct], bins=edges, alpha=0.6, label=f"wrong ({(~correct).sum()})"
    )
    ax.set_xlabel("certainty (highest probability)")
    ax.set_ylabel("patterns")
    ax.legend()
    return ax


def plot_rejection_curve(y_true, y_score, classes, *, ax=None):
    """Accuracy and unclassified fraction against the threshold (Fig. 5d/e).

    The threshold that leaves half of the patterns unclassified is marked.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    y_score : array-like of shape (n_samples, n_classes)
        Probabilities.
    classes : array-like of shape (n_classes,)
        Label of each column.
    ax : matplotlib Axes, default=None
        Where to draw.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    skxrd.metrics.rejection_curve : The values plotted.
    skxrd.metrics.threshold_for_coverage : The marked threshold.

    Examples
    --------
    >>> from skxrd.plotting import plot_rejection_curve
    >>> ax = plot_rejection_curve([1, 2], [[0.6, 0.4], [0.7, 0.3]], [1, 2])
    """
    ax = _axes(ax)
    t, acc, cov = rejection_curve(y_true, y_score, labels=classes)
    ax.plot(t, acc, label="accuracy of the classified")
    ax.plot(t, 1 - cov, label="unclassified fraction")
    half = threshold_for_coverage(y_score, 0.5)
    _, acc_half, cov_half = rejection_curve(
        y_true, y_score, labels=classes, thresholds=[half]
    )
    ax.axvline(half, color="grey", ls="--", lw=0.8)
    ax.plot(
        [half],
        acc_half,
        "o",
        color="k",
        label=f"50% coverage: threshold {half:.2f}, accuracy {acc_half[0]:.0%}",
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("certainty threshold")
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    return ax


def plot_space_group_accuracy(y_true, y_pred, *, min_count=1, ax=None):
    """Accuracy per space group, coloured by crystal system (like Fig. 4).

    Parameters
    ----------
    y_true : array-like of int, shape (n_samples,)
        True space groups.
    y_pred : array-like of int, shape (n_samples,)
        Predicted space groups (-1 for rejected, counted as wrong).
    min_count : int, default=1
        Leave out groups with fewer test patterns.
    ax : matplotlib Axes, default=None
        Where to draw.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on.

    See Also
    --------
    plot_subgroup_distance_histogram : How far the wrong predictions are.

    Examples
    --------
    >>> from skxrd.plotting import plot_space_group_accuracy
    >>> ax = plot_space_group_accuracy([14, 14, 62], [14, 2, 62])
    """
    ax = _axes(ax, (9.0, 3.6))
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    groups, counts = np.unique(y_true, return_counts=True)
    groups = groups[counts >= min_count]
    acc = np.array([(y_pred[y_true == g] == g).mean() for g in groups])
    systems = crystal_system_index(groups) if groups.size else np.array([], int)
    colours = [f"C{s}" for s in systems]
    from matplotlib.patches import Patch

    ax.bar(groups, acc, width=1.6, color=colours)
    handles = [
        Patch(color=f"C{s}", label=name) for s, name in enumerate(CRYSTAL_SYSTEMS)
    ]
    ax.set_xlim(0, 231)
    ax.set_ylim(0, 1)
    ax.set_xlabel("space group")
    ax.set_ylabel("accuracy")
    ax.legend(handles=handles, ncol=4, fontsize=7, loc="upper left")
    return ax


def save_evaluation_figures(directory, datasets, *, dpi=120):
    """Write the paper's evaluation figures for one or more data sets as PNG.

    Parameters
    ----------
    directory : str or Path
        Folder to write to (created if needed).
    datasets : dict of str to (y_true, y_score, classes)
        Space-group labels, probabilities and the classes of the columns.
    dpi : int, default=120
        Resolution.

    Returns
    -------
    paths : list of Path
        The files written: ``top_n_accuracy.png``,
        ``subgroup_distances.png``, and per data set
        ``certainty_<name>.png``, ``rejection_<name>.png`` and
        ``space_group_accuracy_<name>.png``.

    See Also
    --------
    plot_top_n_accuracy, plot_subgroup_distance_histogram,
    plot_certainty_histograms, plot_rejection_curve, plot_space_group_accuracy
    skxrd.metrics.xrd_report : The same evaluation as numbers.

    Examples
    --------
    >>> import tempfile
    >>> from skxrd.plotting import save_evaluation_figures
    >>> with tempfile.TemporaryDirectory() as d:
    ...     paths = save_evaluation_figures(d, {"test": ([1, 2], [[0.6, 0.4], [0.3, 0.7]], [1, 2])})
    >>> [p.name for p in paths][:2]
    ['top_n_accuracy.png', 'subgroup_distances.png']
    """
    from pathlib import Path

    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = []

    def save(ax, name):
        ax.figure.tight_layout()
        path = directory / name
        ax.figure.savefig(path, dpi=dpi)
        plt.close(ax.figure)
        paths.append(path)

    save(plot_top_n_accuracy(datasets), "top_n_accuracy.png")
    predictions = {}
    for name, (y_true, y_score, classes) in datasets.items():
        classes = np.asarray(classes)
        predictions[name] = (
            np.asarray(y_true),
            classes[np.asarray(y_score).argmax(axis=1)],
        )
    save(plot_subgroup_distance_histogram(predictions), "subgroup_distances.png")
    for name, (y_true, y_score, classes) in datasets.items():
        slug = "".join(c if c.isalnum() else "_" for c in name)
        save(
            plot_certainty_histograms(y_true, y_score, classes), f"certainty_{slug}.png"
        )
        save(plot_rejection_curve(y_true, y_score, classes), f"rejection_{slug}.png")
        save(
            plot_space_group_accuracy(*predictions[name]),
            f"space_group_accuracy_{slug}.png",
        )
    return paths
