"""Store in the shipped model file how to pool it with search-match.

One command, CPU only (about four minutes)::

    python scripts/calibrate_matching.py

`skxrd.models._recipe.add_matching`: reference patterns of the training
structures (the held-out ones excluded) and 8 strained, substituted copies of
each, the matcher's weight chosen by the log-loss on the held-out structures'
patterns together with as many known-type patterns (`selection_patterns`), and
the pooled model's
temperature and 50%-coverage reject threshold on ../shared/data/rruff_dev.npz
(when present; never trained on).  ``python scripts/train_pretrained.py`` does
the same at the end of its run; this script redoes it for an existing file
without retraining.  The network's weights are written back unchanged.
"""

import argparse
import logging
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.models._recipe import add_matching  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=ROOT / "skxrd/models/data/space-group.skxrd")
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--n-jobs", type=int, default=2)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    matching = add_matching(
        args.model,
        args.rruff if Path(args.rruff).exists() else None,
        n_jobs=args.n_jobs,
    )
    print(matching)


if __name__ == "__main__":
    main()
