"""Accuracy of a model on measured RRUFF patterns and on simulated real structures.

    python benchmarks/bench_rruff.py [--model FILE] [--json OUT]

Evaluates the pretrained space-group model (or ``--model``) on
../shared/data/rruff_dev.npz (303 measured patterns; validation only, never used
for training) and on patterns simulated from real structures skxrd never trains on
(the Avogadro/COD CIFs and pymatgen's structures, with realistic profiles and
noise). Prints the paper's Table I figures beside a trivial baseline that always
answers the most frequent group of the reachable real structures.
"""

import argparse
import json
import os
import warnings
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from skxrd.metrics import format_reports, xrd_report  # noqa: E402
from skxrd.models import load_model, load_pretrained  # noqa: E402
from skxrd.preprocessing import normalize_patterns  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def real_structures(seed):
    from skxrd.augmentation import augment_patterns
    from skxrd.simulation import ProfileSampler, simulate_patterns
    from skxrd.structures import load_structures

    records = []
    for source in ("avogadro", "pymatgen"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                records += list(load_structures(source))
            except (ValueError, ImportError):
                continue
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        X, y, _ = simulate_patterns(
            [r.structure for r in records],
            names=[r.name for r in records],
            profile=ProfileSampler(),
            progress=False,
            random_state=seed,
        )
    X = augment_patterns(X, counts=(1e2, 1e4), renormalize=True, random_state=seed)
    return X, y


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None)
    parser.add_argument("--rruff", default=ROOT.parent / "shared/data/rruff_dev.npz")
    parser.add_argument("--json", default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    model = load_pretrained() if args.model is None else load_model(args.model)
    classes = np.asarray(model.classes_)
    threshold = getattr(model, "reject_threshold", None)
    reports, baselines = {}, {}
    datasets = {}
    if Path(args.rruff).exists():
        with np.load(args.rruff) as data:
            datasets["RRUFF (303 measured)"] = (
                normalize_patterns(np.clip(data["intensity"], 0, None)),
                data["space_group"].astype(int),
            )
    datasets["simulated real structures"] = real_structures(args.seed)
    from skxrd.engine import space_group_prior

    prior = space_group_prior()
    for name, (X, y) in datasets.items():
        proba = model.predict_proba(X)
        reports[name] = xrd_report(y, proba, labels=classes, reject_threshold=threshold)
        constant = np.tile(prior[classes - 1], (len(y), 1))
        baselines[name + ", prior baseline"] = xrd_report(y, constant, labels=classes)
    print(format_reports({**reports, **baselines}))
    if args.json:
        Path(args.json).write_text(json.dumps({**reports, **baselines}, indent=2))


if __name__ == "__main__":
    main()
