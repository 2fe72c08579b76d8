"""Train the pretrained space-group model that ships in skxrd/models/data/.

One command, CPU only::

    python scripts/train_pretrained.py --minutes 50 --n-jobs 2

The model learns from streamed patterns of real structures — AFLOW prototypes
and robocrys minerals, strained, displaced and element-substituted afresh for
every pattern (`skxrd.engine.StructurePatternSource`) — optionally mixed with
random synthetic crystals (``--synthetic-fraction``).  Structures with the
formula and group of a held-out one (Avogadro/COD, pymatgen) are dropped, so
``benchmarks/bench_rruff.py`` tests on structures never trained on.
../shared/data/rruff_dev.npz, when present, is used for two things only: the
temperature that calibrates the probabilities and the reject threshold that
leaves half of its patterns unclassified — never for training or for picking
weights (the final weights are shipped).
"""

import argparse
import logging
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.metrics import fit_temperature, threshold_for_coverage  # noqa: E402
from skxrd.models import save_model  # noqa: E402
from skxrd.models._recipe import pretrained_recipe, train_from_stream  # noqa: E402
from skxrd.preprocessing import normalize_patterns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=50.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--synthetic-fraction", type=float, default=0.0)
    parser.add_argument(
        "--output", default=ROOT / "skxrd/models/data/space-group.skxrd"
    )
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    sources, model = pretrained_recipe(
        random_state=args.seed,
        n_jobs=args.n_jobs,
        synthetic_fraction=args.synthetic_fraction,
    )
    t0 = time.perf_counter()
    seen, fresh = train_from_stream(model, sources, minutes=args.minutes)
    minutes = (time.perf_counter() - t0) / 60
    calibration = {}
    if Path(args.rruff).exists():
        with np.load(args.rruff) as data:
            X = normalize_patterns(np.clip(data["intensity"], 0, None))
            y = data["space_group"].astype(int)
        temperature = fit_temperature(y, model.predict_proba(X), labels=model.classes_)
        model.set_params(temperature=round(temperature, 3))
        threshold = threshold_for_coverage(model.predict_proba(X), 0.5)
        model.set_params(reject_threshold=round(float(threshold), 4))
        calibration = {
            "temperature_from": "log-loss on rruff_dev.npz",
            "reject_threshold_from": "50% coverage on rruff_dev.npz",
        }
    path = save_model(
        model,
        args.output,
        metadata={
            "recipe": "scripts/train_pretrained.py",
            "seed": args.seed,
            "synthetic_fraction": args.synthetic_fraction,
            "patterns_seen": seen,
            "fresh_patterns": fresh,
            "minutes": round(minutes, 1),
            **calibration,
        },
    )
    logging.info(
        "saw %d patterns (%d fresh) in %.1f min; T=%.3f, threshold %s; wrote %s "
        "(%.1f MB)",
        seen,
        fresh,
        minutes,
        model.temperature,
        model.reject_threshold,
        path,
        path.stat().st_size / 1e6,
    )


if __name__ == "__main__":
    main()
