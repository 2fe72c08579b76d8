"""One training lever at a time: its effect on measured and held-out patterns.

    python benchmarks/bench_levers.py --lever structures --patterns 100000

Trains one small CNN (the pretrained recipe's member) with ``partial_fit`` on
``--patterns`` streamed patterns made the lever's way, then prints space-group
top-1/top-5, crystal-system accuracy and accuracy at 50% coverage on
../shared/data/rruff_dev.npz (303 measured patterns: validation only, never
trained on) and on patterns of held-out real structures (Avogadro/COD and
pymatgen's; training structures with the same formula and group are dropped).
``--json`` appends one line per run to a file, for docs/.

Levers:

- ``synthetic``: random crystals of all 230 groups (the first pretrained model);
- ``structures``: AFLOW prototypes and robocrys minerals, strained (3%),
  element-substituted (30%) and given a B factor afresh for every pattern;
- ``structures-fixed``: the same structures unperturbed;
- ``mixed``: half ``synthetic``, half ``structures``.
"""

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.augmentation import XRDAugmenter  # noqa: E402
from skxrd.engine import StructurePatternSource, SyntheticPatternSource  # noqa: E402
from skxrd.metrics import xrd_report  # noqa: E402
from skxrd.models._recipe import (  # noqa: E402
    held_out_patterns,
    held_out_structures,
    interleave,
    pretrained_recipe,
    training_structures,
)
from skxrd.preprocessing import normalize_patterns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
LEVERS = ("synthetic", "structures", "structures-fixed", "mixed")


def stream(lever, seed, n_jobs, batch_size=512):
    augmenter = XRDAugmenter(counts=(1e2, 1e4), background_amplitude=0.15)
    common = dict(batch_size=batch_size, augmenter=augmenter, n_jobs=n_jobs)
    synthetic = SyntheticPatternSource(class_prior="prior", random_state=seed, **common)
    if lever == "synthetic":
        return synthetic.batches()
    structures = training_structures(exclude=held_out_structures())
    real = StructurePatternSource(structures, random_state=seed + 1, **common)
    if lever == "structures-fixed":
        real.set_params(strain=0.0, substitution_probability=0.0)
    if lever in ("structures", "structures-fixed"):
        return real.batches()
    synthetic.set_params(n_jobs=1)
    real.set_params(n_jobs=1)
    return interleave([synthetic.batches(), real.batches()], [1, 1], seed)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lever", choices=LEVERS, required=True)
    parser.add_argument("--patterns", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--json", default=None)
    args = parser.parse_args()

    _, ensemble = pretrained_recipe(random_state=args.seed)
    model = ensemble.estimator.set_params(random_state=args.seed)
    classes = np.arange(1, 231)
    t0 = time.perf_counter()
    seen = 0
    for X, y in stream(args.lever, args.seed, args.n_jobs):
        model.partial_fit(X, y, classes=classes)
        seen += len(y)
        if seen >= args.patterns:
            break
    minutes = (time.perf_counter() - t0) / 60

    datasets = {"held-out structures": held_out_patterns(args.seed)}
    if Path(args.rruff).exists():
        with np.load(args.rruff) as data:
            datasets["RRUFF"] = (
                normalize_patterns(np.clip(data["intensity"], 0, None)),
                data["space_group"].astype(int),
            )
    row = {"lever": args.lever, "patterns": seen, "minutes": round(minutes, 1)}
    for name, (X, y) in datasets.items():
        report = xrd_report(y, model.predict_proba(X), labels=model.classes_)
        for key in (
            "space_group_accuracy",
            "top_5_accuracy",
            "crystal_system_accuracy",
            "accuracy_at_50_coverage",
        ):
            row[f"{name}: {key}"] = round(100 * report[key], 1)
    print(json.dumps(row, indent=1))
    if args.json:
        with open(args.json, "a", encoding="utf-8") as file:
            file.write(json.dumps(row) + "\n")


if __name__ == "__main__":
    main()
