"""Train the pretrained space-group model that ships in skxrd/models/data/.

One command, CPU only::

    python scripts/train_pretrained.py --minutes 40

The model learns only from the synthetic stream (random crystals of all 230
groups).  ../shared/data/rruff_dev.npz, when present, is used for one thing:
choosing the reject threshold that leaves half of its patterns unclassified —
never for training or for picking weights.  Best weights are chosen on a
synthetic validation set of other random crystals.
"""

import argparse
import logging
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.metrics import threshold_for_coverage  # noqa: E402
from skxrd.models import save_model  # noqa: E402
from skxrd.models._recipe import pretrained_recipe, train_from_stream  # noqa: E402
from skxrd.preprocessing import normalize_patterns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=40.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument(
        "--output", default=ROOT / "skxrd/models/data/space-group.skxrd"
    )
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    source, model = pretrained_recipe(random_state=args.seed, n_jobs=args.n_jobs)
    validation = source.set_params(random_state=args.seed + 1000, n_jobs=1).take(2048)
    source.set_params(random_state=args.seed, n_jobs=args.n_jobs)
    t0 = time.perf_counter()
    seen = train_from_stream(
        model, source, minutes=args.minutes, validation_data=validation
    )
    minutes = (time.perf_counter() - t0) / 60
    threshold = None
    if Path(args.rruff).exists():
        with np.load(args.rruff) as data:
            X = normalize_patterns(np.clip(data["intensity"], 0, None))
        threshold = threshold_for_coverage(model.predict_proba(X), 0.5)
        model.set_params(reject_threshold=round(float(threshold), 4))
    path = save_model(
        model,
        args.output,
        metadata={
            "recipe": "scripts/train_pretrained.py",
            "seed": args.seed,
            "patterns_seen": seen,
            "minutes": round(minutes, 1),
            "reject_threshold_from": "50% coverage on rruff_dev.npz"
            if threshold
            else None,
        },
    )
    logging.info(
        "saw %d patterns in %.1f min; wrote %s (%.1f MB)",
        seen,
        minutes,
        path,
        path.stat().st_size / 1e6,
    )


if __name__ == "__main__":
    main()
