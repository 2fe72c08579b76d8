"""Accuracy of a model on measured RRUFF patterns and on simulated real structures.

    python benchmarks/bench_rruff.py [--model FILE] [--json OUT] [--shift-average K]
                                     [--prior-power TAU]

Evaluates the pretrained space-group model (or ``--model``) on
../shared/data/rruff_dev.npz (303 measured patterns; validation only, never used
for training) and on patterns simulated from real structures skxrd never trains on
(half of the Avogadro/COD CIFs, split off by a hash of formula and group, and
pymatgen's structures, with realistic profiles and noise; the recipe drops
training structures with their formula and group).
Prints the paper's Table I figures, and the expected calibration error, beside
a baseline that answers every pattern with the class prior of the reachable
real structures.
"""

import argparse
import json
import os
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.metrics import format_reports, xrd_report  # noqa: E402
from skxrd.models import load_model, load_pretrained  # noqa: E402
from skxrd.models._recipe import held_out_patterns, load_measured_set  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--json", default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--shift-average",
        type=int,
        default=0,
        metavar="K",
        help="average the probabilities over each pattern shifted by -K, 0 and "
        "+K grid points (a test-time augmentation lever; 0: off)",
    )
    parser.add_argument(
        "--prior-power",
        type=float,
        default=0.0,
        metavar="TAU",
        help="divide the probabilities by the training class prior to the power "
        "TAU and renormalise (a prior-correction lever; 0: off)",
    )
    args = parser.parse_args()
    model = load_pretrained() if args.model is None else load_model(args.model)
    classes = np.asarray(model.classes_)
    threshold = getattr(model, "reject_threshold", None)
    reports, baselines = {}, {}
    datasets = {}
    if Path(args.rruff).exists():
        datasets["RRUFF (303 measured)"] = load_measured_set(args.rruff)
    datasets["simulated real structures"] = held_out_patterns(args.seed)
    from skxrd.engine import space_group_prior

    prior = space_group_prior()
    shifts = sorted({-args.shift_average, 0, args.shift_average})
    for name, (X, y) in datasets.items():
        proba = np.mean([model.predict_proba(np.roll(X, k, axis=1)) for k in shifts], 0)
        if args.prior_power:
            proba = proba / prior[classes - 1] ** args.prior_power
            proba /= proba.sum(axis=1, keepdims=True)
        reports[name] = xrd_report(y, proba, labels=classes, reject_threshold=threshold)
        constant = np.tile(prior[classes - 1], (len(y), 1))
        baselines[name + ", prior baseline"] = xrd_report(y, constant, labels=classes)
    print(format_reports({**reports, **baselines}))
    if args.json:
        Path(args.json).write_text(json.dumps({**reports, **baselines}, indent=2))


if __name__ == "__main__":
    main()
