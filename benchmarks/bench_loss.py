"""The loss lever on a fixed set: paper's alternating cost vs cross-entropy.

    python benchmarks/bench_loss.py --loss alternating
    python benchmarks/bench_loss.py --loss categorical_crossentropy

Makes 40,000 patterns of the training structures (StructurePatternSource with
its default variants: 3% strain, 30% substitution; seed 0) once, trains one
small CNN of the recipe for ``--epochs`` passes over them with ``--loss``, and
prints after each epoch top-1 / top-5 / crystal system / accuracy at 50%
coverage (%) on 3,000 new variants of the same structures (seed 99), on the
held-out real structures and on ../shared/data/rruff_dev.npz (validation only).
"""

import argparse
import json
import os
import time
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from bench_levers import METRICS  # noqa: E402 - same folder

from skxrd.augmentation import XRDAugmenter  # noqa: E402
from skxrd.engine import StructurePatternSource  # noqa: E402
from skxrd.metrics import xrd_report  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    held_out_patterns,
    load_measured_set,
    pretrained_member,
    split_structures,
)

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loss", default="categorical_crossentropy")
    parser.add_argument("--patterns", type=int, default=40_000)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    args = parser.parse_args()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        records, held_out = split_structures(n_jobs=args.n_jobs)
        augmenter = XRDAugmenter(counts=(1e2, 1e4), background_amplitude=0.15)
        source = StructurePatternSource(
            records, batch_size=512, augmenter=augmenter, n_jobs=args.n_jobs
        )
        X, y = source.set_params(random_state=0).take(args.patterns)
        tests = {"same structures": source.set_params(random_state=99).take(3000)}
    tests["held-out structures"] = held_out_patterns(0, records=held_out)
    if Path(args.rruff).exists():
        tests["RRUFF"] = load_measured_set(args.rruff)
    net = pretrained_member(random_state=0).set_params(loss=args.loss)
    start = time.perf_counter()
    for epoch in range(args.epochs):
        net.partial_fit(X, y, classes=np.arange(1, 231))
        row = {"loss": args.loss, "epoch": epoch + 1}
        row["s"] = round(time.perf_counter() - start)
        for name, (Xt, yt) in tests.items():
            report = xrd_report(yt, net.predict_proba(Xt), labels=net.classes_)
            row[name] = [round(100 * report[k], 1) for k in METRICS]
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
