import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")

from skxrd.plotting import (  # noqa: E402
    plot_certainty_histograms,
    plot_pattern_prediction,
    plot_rejection_curve,
    plot_space_group_accuracy,
    plot_subgroup_distance_histogram,
    plot_top_n_accuracy,
)


@pytest.fixture(scope="module")
def predictions():
    rng = np.random.default_rng(0)
    classes = np.arange(1, 231)
    y = rng.choice([2, 14, 62, 166, 225], 200)
    logits = rng.normal(0, 1, (200, 230))
    logits[np.arange(200), y - 1] += 4
    p = np.exp(logits)
    return y, p / p.sum(1, keepdims=True), classes


def test_figures_draw_the_data(predictions, tmp_path):
    y, p, classes = predictions
    pred = classes[p.argmax(1)]
    ax = plot_top_n_accuracy({"test": (y, p, classes)})
    curve = ax.lines[0].get_ydata()
    assert len(curve) == 10 and np.all(np.diff(curve) >= 0)
    ax = plot_subgroup_distance_histogram(
        {"a": (y, pred), "b": (y, np.where(pred == y, -1, pred))}
    )
    assert len(ax.patches) == 14
    heights = [r.get_height() for r in ax.patches[:7]]
    assert sum(heights) == pytest.approx(1.0)
    ax = plot_rejection_curve(y, p, classes)
    assert "50% coverage" in ax.get_legend().get_texts()[-1].get_text()
    ax = plot_certainty_histograms(y, p, classes)
    assert sum(r.get_height() for r in ax.patches) == 200
    ax = plot_space_group_accuracy(y, pred)
    assert len(ax.patches) == 5
    ax = plot_pattern_prediction(np.linspace(5, 90, 100), np.ones(100), p[0], classes)
    assert "top-5" in ax.texts[0].get_text()
    ax.figure.savefig(tmp_path / "pattern.png")
    assert (tmp_path / "pattern.png").stat().st_size > 1000
