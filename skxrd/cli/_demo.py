"""``skxrd demo``: the main job on an embedded default."""

import json
import time
from pathlib import Path

import numpy as np

from ._errors import exits_cleanly

__all__ = ["demo", "DEMO_SIZES"]

#: Groups, training patterns, test patterns, ensemble members, epochs.
DEMO_SIZES = {
    "tiny": dict(n_groups=4, n_train=256, n_test=128, n_estimators=2, epochs=2),
    "small": dict(n_groups=12, n_train=2048, n_test=512, n_estimators=2, epochs=8),
    "full": dict(n_groups=24, n_train=7680, n_test=1536, n_estimators=3, epochs=15),
}


def _demo_groups(n):
    # The most frequent space groups of the structure collections skxrd can
    # reach (see skxrd.engine.space_group_prior), P2_1/c and P-1 always in.
    from ..engine import space_group_prior

    ranked = list(np.argsort(space_group_prior())[::-1] + 1)
    for must in (2, 14):
        ranked.remove(must)
        ranked.insert(0, must)
    return np.sort(np.array(ranked[:n]))


def _stream(groups, n, seed, progress, label):
    from ..augmentation import XRDAugmenter
    from ..engine import SyntheticPatternSource

    source = SyntheticPatternSource(
        space_groups=groups,
        batch_size=128,
        random_state=seed,
        augmenter=XRDAugmenter(counts=(3e2, 3e4)),
        n_jobs=2 if n > 1024 else 1,
    )
    return source.take(n, progress=label if progress else False)


@exits_cleanly
def demo(args):
    """Synthetic crystals → patterns → a small ensemble → the paper's table."""
    from ..ensemble import XRDEnsembleClassifier
    from ..metrics import format_reports, threshold_for_coverage, xrd_report
    from ..neural_network import XRDDenseClassifier

    size = DEMO_SIZES[args.size]
    out = Path(args.output)
    out.mkdir(parents=True, exist_ok=True)
    groups = _demo_groups(size["n_groups"])
    t0 = time.perf_counter()
    print(f"skxrd demo: {len(groups)} space groups {groups.tolist()}")
    X_train, y_train = _stream(
        groups, size["n_train"], args.seed, args.progress, "training patterns"
    )
    X_test, y_test = _stream(
        groups,
        size["n_test"],
        args.seed + 1,
        args.progress,
        "test patterns (other crystals)",
    )
    member = XRDDenseClassifier(
        hidden_layer_sizes=(256, 128),
        dropout=(0.3, 0.2),
        epochs=size["epochs"],
        batch_size=128,
        verbose=0,
    )
    model = XRDEnsembleClassifier(
        member,
        n_estimators=size["n_estimators"],
        classes=groups,
        random_state=args.seed,
    )
    print(
        f"training an ensemble of {size['n_estimators']} dense networks on "
        f"{len(y_train)} patterns ({size['epochs']} epochs each, the paper's "
        "alternating loss)"
    )
    model.fit(X_train, y_train)
    proba = model.predict_proba(X_test)
    half = threshold_for_coverage(proba, 0.5)
    model.set_params(reject_threshold=half)
    report = xrd_report(y_test, proba, labels=model.classes_, reject_threshold=half)
    print()
    print(format_reports({"synthetic test": report}))
    print(
        f"\n(chance level: {1 / len(groups):.1%}; the reject threshold {half:.2f} "
        "leaves half of the test patterns unclassified)"
    )
    (out / "report.json").write_text(json.dumps(report, indent=2))
    written = [out / "report.json"]
    try:
        from ..plotting import plot_pattern_prediction, save_evaluation_figures
    except ImportError:
        print("matplotlib is not installed: no figures (pip install 'skxrd[plot]')")
    else:
        import matplotlib

        matplotlib.use("Agg")
        written += save_evaluation_figures(
            out, {"synthetic test": (y_test, proba, model.classes_)}
        )
        from .._grid import two_theta_grid

        ax = plot_pattern_prediction(
            two_theta_grid(),
            X_test[0],
            proba[0],
            model.classes_,
            title=f"a test pattern of space group {y_test[0]}",
        )
        ax.figure.tight_layout()
        ax.figure.savefig(out / "pattern_prediction.png", dpi=120)
        written.append(out / "pattern_prediction.png")
    print(f"\nwrote {len(written)} files to {out}/ in {time.perf_counter() - t0:.0f} s")
